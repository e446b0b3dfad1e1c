// What `npm run bench` measures. A scenario names the server it runs against, builds its request from
// the seeded fixture (and may write the rows it needs through `fixture.db`), and checks one response
// before it is timed, so a fast error is never reported as a fast page. Add new ones to the list.
import type { Fixture } from './dataset.ts';
import type { HubFixture } from './hub-data.ts';

export interface BenchRequest {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Requests per second across all connections: a fixed load, for a latency figure (no ratio). */
  rate?: number;
  /** Paths asked in turn instead of `path` alone (which is the first, and the one checked). */
  paths?: string[];
}

interface ScenarioBase {
  /** The row label, e.g. `GET /healthz`. */
  name: string;
  /** One line for docs/performance.md: what the number tells. */
  measures: string;
  /** Answers why a sample response is wrong, or null when it is the expected one. */
  check(status: number, body: string): string | null;
}

export interface BaselineScenario extends ScenarioBase {
  server: 'baseline';
  request: BenchRequest;
}

export interface GuildhallScenario extends ScenarioBase {
  server: 'guildhall';
  /** `hub`: needs the Hub data set (skipped when BENCH_HUB=0). */
  requires?: 'hub';
  /** `server.url` is the running child, for setups that must talk to it (signing in). */
  setup(fixture: Fixture, server: { url: string }): Promise<BenchRequest> | BenchRequest;
}

export type Scenario = BaselineScenario | GuildhallScenario;

function expectJson(status: number, body: string, test: (value: unknown) => boolean): string | null {
  if (status !== 200) return `status ${status}: ${body.slice(0, 200)}`;
  try {
    return test(JSON.parse(body)) ? null : `unexpected body: ${body.slice(0, 200)}`;
  } catch {
    return `not JSON: ${body.slice(0, 200)}`;
  }
}

function hubOf(fixture: Fixture): HubFixture {
  if (!fixture.hub) throw new Error('this scenario needs the Hub data set (BENCH_HUB is off)');
  return fixture.hub;
}

/** The benchmark member's session, signed in on the running server. */
function memberCookie(fixture: Fixture, server: { url: string }): Promise<string> {
  const hub = hubOf(fixture);
  return sessionCookie(server.url, hub.member.email, hub.member.password);
}

/**
 * Signs `email` in through the real route on the running server and answers the Cookie header that
 * carries its session. GET requests need no CSRF token, so the session cookie is all a read sends.
 */
async function sessionCookie(serverUrl: string, email: string, password: string): Promise<string> {
  const response = await fetch(new URL('/api/v1/auth/login', serverUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: new URL(serverUrl).origin },
    body: JSON.stringify({ email, password }),
  });
  if (response.status !== 200) {
    throw new Error(
      `sign-in as ${email} failed: ${response.status} ${(await response.text()).slice(0, 200)}`,
    );
  }
  const session = response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0] ?? '')
    .find((pair) => pair.startsWith('gh_session='));
  if (!session) throw new Error(`sign-in as ${email} set no gh_session cookie`);
  return session;
}

interface FeedPage {
  data?: { groupId?: string; pinned?: boolean }[];
  nextCursor?: string | null;
}

/** A 200 whose body is a page of items (`{ data: [...] }`). */
function expectPage(status: number, body: string): string | null {
  return expectJson(status, body, (value) => Array.isArray((value as FeedPage).data));
}

interface GroupList {
  data?: { id?: string; visibility?: string; canEnter?: boolean }[];
}

// The checks below compare against the fixture; scenarios are built once per run, the fixture per
// engine, so each hub scenario remembers the fixture its setup saw.
let feedHub: HubFixture | null = null;
let homeHub: HubFixture | null = null;
/**
 * A post the search scenario finds by the number in its title and body: post n is in group
 * (n - 1) mod 20 + 1, so this one is in group 3, which the member enters.
 */
const SEARCHED_POST = 12_343;
let listHub: HubFixture | null = null;

