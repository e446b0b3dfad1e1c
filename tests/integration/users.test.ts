import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  client,
  createAdmin,
  createApiKey,
  createMember,
  createOwner,
  latestLinkToken,
  signIn,
  type TestUser,
} from '../support/factories.ts';
import { createTestContext, type TestContext } from '../support/test-app.ts';

let ctx: TestContext;
let owner: TestUser;
beforeAll(async () => {
  ctx = await createTestContext();
  owner = await createOwner(ctx);
});
afterAll(async () => ctx.close());

describe('the Users list', () => {
  it('is for staff: 401 anonymous, 403 member, 400 bad cursor, pages for admins', async () => {
    expect((await client(ctx).get('/api/v1/users')).statusCode).toBe(401);
    const member = await createMember(ctx);
    expect((await (await signIn(ctx, member)).get('/api/v1/users')).statusCode).toBe(403);
    const admin = await signIn(ctx, await createAdmin(ctx));
    const bad = await admin.get('/api/v1/users?cursor=nonsense');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.fields[0].field).toBe('cursor');
    expect((await admin.get('/api/v1/users?limit=1000')).statusCode).toBe(400);
    const page = await admin.get('/api/v1/users?limit=2');
    expect(page.statusCode).toBe(200);
    expect(page.json().data).toHaveLength(2);
    expect(page.json().data[0]).toHaveProperty('totalSpending', { amountMinor: 0, currency: 'usd' });
  });

  it('paginates newest first without gaps or repeats, and searches by prefix of email or name', async () => {
    const base = Date.UTC(2025, 0, 1);
    const made: TestUser[] = [];
    for (let i = 0; i < 7; i += 1) {
      made.push(
        await createMember(ctx, {
          email: `pager${i}@paging.test`,
          name: `Pager Person ${i}`,
          createdAt: base + i,
        }),
      );
    }
    const session = await signIn(ctx, owner);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/users?search=pager&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await session.get(url)).json() as {
        data: { email: string }[];
        nextCursor: string | null;
      };
      seen.push(...page.data.map((u) => u.email));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(made.map((u) => u.email).reverse());
    const byName = (await session.get('/api/v1/users?search=Pager%20Person%203')).json().data;
    expect(byName.map((u: { email: string }) => u.email)).toEqual(['pager3@paging.test']);
    expect((await session.get('/api/v1/users?search=zzz-nobody')).json().data).toEqual([]);
  });
});

describe('Add User', () => {
  it('creates the account and emails a link to set a password; the link signs them in', async () => {
    const session = await signIn(ctx, owner);
    const invalid = await session.post('/api/v1/users', { email: 'not an email', name: 'x' });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error.details.fields[0]).toEqual({
      field: 'email',
      message: 'must be an email address',
    });
    const badRole = await session.post('/api/v1/users', { email: 'ok@example.test', role: 'owner' });
    expect(badRole.statusCode).toBe(400);

    const created = await session.post('/api/v1/users', { email: 'Newbie@Example.test', name: 'New Bie' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      email: 'newbie@example.test',
      role: 'member',
      hasPassword: false,
      emailVerified: false,
    });
    expect((await session.post('/api/v1/users', { email: 'newbie@example.test' })).statusCode).toBe(409);

    const token = await latestLinkToken(ctx, 'newbie@example.test');
    const browser = client(ctx);
    const set = await browser.post('/api/v1/auth/set-password', { token, password: 'my own new password' });
    expect(set.statusCode).toBe(200);
    expect(set.json().user).toMatchObject({
      email: 'newbie@example.test',
      hasPassword: true,
      emailVerified: true,
    });
    await signIn(ctx, { email: 'newbie@example.test', password: 'my own new password' });
  });

  it('lets only the owner add an admin', async () => {
    const admin = await signIn(ctx, await createAdmin(ctx));
    expect(
      (await admin.post('/api/v1/users', { email: 'wannabe@example.test', role: 'admin' })).statusCode,
    ).toBe(403);
    expect((await admin.post('/api/v1/users', { email: 'plain@example.test' })).statusCode).toBe(201);
    const ownerSession = await signIn(ctx, owner);
    expect(
      (await ownerSession.post('/api/v1/users', { email: 'staff@example.test', role: 'admin' })).json().role,
    ).toBe('admin');
  });
});

