// What each process keeps in memory (src/platform/db/changes.ts): who a session or an API key acts as,
// and the offer pages every anonymous visitor gets. Kept, they cost no query; each change below is seen
// on the very next request — by this process, and by a second one on the same database (another
// "process": its own connection, pool and listener), as a second web process would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { TOUCH_EVERY_MS } from '../../src/modules/accounts/auth.service.ts';
import { manualClock } from '../../src/platform/clock.ts';
import { changesOf } from '../../src/platform/db/changes.ts';
import { openDatabase } from '../../src/platform/db/database.ts';
import { SESSION_TTL_MS } from '../../src/platform/http/auth.ts';
import { eventually } from '../support/eventually.ts';
import {
  type Client,
  client,
  createAdmin,
  createApiKey,
  createEntitlement,
  createGrant,
  createGroup,
  createMember,
  createOffer,
  createOwner,
  DEFAULT_PASSWORD,
  publishOffer,
  signIn,
} from '../support/factories.ts';
import { createTestContext, type TestContext } from '../support/test-app.ts';

let ctx: TestContext;
let owner: Client;
const statements: string[] = [];
/** The second process: its own database handle and app on the same database. */
let other: {
  request: (init: {
    url: string;
    cookie?: string;
    apiKey?: string;
  }) => Promise<{ status: number; body: string }>;
  /** Its database handle: a write through it is another process's write. */
  db: TestContext['db'];
  close(): Promise<void>;
};

beforeAll(async () => {
  ctx = await createTestContext({ onQuery: (sql) => statements.push(sql) });
  expect(await changesOf(ctx.db).ready()).toBe(true);
  owner = await signIn(ctx, await createOwner(ctx));
  const { db } = await openDatabase(ctx.config.database, { poolSize: 2, caches: true });
  expect(await changesOf(db).ready()).toBe(true);
  const { app, services } = await buildApp({
    config: ctx.config,
    db,
    engine: ctx.engine,
    sendMail: async () => ({ messageId: '<other@test>' }),
  });
  other = {
    db,
    async request({ url, cookie, apiKey }) {
      const response = await app.inject({
        method: 'GET',
        url,
        headers: {
          ...(cookie ? { cookie } : {}),
          ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
        },
      });
      return { status: response.statusCode, body: response.body };
    },
    async close() {
      await app.close();
      await services.close();
      await db.destroy();
    },
  };
});
afterAll(async () => {
  await other?.close();
  await ctx.close();
});

/** PostgreSQL: a commit's own notification comes back after it (moving the topic again); wait for it. */
const quiet = () => changesOf(ctx.db).settled();

/** A context of its own on a clock the test moves: what the clock alone changes, with no write. */
async function onOwnClock(work: (own: TestContext, clock: ReturnType<typeof manualClock>) => Promise<void>) {
  const clock = manualClock(Date.now());
  const own = await createTestContext({ clock });
  try {
    await work(own, clock);
  } finally {
    await own.close();
  }
}

/** Queries a request ran in this process. */
async function counted<T>(work: () => Promise<T>): Promise<{ result: T; queries: string[] }> {
  statements.length = 0;
  const result = await work();
  return { result, queries: [...statements] };
}

const cookieOf = (browser: Client) =>
  Object.entries(browser.cookies)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');

/**
 * The other process sees a change at once: within the moment it takes a notification to arrive on
 * PostgreSQL, or the millisecond within which SQLite looks for another process's commits.
 */
async function otherSees(
  url: string,
  check: (response: { status: number; body: string }) => boolean,
  init: { cookie?: string; apiKey?: string } = {},
) {
  let last = await other.request({ url, ...init });
  await eventually(async () => {
    last = await other.request({ url, ...init });
    return check(last);
  });
  return last;
}

