// One user: details, rename, access to hub groups (the ledger, grant and revoke by hand), make or
// unmake admin, deactivate or reactivate. The owner's card has no
// role or status buttons; your own card has no Deactivate.
import { useState } from 'react';
import { Link, useOutletContext, useParams } from 'react-router';
import { api, type Grant, type HubGroup, type LedgerEntry, type User } from '../api.ts';
import { formatDate, formatMoney, roleLabel } from '../format.ts';
import {
  FormAlert,
  Notice,
  onSubmit,
  SelectField,
  SubmitButton,
  TextAreaField,
  TextField,
  useAction,
} from '../forms.tsx';
import { reasonText, VisibilityBadge } from '../hub-common.tsx';
import { ConfirmDialog, LoadError, Loading, Time, useLoad, useTitle } from '../ui.tsx';
import type { AdminContext } from './admin-layout.tsx';
import { AccessHistorySection, PaymentsSection } from './user-payments.tsx';

export function UserCardPage() {
  const { id = '' } = useParams();
  const users = useLoad(() => api.get<User>(`/users/${encodeURIComponent(id)}`), ['user', id]);
  useTitle(users.data ? `${users.data.name || users.data.email} · Users` : 'User');

  return (
    <>
      <p className="breadcrumb">
        <Link to="/admin/users">← Users</Link>
      </p>
      {users.error ? (
        <LoadError error={users.error} retry={users.reload} />
      ) : !users.data ? (
        <Loading />
      ) : (
        <UserCard key={users.data.id} user={users.data} onChange={users.setData} />
      )}
    </>
  );
}

function UserCard({ user, onChange }: { user: User; onChange(user: User): void }) {
  const { me } = useOutletContext<AdminContext>();
  const isOwner = user.role === 'owner';
  const isSelf = user.id === me.id;
  const [notice, setNotice] = useState<string | null>(null);
  const [confirmDeactivate, setConfirmDeactivate] = useState(false);
  const action = useAction();

  const update = async (patch: Partial<Pick<User, 'role' | 'status'>>, done: string) => {
    setNotice(null);
    const result = await action.run(() => api.patch<User>(`/users/${encodeURIComponent(user.id)}`, patch));
    setConfirmDeactivate(false);
    if (!result.ok) return;
    onChange(result.value);
    setNotice(done);
  };

  const displayName = user.name || user.email;
  return (
    <>
      <div className="page-head">
        <h1>{displayName}</h1>
        {user.status === 'deactivated' && <span className="badge badge-danger">Deactivated</span>}
      </div>
      {notice && <Notice>{notice}</Notice>}
      <FormAlert errors={action.errors} />

      <section className="card section" aria-labelledby="user-details">
        <h2 id="user-details">Details</h2>
        <dl className="details">
          <dt>Name</dt>
          <dd>{user.name || <span className="muted">—</span>}</dd>
          <dt>Email</dt>
          <dd>{user.email}</dd>
          <dt>Role</dt>
          <dd>{roleLabel(user.role)}</dd>
          <dt>Status</dt>
          <dd>{user.status === 'active' ? 'Active' : 'Deactivated'}</dd>
          <dt>Joined</dt>
          <dd>
            <Time iso={user.createdAt} withTime />
          </dd>
          <dt>Last seen</dt>
          <dd>
            {user.lastSeenAt ? <Time iso={user.lastSeenAt} withTime /> : <span className="muted">Never</span>}
          </dd>
          <dt>Email verified</dt>
          <dd>{user.emailVerified ? 'Yes' : 'No'}</dd>
          <dt>Total spending</dt>
          <dd>{formatMoney(user.totalSpending.amountMinor, user.totalSpending.currency)}</dd>
        </dl>
      </section>

      <RenameForm user={user} onChange={onChange} />

      <AccessSection user={user} />

      <PaymentsSection user={user} />
      <AccessHistorySection user={user} />

      {!isOwner && (
        <section className="card section" aria-labelledby="user-role">
          <h2 id="user-role">Role and status</h2>
          <div className="button-row">
            {user.role === 'member' ? (
              <button
                type="button"
                className="button"
                disabled={action.pending}
                onClick={() => void update({ role: 'admin' }, `${displayName} is now an admin.`)}
              >
                Make admin
              </button>
            ) : (
              <button
                type="button"
                className="button"
                disabled={action.pending}
                onClick={() => void update({ role: 'member' }, `${displayName} is no longer an admin.`)}
              >
                Remove admin
              </button>
            )}
            {user.status === 'deactivated' ? (
              <button
                type="button"
                className="button"
                disabled={action.pending}
                onClick={() => void update({ status: 'active' }, `${displayName} is active again.`)}
              >
                Reactivate
              </button>
            ) : (
              !isSelf && (
                <button
                  type="button"
                  className="button button-danger"
                  disabled={action.pending}
                  onClick={() => setConfirmDeactivate(true)}
                >
                  Deactivate
                </button>
              )
            )}
          </div>
          {isSelf && <p className="muted">You cannot deactivate your own account.</p>}
        </section>
      )}

      <ConfirmDialog
        open={confirmDeactivate}
        title={`Deactivate ${displayName}?`}
        confirmLabel="Deactivate"
        danger
        pending={action.pending}
        onCancel={() => setConfirmDeactivate(false)}
        onConfirm={() => void update({ status: 'deactivated' }, `${displayName} is deactivated.`)}
      >
        <p>
          Deactivation signs them out everywhere at once: their sessions, API keys and pending sign-in links
          stop working, and they cannot sign in again. You can reactivate them later.
        </p>
      </ConfirmDialog>
    </>
  );
}

