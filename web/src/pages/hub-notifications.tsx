// /hub/notifications: comments on the member's posts, replies to their comments and mentions, newest first; the
// bell's count beside Home. Opening one marks it read; "Mark all as read" clears the count.
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { api, type Notification, type Page } from '../api.ts';
import { BellIcon } from '../hub-common.tsx';
import { usePlatformName } from '../session.tsx';
import { LoadError, Loading, LoadMore, Time, useTitle } from '../ui.tsx';

const UNREAD_KEY = ['hub-unread'];

/** The number on the bell: asked again each minute and whenever a hub page asks for it. */
export function useUnreadCount(): number {
  const unread = useQuery({
    queryKey: UNREAD_KEY,
    queryFn: () => api.get<{ unread: number }>('/hub/notifications/unread'),
    refetchInterval: 60_000,
  });
  return unread.data?.unread ?? 0;
}

/** The bell: a link to the notifications that says how many are unread (its name: "Notifications 3 unread"). */
export function NotificationsLink({ className, label = true }: { className?: string; label?: boolean }) {
  const unread = useUnreadCount();
  return (
    <Link to="/hub/notifications" className={className}>
      <BellIcon />
      <span className={label ? 'group-nav-name' : 'visually-hidden'}> Notifications</span>
      {unread > 0 && (
        <span className="badge badge-count">
          {unread > 99 ? '99+' : unread}
          <span className="visually-hidden"> unread</span>
        </span>
      )}
    </Link>
  );
}

function sentence(note: Notification): string {
  const who = note.actor?.name ?? 'A former member';
  const what = note.post.title ? `“${note.post.title}”` : 'your post';
  if (note.kind === 'post')
    return `${who} posted ${note.post.title ? what : 'something new'} in ${note.group.name}`;
  if (note.kind === 'mention') return `${who} mentioned you in ${note.post.title ? what : 'a post'}`;
  return note.kind === 'reply'
    ? `${who} replied to your comment on ${note.post.title ? what : 'a post'}`
    : `${who} commented on ${note.post.title ? `your post ${what}` : 'your post'}`;
}

export function NotificationsPage() {
  const platformName = usePlatformName();
  useTitle(`Notifications · ${platformName}`);
  const client = useQueryClient();
  const navigate = useNavigate();
  const unread = useUnreadCount();
  const list = useInfiniteQuery({
    queryKey: ['hub-notifications'],
    queryFn: ({ pageParam }) =>
      api.get<Page<Notification>>('/hub/notifications', pageParam ? { cursor: pageParam } : undefined),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });

  const markRead = async (ids?: string[]) => {
    const answer = await api.post<{ unread: number }>('/hub/notifications/read', ids ? { ids } : {});
    client.setQueryData(UNREAD_KEY, answer);
    await list.refetch();
  };
  const open = (note: Notification) => {
    if (!note.read) void markRead([note.id]).catch(() => undefined);
    void navigate(`/hub/p/${encodeURIComponent(note.post.id)}`);
  };

  const notes = list.data?.pages.flatMap((page) => page.data) ?? [];
  return (
    <>
      <div className="page-head">
        <h1>Notifications</h1>
        {unread > 0 && (
          <button type="button" className="button button-small" onClick={() => void markRead()}>
            Mark all as read
          </button>
        )}
      </div>
      {list.error && !list.data ? (
        <LoadError error={list.error} retry={() => void list.refetch()} />
      ) : !list.data ? (
        <Loading />
      ) : notes.length === 0 ? (
        <div className="card empty-state">
          <p>
            Nothing yet. When someone comments on your post, replies to you or mentions you, it shows here.
          </p>
        </div>
      ) : (
        <ul className="notifications" aria-label="Notifications">
          {notes.map((note) => (
            <li key={note.id} className={note.read ? 'card notification' : 'card notification is-unread'}>
              <p className="post-group">
                <Link to={`/hub/g/${encodeURIComponent(note.group.slug)}`}>{note.group.name}</Link>
                <span className="muted">
                  {' '}
                  · <Time iso={note.createdAt} withTime />
                </span>
              </p>
              <p className="notification-line">
                <a
                  href={`/hub/p/${encodeURIComponent(note.post.id)}`}
                  onClick={(event) => {
                    event.preventDefault();
                    open(note);
                  }}
                >
                  {sentence(note)}
                </a>
                {!note.read && <span className="visually-hidden"> (unread)</span>}
              </p>
              {note.comment && <p className="muted notification-excerpt">{note.comment.excerpt}</p>}
            </li>
          ))}
        </ul>
      )}
      <LoadMore list={list} />
    </>
  );
}