describe('who a session acts as, kept', () => {
  it('costs no query once kept, in each process', async () => {
    const member = await signIn(ctx, await createMember(ctx, { name: 'Kept Kim' }));
    await quiet();
    await member.get('/api/v1/me');
    const { result, queries } = await counted(() => member.get('/api/v1/me'));
    expect(result.json()).toMatchObject({ name: 'Kept Kim' });
    expect(queries.filter((sql) => sql.includes('"sessions"'))).toEqual([]);
    expect((await other.request({ url: '/api/v1/me', cookie: cookieOf(member) })).status).toBe(200);
  });

  it('ends with signing out, here and in the other process', async () => {
    const member = await signIn(ctx, await createMember(ctx));
    const cookie = cookieOf(member);
    const saved = { ...member.cookies };
    expect((await member.get('/api/v1/me')).statusCode).toBe(200);
    expect((await other.request({ url: '/api/v1/me', cookie })).status).toBe(200);
    expect((await member.post('/api/v1/auth/logout', {})).statusCode).toBeLessThan(300);
    const again = client(ctx, { cookies: saved });
    expect((await again.get('/api/v1/me')).statusCode).toBe(401);
    expect((await otherSees('/api/v1/me', (r) => r.status === 401, { cookie })).status).toBe(401);
  });

  it('follows a rename, a new role and a deactivation at once', async () => {
    const user = await createMember(ctx, { name: 'Before Name' });
    const member = await signIn(ctx, user);
    const cookie = cookieOf(member);
    expect((await member.get('/api/v1/users')).statusCode).toBe(403);
    await other.request({ url: '/api/v1/users', cookie });

    expect(
      (await owner.patch(`/api/v1/users/${user.id}`, { name: 'After Name', role: 'admin' })).statusCode,
    ).toBe(200);
    expect((await member.get('/api/v1/me')).json()).toMatchObject({ name: 'After Name', role: 'admin' });
    expect((await member.get('/api/v1/users')).statusCode).toBe(200);
    expect((await otherSees('/api/v1/users', (r) => r.status === 200, { cookie })).status).toBe(200);

    expect((await owner.patch(`/api/v1/users/${user.id}`, { status: 'deactivated' })).statusCode).toBe(200);
    expect((await member.get('/api/v1/me')).statusCode).toBe(401);
    expect((await otherSees('/api/v1/me', (r) => r.status === 401, { cookie })).status).toBe(401);
  });

  it('ends the other sessions when the password changes', async () => {
    const user = await createMember(ctx);
    const laptop = await signIn(ctx, user);
    const phone = await signIn(ctx, user);
    expect((await phone.get('/api/v1/me')).statusCode).toBe(200);
    await other.request({ url: '/api/v1/me', cookie: cookieOf(phone) });
    const changed = await laptop.post('/api/v1/me/password', {
      currentPassword: DEFAULT_PASSWORD,
      newPassword: 'a brand new passphrase 42',
    });
    expect(changed.statusCode).toBeLessThan(300);
    expect((await phone.get('/api/v1/me')).statusCode).toBe(401);
    expect((await otherSees('/api/v1/me', (r) => r.status === 401, { cookie: cookieOf(phone) })).status).toBe(
      401,
    );
    expect((await laptop.get('/api/v1/me')).statusCode).toBe(200);
  });

  it('ends at the session’s expiry without any change', async () => {
    await onOwnClock(async (own, clock) => {
      const member = await signIn(own, await createMember(own));
      expect((await member.get('/api/v1/me')).statusCode).toBe(200);
      clock.advance(SESSION_TTL_MS + 1);
      expect((await member.get('/api/v1/me')).statusCode).toBe(401);
    });
  });

  it('keeps an API key until it is revoked', async () => {
    const admin = await createAdmin(ctx);
    const key = await createApiKey(ctx, admin);
    const caller = client(ctx, { apiKey: key });
    await quiet();
    expect((await caller.get('/api/v1/me')).statusCode).toBe(200);
    const { queries } = await counted(() => caller.get('/api/v1/me'));
    expect(queries.filter((sql) => sql.includes('"api_keys"'))).toEqual([]);
    expect((await other.request({ url: '/api/v1/me', apiKey: key })).status).toBe(200);
    const listed = (await owner.get('/api/v1/api-keys')).json().data as { id: string; name: string }[];
    const row = await ctx.db
      .selectFrom('apiKeys')
      .select('id')
      .where('userId', '=', admin.id)
      .executeTakeFirstOrThrow();
    expect(listed.some((k) => k.id === row.id)).toBe(true);
    expect((await owner.request('DELETE', `/api/v1/api-keys/${row.id}`)).statusCode).toBeLessThan(300);
    expect((await caller.get('/api/v1/me')).statusCode).toBe(401);
    expect((await otherSees('/api/v1/me', (r) => r.status === 401, { apiKey: key })).status).toBe(401);
  });
});

