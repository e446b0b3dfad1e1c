// Dashboard → Hub: the hub groups in order (reorder with Move up / Move down) and Create hub group.
import { useEffect, useRef, useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { api, errorMessage, type HubGroup } from '../../api.ts';
import { Notice } from '../../forms.tsx';
import { GroupIcon, VisibilityBadge } from '../../hub-common.tsx';
import { usePlatformName } from '../../session.tsx';
import { LoadError, Loading, useLoad, useTitle } from '../../ui.tsx';
import { GroupForm } from './group-form.tsx';
import { plural } from './shared.ts';

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
