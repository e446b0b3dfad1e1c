// /hub/search: posts, comments and people. The words found come marked by the server as segments,
// shown as plain text with <mark> around each hit: nothing of a result is ever read as HTML.
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { api, type CommentHit, type Page, type PersonHit, type PostHit } from '../api.ts';
import { usePlatformName } from '../session.tsx';
import { LoadError, Loading, LoadMore, Segmented, UrlSearchForm, useTitle, useUrlChoice } from '../ui.tsx';
import { plural } from './hub-posts/shared.tsx';

type Scope = 'posts' | 'comments' | 'people';

const SCOPES: { value: Scope; label: string }[] = [
  { value: 'posts', label: 'Posts' },
  { value: 'comments', label: 'Comments' },
  { value: 'people', label: 'People' },
];
const SCOPE_VALUES = SCOPES.map((option) => option.value);

/** What the server takes: a word of letters or digits, at most 200 characters in all. */
const MAX_QUERY = 200;

function Marked({ segments }: { segments: { text: string; hit: boolean }[] }) {
  return (
    <>
      {segments.map((segment, index) =>
        segment.hit ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: segments never move; their order is the text's.
          <mark key={index}>{segment.text}</mark>
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: as above.
          <span key={index}>{segment.text}</span>
        ),
      )}
    </>
  );
}

export function HubSearch() {
  const [params] = useSearchParams();
  const q = params.get('q')?.trim() ?? '';
  const [scope, choose] = useUrlChoice('in', SCOPE_VALUES);
  const platformName = usePlatformName();
  useTitle(`${q ? `${q} · ` : ''}Search · ${platformName}`);
  return (
    <>
      <h1>Search</h1>
      <UrlSearchForm
        label="Search posts, comments and people"
        button="Search"
        maxLength={MAX_QUERY}
        keep={scope === 'posts' ? {} : { in: scope }}
        focusWhenEmpty
      />
      <Segmented
        legend="Look in"
        name="search-scope"
        className="search-scopes"
        options={SCOPES}
        value={scope}
        onChange={choose}
      />
      {!q ? (
        <p className="muted">Find a post, a comment or a person in the groups you may enter.</p>
      ) : scope === 'people' ? (
        <PeopleResults q={q} />
      ) : (
        <TextResults q={q} scope={scope} />
      )}
    </>
  );
}

function TextResults({ q, scope }: { q: string; scope: 'posts' | 'comments' }) {
  const results = useInfiniteQuery({
    queryKey: ['hub-search', scope, q],
    queryFn: ({ pageParam }) =>
      api.get<Page<PostHit | CommentHit>>(
        `/hub/search/${scope}`,
        pageParam ? { q, cursor: pageParam } : { q },
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  if (results.error && !results.data)
    return <LoadError error={results.error} retry={() => void results.refetch()} />;
  if (!results.data) return <Loading label="Searching…" />;
  const hits = results.data.pages.flatMap((page) => page.data);
  if (hits.length === 0)
    return (
      <div className="card empty-state" role="status">
        <p>
          No {scope} with “{q}” in the groups you may enter.
        </p>
      </div>
    );
  return (
    <>
      <ul className="search-results" aria-label={`${scope === 'posts' ? 'Posts' : 'Comments'} found`}>
        {hits.map((hit) => (
          <li key={hit.id} className="card search-hit">
            {'titleHit' in hit ? <PostResult hit={hit} /> : <CommentResult hit={hit} />}
          </li>
        ))}
      </ul>
      <LoadMore list={results} label="More results" />
      {results.isFetchNextPageError && <LoadError error={results.error} />}
    </>
  );
}

function Where({ hit }: { hit: PostHit | CommentHit }) {
  return (
    <p className="post-group">
      <Link to={`/hub/g/${encodeURIComponent(hit.group.slug)}`}>
        {hit.group.emoji && <span aria-hidden="true">{hit.group.emoji} </span>}
        {hit.group.name}
      </Link>
      <span className="muted">
        {' '}
        · {hit.author?.name ?? 'Former member'} · {new Date(hit.createdAt).toLocaleDateString()}
      </span>
    </p>
  );
}

function PostResult({ hit }: { hit: PostHit }) {
  const href = `/hub/p/${encodeURIComponent(hit.id)}`;
  return (
    <>
      <Where hit={hit} />
      <h2 className="h3 search-hit-title">
        <Link to={href}>{hit.title ? <Marked segments={hit.titleHit} /> : 'Post'}</Link>
      </h2>
      <p className="search-snippet">
        <Marked segments={hit.snippet} />
      </p>
      <p className="muted search-hit-meta">
        {plural(hit.likeCount, 'like', 'likes')} · {plural(hit.commentCount, 'comment', 'comments')}
      </p>
    </>
  );
}

function CommentResult({ hit }: { hit: CommentHit }) {
  return (
    <>
      <Where hit={hit} />
      <p className="search-snippet">
        <Marked segments={hit.snippet} />
      </p>
      <p className="search-hit-meta">
        <Link to={`/hub/p/${encodeURIComponent(hit.postId)}`}>
          On {hit.postTitle ? `“${hit.postTitle}”` : 'a post'}
        </Link>
      </p>
    </>
  );
}

function PeopleResults({ q }: { q: string }) {
  const people = useQuery({
    queryKey: ['hub-search', 'people', q],
    queryFn: () => api.get<{ data: PersonHit[] }>('/hub/search/people', { q }),
    enabled: q.length >= 2,
  });
  if (q.length < 2) return <p className="muted">Type at least two letters of a name.</p>;
  if (people.error) return <LoadError error={people.error} retry={() => void people.refetch()} />;
  if (!people.data) return <Loading label="Searching…" />;
  const found = people.data.data;
  if (found.length === 0)
    return (
      <div className="card empty-state" role="status">
        <p>Nobody who writes in your groups has a name starting with “{q}”.</p>
      </div>
    );
  return (
    <>
      <ul className="card people-results" aria-label="People found">
        {found.map((person) => (
          <li key={person.id}>
            <Marked segments={person.nameHit} />
          </li>
        ))}
      </ul>
      {found.length === 20 && <p className="muted">The first 20 by name: type more of it to narrow.</p>}
    </>
  );
}