describe('a caller’s own row, kept', () => {
  it('shows a last visit written meanwhile once a visit could have been written (five minutes), not before', async () => {
    await onOwnClock(async (own, clock) => {
      const member = await createMember(own);
      const caller = client(own, { apiKey: await createApiKey(own, member) });
      const lastVisit = async () => (await caller.get('/api/v1/me')).json().lastSeenAt;
      const before = await lastVisit();
      // A visit of another session: not a change of the 'users' topic (migration 0027).
      const visit = clock.now() + 1000;
      await own.db.updateTable('users').set({ lastSeenAt: visit }).where('id', '=', member.id).execute();
      expect(await lastVisit()).toBe(before);
      clock.advance(TOUCH_EVERY_MS + 1);
      expect(await lastVisit()).toBe(new Date(visit).toISOString());
    });
  });

  it('costs no query once kept, and shows every change to the row at once, here and in the other process', async () => {
    const member = await createMember(ctx, { name: 'Kept Member' });
    const key = await createApiKey(ctx, member);
    const caller = client(ctx, { apiKey: key });
    await quiet();
    expect((await caller.get('/api/v1/me')).json().name).toBe('Kept Member');
    expect((await other.request({ url: '/api/v1/me', apiKey: key })).status).toBe(200);
    const { queries } = await counted(() => caller.get('/api/v1/me'));
    expect(queries).toEqual([]);

    // Through the API: at once here, and in the other process as soon as it hears.
    const repliesOff = (r: { body: string }) => JSON.parse(r.body).emailAbout.replies === false;
    expect((await caller.patch('/api/v1/me', { emailAbout: { replies: false } })).statusCode).toBe(200);
    expect((await caller.get('/api/v1/me')).json().emailAbout.replies).toBe(false);
    expect(repliesOff(await otherSees('/api/v1/me', repliesOff, { apiKey: key }))).toBe(true);
    // Another process's SQL, on a column only /me shows: here as soon as this process hears.
    await other.db.updateTable('users').set({ emailMentions: 0 }).where('id', '=', member.id).execute();
    expect(
      await eventually(async () => (await caller.get('/api/v1/me')).json().emailAbout.mentions === false),
    ).toBe(true);
    await quiet();

    // A person removed is no one: the key no longer answers.
    await ctx.db.deleteFrom('apiKeys').where('userId', '=', member.id).execute();
    await ctx.db.deleteFrom('users').where('id', '=', member.id).execute();
    expect((await caller.get('/api/v1/me')).statusCode).toBe(401);
  });
});