function RenameForm({ user, onChange }: { user: User; onChange(user: User): void }) {
  const [name, setName] = useState(user.name);
  const [saved, setSaved] = useState(false);
  const action = useAction();

  const submit = async () => {
    setSaved(false);
    const result = await action.run(() => api.patch<User>(`/users/${encodeURIComponent(user.id)}`, { name }));
    if (!result.ok) return;
    onChange(result.value);
    setSaved(true);
  };

  return (
    <section className="card section" aria-labelledby="user-rename">
      <h2 id="user-rename">Name</h2>
      <form onSubmit={onSubmit(submit)} noValidate>
        <FormAlert errors={action.errors} fields={['name']} />
        {saved && <Notice>The name is saved.</Notice>}
        <TextField
          label="Name"
          name="name"
          value={name}
          onValue={(value) => {
            setName(value);
            setSaved(false);
          }}
          error={action.errors.fields.name}
          autoComplete="off"
        />
        <SubmitButton pending={action.pending}>Save name</SubmitButton>
      </form>
    </section>
  );
}

/** The end of a chosen day (yyyy-mm-dd) in this browser's timezone, as ISO 8601. */
function endOfDay(date: string): string | null {
  const [year, month, day] = date.split('-').map(Number);
  if (!year || !month || !day) return null;
  return new Date(year, month - 1, day, 23, 59, 59, 999).toISOString();
}

