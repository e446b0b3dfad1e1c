// One user: details, rename, make or unmake admin, deactivate or reactivate. The owner's card has no
// role or status buttons; your own card has no Deactivate.
import { useState } from 'react';
import { Link, useOutletContext, useParams } from 'react-router';
import { api, type User } from '../api.ts';
import { formatMoney, roleLabel } from '../format.ts';
import { FormAlert, Notice, onSubmit, SubmitButton, TextField, useAction } from '../forms.tsx';
import { ConfirmDialog, LoadError, Loading, Time, useLoad, useTitle } from '../ui.tsx';
import type { AdminContext } from './admin-layout.tsx';

export function UserCardPage() {
  const { id = '' } = useParams();
  const users = useLoad(() => api.get<User>(`/users/${encodeURIComponent(id)}`), id);
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

      {!isOwner && (
        <section className="card section" aria-labelledby="user-access">
          <h2 id="user-access">Access</h2>
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
