// Every member-facing Hub route, taken from the app's own route table, against every kind of caller.
// A new /hub route without a row here fails the first test: no route can skip the access rule unseen.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Client,
  client,
  createAdmin,
  createEntitlement,
  createGrant,
  createGroup,
  createMember,
  createOffer,
  createOwner,
  forgetWriteLimits,
  signIn,
  type TestGroup,
  type TestUser,
} from '../support/factories.ts';
import { createTestContext, type TestContext } from '../support/test-app.ts';

type Persona =
  | 'anonymous'
  | 'member without access'
  | 'member with manual grant'
  | 'member with expired grant'
  | 'member with live entitlement'
  | 'member with ended entitlement'
  | 'member past due, within the grace period'
  | 'member past due, after the grace period'
  | 'member with refunded entitlement'
  | 'member with disputed entitlement, access ahead'
  | 'member with revoked entitlement'
  | 'admin'
  | 'owner';

const PERSONAS: Persona[] = [
  'anonymous',
  'member without access',
  'member with manual grant',
  'member with expired grant',
  'member with live entitlement',
  'member with ended entitlement',
  'member past due, within the grace period',
  'member past due, after the grace period',
  'member with refunded entitlement',
  'member with disputed entitlement, access ahead',
  'member with revoked entitlement',
  'admin',
  'owner',
];

/**
 * group/post/comment: about one of them; list: across groups; self: the caller's own (no group);
 * own-in-group: the caller's own, about the group, whether or not they may enter it (stop following);
 * person: the poster's profile, which exists for those who may see something they wrote.
 */
type Level = 'group' | 'post' | 'comment' | 'list' | 'self' | 'own-in-group' | 'person';
interface Row {
  level: Level;
  body?: unknown;
  /** A query string the route needs (a search's words). */
  query?: string;
  /** Status for a caller who may enter the group: member, then staff. */
  allowed: [number, number];
}

const ROWS: Record<string, Row> = {
  'GET /api/v1/hub/groups': { level: 'list', allowed: [200, 200] },
  'GET /api/v1/hub/home': { level: 'list', allowed: [200, 200] },
  'GET /api/v1/hub/search/posts': { level: 'list', query: '?q=someone', allowed: [200, 200] },
  'GET /api/v1/hub/search/comments': { level: 'list', query: '?q=someone', allowed: [200, 200] },
  'GET /api/v1/hub/search/people': { level: 'list', query: '?q=mem', allowed: [200, 200] },
  'GET /api/v1/hub/groups/{id}/mentionable': { level: 'group', query: '?q=m', allowed: [200, 200] },
  'GET /api/v1/hub/groups/{id}/members': { level: 'group', allowed: [200, 200] },
  'PUT /api/v1/hub/groups/{id}/follow': { level: 'group', body: {}, allowed: [200, 200] },
  // A JSON body is not image bytes: refused as bad input, once the group has let the caller in.
  'POST /api/v1/hub/groups/{id}/images': { level: 'group', body: {}, allowed: [400, 400] },
  'POST /api/v1/hub/preview': { level: 'self', body: { body: '**hi**' }, allowed: [200, 200] },
  // Anyone signed in may stop following, a group they may no longer enter too.
  'DELETE /api/v1/hub/groups/{id}/follow': { level: 'own-in-group', allowed: [200, 200] },
  'GET /api/v1/hub/notifications': { level: 'list', allowed: [200, 200] },
  // The poster writes only in the private group: their profile is for those who may enter it.
  'GET /api/v1/hub/people/{id}': { level: 'person', allowed: [200, 200] },
  'PATCH /api/v1/hub/profile': { level: 'self', body: { bio: 'Hi' }, allowed: [200, 200] },
  'PUT /api/v1/hub/profile/avatar': { level: 'self', body: {}, allowed: [400, 400] },
  'DELETE /api/v1/hub/profile/avatar': { level: 'self', allowed: [200, 200] },
  'GET /api/v1/hub/notifications/unread': { level: 'list', allowed: [200, 200] },
  'POST /api/v1/hub/notifications/read': { level: 'list', body: {}, allowed: [200, 200] },
  'GET /api/v1/hub/groups/{id}': { level: 'group', allowed: [200, 200] },
  'GET /api/v1/hub/groups/{id}/posts': { level: 'group', allowed: [200, 200] },
  'POST /api/v1/hub/groups/{id}/posts': { level: 'group', body: { body: 'Hello' }, allowed: [201, 201] },
  'GET /api/v1/hub/posts/{id}': { level: 'post', allowed: [200, 200] },
  // Only the author edits text: reaching 403 (not 404) shows the caller got past the access rule.
  'PATCH /api/v1/hub/posts/{id}': { level: 'post', body: { title: 'Edited' }, allowed: [403, 403] },
  'DELETE /api/v1/hub/posts/{id}': { level: 'post', allowed: [403, 204] },
  'PUT /api/v1/hub/posts/{id}/like': { level: 'post', allowed: [200, 200] },
  'DELETE /api/v1/hub/posts/{id}/like': { level: 'post', allowed: [200, 200] },
  'GET /api/v1/hub/posts/{id}/comments': { level: 'post', allowed: [200, 200] },
  'POST /api/v1/hub/posts/{id}/report': { level: 'post', body: { reason: 'Spam' }, allowed: [201, 201] },
  'POST /api/v1/hub/comments/{id}/report': {
    level: 'comment',
    body: { reason: 'Spam' },
    allowed: [201, 201],
  },
  'POST /api/v1/hub/posts/{id}/comments': { level: 'post', body: { body: 'Nice' }, allowed: [201, 201] },
  'PATCH /api/v1/hub/comments/{id}': { level: 'comment', body: { body: 'Edited' }, allowed: [403, 403] },
  'DELETE /api/v1/hub/comments/{id}': { level: 'comment', allowed: [403, 204] },
  'PUT /api/v1/hub/comments/{id}/like': { level: 'comment', allowed: [200, 200] },
  'DELETE /api/v1/hub/comments/{id}/like': { level: 'comment', allowed: [200, 200] },
};