function todayInput(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** The access ledger (every group the user may enter, and every reason), and hand grants. */
function AccessSection({ user }: { user: User }) {
  const ledger = useLoad(
    () => api.get<{ data: LedgerEntry[] }>(`/users/${encodeURIComponent(user.id)}/access`),
    ['user-access', user.id],
  );
  const [notice, setNotice] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<{ grantId: string; groupName: string } | null>(null);
  const revokeAction = useAction();
  const displayName = user.name || user.email;

  const revoke = async () => {
    if (!revoking) return;
    setNotice(null);
    const result = await revokeAction.run(() =>
      api.delete(`/users/${encodeURIComponent(user.id)}/grants/${encodeURIComponent(revoking.grantId)}`),
    );
    if (!result.ok) return;
    setNotice(`The hand grant to ${revoking.groupName} is revoked.`);
    setRevoking(null);
    ledger.reload();
  };

  return (
    <section className="card section" aria-labelledby="user-hub-access">
      <h2 id="user-hub-access">Access</h2>
      <p className="muted">Every hub group {displayName} may enter, and why.</p>
      {notice && <Notice>{notice}</Notice>}
      {!revoking && <FormAlert errors={revokeAction.errors} />}
      {ledger.error ? (
        <LoadError error={ledger.error} retry={ledger.reload} />
      ) : !ledger.data ? (
        <Loading />
      ) : ledger.data.data.length === 0 ? (
        <p className="empty-inline">No hub group is open to {displayName}.</p>
      ) : (
        <ul className="ledger" aria-busy={ledger.loading || undefined}>
          {ledger.data.data.map((entry) => (
            <li key={entry.group.id} className="ledger-entry">
              <div className="ledger-group">
                <Link to={`/admin/hub/${encodeURIComponent(entry.group.id)}`}>{entry.group.name}</Link>
                <VisibilityBadge visibility={entry.group.visibility} />
              </div>
              <ul className="ledger-reasons">
                {entry.reasons.map((reason) => (
                  <li
                    key={
                      reason.kind === 'grant'
                        ? reason.grantId
                        : reason.kind === 'entitlement'
                          ? reason.entitlementId
                          : reason.kind
                    }
                  >
                    <span>{reasonText(reason)}</span>
                    {reason.kind === 'grant' && reason.note && (
                      <span className="muted"> — {reason.note}</span>
                    )}
                    {reason.kind === 'grant' && (
                      <button
                        type="button"
                        className="button button-small button-danger-quiet"
                        aria-label={`Revoke access to ${entry.group.name}`}
                        onClick={() => {
                          revokeAction.reset();
                          setRevoking({ grantId: reason.grantId, groupName: entry.group.name });
                        }}
                      >
                        Revoke
                      </button>
                    )}
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      )}

      <GrantForm
        user={user}
        onGranted={(grant) => {
          setNotice(
            `${displayName} may enter ${grant.hubGroup.name}${grant.endsAt ? ` until ${formatDate(grant.endsAt)}` : ''}.`,
          );
          ledger.reload();
        }}
      />

      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke access to ${revoking?.groupName ?? ''}?`}
        confirmLabel="Revoke"
        danger
        pending={revokeAction.pending}
        onCancel={() => {
          setRevoking(null);
          revokeAction.reset();
        }}
        onConfirm={() => void revoke()}
      >
        <p>
          {displayName} loses this hand grant at once. Access they have for another reason (a public group, an
          offer) stays.
        </p>
        <FormAlert errors={revokeAction.errors} />
      </ConfirmDialog>
    </section>
  );
}

function GrantForm({ user, onGranted }: { user: User; onGranted(grant: Grant): void }) {
  const groups = useLoad(() => api.get<{ data: HubGroup[] }>('/hub-groups'), ['staff-hub-groups']);
  const [groupId, setGroupId] = useState('');
  const [endsOn, setEndsOn] = useState('');
  const [note, setNote] = useState('');
  const action = useAction();
  const fields = action.errors.fields;

  const submit = async () => {
    if (!groupId) {
      action.fail({ hubGroupId: 'choose a hub group' });
      return;
    }
    const endsAt = endsOn ? endOfDay(endsOn) : null;
    if (endsOn && !endsAt) {
      action.fail({ endsAt: 'is not a date' });
      return;
    }
    const result = await action.run(() =>
      api.post<Grant>(`/users/${encodeURIComponent(user.id)}/grants`, {
        hubGroupId: groupId,
        endsAt,
        note: note.trim() || null,
      }),
    );
    if (!result.ok) return;
    setGroupId('');
    setEndsOn('');
    setNote('');
    onGranted(result.value);
  };

  return (
    <div className="grant-form">
      <h3 id="grant-access-title">Grant access</h3>
      {groups.error ? (
        <LoadError error={groups.error} retry={groups.reload} />
      ) : !groups.data ? (
        <Loading />
      ) : groups.data.data.length === 0 ? (
        <p className="muted">
          There are no hub groups yet. <Link to="/admin/hub">Create one</Link>.
        </p>
      ) : (
        <form onSubmit={onSubmit(submit)} noValidate aria-labelledby="grant-access-title">
          <FormAlert errors={action.errors} fields={['hubGroupId', 'endsAt', 'note']} />
          <p className="field-hint">
            Opens a group to {user.name || user.email} by hand. Granting a group again replaces the earlier
            grant.
          </p>
          <div className="form-row">
            <SelectField
              label="Hub group"
              name="hubGroupId"
              value={groupId}
              onValue={setGroupId}
              error={fields.hubGroupId}
              options={[
                { value: '', label: 'Choose a group…' },
                ...groups.data.data.map((group) => ({ value: group.id, label: group.name })),
              ]}
            />
            <TextField
              label="Ends on (optional)"
              name="endsAt"
              type="date"
              value={endsOn}
              onValue={setEndsOn}
              error={fields.endsAt}
              min={todayInput()}
              hint="Access ends at the end of that day. Empty: until revoked."
            />
          </div>
          <TextAreaField
            label="Note (optional)"
            name="note"
            value={note}
            onValue={setNote}
            error={fields.note}
            rows={2}
            maxLength={500}
            hint="Why, for the other admins: “Comped for the spring workshop”."
          />
          <SubmitButton pending={action.pending}>Grant access</SubmitButton>
        </form>
      )}
    </div>
  );
}
