// One hub group's page in the dashboard: edit, paywall, image, who is in it and why, delete.
import { useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import {
  ApiError,
  api,
  type GroupMember,
  type HubGroup,
  type HubGroupDetail,
  type Page,
  request,
} from '../../api.ts';
import { FormAlert, Notice, onSubmit, SubmitButton, useAction } from '../../forms.tsx';
import { GroupIcon, reasonText, VisibilityBadge } from '../../hub-common.tsx';
import {
  ConfirmDialog,
  LoadError,
  Loading,
  Pager,
  TableWrap,
  useCursorPages,
  useLoad,
  useTitle,
} from '../../ui.tsx';
import { GroupForm } from './group-form.tsx';
import { groupPath, plural } from './shared.ts';

export function AdminHubGroupPage() {
  const { id = '' } = useParams();
  const location = useLocation();
  const created = (location.state as { created?: boolean } | null)?.created === true;
  const group = useLoad(() => api.get<HubGroupDetail>(groupPath(id)), ['staff-hub-group', id]);
  useTitle(group.data ? `${group.data.name} · Hub` : 'Hub group');

  return (
    <>
      <p className="breadcrumb">
        <Link to="/admin/hub">← Hub</Link>
      </p>
      {group.error ? (
        <LoadError error={group.error} retry={group.reload} />
      ) : !group.data ? (
        <Loading />
      ) : (
        <GroupPage
          key={group.data.id}
          group={group.data}
          created={created}
          onChange={(changed) => group.setData({ ...changed, grantedBy: group.data?.grantedBy ?? [] })}
        />
      )}
    </>
  );
}

function GroupPage({
  group,
  created,
  onChange,
}: {
  group: HubGroupDetail;
  created: boolean;
  onChange(group: HubGroup): void;
}) {
  return (
    <>
      <div className="page-head">
        <h1 className="group-title">
          <GroupIcon group={group} large />
          {group.name}
        </h1>
        <div className="button-row">
          <VisibilityBadge visibility={group.visibility} />
          <Link to={`/hub/g/${encodeURIComponent(group.slug)}`} className="button button-small">
            Open in the hub
          </Link>
        </div>
      </div>
      {created && <Notice>“{group.name}” is created.</Notice>}
      <p className="muted">{plural(group.postCount, 'post', 'posts')}</p>

      <section className="card section" aria-labelledby="group-edit">
        <h2 id="group-edit">Details</h2>
        <GroupForm group={group} onSaved={onChange} />
      </section>

      <GroupImage group={group} onChange={onChange} />

      <section className="card section" aria-labelledby="group-offers">
        <h2 id="group-offers">Offers that grant it</h2>
        {group.grantedBy.length === 0 ? (
          <p className="muted">No offer grants this group yet. Offers are set up under Digital Offers.</p>
        ) : (
          <ul>
            {group.grantedBy.map((offer) => (
              <li key={offer.id}>
                {offer.title} <span className="badge badge-muted">{offer.status}</span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <GroupMembers group={group} />
      <DeleteGroup group={group} />
    </>
  );
}

function GroupImage({ group, onChange }: { group: HubGroup; onChange(group: HubGroup): void }) {
  const [file, setFile] = useState<File | null>(null);
  const [inputKey, setInputKey] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);
  const action = useAction();

  const upload = async () => {
    setNotice(null);
    if (!file) {
      action.fail({ image: 'choose a file first' });
      return;
    }
    const result = await action.run(() =>
      api.sendFile<HubGroup>('PUT', `${groupPath(group.id)}/image`, file),
    );
    if (!result.ok) return;
    onChange(result.value);
    setFile(null);
    setInputKey((n) => n + 1);
    setNotice('The image is saved.');
  };

  const remove = async () => {
    setNotice(null);
    const result = await action.run(() => api.delete<HubGroup>(`${groupPath(group.id)}/image`));
    if (!result.ok) return;
    onChange(result.value);
    setNotice('The image is removed.');
  };

  const error = action.errors.fields.image;
  return (
    <section className="card section" aria-labelledby="group-image">
      <h2 id="group-image">Image</h2>
      <form onSubmit={onSubmit(upload)} noValidate>
        <FormAlert errors={action.errors} fields={['image']} />
        {notice && <Notice>{notice}</Notice>}
        <div className="image-row">
          {group.imageUrl ? (
            <img className="group-image-preview" src={group.imageUrl} alt={group.name} />
          ) : (
            <p className="muted">
              No image; members see {group.emoji ? 'the emoji' : 'the first letter of the name'}.
            </p>
          )}
        </div>
        <div className={`field${error ? ' field-invalid' : ''}`}>
          <label htmlFor="group-image-file">Group image</label>
          <p className="field-hint" id="group-image-hint">
            PNG, JPEG, WebP or GIF, at most 5 MB; shown square.
          </p>
          <input
            key={inputKey}
            id="group-image-file"
            type="file"
            accept="image/*"
            aria-describedby={error ? 'group-image-hint group-image-error' : 'group-image-hint'}
            aria-invalid={error ? true : undefined}
            onChange={(event) => {
              setFile(event.target.files?.[0] ?? null);
              action.reset();
              setNotice(null);
            }}
          />
          {error && (
            <p className="field-error" id="group-image-error">
              {`Image ${error}`}
            </p>
          )}
        </div>
        <div className="form-actions">
          <SubmitButton pending={action.pending}>
            {group.imageUrl ? 'Replace image' : 'Upload image'}
          </SubmitButton>
          {group.imageUrl && (
            <button
              type="button"
              className="button button-danger-quiet"
              disabled={action.pending}
              onClick={() => void remove()}
            >
              Remove image
            </button>
          )}
        </div>
      </form>
    </section>
  );
}

function GroupMembers({ group }: { group: HubGroup }) {
  const [source, setSource] = useState<'grants' | 'offers'>('grants');
  const pages = useCursorPages(source);
  const members = useLoad(
    () =>
      api.get<Page<GroupMember>>(`${groupPath(group.id)}/members`, {
        source,
        cursor: pages.cursor,
      }),
    ['staff-hub-group-members', group.id, source, pages.cursor ?? ''],
    { keepPrevious: true },
  );
  const tabs = [
    { value: 'grants', label: 'Granted by hand' },
    { value: 'offers', label: 'Through offers' },
  ] as const;

  return (
    <section className="card section" aria-labelledby="group-members">
      <h2 id="group-members">Members</h2>
      <p className="muted">
        {group.visibility === 'public'
          ? 'A public group is open to everyone signed in. Below: who also has it by hand or through an offer.'
          : 'Admins enter every group. Everyone else is here by hand or through an offer.'}
      </p>
      <div className="tabs" role="tablist" aria-label="Members by source">
        {tabs.map((tab, index) => (
          <button
            key={tab.value}
            type="button"
            role="tab"
            id={`members-tab-${tab.value}`}
            aria-selected={source === tab.value}
            aria-controls="members-panel"
            tabIndex={source === tab.value ? 0 : -1}
            onClick={() => setSource(tab.value)}
            onKeyDown={(event) => {
              if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
              const other = tabs[(index + 1) % tabs.length];
              if (!other) return;
              setSource(other.value);
              document.getElementById(`members-tab-${other.value}`)?.focus();
            }}
          >
            {tab.label}
          </button>
        ))}
      </div>
      <div
        role="tabpanel"
        id="members-panel"
        aria-labelledby={`members-tab-${source}`}
        className="tab-panel members-panel"
      >
        {members.error ? (
          <LoadError error={members.error} retry={members.reload} />
        ) : !members.data ? (
          <Loading />
        ) : members.data.data.length === 0 ? (
          <p className="muted">
            {source === 'grants'
              ? 'Nobody has been granted this group by hand.'
              : 'No buyer of an offer has it.'}
          </p>
        ) : (
          <TableWrap label="Members of this group" busy={members.loading}>
            <table>
              <thead>
                <tr>
                  <th scope="col">Member</th>
                  <th scope="col">Email</th>
                  <th scope="col">Why</th>
                </tr>
              </thead>
              <tbody>
                {members.data.data.map((member) => (
                  <tr key={`${member.user.id}:${reasonKey(member)}`}>
                    <td>
                      <Link to={`/admin/users/${encodeURIComponent(member.user.id)}`}>
                        {member.user.name || member.user.email}
                      </Link>
                    </td>
                    <td>{member.user.email}</td>
                    <td>
                      {reasonText(member.reason)}
                      {member.reason.kind === 'grant' && member.reason.note && (
                        <span className="muted cell-wrap"> — {member.reason.note}</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
        <Pager page={pages.page} list={members.data} onNext={pages.next} onBack={pages.back} />
      </div>
    </section>
  );
}

function reasonKey(member: GroupMember): string {
  const reason = member.reason;
  if (reason.kind === 'grant') return reason.grantId;
  if (reason.kind === 'entitlement') return reason.entitlementId;
  return reason.kind;
}

function DeleteGroup({ group }: { group: HubGroup }) {
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const [offers, setOffers] = useState<{ id: string; title: string }[] | null>(null);
  const action = useAction();

  const remove = async (confirm: boolean) => {
    const result = await action.run(() =>
      request<void>('DELETE', groupPath(group.id), confirm ? { query: { confirm: 'true' } } : {}),
    );
    if (result.ok) {
      setOpen(false);
      await navigate('/admin/hub', { replace: true, state: { deleted: group.name } });
      return;
    }
    const error = result.error;
    if (error instanceof ApiError && error.code === 'group_granted_by_offers') {
      const named = (error.details as { offers?: { id: string; title: string }[] } | undefined)?.offers;
      setOffers(named ?? []);
      action.reset();
    }
  };

  const close = () => {
    setOpen(false);
    setOffers(null);
    action.reset();
  };

  return (
    <section className="card section danger-zone" aria-labelledby="group-delete">
      <h2 id="group-delete">Delete this group</h2>
      <p className="muted">Deleting a group deletes its posts and comments for good.</p>
      <button type="button" className="button button-danger" onClick={() => setOpen(true)}>
        Delete group
      </button>
      <ConfirmDialog
        open={open}
        title={offers ? `Offers grant ${group.name}` : `Delete ${group.name}?`}
        confirmLabel={offers ? 'Delete anyway' : 'Delete group'}
        danger
        pending={action.pending}
        onCancel={close}
        onConfirm={() => void remove(offers !== null)}
      >
        {offers ? (
          <>
            <p>
              {offers.length === 1 ? 'This offer grants' : `These ${offers.length} offers grant`} the group.
              Their buyers lose it:
            </p>
            <ul>
              {offers.map((offer) => (
                <li key={offer.id}>{offer.title}</li>
              ))}
            </ul>
            <p>Delete the group and its {plural(group.postCount, 'post', 'posts')} anyway?</p>
          </>
        ) : (
          <p>
            This deletes “{group.name}” with its {plural(group.postCount, 'post', 'posts')} and their
            comments. It cannot be undone.
          </p>
        )}
        {action.errors.message && (
          <div className="alert alert-error" role="alert">
            <p>{action.errors.message}</p>
          </div>
        )}
      </ConfirmDialog>
    </section>
  );
}
