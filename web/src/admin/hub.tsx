// Dashboard → Hub: the hub groups in order (reorder with Move up / Move down), Create hub group, and a
// group's own page: edit, paywall, image, who is in it and why, delete.
import { useEffect, useRef, useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import {
  ApiError,
  api,
  errorMessage,
  type GroupMember,
  type HubGroup,
  type HubGroupDetail,
  type Page,
  request,
  type Visibility,
} from '../api.ts';
import {
  FormAlert,
  Notice,
  onSubmit,
  RadioField,
  SubmitButton,
  TextAreaField,
  TextField,
  useAction,
} from '../forms.tsx';
import {
  GroupIcon,
  reasonText,
  slugify,
  VISIBILITY_HINTS,
  VISIBILITY_LABELS,
  VisibilityBadge,
} from '../hub-common.tsx';
import { usePlatformName } from '../session.tsx';
import { ConfirmDialog, LoadError, Loading, Pager, useCursorPages, useLoad, useTitle } from '../ui.tsx';

const groupPath = (id: string) => `/hub-groups/${encodeURIComponent(id)}`;
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

// --- the list -------------------------------------------------------------------------------------

export function AdminHubPage() {
  const platformName = usePlatformName();
  useTitle(`Hub · ${platformName}`);
  const location = useLocation();
  const navigate = useNavigate();
  const deleted = (location.state as { deleted?: string } | null)?.deleted ?? null;
  const groups = useLoad(() => api.get<{ data: HubGroup[] }>('/hub-groups'), ['staff-hub-groups']);
  const [creating, setCreating] = useState(false);

  return (
    <>
      <div className="page-head">
        <h1>Hub</h1>
        <div className="button-row">
          <Link to="/hub" className="button">
            Open the member area
          </Link>
          {!creating && (
            <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
              Create hub group
            </button>
          )}
        </div>
      </div>
      <p className="lead">
        Hub groups hold your community's posts and discussion. Public groups are open to everyone signed in;
        private ones are sold by offers or opened by hand; hidden ones exist only for those who can enter
        them.
      </p>
      {deleted && <Notice>“{deleted}” is deleted.</Notice>}

      {creating && (
        <section className="card section" aria-labelledby="create-group-title">
          <h2 id="create-group-title">Create hub group</h2>
          <GroupForm
            group={null}
            onCancel={() => setCreating(false)}
            onSaved={(group) =>
              navigate(`/admin/hub/${encodeURIComponent(group.id)}`, { state: { created: true } })
            }
          />
        </section>
      )}

      {groups.error ? (
        <LoadError error={groups.error} retry={groups.reload} />
      ) : !groups.data ? (
        <Loading />
      ) : groups.data.data.length === 0 ? (
        <div className="card empty-state">
          <p>No hub groups yet. Create the first one: a public “General” is a good start.</p>
        </div>
      ) : (
        <GroupList
          groups={groups.data.data}
          onChange={(data) => groups.setData({ data })}
          onReload={groups.reload}
        />
      )}
    </>
  );
}

function GroupList({
  groups,
  onChange,
  onReload,
}: {
  groups: HubGroup[];
  onChange(groups: HubGroup[]): void;
  onReload(): void;
}) {
  const [error, setError] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const buttons = useRef(new Map<string, HTMLButtonElement>());
  const focusNext = useRef<string | null>(null);
  // Each move is saved in turn, so quick presses reach the server in the order they were made.
  const saving = useRef<Promise<void>>(Promise.resolve());

  useEffect(() => {
    if (!focusNext.current) return;
    buttons.current.get(focusNext.current)?.focus();
    focusNext.current = null;
  });

  const move = (index: number, by: -1 | 1) => {
    const target = index + by;
    if (target < 0 || target >= groups.length) return;
    const next = [...groups];
    const [moved] = next.splice(index, 1);
    if (!moved) return;
    next.splice(target, 0, moved);
    // The pressed button keeps the focus, unless the group reached an end where it is disabled.
    const edge = (by === -1 && target === 0) || (by === 1 && target === next.length - 1);
    focusNext.current = `${moved.id}:${edge ? (by === -1 ? 'down' : 'up') : by === -1 ? 'up' : 'down'}`;
    setError(null);
    onChange(next);
    setAnnouncement(`${moved.name} moved to position ${target + 1} of ${next.length}.`);
    const ids = next.map((group) => group.id);
    saving.current = saving.current.then(async () => {
      try {
        await api.post('/hub-groups/reorder', { ids });
      } catch (failure) {
        setAnnouncement('');
        setError(`The new order was not saved. ${errorMessage(failure)}`);
        onReload();
      }
    });
  };

  const ref = (key: string) => (element: HTMLButtonElement | null) => {
    if (element) buttons.current.set(key, element);
    else buttons.current.delete(key);
  };

  return (
    <>
      {error && (
        <div className="alert alert-error" role="alert">
          <p>{error}</p>
        </div>
      )}
      <p className="visually-hidden" role="status">
        {announcement}
      </p>
      <ol className="group-list card" aria-label="Hub groups, in the order members see them">
        {groups.map((group, index) => (
          <li key={group.id} className="group-row">
            <GroupIcon group={group} />
            <div className="group-row-main">
              <Link to={`/admin/hub/${encodeURIComponent(group.id)}`} className="group-row-name">
                {group.name}
              </Link>
              <span className="group-row-meta">
                <VisibilityBadge visibility={group.visibility} />
                <span className="muted">{plural(group.postCount, 'post', 'posts')}</span>
              </span>
            </div>
            <div className="group-row-moves">
              <button
                type="button"
                className="button button-small"
                ref={ref(`${group.id}:up`)}
                aria-label={`Move ${group.name} up`}
                disabled={index === 0}
                onClick={() => move(index, -1)}
              >
                <span aria-hidden="true">↑</span> Up
              </button>
              <button
                type="button"
                className="button button-small"
                ref={ref(`${group.id}:down`)}
                aria-label={`Move ${group.name} down`}
                disabled={index === groups.length - 1}
                onClick={() => move(index, 1)}
              >
                <span aria-hidden="true">↓</span> Down
              </button>
            </div>
          </li>
        ))}
      </ol>
    </>
  );
}

// --- create and edit ------------------------------------------------------------------------------

interface Draft {
  name: string;
  slug: string;
  description: string;
  emoji: string;
  visibility: Visibility;
  paywallCta: string;
  paywallDescription: string;
  paywallMode: 'offers' | 'url';
  paywallUrl: string;
}

function draftOf(group: HubGroup | null): Draft {
  return {
    name: group?.name ?? '',
    slug: group?.slug ?? '',
    description: group?.description ?? '',
    emoji: group?.emoji ?? '',
    visibility: group?.visibility ?? 'public',
    paywallCta: group?.paywall.callToAction ?? '',
    paywallDescription: group?.paywall.description ?? '',
    paywallMode: group?.paywall.url ? 'url' : 'offers',
    paywallUrl: group?.paywall.url ?? '',
  };
}

const GROUP_FIELDS = [
  'name',
  'slug',
  'description',
  'emoji',
  'visibility',
  'paywallCta',
  'paywallDescription',
  'paywallUrl',
];

function GroupForm({
  group,
  onSaved,
  onCancel,
}: {
  group: HubGroup | null;
  onSaved(group: HubGroup): void;
  onCancel?: () => void;
}) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(group));
  // While creating, the slug follows the name until the admin types one of their own.
  const [slugEdited, setSlugEdited] = useState(group !== null);
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const fields = action.errors.fields;
  const set = (key: keyof Draft) => (value: string) => {
    setSaved(false);
    setDraft((current) => ({
      ...current,
      [key]: value,
      ...(key === 'name' && !slugEdited ? { slug: slugify(value) } : {}),
    }));
  };

  const submit = async () => {
    setSaved(false);
    const body: Record<string, string | null> = {
      name: draft.name,
      description: draft.description,
      emoji: draft.emoji.trim() || null,
      visibility: draft.visibility,
    };
    if (draft.slug.trim()) body.slug = draft.slug.trim();
    if (group && draft.visibility === 'private') {
      body.paywallCta = draft.paywallCta.trim() || null;
      body.paywallDescription = draft.paywallDescription.trim() || null;
      body.paywallUrl = draft.paywallMode === 'url' ? draft.paywallUrl.trim() || null : null;
    }
    const result = await action.run(() =>
      group ? api.patch<HubGroup>(groupPath(group.id), body) : api.post<HubGroup>('/hub-groups', body),
    );
    if (!result.ok) return;
    if (group) {
      setDraft(draftOf(result.value));
      setSaved(true);
    }
    onSaved(result.value);
  };

  return (
    <form onSubmit={onSubmit(submit)} noValidate>
      <FormAlert errors={action.errors} fields={GROUP_FIELDS} />
      {saved && <Notice>The group is saved.</Notice>}
      <div className="form-row">
        <TextField
          label="Name"
          name="name"
          value={draft.name}
          onValue={set('name')}
          error={fields.name}
          autoComplete="off"
          maxLength={80}
          autoFocus={group === null}
        />
        <TextField
          label="URL slug"
          name="slug"
          value={draft.slug}
          onValue={(value) => {
            setSlugEdited(true);
            set('slug')(value);
          }}
          error={fields.slug}
          autoComplete="off"
          spellCheck={false}
          maxLength={60}
          hint={`Members open it at /hub/g/${draft.slug || slugify(draft.name) || '…'}`}
        />
      </div>
      <TextAreaField
        label="Description"
        name="description"
        value={draft.description}
        onValue={set('description')}
        error={fields.description}
        rows={3}
        maxLength={2000}
      />
      <TextField
        label="Emoji"
        name="emoji"
        value={draft.emoji}
        onValue={set('emoji')}
        error={fields.emoji}
        autoComplete="off"
        className="input-short"
        hint="One emoji shown beside the name, unless the group has an image."
      />
      <RadioField
        legend="Permission"
        name="visibility"
        value={draft.visibility}
        onValue={(value) => set('visibility')(value)}
        error={fields.visibility}
        options={(['public', 'private', 'hidden'] as const).map((value) => ({
          value,
          label: VISIBILITY_LABELS[value],
          hint: VISIBILITY_HINTS[value],
        }))}
      />
      {group && draft.visibility === 'private' && (
        <fieldset className="card-inset">
          <legend>Paywall</legend>
          <p className="field-hint">What members without access see when they open this group.</p>
          <TextField
            label="Paywall Call-to-Action"
            name="paywallCta"
            value={draft.paywallCta}
            onValue={set('paywallCta')}
            error={fields.paywallCta}
            maxLength={200}
            autoComplete="off"
            hint={`The heading. Left empty: “Join to enter ${draft.name || 'this group'}”.`}
          />
          <TextAreaField
            label="Paywall Description"
            name="paywallDescription"
            value={draft.paywallDescription}
            onValue={set('paywallDescription')}
            error={fields.paywallDescription}
            rows={3}
            maxLength={2000}
          />
          <RadioField
            legend="The paywall leads to"
            name="paywallMode"
            value={draft.paywallMode}
            onValue={(value) => set('paywallMode')(value)}
            options={[
              { value: 'offers', label: 'The offers that grant this group' },
              {
                value: 'url',
                label: 'An external URL instead',
                hint: 'A checkout or landing page elsewhere.',
              },
            ]}
          />
          {draft.paywallMode === 'url' && (
            <TextField
              label="Paywall URL"
              name="paywallUrl"
              type="url"
              value={draft.paywallUrl}
              onValue={set('paywallUrl')}
              error={fields.paywallUrl}
              placeholder="https://"
              autoComplete="off"
            />
          )}
        </fieldset>
      )}
      <div className="form-actions">
        <SubmitButton pending={action.pending}>{group ? 'Save group' : 'Create group'}</SubmitButton>
        {onCancel && (
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

// --- one group ------------------------------------------------------------------------------------

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
    const result = await action.run(() => api.putFile<HubGroup>(`${groupPath(group.id)}/image`, file));
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
          <div className="table-wrap" aria-busy={members.loading || undefined}>
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
          </div>
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
