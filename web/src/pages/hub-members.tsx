// /hub/g/:slug/members: a group's member directory — the people who may enter it, by name, a page at a
// time, narrowed by the start of a name. The creator can turn it off per group (staff still see it).
import { useInfiniteQuery } from '@tanstack/react-query';
import { Link, useParams, useSearchParams } from 'react-router';
import { api, type DirectoryEntry, type MemberGroupDetail, type Page } from '../api.ts';
import { Avatar } from '../hub-common.tsx';
import { usePlatformName } from '../session.tsx';
import { LoadError, Loading, LoadMore, UrlSearchForm, useLoad, useTitle } from '../ui.tsx';

export function MembersPage() {
  const { slug = '' } = useParams();
  const platformName = usePlatformName();
  const group = useLoad(
    () => api.get<MemberGroupDetail>(`/hub/groups/${encodeURIComponent(slug)}`),
    ['member-hub-group', slug],
  );
  useTitle(`Members${group.data ? ` of ${group.data.name}` : ''} · ${platformName}`);
  if (group.error) return <LoadError error={group.error} retry={group.reload} />;
  if (!group.data) return <Loading />;
  return <Directory group={group.data} />;
}

function Directory({ group }: { group: MemberGroupDetail }) {
  const [params] = useSearchParams();
  const q = params.get('q')?.trim() ?? '';
  const people = useInfiniteQuery({
    queryKey: ['hub-members', group.id, q],
    queryFn: ({ pageParam }) =>
      api.get<Page<DirectoryEntry>>(`/hub/groups/${encodeURIComponent(group.id)}/members`, {
        ...(q ? { q } : {}),
        ...(pageParam ? { cursor: pageParam } : {}),
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const found = people.data?.pages.flatMap((page) => page.data) ?? [];
  return (
    <>
      <p className="post-group">
        <Link to={`/hub/g/${encodeURIComponent(group.slug)}`}>← {group.name}</Link>
      </p>
      <h1>Members</h1>
      {!group.directoryOn && group.visibility !== 'public' && (
        <p className="muted">Only the people who run the community see this list: its members do not.</p>
      )}
      <UrlSearchForm label="Find a member by name" button="Find" maxLength={80} />
      {people.error && !people.data ? (
        <LoadError error={people.error} retry={() => void people.refetch()} />
      ) : !people.data ? (
        <Loading label="Loading members…" />
      ) : found.length === 0 ? (
        <div className="card empty-state" role="status">
          <p>{q ? `Nobody here has a name starting with “${q}”.` : 'Nobody is here yet.'}</p>
        </div>
      ) : (
        <ul className="directory" aria-label={`Members of ${group.name}`}>
          {found.map((person) => (
            <li key={person.id} className="card directory-entry">
              <Avatar name={person.name} url={person.avatarUrl} size="small" />
              <div className="directory-text">
                <p>
                  <Link to={`/hub/people/${encodeURIComponent(person.id)}`}>{person.name}</Link>
                  {person.staff && <span className="muted"> · Runs this community</span>}
                </p>
                {person.bio && <p className="muted directory-bio">{person.bio}</p>}
              </div>
            </li>
          ))}
        </ul>
      )}
      <LoadMore list={people} label="More members" />
      {people.isFetchNextPageError && <LoadError error={people.error} />}
    </>
  );
}