const MAY_ENTER: Persona[] = [
  'member with manual grant',
  'member with live entitlement',
  'member past due, within the grace period',
  'admin',
  'owner',
];

let ctx: TestContext;
let operations: string[];
let group: TestGroup;
let poster: TestUser;
let author: Client;
const callers = new Map<Persona, Client>();

beforeAll(async () => {
  ctx = await createTestContext();
  const doc = (await client(ctx).get('/api/docs/json')).json() as {
    paths: Record<string, Record<string, unknown>>;
  };
  operations = Object.entries(doc.paths)
    // Billing and the partner page are a member's own purchases and referrals, not a group's content:
    // route-matrix.test.ts classifies them; stripe-billing and affiliates tests show one member never
    // reaches another's.
    .filter(
      ([path]) =>
        path.startsWith('/api/v1/hub/') &&
        !path.startsWith('/api/v1/hub/billing') &&
        !path.startsWith('/api/v1/hub/partner'),
    )
    .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));

  group = await createGroup(ctx, { name: 'Yoga', visibility: 'private' });
  const offer = await createOffer(ctx, [group], { title: 'Yoga Membership' });
  poster = await createMember(ctx);
  await createGrant(ctx, poster, group);
  author = await signIn(ctx, poster);

  const make = async (persona: Persona): Promise<Client> => {
    switch (persona) {
      case 'anonymous':
        return client(ctx);
      case 'admin':
        return signIn(ctx, await createAdmin(ctx));
      case 'owner':
        return signIn(ctx, await createOwner(ctx));
      default: {
        const member = await createMember(ctx);
        if (persona === 'member with manual grant')
          await createGrant(ctx, member, group, { endsAt: Date.now() + 3_600_000 });
        if (persona === 'member with expired grant')
          await createGrant(ctx, member, group, { endsAt: Date.now() - 1 });
        if (persona === 'member with live entitlement')
          await createEntitlement(ctx, member, offer, {
            state: 'canceled',
            accessUntil: Date.now() + 3_600_000,
          });
        if (persona === 'member with ended entitlement')
          await createEntitlement(ctx, member, offer, { state: 'ended' });
        const hour = 3_600_000;
        if (persona === 'member past due, within the grace period')
          await createEntitlement(ctx, member, offer, { state: 'past_due', accessUntil: Date.now() + hour });
        if (persona === 'member past due, after the grace period')
          await createEntitlement(ctx, member, offer, { state: 'past_due', accessUntil: Date.now() - hour });
        if (persona === 'member with refunded entitlement')
          await createEntitlement(ctx, member, offer, { state: 'refunded', accessUntil: Date.now() + hour });
        if (persona === 'member with disputed entitlement, access ahead')
          await createEntitlement(ctx, member, offer, { state: 'disputed', accessUntil: Date.now() + hour });
        if (persona === 'member with revoked entitlement')
          await createEntitlement(ctx, member, offer, { state: 'revoked' });
        return signIn(ctx, member);
      }
    }
  };
  for (const persona of PERSONAS) callers.set(persona, await make(persona));
});
afterAll(async () => ctx.close());