export const scenarios: Scenario[] = [
  {
    server: 'baseline',
    name: 'hello world GET /',
    measures: 'The ceiling: Fastify answering a constant JSON object, no database, no hooks.',
    request: { path: '/' },
    check: (status, body) =>
      expectJson(status, body, (value) => (value as { hello?: string }).hello === 'world'),
  },
  {
    server: 'guildhall',
    name: 'GET /healthz',
    measures:
      "Guildhall's fixed cost per request: every global hook (request id, security headers, cookies, " +
      'credential lookup with none given) plus one `select 1`.',
    setup: () => ({ path: '/healthz' }),
    check: (status, body) =>
      expectJson(status, body, (value) => (value as { status?: string }).status === 'ok'),
  },
  {
    server: 'guildhall',
    name: 'GET /api/v1/me (API key)',
    measures:
      'An authenticated API read among many users: the key is hashed and looked up with its user, ' +
      'the user is read and presented.',
    setup: (fixture) => ({
      path: '/api/v1/me',
      headers: { authorization: `Bearer ${fixture.ownerApiKey}` },
    }),
    check: (status, body) =>
      expectJson(status, body, (value) => (value as { email?: string }).email === 'owner@bench.test'),
  },
  {
    server: 'guildhall',
    requires: 'hub',
    name: 'GET /api/v1/hub/groups/{id}/posts (member feed)',
    measures:
      'A member reading the first page of a private group (20 posts plus the pinned ones) that a live ' +
      'entitlement opens to them, with 100 000 users, 1 000 000 entitlements and 100 000 posts: the ' +
      'session, the access rule, the pinned posts and the first page — each kept in the process and ' +
      'read again only after a change (src/platform/db/changes.ts).',
    async setup(fixture, server) {
      feedHub = hubOf(fixture);
      const cookie = await sessionCookie(server.url, feedHub.member.email, feedHub.member.password);
      return { path: `/api/v1/hub/groups/${feedHub.feedGroup.id}/posts?limit=20`, headers: { cookie } };
    },
    check: (status, body) =>
      expectJson(status, body, (value) => {
        const page = value as FeedPage;
        const group = feedHub?.feedGroup.id;
        return (
          Array.isArray(page.data) &&
          page.data.length >= 20 &&
          page.data.every((post) => post.groupId === group) &&
          typeof page.nextCursor === 'string'
        );
      }),
  },
  {
    server: 'guildhall',
    requires: 'hub',
    name: 'member feed at 500 requests/s (p99)',
    measures:
      'The member feed above at a fixed 500 requests a second (moderate load, not the most the server ' +
      'can take): its p99 latency is the figure, so the ratio columns are left empty.',
    async setup(fixture, server) {
      const hub = hubOf(fixture);
      const cookie = await sessionCookie(server.url, hub.member.email, hub.member.password);
      return {
        path: `/api/v1/hub/groups/${hub.feedGroup.id}/posts?limit=20`,
        headers: { cookie },
        rate: 500,
      };
    },
    check: expectPage,
  },
  {
    server: 'guildhall',
    requires: 'hub',
    name: 'GET /api/v1/hub/home (member home feed)',
    measures:
      "The same member's home: the newest 20 posts across the ten groups they may enter (of 20), each " +
      'with its group, on the same data: the session and one query, the access rule one of its conditions.',
    async setup(fixture, server) {
      homeHub = hubOf(fixture);
      const cookie = await sessionCookie(server.url, homeHub.member.email, homeHub.member.password);
      return { path: '/api/v1/hub/home?limit=20', headers: { cookie } };
    },
    check: (status, body) =>
      expectJson(status, body, (value) => {
        const page = value as { data: { group: { id: string } }[]; nextCursor: string | null };
        const entered = new Set(homeHub?.enteredGroupIds);
        const groups = new Set(page.data.map((post) => post.group.id));
        return (
          page.data.length === 20 &&
          [...groups].every((id) => entered.has(id)) &&
          groups.size > 1 &&
          typeof page.nextCursor === 'string'
        );
      }),
  },
  {
    server: 'guildhall',
    requires: 'hub',
    name: 'member home feed at 500 requests/s (p99)',
    measures:
      'The home feed above at a fixed 500 requests a second (moderate load): its p99 latency is the ' +
      'figure, so the ratio columns are left empty.',
    async setup(fixture, server) {
      const cookie = await memberCookie(fixture, server);
      return { path: '/api/v1/hub/home?limit=20', headers: { cookie }, rate: 500 };
    },
    check: expectPage,
  },
  {
    server: 'guildhall',
    requires: 'hub',
    name: 'GET /api/v1/hub/search/posts (member search)',
    measures:
      'The same member searching posts for a word that one post of a group they may enter holds, among ' +
      "100 000 posts: the session and one query on the full-text index (FTS5; PostgreSQL's GIN over a " +
      'tsvector), the groups the member may enter one of its conditions, the words marked in the title ' +
      'and a snippet; asked again, the first page kept under those groups’ versions.',
    async setup(fixture, server) {
      const cookie = await memberCookie(fixture, server);
      return { path: `/api/v1/hub/search/posts?q=${SEARCHED_POST}`, headers: { cookie } };
    },
    check: (status, body) =>
      expectJson(status, body, (value) => {
        const page = value as { data: { title: string; titleHit: { hit: boolean }[] }[] };
        return (
          page.data.length === 1 &&
          page.data[0]!.title.endsWith(String(SEARCHED_POST)) &&
          page.data[0]!.titleHit.some((segment) => segment.hit)
        );
      }),
  },
  {
    server: 'guildhall',
    requires: 'hub',
    name: 'GET /api/v1/hub/search/posts (member search, a new word each time)',
    measures:
      'The search above with a different word at every request (5 000 words in turn, each the number of ' +
      'one post), so no page is ever kept: the full-text query itself, every time.',
    async setup(fixture, server) {
      const cookie = await memberCookie(fixture, server);
      const paths = Array.from(
        { length: 5_000 },
        (_, i) => `/api/v1/hub/search/posts?q=${SEARCHED_POST + i * 7}`,
      );
      return { path: paths[0]!, paths, headers: { cookie } };
    },
    check: expectPage,
  },
  {
    server: 'guildhall',
    requires: 'hub',
    name: 'member search at 500 requests/s (p99)',
    measures:
      'The search above at a fixed 500 requests a second (moderate load): its p99 latency is the figure.',
    async setup(fixture, server) {
      const cookie = await memberCookie(fixture, server);
      return { path: `/api/v1/hub/search/posts?q=${SEARCHED_POST}`, headers: { cookie }, rate: 500 };
    },
    check: expectPage,
  },
  {
    server: 'guildhall',
    requires: 'hub',
    name: 'GET /api/v1/dashboard?range=12m (owner)',
    measures:
      "The creator's dashboard over twelve months on the Hub data set with its 100 000 paid purchases " +
      '(1 000 000 entitlements, 100 000 subscriptions): counters by day, totals, top offers, the latest ' +
      'activity and the getting-started facts, none of it a scan of members, purchases or entitlements.',
    setup: (fixture) => ({
      path: '/api/v1/dashboard?range=12m',
      headers: { authorization: `Bearer ${fixture.ownerApiKey}` },
    }),
    check: (status, body) =>
      expectJson(status, body, (value) => {
        const view = value as { series: unknown[]; totals: { members: number; activeSubscriptions: number } };
        return view.series.length === 12 && view.totals.members > 0 && view.totals.activeSubscriptions > 0;
      }),
  },
  {
    server: 'guildhall',
    requires: 'hub',
    name: 'GET /api/v1/hub/groups (member)',
    measures:
      "The same member's group list on the same data: every group with whether they may enter it, " +
      'the access rule evaluated for all 20 groups in one query.',
    async setup(fixture, server) {
      listHub = hubOf(fixture);
      const cookie = await sessionCookie(server.url, listHub.member.email, listHub.member.password);
      return { path: '/api/v1/hub/groups', headers: { cookie } };
    },
    check: (status, body) =>
      expectJson(status, body, (value) => {
        const groups = (value as GroupList).data;
        const hub = listHub;
        if (!Array.isArray(groups) || !hub) return false;
        const find = (id: string) => groups.find((g) => g.id === id);
        return (
          groups.length === hub.memberSees &&
          groups.filter((g) => g.canEnter).length === hub.memberEnters &&
          find(hub.feedGroup.id)?.canEnter === true &&
          find(hub.lockedGroup.id)?.canEnter === false &&
          find(hub.hiddenGroup.id) === undefined
        );
      }),
  },
  {
    server: 'guildhall',
    name: 'GET /offers/{slug} (public landing page)',
    measures:
      'A visitor opening an offer: the landing page (hero, benefits, FAQ, price card) rendered on the server ' +
      'from the offer, its groups and the settings, no session.',
    setup: (fixture) => ({ path: `/offers/${fixture.offers.pageSlug}` }),
    check: (status, body) =>
      status === 200 && body.includes('Train with us') && body.includes('Join now')
        ? null
        : `status ${status}: ${body.slice(0, 200)}`,
  },
];
