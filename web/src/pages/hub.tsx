// The member area: /hub is the member's home (the latest posts across their groups), /hub/groups lists
// the groups the member sees (locked ones marked), /hub/g/:slug is a group's feed or its paywall,
// /hub/p/:id a post with its comments. Access is asked of the server on
// every request; when it ends mid-session the page shows the paywall or "not found" at once.
import { type InfiniteData, useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import { Link, NavLink, Route, Routes, useLocation, useNavigate, useParams } from 'react-router';
import {
  type ApiError,
  api,
  errorMessage,
  type HomePost,
  isNotFound,
  isStaff,
  type MemberGroup,
  type MemberGroupDetail,
  type Paywall,
  type Post,
  paywallOf,
  type User,
} from '../api.ts';
import { BellIcon, GroupIcon, LockIcon, SearchIcon } from '../hub-common.tsx';
import { AppHeader, RequireUser } from '../layout.tsx';
import { usePlatformName, useSession } from '../session.tsx';
import { LoadError, Loading, LoadMore, Segmented, useLoad, useTitle, useUrlChoice } from '../ui.tsx';
import { BillingPage } from './billing.tsx';
import { MembersPage } from './hub-members.tsx';
import { NotificationsLink, NotificationsPage } from './hub-notifications.tsx';
import { Comments, isAccessLoss, PostCard, PostComposer } from './hub-posts/index.ts';
import { ProfilePage } from './hub-profile.tsx';
import { HubSearch } from './hub-search.tsx';
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
            <GroupNav groups={groups.data?.data} me={me} />
          </aside>
          <main className="hub-main" id="main">
            <PhoneNav groups={groups.data?.data} />
            <Routes>
              <Route index element={<HomeFeed />} />
              <Route path="groups" element={<AllGroups error={groups.error} retry={groups.reload} />} />
              <Route path="search" element={<HubSearch />} />
              <Route path="notifications" element={<NotificationsPage />} />
              <Route path="people/:id" element={<ProfilePage me={me} />} />
              <Route path="g/:slug" element={<GroupPage />} />
              <Route path="g/:slug/members" element={<MembersPage />} />
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

/** Home and the groups, beside the content on wide screens. */
function GroupNav({ groups, me }: { groups: MemberGroup[] | undefined; me: User }) {
  return (
    <nav aria-label="Hub" className="group-nav">
      <ul className="group-nav-top">
        <li>
          <NavLink to="/hub" end>
            <span className="group-icon" aria-hidden="true">
              ⌂
            </span>
            <span className="group-nav-name">Home</span>
          </NavLink>
        </li>
        <li>
          <NotificationsLink />
        </li>
        <li>
          <NavLink to={`/hub/people/${encodeURIComponent(me.id)}`}>
            <span className="group-icon" aria-hidden="true">
              {me.name.slice(0, 1).toUpperCase() || '·'}
            </span>
            <span className="group-nav-name">Your profile</span>
          </NavLink>
        </li>
        <li>
          <NavLink to="/hub/search">
            <span className="group-icon" aria-hidden="true">
              <SearchIcon />
            </span>
            <span className="group-nav-name">Search</span>
          </NavLink>
        </li>
        <li>
          <NavLink to="/hub/groups" end>
            <span className="group-icon" aria-hidden="true">
              ▦
            </span>
            <span className="group-nav-name">All groups</span>
          </NavLink>
        </li>
      </ul>
      <GroupLinks groups={groups} />
    </nav>
  );
}

/** Every group the member sees, linked, the locked ones marked. */
function GroupLinks({ groups }: { groups: MemberGroup[] | undefined }) {
  if (!groups || groups.length === 0) return null;
  return (
    <>
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
    </>
  );
}

/**
 * On a phone: Home and a group switcher, one tap away on every hub page (the sidebar shows them on
 * wide screens). Choosing a group closes the switcher.
 */
function PhoneNav({ groups }: { groups: MemberGroup[] | undefined }) {
  const { pathname } = useLocation();
  const switcher = useRef<HTMLDetailsElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: moving to another page is the trigger.
  useEffect(() => {
    if (switcher.current) switcher.current.open = false;
  }, [pathname]);
  return (
    <nav aria-label="Hub" className="hub-phone-nav">
      <NavLink to="/hub" end className="button button-small">
        Home
      </NavLink>
      <details ref={switcher} className="group-switcher">
        <summary className="button button-small">Groups</summary>
        <div className="group-switcher-panel group-nav">
          <GroupLinks groups={groups} />
          <p>
            <Link to="/hub/groups">All groups</Link>
          </p>
        </div>
      </details>
      <NavLink to="/hub/search" className="button button-small">
        Search
      </NavLink>
      <NotificationsLink className="button button-small" label={false} />
    </nav>
  );
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

// --- home ---------------------------------------------------------------------------------------

const ORDERS = [
  { value: 'latest', label: 'Latest' },
  { value: 'active', label: 'Active' },
] as const;
const ORDER_VALUES = ORDERS.map((option) => option.value);

/** The member's home: the latest posts (or the most recently active) across every group they may enter. */
function HomeFeed() {
  const { me, groups, reloadGroups } = useHub();
  const platformName = usePlatformName();
  useTitle(`Home · ${platformName}`);
  const [order, setOrder] = useUrlChoice('order', ORDER_VALUES);
  const [notice, setNotice] = useState<string | null>(null);
  const { feed, posts, patchPost, removePost } = usePostPages<HomePost>(['hub-home', order], '/hub/home', {
    order,
  });
  const { refetch } = feed;
  useEffect(() => {
    if (feed.isFetchNextPageError) setNotice(errorMessage(feed.error));
  }, [feed.isFetchNextPageError, feed.error]);
  // A post went away, or access to its group ended: the groups and the first page again.
  const onFailure = useCallback(() => {
    reloadGroups();
    void refetch();
  }, [reloadGroups, refetch]);
  const entersNone = groups !== undefined && !groups.some((group) => group.canEnter);

  return (
    <>
      <h1>Welcome{me.name ? `, ${me.name}` : ''}</h1>
      <StaffNote />
      <div className="home-bar">
        <h2 className="h3">What’s new in your groups</h2>
        <Segmented legend="Order" name="home-order" options={ORDERS} value={order} onChange={setOrder} />
      </div>
      {notice && (
        <div className="alert alert-error" role="alert">
          <p>{notice}</p>
        </div>
      )}
      {feed.error && !feed.data ? (
        <LoadError error={feed.error} retry={() => void refetch()} />
      ) : !feed.data ? (
        <Loading label="Loading posts…" />
      ) : posts.length === 0 ? (
        <div className="card empty-state">
          {entersNone ? (
            <p>
              You are not in any group yet. <Link to="/hub/groups">See the groups</Link>
            </p>
          ) : (
            <p>Nothing here yet. Posts in your groups show up here as they are written.</p>
          )}
        </div>
      ) : (
        <div className="feed">
          {posts.map((post) => (
            <PostCard
              key={post.id}
              post={post}
              group={post.group}
              staff={isStaff(me.role)}
              onChange={patchPost}
              onDeleted={removePost}
              onFailure={onFailure}
            />
          ))}
        </div>
      )}
      <LoadMore list={feed} onClick={() => setNotice(null)} />
    </>
  );
}

/** Staff enter every group: where they manage them. */
function StaffNote() {
  const { me } = useHub();
  if (!isStaff(me.role)) return null;
  return (
    <p className="alert alert-info">
      You run this platform and can enter every group. <Link to="/admin/hub">Manage groups</Link>
    </p>
  );
}

function AllGroups({ error, retry }: { error: unknown; retry(): void }) {
  const { groups } = useHub();
  const platformName = usePlatformName();
  useTitle(`Groups · ${platformName}`);
  return (
    <>
      <h1>Groups</h1>
      <StaffNote />
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

function HubNotFound({ text }: { text: string }) {
  useTitle('Not found');
  return (
    <div className="card empty-state" role="alert">
      <p>{text}</p>
    </div>
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
  return <LoadError error={error} retry={retry} />;
}

// --- a group --------------------------------------------------------------------------------------

function GroupPage() {
  const { slug = '' } = useParams();
  const { reloadGroups } = useHub();
  const group = useLoad(
    () => api.get<MemberGroupDetail>(`/hub/groups/${encodeURIComponent(slug)}`),
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

/** Follow: hear of each new post in the group (the bell, and email as the Account page says). */
function FollowButton({ group, onFailure }: { group: MemberGroupDetail; onFailure(error: unknown): void }) {
  const queryClient = useQueryClient();
  const following = group.following;
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const toggle = async () => {
    setBusy(true);
    setProblem(null);
    try {
      const path = `/hub/groups/${encodeURIComponent(group.id)}/follow`;
      const result = following
        ? await api.delete<{ following: boolean }>(path)
        : await api.put<{ following: boolean }>(path, {});
      // The group as every page keeps it (this one, its Members page; by slug or id) says so.
      queryClient.setQueriesData<MemberGroupDetail>({ queryKey: ['member-hub-group'] }, (kept) =>
        kept && kept.id === group.id ? { ...kept, following: result.following } : kept,
      );
    } catch (error) {
      // Access gone: the page shows why; anything else (too many clicks, the network) is said here.
      if (isAccessLoss(error)) onFailure(error);
      else setProblem(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button
        type="button"
        className={`button button-small${following ? '' : ' button-primary'}`}
        aria-pressed={following}
        disabled={busy}
        title={following ? 'You hear of each new post here' : 'Hear of each new post here'}
        onClick={() => void toggle()}
      >
        <BellIcon /> {following ? 'Following' : 'Follow'}
      </button>
      {problem && (
        <span className="field-error" role="alert">
          {problem}
        </span>
      )}
    </>
  );
}

const WELCOME_DONE = 'guildhall.welcome-done';

/**
 * The creator's welcome prompt (Settings), to a member who has not posted in the group they are in,
 * until they write from it or say "Not now" (remembered in this browser).
 */
function WelcomePrompt({ onWrite }: { onWrite(): void }) {
  const prompt = useSession().platform?.welcomePrompt ?? null;
  const key = `${WELCOME_DONE}:${useHub().me.id}`;
  const [done, setDone] = useState(() => {
    try {
      return localStorage.getItem(key) === '1';
    } catch {
      return false;
    }
  });
  if (!prompt || done) return null;
  const finish = () => {
    try {
      localStorage.setItem(key, '1');
    } catch {
      // Private mode: it shows again next time.
    }
    setDone(true);
  };
  return (
    <section className="card welcome-prompt" aria-label="Welcome">
      <p>{prompt}</p>
      <p className="button-row">
        <button
          type="button"
          className="button button-primary button-small"
          onClick={() => {
            finish();
            onWrite();
          }}
        >
          Introduce yourself
        </button>
        <button type="button" className="button button-small" onClick={finish}>
          Not now
        </button>
      </p>
    </section>
  );
}

/** One page of a feed, as the API answers it. */
type FeedPage<T> = { data: T[]; nextCursor: string | null };

/**
 * A feed of posts a page at a time ("Load more" asks for the next), each post once in the order the
 * pages gave them (a post may move between pages while reading), and ways to change the cached pages
 * in place, so what this browser did shows at once, without a refetch.
 */
function usePostPages<T extends Post>(queryKey: string[], path: string, query: Record<string, string> = {}) {
  const client = useQueryClient();
  const feed = useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam }) =>
      api.get<FeedPage<T>>(path, pageParam ? { ...query, cursor: pageParam } : query),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const posts: T[] = [];
  const seen = new Set<string>();
  for (const page of feed.data?.pages ?? []) {
    for (const post of page.data) {
      if (seen.has(post.id)) continue;
      seen.add(post.id);
      posts.push(post);
    }
  }
  const patchPages = (change: (posts: T[], index: number) => T[]) =>
    client.setQueryData<InfiniteData<FeedPage<T>, string | null>>(queryKey, (data) =>
      data
        ? { ...data, pages: data.pages.map((page, index) => ({ ...page, data: change(page.data, index) })) }
        : data,
    );
  return {
    feed,
    posts,
    patchPages,
    /** A post as the server now returns it (its own fields; what the page adds, like its group, stays). */
    patchPost: (changed: Post) =>
      patchPages((page) => page.map((post) => (post.id === changed.id ? { ...post, ...changed } : post))),
    removePost: (removed: Post) => patchPages((page) => page.filter((post) => post.id !== removed.id)),
  };
}

function GroupFeed({
  group,
  reloadSignal,
  onFailure,
}: {
  group: MemberGroupDetail;
  reloadSignal: number;
  onFailure(error: unknown): void;
}) {
  const { me } = useHub();
  const platformName = usePlatformName();
  useTitle(`${group.name} · ${platformName}`);
  const [notice, setNotice] = useState<string | null>(null);
  const [composerSignal, setComposerSignal] = useState(0);
  // The feed a page at a time (pinned posts first, then newest): "Load more" asks for the next page.
  const { feed, posts, patchPages, patchPost, removePost } = usePostPages<Post>(
    ['hub-feed', group.id],
    `/hub/groups/${encodeURIComponent(group.id)}/posts`,
  );
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

  const posted = (post: Post) =>
    patchPages((page, index) => {
      if (index > 0) return page;
      // New posts go first after the pinned ones.
      const at = page.findIndex((p) => !p.pinned);
      const where = at === -1 ? page.length : at;
      return [...page.slice(0, where), post, ...page.slice(where)];
    });
  return (
    <>
      <header className="group-header">
        <GroupIcon group={group} large />
        <div className="group-header-text">
          <h1>{group.name}</h1>
          {group.description && <p className="muted">{group.description}</p>}
          <p className="group-actions">
            <FollowButton group={group} onFailure={onFailure} />
            {(group.directoryOn || (isStaff(me.role) && group.visibility !== 'public')) && (
              <Link className="button button-small" to={`/hub/g/${encodeURIComponent(group.slug)}/members`}>
                Members
              </Link>
            )}
          </p>
        </div>
      </header>
      {group.whoMayPost === 'members' || isStaff(me.role) ? (
        <>
          {!isStaff(me.role) && feed.data && !posts.some((post) => post.author?.id === me.id) && (
            <WelcomePrompt onWrite={() => setComposerSignal((n) => n + 1)} />
          )}
          <PostComposer
            groupId={group.id}
            groupName={group.name}
            openSignal={composerSignal}
            onPosted={posted}
            onFailure={onFailure}
          />
        </>
      ) : (
        <p className="muted group-note">Only the people who run {group.name} post here.</p>
      )}
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
      <LoadMore list={feed} onClick={() => setNotice(null)} />
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
  const forgetFeed = (groupId: string) => {
    client.removeQueries({ queryKey: ['hub-feed', groupId] });
    client.removeQueries({ queryKey: ['hub-home'] });
  };
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
          <Link to="/hub">← Home</Link>
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
        open={group ? group.commentsOn || isStaff(me.role) : true}
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