describe('the offer page an anonymous visitor gets, kept', () => {
  async function offerWith(groupName: string) {
    const group = await createGroup(ctx, { name: groupName, visibility: 'private' });
    const offer = await publishOffer(owner, {
      title: `Kept Offer ${Math.random().toString(36).slice(2, 8)}`,
      hubGroupIds: [group.id],
      pricing: { model: 'free' },
    });
    return { group, offer };
  }

  const visitor = () => client(ctx);

  it('costs no query once kept; a signed-in visitor’s or a referred one’s is their own', async () => {
    const { offer } = await offerWith('Quiet Room');
    await quiet();
    expect((await visitor().get(`/offers/${offer.slug}`)).statusCode).toBe(200);
    const { result, queries } = await counted(() => visitor().get(`/offers/${offer.slug}`));
    expect(result.statusCode).toBe(200);
    expect(result.body).toContain('Quiet Room');
    expect(queries).toEqual([]);
    const referred = await counted(() => visitor().get(`/offers/${offer.slug}?ref=nobody`));
    expect(referred.queries.length).toBeGreaterThan(0);
    const member = await signIn(ctx, await createMember(ctx, { name: 'Signed Sam' }));
    const own = await member.get(`/offers/${offer.slug}`);
    expect(own.body).toContain('Signed Sam');
    expect((await visitor().get(`/offers/${offer.slug}`)).body).not.toContain('Signed Sam');
  });

  it('shows a new title, a renamed group, a new platform name and an unpublished offer at once', async () => {
    const { group, offer } = await offerWith('Old Room');
    const url = `/offers/${offer.slug}`;
    await visitor().get(url);
    await other.request({ url });

    expect((await owner.patch(`/api/v1/offers/${offer.id}`, { title: 'Brand New Title' })).statusCode).toBe(
      200,
    );
    expect((await visitor().get(url)).body).toContain('Brand New Title');
    expect((await otherSees(url, (r) => r.body.includes('Brand New Title'))).body).toContain(
      'Brand New Title',
    );

    expect(
      (await owner.request('PATCH', `/api/v1/hub-groups/${group.id}`, { name: 'Renamed Room' })).statusCode,
    ).toBe(200);
    expect((await visitor().get(url)).body).toContain('Renamed Room');
    expect((await otherSees(url, (r) => r.body.includes('Renamed Room'))).body).toContain('Renamed Room');

    expect((await owner.patch('/api/v1/settings', { platformName: 'Kept Guild' })).statusCode).toBe(200);
    expect((await visitor().get(url)).body).toContain('Kept Guild');
    expect((await otherSees(url, (r) => r.body.includes('Kept Guild'))).body).toContain('Kept Guild');

    expect((await owner.patch(`/api/v1/offers/${offer.id}`, { status: 'archived' })).statusCode).toBe(200);
    expect((await visitor().get(url)).statusCode).toBe(404);
    expect((await otherSees(url, (r) => r.status === 404)).status).toBe(404);
  });

  it('stops naming a group made hidden', async () => {
    const { group, offer } = await offerWith('Secret Garden');
    const url = `/offers/${offer.slug}`;
    expect((await visitor().get(url)).body).toContain('Secret Garden');
    await ctx.db.updateTable('hubGroups').set({ visibility: 'hidden' }).where('id', '=', group.id).execute();
    expect((await visitor().get(url)).body).not.toContain('Secret Garden');
    expect((await otherSees(url, (r) => !r.body.includes('Secret Garden'))).body).not.toContain(
      'Secret Garden',
    );
  });
});