describe('the user card', () => {
  it('reads one user: 404 for an unknown id, 403 for a member', async () => {
    const member = await createMember(ctx);
    const session = await signIn(ctx, owner);
    expect((await session.get(`/api/v1/users/${member.id}`)).json().lastSeenAt).toBeNull();
    await signIn(ctx, member);
    expect((await session.get(`/api/v1/users/${member.id}`)).json().lastSeenAt).not.toBeNull();
    expect((await session.get(`/api/v1/users/${member.id}`)).json().email).toBe(member.email);
    expect((await session.get('/api/v1/users/no-such-id')).statusCode).toBe(404);
    expect((await (await signIn(ctx, member)).get(`/api/v1/users/${member.id}`)).statusCode).toBe(403);
  });

  it('makes and unmakes an admin; only the owner may', async () => {
    const member = await createMember(ctx);
    const admin = await signIn(ctx, await createAdmin(ctx));
    expect((await admin.patch(`/api/v1/users/${member.id}`, { role: 'admin' })).statusCode).toBe(403);
    const session = await signIn(ctx, owner);
    expect((await session.patch(`/api/v1/users/${member.id}`, { role: 'admin' })).json().role).toBe('admin');
    const promoted = await signIn(ctx, member);
    expect((await promoted.get('/api/v1/users')).statusCode).toBe(200);
    expect((await session.patch(`/api/v1/users/${member.id}`, { role: 'member' })).json().role).toBe(
      'member',
    );
    expect((await promoted.get('/api/v1/users')).statusCode).toBe(403);
  });

  it('protects the owner and oneself', async () => {
    const adminUser = await createAdmin(ctx);
    const admin = await signIn(ctx, adminUser);
    expect((await admin.patch(`/api/v1/users/${owner.id}`, { status: 'deactivated' })).statusCode).toBe(403);
    expect((await admin.patch(`/api/v1/users/${adminUser.id}`, { status: 'deactivated' })).statusCode).toBe(
      403,
    );
    const session = await signIn(ctx, owner);
    expect((await session.patch(`/api/v1/users/${owner.id}`, { role: 'member' })).statusCode).toBe(403);
    expect((await session.patch(`/api/v1/users/${owner.id}`, {})).statusCode).toBe(400);
    expect((await session.patch(`/api/v1/users/${owner.id}`, { status: 'gone' })).statusCode).toBe(400);
  });

  it('deactivation refuses the user on their next request, with their API keys and pending links; reactivation restores keys', async () => {
    const target = await createAdmin(ctx);
    const targetSession = await signIn(ctx, target);
    const key = await createApiKey(ctx, target);
    await client(ctx).post('/api/v1/auth/magic-link', { email: target.email });
    const pendingLink = await latestLinkToken(ctx, target.email);
    expect((await client(ctx, { apiKey: key }).get('/api/v1/me')).statusCode).toBe(200);

    const session = await signIn(ctx, owner);
    const deactivated = await session.patch(`/api/v1/users/${target.id}`, { status: 'deactivated' });
    expect(deactivated.json().status).toBe('deactivated');
    expect((await targetSession.get('/api/v1/me')).statusCode).toBe(401);
    expect((await client(ctx, { apiKey: key }).get('/api/v1/me')).statusCode).toBe(401);
    expect(
      (await client(ctx).post('/api/v1/auth/magic-link/verify', { token: pendingLink })).json().error.code,
    ).toBe('link_used');
    expect(
      (await client(ctx).post('/api/v1/auth/login', { email: target.email, password: target.password }))
        .statusCode,
    ).toBe(401);

    await session.patch(`/api/v1/users/${target.id}`, { status: 'active' });
    expect((await client(ctx, { apiKey: key }).get('/api/v1/me')).statusCode).toBe(200);
    expect((await targetSession.get('/api/v1/me')).statusCode).toBe(401);
    await signIn(ctx, target);
  });
});

describe('API keys', () => {
  it('creates a key shown once that acts as its user, lists it, revokes it', async () => {
    const session = await signIn(ctx, owner);
    expect((await session.post('/api/v1/api-keys', { name: '' })).statusCode).toBe(400);
    const created = await session.post('/api/v1/api-keys', { name: 'Zapier' });
    expect(created.statusCode).toBe(201);
    const { key, apiKey } = created.json();
    expect(key).toMatch(/^gh_/);
    expect(apiKey.prefix).toBe(key.slice(0, 10));
    const bearer = client(ctx, { apiKey: key });
    expect((await bearer.get('/api/v1/me')).json().id).toBe(owner.id);
    // A key needs no CSRF token and no origin.
    expect(
      (await bearer.request('POST', '/api/v1/users', { email: 'via-key@example.test' }, { origin: '' }))
        .statusCode,
    ).toBe(201);
    const list = (await session.get('/api/v1/api-keys')).json().data;
    expect(list.find((k: { id: string }) => k.id === apiKey.id)).toMatchObject({
      name: 'Zapier',
      user: { id: owner.id },
    });
    expect(JSON.stringify(list)).not.toContain(key);
    expect((await session.delete(`/api/v1/api-keys/${apiKey.id}`)).statusCode).toBe(204);
    const refused = await bearer.get('/api/v1/me');
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.code).toBe('invalid_api_key');
    expect((await session.delete(`/api/v1/api-keys/${apiKey.id}`)).statusCode).toBe(404);
  });

  it('is for staff only', async () => {
    const member = await signIn(ctx, await createMember(ctx));
    expect((await member.get('/api/v1/api-keys')).statusCode).toBe(403);
    expect((await member.post('/api/v1/api-keys', { name: 'mine' })).statusCode).toBe(403);
    expect((await client(ctx).get('/api/v1/api-keys')).statusCode).toBe(401);
  });

  it('stops working when its admin is made a member', async () => {
    const adminUser = await createAdmin(ctx);
    const key = await createApiKey(ctx, adminUser);
    await (await signIn(ctx, owner)).patch(`/api/v1/users/${adminUser.id}`, { role: 'member' });
    expect((await client(ctx, { apiKey: key }).get('/api/v1/me')).statusCode).toBe(401);
  });
});