async function freshTargets() {
  // The author writes two things for every route and persona: far faster than a person may.
  await forgetWriteLimits(ctx, poster);
  const post = (
    await author.post(`/api/v1/hub/groups/${group.id}/posts`, { body: 'A post by someone else' })
  ).json();
  const comment = (
    await author.post(`/api/v1/hub/posts/${post.id}/comments`, { body: 'A comment by someone else' })
  ).json();
  return { post: post.id as string, comment: comment.id as string };
}

function expected(operation: string, persona: Persona): number {
  const row = ROWS[operation]!;
  if (persona === 'anonymous') return 401;
  if (MAY_ENTER.includes(persona) || row.level === 'self' || row.level === 'own-in-group')
    return row.allowed[persona === 'admin' || persona === 'owner' ? 1 : 0];
  if (row.level === 'list') return 200;
  // A private group the caller may not enter: 403 with its paywall; its posts and comments do not exist.
  return row.level === 'group' ? 403 : 404;
}

describe('the Hub authorization matrix', () => {
  it('has a row for every member-facing Hub route', () => {
    expect(operations.length).toBe(Object.keys(ROWS).length);
    expect(operations.filter((op) => !(op in ROWS))).toEqual([]);
  });

  for (const persona of PERSONAS) {
    it(`answers ${persona} as the access rule says, on every route`, async () => {
      const caller = callers.get(persona)!;
      const mismatches: string[] = [];
      for (const operation of operations) {
        const { post, comment } = await freshTargets();
        const [method, path] = operation.split(' ') as ['GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', string];
        const id =
          ROWS[operation]!.level === 'post'
            ? post
            : ROWS[operation]!.level === 'comment'
              ? comment
              : ROWS[operation]!.level === 'self' || ROWS[operation]!.level === 'person'
                ? poster.id
                : group.id;
        const url = path.replace('{id}', id) + (ROWS[operation]!.query ?? '');
        const response = await caller.request(method, url, ROWS[operation]!.body);
        const want = expected(operation, persona);
        if (response.statusCode !== want)
          mismatches.push(
            `${operation}: ${response.statusCode} (want ${want}) ${response.body.slice(0, 120)}`,
          );
        if (want === 403 && ROWS[operation]!.level === 'group') {
          const error = response.json().error;
          if (
            error.code !== 'access_required' ||
            error.details.paywall.offers[0]?.title !== 'Yoga Membership'
          ) {
            mismatches.push(`${operation}: 403 without the paywall: ${response.body.slice(0, 200)}`);
          }
        }
      }
      expect(mismatches).toEqual([]);
    });
  }

  it("shows the private group's posts in the home feed of exactly those who may enter it", async () => {
    const { post } = await freshTargets();
    for (const persona of PERSONAS.filter((p) => p !== 'anonymous')) {
      const home = (await callers.get(persona)!.get('/api/v1/hub/home?limit=100')).json().data as {
        id: string;
      }[];
      expect(
        home.some((p) => p.id === post),
        persona,
      ).toBe(MAY_ENTER.includes(persona));
    }
  });

  it("finds the private group's posts and comments in the searches of exactly those who may enter it", async () => {
    await freshTargets();
    for (const persona of PERSONAS.filter((p) => p !== 'anonymous')) {
      const caller = callers.get(persona)!;
      const posts = (await caller.get('/api/v1/hub/search/posts?q=someone')).json().data as unknown[];
      const comments = (await caller.get('/api/v1/hub/search/comments?q=someone')).json().data as unknown[];
      expect([posts.length > 0, comments.length > 0], persona).toEqual([
        MAY_ENTER.includes(persona),
        MAY_ENTER.includes(persona),
      ]);
    }
  });

  it('lists the private group to everyone signed in, locked unless they may enter', async () => {
    for (const persona of PERSONAS.filter((p) => p !== 'anonymous')) {
      const groups = (await callers.get(persona)!.get('/api/v1/hub/groups')).json().data as {
        id: string;
        canEnter: boolean;
      }[];
      expect(groups.find((g) => g.id === group.id)?.canEnter, persona).toBe(MAY_ENTER.includes(persona));
    }
  });
});