describe('what a member may enter, kept', () => {
  const feed = (group: { id: string }) => `/api/v1/hub/groups/${group.id}/posts`;

  async function memberOf(group: { id: string }) {
    const user = await createMember(ctx);
    await createGrant(ctx, user, group);
    return { user, member: await signIn(ctx, user) };
  }

  it('costs no access query once kept, and a new post shows at once', async () => {
    const group = await createGroup(ctx, { visibility: 'private' });
    const { member } = await memberOf(group);
    await quiet();
    expect((await member.get(feed(group))).statusCode).toBe(200);
    const { result, queries } = await counted(() => member.get(feed(group)));
    expect(result.statusCode).toBe(200);
    expect(queries.filter((sql) => /access_grants|entitlements|from "hub_groups"/.test(sql))).toEqual([]);
    const posted = await owner.post(`/api/v1/hub/groups/${group.id}/posts`, { body: 'Fresh news' });
    expect(posted.statusCode).toBe(201);
    expect((await member.get(feed(group))).body).toContain('Fresh news');
  });

  it('closes at once when a grant is ended or an entitlement is, here and in the other process', async () => {
    const group = await createGroup(ctx, { visibility: 'private' });
    const { user, member } = await memberOf(group);
    const cookie = cookieOf(member);
    const offer = await createOffer(ctx, [group]);
    const entitlement = await createEntitlement(ctx, user, offer);
    expect((await member.get(feed(group))).statusCode).toBe(200);
    expect((await other.request({ url: feed(group), cookie })).status).toBe(200);
    await ctx.db.deleteFrom('accessGrants').where('userId', '=', user.id).execute();
    // Still open through the entitlement.
    expect((await member.get(feed(group))).statusCode).toBe(200);
    await ctx.db.updateTable('entitlements').set({ state: 'ended' }).where('id', '=', entitlement).execute();
    expect((await member.get(feed(group))).statusCode).toBe(403);
    expect((await otherSees(feed(group), (r) => r.status === 403, { cookie })).status).toBe(403);
    expect(
      (await member.get('/api/v1/hub/groups')).json().data.find((g: { id: string }) => g.id === group.id),
    ).toMatchObject({ canEnter: false });
  });

  it('closes by the clock alone when a grant or a paid-up period ends', async () => {
    await onOwnClock(async (own, clock) => {
      const group = await createGroup(own, { visibility: 'private' });
      const user = await createMember(own);
      await createGrant(own, user, group, { endsAt: clock.now() + 1000 });
      const offer = await createOffer(own, [group]);
      await createEntitlement(own, user, offer, { state: 'canceled', accessUntil: clock.now() + 2000 });
      const member = await signIn(own, user);
      expect((await member.get(feed(group))).statusCode).toBe(200);
      clock.advance(1001);
      // The grant has ended; the canceled entitlement is still paid up.
      expect((await member.get(feed(group))).statusCode).toBe(200);
      clock.advance(1000);
      expect((await member.get(feed(group))).statusCode).toBe(403);
    });
  });

  it('follows the groups an offer opens and a group made hidden', async () => {
    const opened = await createGroup(ctx, { visibility: 'private' });
    const user = await createMember(ctx);
    const offer = await createOffer(ctx, [opened]);
    await createEntitlement(ctx, user, offer);
    const member = await signIn(ctx, user);
    expect((await member.get(feed(opened))).statusCode).toBe(200);
    await ctx.db.deleteFrom('offerHubGroups').where('offerId', '=', offer.id).execute();
    expect((await member.get(feed(opened))).statusCode).toBe(403);
    const hidden = await createGroup(ctx, { visibility: 'public' });
    expect((await member.get(feed(hidden))).statusCode).toBe(200);
    await ctx.db.updateTable('hubGroups').set({ visibility: 'hidden' }).where('id', '=', hidden.id).execute();
    expect((await member.get(feed(hidden))).statusCode).toBe(404);
    expect(
      (await otherSees(feed(hidden), (r) => r.status === 404, { cookie: cookieOf(member) })).status,
    ).toBe(404);
  });

  /** This process sees another's write within a moment (see otherSees). */
  async function sees(browser: Client, url: string, status: number) {
    let last = (await browser.get(url)).statusCode;
    await eventually(async () => {
      last = (await browser.get(url)).statusCode;
      return last === status;
    });
    return last;
  }

  it('opens at once when another process grants access or renews a paid-up period', async () => {
    const group = await createGroup(ctx, { visibility: 'private' });
    const user = await createMember(ctx);
    const member = await signIn(ctx, user);
    expect((await member.get(feed(group))).statusCode).toBe(403);
    await createGrant({ db: other.db }, user, group);
    expect(await sees(member, feed(group), 200)).toBe(200);
    const later = await createGroup(ctx, { visibility: 'private' });
    const offer = await createOffer(ctx, [later]);
    const entitlement = await createEntitlement({ db: other.db }, user, offer, {
      state: 'canceled',
      accessUntil: Date.now() - 1000,
    });
    expect((await member.get(feed(later))).statusCode).toBe(403);
    await other.db
      .updateTable('entitlements')
      .set({ accessUntil: Date.now() + 60_000 })
      .where('id', '=', entitlement)
      .execute();
    expect(await sees(member, feed(later), 200)).toBe(200);
  });

  it('takes a closed group out of the home feed, and its post links, at once', async () => {
    const group = await createGroup(ctx, { visibility: 'private' });
    const { user, member } = await memberOf(group);
    const posted = await owner.post(`/api/v1/hub/groups/${group.id}/posts`, { body: 'Members only news' });
    expect(posted.statusCode).toBe(201);
    const post = `/api/v1/hub/posts/${posted.json().id}`;
    expect((await member.get('/api/v1/hub/home')).body).toContain('Members only news');
    expect((await member.get(post)).statusCode).toBe(200);
    await ctx.db.deleteFrom('accessGrants').where('userId', '=', user.id).execute();
    expect((await member.get('/api/v1/hub/home')).body).not.toContain('Members only news');
    expect((await member.get(post)).statusCode).toBe(404);
  });
});
