import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/platform/crypto.ts';
import {
  client,
  createAdmin,
  createMember,
  createOwner,
  DEFAULT_PASSWORD,
  latestLinkToken,
  sessionOf,
  signIn,
} from '../support/factories.ts';
import { createTestContext, type TestContext } from '../support/test-app.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
  // A platform that is set up: it has its owner (first-run setup has a platform of its own).
  await createOwner(ctx);
});
afterAll(async () => ctx.close());

async function countRows(
  table: 'users' | 'sessions' | 'emails' | 'authTokens',
  on: TestContext = ctx,
): Promise<number> {
  const row = await on.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('first-run setup', () => {
  // A platform of its own: it must have no owner yet, whatever ran before.
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(async () => ctx.close());

  it('creates the owner only with the printed code, then is gone for good', async () => {
    const anonymous = client(ctx);
    expect((await anonymous.get('/api/v1/setup/status')).json()).toEqual({
      needsSetup: true,
      platformName: 'Guildhall',
    });
    expect((await anonymous.get('/')).headers.location).toBe('/setup');
    const code = await ctx.services.auth.issueSetupCode();
    expect(code).toBeTruthy();
    const body = {
      code: 'wrong-code',
      platformName: 'Iron Temple',
      name: 'Olga Owner',
      email: 'Olga@Example.test',
      password: 'a long enough password',
    };

    const invalid = await anonymous.post('/api/v1/setup', {
      ...body,
      email: 'not-an-email',
      password: 'short',
      supportEmail: 'nor-this',
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error.details.fields.map((f: { field: string }) => f.field)).toEqual([
      'email',
      'password',
      'supportEmail',
    ]);

    const wrong = await anonymous.post('/api/v1/setup', body);
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().error.code).toBe('setup_code_invalid');
    expect(await countRows('users', ctx)).toBe(0);

    const created = await anonymous.post('/api/v1/setup', { ...body, code, supportEmail: 'Help@Iron.test' });
    expect(created.statusCode).toBe(201);
    expect((await anonymous.get('/api/v1/platform')).json().supportEmail).toBe('help@iron.test');
    expect(created.json().user).toMatchObject({
      email: 'olga@example.test',
      role: 'owner',
      emailVerified: true,
    });
    expect((await anonymous.get('/api/v1/me')).json().email).toBe('olga@example.test');
    expect((await anonymous.get('/api/v1/platform')).json().platformName).toBe('Iron Temple');

    const again = await client(ctx).post('/api/v1/setup', { ...body, code });
    expect(again.statusCode).toBe(409);
    expect((await client(ctx).get('/setup')).statusCode).toBe(404);
    expect(await ctx.services.auth.issueSetupCode()).toBeNull();
    expect((await client(ctx).get('/api/v1/setup/status')).json().needsSetup).toBe(false);
  });
});

describe('sign in with a password', () => {
  it('signs in, answers /me, signs out', async () => {
    const member = await createMember(ctx);
    const session = await signIn(ctx, { email: member.email.toUpperCase(), password: member.password });
    expect(session.cookies.gh_session).toBeTruthy();
    expect(session.cookies.gh_csrf).toBeTruthy();
    expect((await session.get('/api/v1/me')).json()).toMatchObject({
      id: member.id,
      role: 'member',
      hasPassword: true,
    });
    expect((await session.get('/')).headers.location).toBe('/hub');
    const out = await session.post('/api/v1/auth/logout');
    expect(out.statusCode).toBe(204);
    expect((await session.get('/api/v1/me')).statusCode).toBe(401);
  });

  it('refuses a wrong password and an unknown address alike, and writes no session', async () => {
    const member = await createMember(ctx);
    const before = await countRows('sessions');
    const wrong = await client(ctx).post('/api/v1/auth/login', {
      email: member.email,
      password: 'not the password',
    });
    const unknown = await client(ctx).post('/api/v1/auth/login', {
      email: 'nobody@example.test',
      password: 'whatever it is',
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('invalid_credentials');
    expect(unknown.json().error).toEqual(wrong.json().error);
    expect(await countRows('sessions')).toBe(before);
  });

  it('names the missing field', async () => {
    const response = await client(ctx).post('/api/v1/auth/login', { email: 'a@b.test' });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.details.fields).toEqual([{ field: 'password', message: 'is required' }]);
  });

  it('rate-limits guessing at one address', async () => {
    const member = await createMember(ctx);
    const statuses: number[] = [];
    for (let i = 0; i < 11; i += 1) {
      statuses.push(
        (await client(ctx).post('/api/v1/auth/login', { email: member.email, password: `guess number ${i}` }))
          .statusCode,
      );
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    const limited = await client(ctx).post('/api/v1/auth/login', {
      email: member.email,
      password: member.password,
    });
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('rate_limited');
    expect(limited.headers['retry-after']).toBeTruthy();
  });

  it('refuses a deactivated account', async () => {
    const member = await createMember(ctx, { status: 'deactivated' });
    const response = await client(ctx).post('/api/v1/auth/login', {
      email: member.email,
      password: member.password,
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('account_deactivated');
  });
});

describe('CSRF on cookie sessions', () => {
  it('refuses a change without the token, or from another origin; API keys need neither', async () => {
    const member = await createMember(ctx);
    const session = await signIn(ctx, member);
    const noToken = await session.request('PATCH', '/api/v1/me', { name: 'X' }, { 'x-csrf-token': '' });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.json().error.code).toBe('csrf_failed');
    const forged = await session.request('PATCH', '/api/v1/me', { name: 'X' }, { 'x-csrf-token': 'forged' });
    expect(forged.statusCode).toBe(403);
    const crossSite = await session.request(
      'PATCH',
      '/api/v1/me',
      { name: 'X' },
      { origin: 'https://evil.example' },
    );
    expect(crossSite.statusCode).toBe(403);
    expect(crossSite.json().error.code).toBe('cross_site_request');
    expect((await session.get('/api/v1/me')).json().name).toBe(member.name);
    const ok = await session.patch('/api/v1/me', { name: 'New Name' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().user.name).toBe('New Name');
  });

  it('refuses a cross-site sign-in (login CSRF)', async () => {
    const member = await createMember(ctx);
    const response = await client(ctx).request(
      'POST',
      '/api/v1/auth/login',
      { email: member.email, password: member.password },
      { origin: 'https://evil.example' },
    );
    expect(response.statusCode).toBe(403);
  });
});

describe('magic links', () => {
  it('sends a single-use link that signs in and verifies the address', async () => {
    const member = await createMember(ctx, { verified: false, password: null });
    const other = await signIn(ctx, { email: member.email, password: '' }).catch(() => null);
    expect(other).toBeNull();
    const response = await client(ctx).post('/api/v1/auth/magic-link', { email: member.email });
    expect(response.statusCode).toBe(202);
    const token = await latestLinkToken(ctx, member.email);
    const browser = client(ctx);
    const used = await browser.post('/api/v1/auth/magic-link/verify', { token });
    expect(used.statusCode).toBe(200);
    expect(used.json().user.emailVerified).toBe(true);
    expect((await browser.get('/api/v1/me')).json().id).toBe(member.id);

    const again = await client(ctx).post('/api/v1/auth/magic-link/verify', { token });
    expect(again.statusCode).toBe(400);
    expect(again.json().error.code).toBe('link_used');
  });

  it('answers the same for an unknown address and sends nothing', async () => {
    const before = await countRows('emails');
    const response = await client(ctx).post('/api/v1/auth/magic-link', { email: 'ghost@example.test' });
    expect(response.statusCode).toBe(202);
    expect(await countRows('emails')).toBe(before);
  });

  it('refuses an expired link and an invented one, each with its reason', async () => {
    const member = await createMember(ctx);
    await client(ctx).post('/api/v1/auth/magic-link', { email: member.email });
    const token = await latestLinkToken(ctx, member.email);
    await ctx.db
      .updateTable('authTokens')
      .set({ expiresAt: Date.now() - 1 })
      .where('tokenHash', '=', sha256(token))
      .execute();
    const expired = await client(ctx).post('/api/v1/auth/magic-link/verify', { token });
    expect(expired.json().error.code).toBe('link_expired');
    const invented = await client(ctx).post('/api/v1/auth/magic-link/verify', { token: 'made-up-token' });
    expect(invented.json().error.code).toBe('link_invalid');
    expect(invented.statusCode).toBe(400);
  });

  it('ends other sessions on the first verification of an address', async () => {
    const member = await createMember(ctx, { verified: false, password: null });
    const squatter = await sessionOf(ctx, member);
    await client(ctx).post('/api/v1/auth/magic-link', { email: member.email });
    const owner = client(ctx);
    await owner.post('/api/v1/auth/magic-link/verify', { token: await latestLinkToken(ctx, member.email) });
    expect((await owner.get('/api/v1/me')).statusCode).toBe(200);
    expect((await squatter.get('/api/v1/me')).statusCode).toBe(401);
  });
});

describe('forgotten password', () => {
  it('resets through the emailed link, signs in, and ends the old sessions', async () => {
    const member = await createMember(ctx);
    const oldSession = await signIn(ctx, member);
    expect((await client(ctx).post('/api/v1/auth/password-reset', { email: member.email })).statusCode).toBe(
      202,
    );
    const token = await latestLinkToken(ctx, member.email);

    const weak = await client(ctx).post('/api/v1/auth/set-password', { token, password: 'short' });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().error.details.fields[0].field).toBe('password');

    const browser = client(ctx);
    const done = await browser.post('/api/v1/auth/set-password', { token, password: 'a brand new password' });
    expect(done.statusCode).toBe(200);
    expect((await browser.get('/api/v1/me')).json().id).toBe(member.id);
    expect((await oldSession.get('/api/v1/me')).statusCode).toBe(401);
    expect(
      (await client(ctx).post('/api/v1/auth/login', { email: member.email, password: DEFAULT_PASSWORD }))
        .statusCode,
    ).toBe(401);
    await signIn(ctx, { email: member.email, password: 'a brand new password' });
  });
});

describe('the Account page', () => {
  it('changes the email only through the link sent to the new address', async () => {
    const member = await createMember(ctx);
    const session = await signIn(ctx, member);
    const wrongPassword = await session.post('/api/v1/me/email', {
      email: 'new@example.test',
      currentPassword: 'nope nope nope',
    });
    expect(wrongPassword.statusCode).toBe(400);
    expect(wrongPassword.json().error.details.fields[0].field).toBe('currentPassword');
    const taken = await createMember(ctx);
    const conflict = await session.post('/api/v1/me/email', {
      email: taken.email,
      currentPassword: member.password,
    });
    expect(conflict.statusCode).toBe(409);

    const newEmail = `renamed-${member.id.slice(0, 6)}@example.test`;
    expect(
      (await session.post('/api/v1/me/email', { email: newEmail, currentPassword: member.password }))
        .statusCode,
    ).toBe(202);
    expect((await session.get('/api/v1/me')).json().email).toBe(member.email);
    const token = await latestLinkToken(ctx, newEmail);
    const confirmed = await client(ctx).post('/api/v1/auth/verify-email', { token });
    expect(confirmed.statusCode).toBe(200);
    expect((await session.get('/api/v1/me')).json().email).toBe(newEmail);
    const notice = await ctx.db
      .selectFrom('emails')
      .select('kind')
      .where('toAddress', '=', member.email)
      .orderBy('createdAt', 'desc')
      .executeTakeFirstOrThrow();
    expect(notice.kind).toBe('email_changed');
  });

  it('changes the password and ends the other sessions, not this one', async () => {
    const member = await createMember(ctx);
    const here = await signIn(ctx, member);
    const elsewhere = await signIn(ctx, member);
    const bad = await here.post('/api/v1/me/password', {
      currentPassword: member.password,
      newPassword: 'short',
    });
    expect(bad.statusCode).toBe(400);
    expect(
      (
        await here.post('/api/v1/me/password', {
          currentPassword: member.password,
          newPassword: 'another long password',
        })
      ).statusCode,
    ).toBe(204);
    expect((await here.get('/api/v1/me')).statusCode).toBe(200);
    expect((await elsewhere.get('/api/v1/me')).statusCode).toBe(401);
  });

  it('signs out everywhere', async () => {
    const member = await createMember(ctx);
    const a = await signIn(ctx, member);
    const b = await signIn(ctx, member);
    expect((await a.post('/api/v1/me/sign-out-everywhere')).statusCode).toBe(204);
    expect((await a.get('/api/v1/me')).statusCode).toBe(401);
    expect((await b.get('/api/v1/me')).statusCode).toBe(401);
  });

  it('answers 401 to the anonymous on every account route', async () => {
    const anonymous = client(ctx);
    for (const [method, url] of [
      ['GET', '/api/v1/me'],
      ['PATCH', '/api/v1/me'],
      ['POST', '/api/v1/me/email'],
      ['POST', '/api/v1/me/password'],
      ['POST', '/api/v1/me/sign-out-everywhere'],
    ] as const) {
      const body =
        method === 'GET' ? undefined : { name: 'x', email: 'a@b.test', newPassword: 'long enough password' };
      expect((await anonymous.request(method, url, body)).statusCode, `${method} ${url}`).toBe(401);
    }
  });

  it('redirects staff to the dashboard from /', async () => {
    const admin = await createAdmin(ctx);
    const session = await signIn(ctx, admin);
    expect((await session.get('/')).headers.location).toBe('/admin');
  });

  it('keeps one owner per platform', async () => {
    await expect(createOwner(ctx)).rejects.toThrow();
  });
});
