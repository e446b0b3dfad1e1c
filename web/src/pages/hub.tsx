// The member area: /hub lists the groups the member sees (locked ones marked), /hub/g/:slug is a
// group's feed or its paywall, /hub/p/:id a post with its comments. Access is asked of the server on
// every request; when it ends mid-session the page shows the paywall or "not found" at once.
import { type InfiniteData, useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import { Link, NavLink, Route, Routes, useNavigate, useParams } from 'react-router';
import {
  type ApiError,
  api,
  errorMessage,
  isNotFound,
  isStaff,
  type MemberGroup,
  type Paywall,
  type Post,
  paywallOf,
  type User,
} from '../api.ts';
import { GroupIcon, LockIcon } from '../hub-common.tsx';
import { AppHeader, RequireUser } from '../layout.tsx';
import { usePlatformName, useSession } from '../session.tsx';
import { LoadError, Loading, useLoad, useTitle } from '../ui.tsx';
import { BillingPage } from './billing.tsx';
import { Comments, isAccessLoss, PostCard, PostComposer } from './hub-posts/index.ts';
import { PartnerPage } from './partner.tsx';

interface HubContextValue {
  me: User;
  groups: MemberGroup[] | undefined;
  reloadGroups(): void;
}

const HubContext = createContext<HubContextValue | null>(null);

function useHub(): HubContextValue {
  const value = useContext(HubContext);
  if (!value) throw new Error('useHub outside the hub');
  return value;
}

export function HubPage() {
  return <RequireUser>{(me) => <HubFrame me={me} />}</RequireUser>;
}

function HubFrame({ me }: { me: User }) {
  const groups = useLoad(() => api.get<{ data: MemberGroup[] }>('/hub/groups'), ['member-hub-groups']);
  const value: HubContextValue = { me, groups: groups.data?.data, reloadGroups: groups.reload };
  return (
    <HubContext value={value}>
      <div className="app">
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        <AppHeader me={me} />
        <div className="hub-layout">
          <aside className="hub-sidebar">
            <GroupNav groups={groups.data?.data} />
          </aside>
          <main className="hub-main" id="main">
            <Routes>
              <Route index element={<HubHome error={groups.error} retry={groups.reload} />} />
              <Route path="g/:slug" element={<GroupPage />} />
              <Route path="p/:id" element={<PostPage />} />
              <Route path="billing" element={<BillingPage />} />
              <Route path="partner" element={<PartnerPage />} />
              <Route path="*" element={<HubNotFound text="There is nothing at this address." />} />
            </Routes>
          </main>
        </div>
      </div>
    </HubContext>
  );
}

/** The groups beside the content on wide screens; phones use /hub and the "All groups" link. */
function GroupNav({ groups }: { groups: MemberGroup[] | undefined }) {
  if (!groups || groups.length === 0) return null;
  return (
    <nav aria-label="Groups" className="group-nav">
      <h2 className="group-nav-title">Groups</h2>
      <ul>
        {groups.map((group) => (
          <li key={group.id}>
            <NavLink to={`/hub/g/${encodeURIComponent(group.slug)}`}>
              <GroupIcon group={group} />
              <span className="group-nav-name">{group.name}</span>
              {!group.canEnter && (
                <span className="group-nav-lock">
                  <LockIcon />
                  <span className="visually-hidden">(locked)</span>
                </span>
              )}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function HubHome({ error, retry }: { error: unknown; retry(): void }) {
  const { me, groups } = useHub();
  const platformName = usePlatformName();
  useTitle(`Hub · ${platformName}`);
  return (
    <>
      <h1>Welcome{me.name ? `, ${me.name}` : ''}</h1>
      {isStaff(me.role) && (
        <p className="alert alert-info">
          You run this platform and can enter every group. <Link to="/admin/hub">Manage groups</Link>
        </p>
      )}
      {error ? (
        <LoadError error={error} retry={retry} />
      ) : !groups ? (
        <Loading />
      ) : groups.length === 0 ? (
        <div className="card empty-state">
          <p>There are no groups here yet.</p>
        </div>
      ) : (
        <ul className="group-cards" aria-label="Groups">
          {groups.map((group) => (
            <li key={group.id}>
              <Link to={`/hub/g/${encodeURIComponent(group.slug)}`} className="card group-card">
                <GroupIcon group={group} large />
                <span className="group-card-text">
                  <span className="group-card-name">{group.name}</span>
                  {group.description && <span className="group-card-description">{group.description}</span>}
                  <span className="group-card-meta">
                    {group.canEnter ? (
                      <span className="muted">{plural(group.postCount ?? 0, 'post', 'posts')}</span>
                    ) : (
                      <span className="locked">
                        <LockIcon /> Locked
                      </span>
                    )}
                    {group.visibility === 'hidden' && <span className="badge badge-muted">Hidden</span>}
                  </span>
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function BackToGroups() {
  return (
    <p className="breadcrumb hub-back">
      <Link to="/hub">← All groups</Link>
    </p>
  );
}

function HubNotFound({ text }: { text: string }) {
  useTitle('Not found');
  return (
    <>
      <BackToGroups />
      <div className="card empty-state" role="alert">
        <p>{text}</p>
      </div>
    </>
  );
}

const GROUP_GONE = 'This group does not exist or you cannot see it.';
const POST_GONE = 'This post does not exist or you cannot see it.';

/** A locked group nothing sells: how to reach the creator (the support email, when there is one). */
function NotForSale({ platformName }: { platformName: string }) {
  const supportEmail = useSession().platform?.supportEmail ?? null;
  if (!supportEmail) {
    return <p>This group is not for sale right now. Ask the people who run {platformName} for access.</p>;
  }
  return (
    <p>
      This group is not for sale right now. To ask for access, write to{' '}
      <a
        href={`mailto:${supportEmail}?subject=${encodeURIComponent(`Access to a group on ${platformName}`)}`}
      >
        {supportEmail}
      </a>
      .
    </p>
  );
}

function PaywallView({ paywall, groupName }: { paywall: Paywall; groupName: string | null }) {
  const platformName = usePlatformName();
  useTitle(`${groupName ?? 'Locked'} · ${platformName}`);
  const external = paywall.url && /^https?:\/\//i.test(paywall.url) ? paywall.url : null;
  return (
    <>
      <BackToGroups />
      <section className="card paywall" aria-labelledby="paywall-title">
        <p className="locked paywall-kicker">
          <LockIcon /> Locked{groupName ? ` · ${groupName}` : ''}
        </p>
        <h1 id="paywall-title">{paywall.callToAction}</h1>
        {paywall.description && <p className="paywall-description">{paywall.description}</p>}
        {external ? (
          <p>
            <a className="button button-primary" href={external} rel="noopener">
              Get access
            </a>
          </p>
        ) : paywall.offers.length > 0 ? (
          <>
            <h2 className="h3 paywall-offers-title">Get access with</h2>
            <ul className="paywall-offers">
              {paywall.offers.map((offer) => (
                <li key={offer.id}>
                  <a className="button button-primary" href={`/offers/${encodeURIComponent(offer.slug)}`}>
                    {offer.title}
                  </a>{' '}
                  <span className="muted">{offer.priceLabel}</span>
                </li>
              ))}
            </ul>
          </>
        ) : (
          <NotForSale platformName={platformName} />
        )}
      </section>
    </>
  );
}

/** What a failed request means for the page: the paywall, not found, or an ordinary error. */
function Gone({ error, notFound, retry }: { error: unknown; notFound: string; retry?: () => void }) {
  const paywall = paywallOf(error);
  if (paywall) {
    const group = (error as ApiError).details as { group?: { name?: string } } | undefined;
    return <PaywallView paywall={paywall} groupName={group?.group?.name ?? null} />;
  }
  if (isNotFound(error)) return <HubNotFound text={notFound} />;
  return (
    <>
      <BackToGroups />
      <LoadError error={error} retry={retry} />
    </>
  );
}

// --- a group --------------------------------------------------------------------------------------

function GroupPage() {
  const { slug = '' } = useParams();
  const { reloadGroups } = useHub();
  const group = useLoad(
    () => api.get<MemberGroup>(`/hub/groups/${encodeURIComponent(slug)}`),
    ['member-hub-group', slug],
  );
  const [lost, setLost] = useState<unknown>(null);
  const [feedTick, setFeedTick] = useState(0);
  // A new group clears what happened in the last one.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the slug changing is the trigger.
  useEffect(() => setLost(null), [slug]);

  // A request said 403/404: ask for the group again; its answer is the truth now. When the group is
  // still open, only a post went away: the feed reloads.
  const onFailure = useCallback(
    (error: unknown) => {
      if (paywallOf(error)) {
        setLost(error);
        reloadGroups();
        return;
      }
      api.get<MemberGroup>(`/hub/groups/${encodeURIComponent(slug)}`).then(
        () => setFeedTick((n) => n + 1),
        (again: unknown) => {
          setLost(again);
          reloadGroups();
        },
      );
    },
    [slug, reloadGroups],
  );

  if (lost) return <Gone error={lost} notFound={GROUP_GONE} />;
  if (group.error) return <Gone error={group.error} notFound={GROUP_GONE} retry={group.reload} />;
  const data = group.data;
  // The address may hold the slug or the id; until the group it names has loaded, wait.
  if (!data || (data.slug !== slug && data.id !== slug)) return <Loading />;
  return <GroupFeed key={data.id} group={data} reloadSignal={feedTick} onFailure={onFailure} />;
}

/** One page of a group's feed, as the API answers it. */
type FeedPage = { data: Post[]; nextCursor: string | null };

function GroupFeed({
  group,
  reloadSignal,
  onFailure,
}: {
  group: MemberGroup;
  reloadSignal: number;
  onFailure(error: unknown): void;
}) {
  const { me } = useHub();
  const platformName = usePlatformName();
  useTitle(`${group.name} · ${platformName}`);
  const client = useQueryClient();
  const [notice, setNotice] = useState<string | null>(null);
  const feedPath = `/hub/groups/${encodeURIComponent(group.id)}/posts`;
  const feedKey = ['hub-feed', group.id];
  // The feed a page at a time (pinned posts first, then newest): "Load more" asks for the next page.
  const feed = useInfiniteQuery({
    queryKey: feedKey,
    queryFn: ({ pageParam }) => api.get<FeedPage>(feedPath, pageParam ? { cursor: pageParam } : undefined),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const { refetch } = feed;

  // The parent learned that something went away (a post, or access): the first page again.
  const firstSignal = useRef(reloadSignal);
  useEffect(() => {
    if (reloadSignal !== firstSignal.current) void refetch();
  }, [reloadSignal, refetch]);
  // Losing access shows the paywall instead of an error.
  useEffect(() => {
    if (feed.error && isAccessLoss(feed.error)) onFailure(feed.error);
  }, [feed.error, onFailure]);
  useEffect(() => {
    if (feed.isFetchNextPageError) setNotice(errorMessage(feed.error));
  }, [feed.isFetchNextPageError, feed.error]);

  // Each post once, in the order the pages gave them (a post may move between pages while reading).
  const posts: Post[] = [];
  const seen = new Set<string>();
  for (const page of feed.data?.pages ?? []) {
    for (const post of page.data) {
      if (seen.has(post.id)) continue;
      seen.add(post.id);
      posts.push(post);
    }
  }

  /** Changes the cached feed in place: what this browser did shows at once, without a refetch. */
  const patchPages = (change: (posts: Post[], index: number) => Post[]) =>
    client.setQueryData<InfiniteData<FeedPage, string | null>>(feedKey, (data) =>
      data
        ? { ...data, pages: data.pages.map((page, index) => ({ ...page, data: change(page.data, index) })) }
        : data,
    );
  const patchPost = (changed: Post) =>
    patchPages((page) => page.map((post) => (post.id === changed.id ? changed : post)));
  const removePost = (removed: Post) => patchPages((page) => page.filter((post) => post.id !== removed.id));
  const posted = (post: Post) =>
    patchPages((page, index) => {
      if (index > 0) return page;
      // New posts go first after the pinned ones.
      const at = page.findIndex((p) => !p.pinned);
      const where = at === -1 ? page.length : at;
      return [...page.slice(0, where), post, ...page.slice(where)];
    });
  const loadingMore = feed.isFetchingNextPage;

  return (
    <>
      <BackToGroups />
      <header className="group-header">
        <GroupIcon group={group} large />
        <div>
          <h1>{group.name}</h1>
          {group.description && <p className="muted">{group.description}</p>}
        </div>
      </header>
      <PostComposer groupId={group.id} groupName={group.name} onPosted={posted} onFailure={onFailure} />
      {notice && (
        <div className="alert alert-error" role="alert">
          <p>{notice}</p>
        </div>
      )}
      <h2 className="visually-hidden">Posts</h2>
      {feed.error && !feed.data ? (
        isAccessLoss(feed.error) ? null : (
          <LoadError error={feed.error} retry={() => void refetch()} />
        )
      ) : !feed.data ? (
        <Loading label="Loading posts…" />
      ) : posts.length === 0 ? (
        <div className="card empty-state">
          <p>No posts yet. Start the conversation.</p>
        </div>
      ) : (
        <div className="feed">
          {posts.map((post) => (
            <PostCard
              key={post.id}
              post={post}
              staff={isStaff(me.role)}
              onChange={patchPost}
              onDeleted={removePost}
              onPinned={() => void refetch()}
              onFailure={onFailure}
            />
          ))}
        </div>
      )}
      {feed.hasNextPage && feed.data && (
        <button
          type="button"
          className="button load-more"
          disabled={loadingMore}
          aria-busy={loadingMore || undefined}
          onClick={() => {
            setNotice(null);
            void feed.fetchNextPage();
          }}
        >
          Load more
        </button>
      )}
    </>
  );
}

// --- a post ---------------------------------------------------------------------------------------

function PostPage() {
  const { id = '' } = useParams();
  const { me, groups, reloadGroups } = useHub();
  const navigate = useNavigate();
  const platformName = usePlatformName();
  const post = useLoad(() => api.get<Post>(`/hub/posts/${encodeURIComponent(id)}`), ['hub-post', id]);
  const client = useQueryClient();
  // What changed here (an edit, a like, a deletion) is not yet in the group's cached feed: it is
  // dropped, so going back to the group loads it as it now is instead of showing the old post.
  const forgetFeed = (groupId: string) => client.removeQueries({ queryKey: ['hub-feed', groupId] });
  const [lost, setLost] = useState<unknown>(null);
  const group = groups?.find((g) => g.id === post.data?.groupId);
  useTitle(`${post.data?.title || (group ? `Post in ${group.name}` : 'Post')} · ${platformName}`);
  const groupId = post.data?.groupId;

  // A request said 403/404: is the post gone, or the member's access to its group?
  const onFailure = useCallback(
    (error: unknown) => {
      if (paywallOf(error)) {
        setLost(error);
        reloadGroups();
        return;
      }
      api.get<Post>(`/hub/posts/${encodeURIComponent(id)}`).then(
        (fresh) => post.setData(fresh),
        (again: unknown) => {
          if (!groupId) return setLost(again);
          api.get<MemberGroup>(`/hub/groups/${encodeURIComponent(groupId)}`).then(
            () => setLost(again),
            (groupError: unknown) => setLost(paywallOf(groupError) ? groupError : again),
          );
          reloadGroups();
        },
      );
    },
    [id, groupId, reloadGroups, post.setData],
  );

  if (lost) return <Gone error={lost} notFound={POST_GONE} />;
  if (post.error) return <Gone error={post.error} notFound={POST_GONE} retry={post.reload} />;
  if (!post.data) return <Loading />;
  const current = post.data;

  return (
    <>
      <p className="breadcrumb">
        {group ? (
          <Link to={`/hub/g/${encodeURIComponent(group.slug)}`}>← {group.name}</Link>
        ) : (
          <Link to="/hub">← All groups</Link>
        )}
      </p>
      <PostCard
        post={current}
        staff={isStaff(me.role)}
        full
        onChange={(changed) => {
          post.setData(changed);
          forgetFeed(changed.groupId);
        }}
        onDeleted={() => {
          forgetFeed(current.groupId);
          void navigate(group ? `/hub/g/${encodeURIComponent(group.slug)}` : '/hub', { replace: true });
        }}
        onFailure={onFailure}
      />
      <Comments
        key={current.id}
        post={current}
        onCountChange={(delta) => {
          forgetFeed(current.groupId);
          if (delta !== null) post.setData({ ...current, commentCount: current.commentCount + delta });
          else api.get<Post>(`/hub/posts/${encodeURIComponent(current.id)}`).then(post.setData, onFailure);
        }}
        onFailure={onFailure}
      />
    </>
  );
}
