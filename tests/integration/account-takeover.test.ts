// The account-takeover paths an adversarial review found (issue 8), each closed and kept closed: a test
// per path, written as the attacker would try it, on SQLite and PostgreSQL.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { createLogger } from '../../src/platform/logger.ts';
import {
  type Client,
  client,
  createAdmin,
  createApiKey,
  createGroup,
  createMember,
  createOwner,
  latestLinkToken,
  pngBytes,
  sessionOf,
  signIn,
  type TestGroup,
  type TestUser,
} from '../support/factories.ts';
import {
  createTestContext,
  createTestDatabase,
  TEST_PUBLIC_URL,
  type TestContext,
} from '../support/test-app.ts';

let ctx: TestContext;
let owner: TestUser;
let ownerBrowser: Client;
let yoga: TestGroup;

beforeAll(async () => {
  ctx = await createTestContext();
  owner = await createOwner(ctx);
  ownerBrowser = await signIn(ctx, owner);
  yoga = await createGroup(ctx, { name: 'Yoga', visibility: 'private' });
});
afterAll(async () => ctx.close());

function form(values: Record<string, string>): string {
  return new URLSearchParams(values).toString();
}

async function join(browser: Client, slug: string, values: Record<string, string>) {
  return browser.request('POST', `/checkout/${slug}`, form(values), {
    'content-type': 'application/x-www-form-urlencoded',
  });
}

/** A published free offer made through the editor's API, as the creator makes one. */
async function freeOffer(
  fields: Record<string, unknown> = {},
  groups: TestGroup[] = [yoga],
): Promise<{ id: string; slug: string }> {
  const created = (
    await ownerBrowser.post('/api/v1/offers', {
      type: 'membership',
      title: `Circle ${Math.random().toString(36).slice(2, 7)}`,
      hubGroupIds: groups.map((g) => g.id),
      ...fields,
    })
  ).json();
  if (!created.id) throw new Error(`offer not created: ${JSON.stringify(created)}`);
  await ownerBrowser.request('PUT', `/api/v1/offers/${created.id}/media/thumbnail`, await pngBytes(), {
    'content-type': 'image/png',
  });
  return (await ownerBrowser.patch(`/api/v1/offers/${created.id}`, { status: 'published' })).json();
}

async function userByEmail(email: string) {
  return ctx.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
}

async function latestEmailTo(to: string) {
  return ctx.db
    .selectFrom('emails')
    .selectAll()
    .where('toAddress', '=', to)
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
}

describe('1. pre-account takeover through free joining', () => {
  it('an unverified account cannot set a password or email, nor sign in with a password; the owner’s first verification ends the squatter', async () => {
    const offer = await freeOffer();
    const victim = 'vic-1@example.test';
    const attacker = client(ctx);
    expect((await join(attacker, offer.slug, { email: victim, name: 'Vic' })).statusCode).toBe(303);
    expect((await attacker.get('/api/v1/me')).json().emailVerified).toBe(false);

    const setPassword = await attacker.post('/api/v1/me/password', { newPassword: 'attacker password 1' });
    expect(setPassword.statusCode).toBe(403);
    expect(setPassword.json().error.code).toBe('email_unverified');
    const moveEmail = await attacker.post('/api/v1/me/email', { email: 'attacker@evil.test' });
    expect(moveEmail.statusCode).toBe(403);
    expect(moveEmail.json().error.code).toBe('email_unverified');
    expect((await userByEmail(victim)).passwordHash).toBeNull();

    // Even a password stored before this rule (an older version) does not sign anyone in.
    const squatted = await createMember(ctx, { email: 'vic-legacy@example.test', verified: false });
    const legacy = await client(ctx).post('/api/v1/auth/login', {
      email: squatted.email,
      password: squatted.password,
    });
    expect(legacy.statusCode).toBe(401);
    expect(legacy.json().error.code).toBe('invalid_credentials');

    // The real owner opens the link in the confirmation email that went to their inbox.
    const owner1 = client(ctx);
    const verified = await owner1.post('/api/v1/auth/verify-email', {
      token: await latestLinkToken(ctx, victim),
    });
    expect(verified.statusCode).toBe(200);
    expect(verified.json().user.emailVerified).toBe(true);
    expect((await attacker.get('/api/v1/me')).statusCode).toBe(401);
    expect((await owner1.get('/api/v1/me')).statusCode).toBe(200);
    // Now verified, the owner sets a password and signs in with it.
    expect((await owner1.post('/api/v1/me/password', { newPassword: 'owner password 123' })).statusCode).toBe(
      204,
    );
    expect(
      (await client(ctx).post('/api/v1/auth/login', { email: victim, password: 'owner password 123' }))
        .statusCode,
    ).toBe(200);
  });

  it('a password set on an unverified account before its first verification is cleared by it', async () => {
    const squatted = await createMember(ctx, { email: 'vic-2@example.test', verified: false });
    const squatter = await sessionOf(ctx, squatted);
    await client(ctx).post('/api/v1/auth/magic-link', { email: squatted.email });
    const owner2 = client(ctx);
    await owner2.post('/api/v1/auth/magic-link/verify', {
      token: await latestLinkToken(ctx, squatted.email),
    });
    expect((await squatter.get('/api/v1/me')).statusCode).toBe(401);
    const row = await userByEmail(squatted.email);
    expect(row.emailVerifiedAt).not.toBeNull();
    expect(row.passwordHash).toBeNull();
    expect(
      (await client(ctx).post('/api/v1/auth/login', { email: squatted.email, password: squatted.password }))
        .statusCode,
    ).toBe(401);
  });

  it('the claim link of a second join verifies the address and ends the squatter’s session', async () => {
    const first = await freeOffer();
    const second = await freeOffer();
    const victim = 'vic-3@example.test';
    const attacker = client(ctx);
    await join(attacker, first.slug, { email: victim, name: 'Vic' });
    expect((await attacker.get('/api/v1/me')).statusCode).toBe(200);

    // The real owner joins another offer with their address: it has an account, so a claim link is emailed.
    const realOwner = client(ctx);
    const asked = await join(realOwner, second.slug, { email: victim, name: 'Vic' });
    expect(asked.body).toContain('This address already has an account');
    const claimed = await realOwner.request(
      'POST',
      '/checkout/claim',
      form({ token: await latestLinkToken(ctx, victim) }),
      { 'content-type': 'application/x-www-form-urlencoded' },
    );
    expect(claimed.statusCode).toBe(303);
    expect((await userByEmail(victim)).emailVerifiedAt).not.toBeNull();
    expect((await attacker.get('/api/v1/me')).statusCode).toBe(401);
    expect((await realOwner.get('/api/v1/me')).json().email).toBe(victim);
  });

  it('asks for a new confirmation link from the Account page, and only while unverified', async () => {
    const unverified = await createMember(ctx, { verified: false, password: null });
    const browser = await sessionOf(ctx, unverified);
    expect((await browser.post('/api/v1/me/verify-email')).statusCode).toBe(202);
    const mail = await latestEmailTo(unverified.email);
    expect(mail.kind).toBe('verify_email');
    expect(JSON.parse(mail.links)).toEqual([expect.stringMatching(/\/auth\/verify-email\?token=/)]);
    await browser.post('/api/v1/auth/verify-email', { token: await latestLinkToken(ctx, unverified.email) });
    const again = await browser.post('/api/v1/me/verify-email');
    expect(again.statusCode).toBe(409);
  });
});

describe('2. the owner/admin boundary', () => {
  it('only the owner changes outgoing email, with their password, and is emailed a notice', async () => {
    const admin = await signIn(ctx, await createAdmin(ctx));
    const before = await ctx.services.settings.getSettings();
    for (const patch of [
      { smtpUrl: 'smtp://evil:pw@mail.evil.test:25' },
      { mailFrom: 'Evil <evil@evil.test>' },
      { smtpUrl: null },
    ]) {
      const refused = await admin.patch('/api/v1/settings', { ...patch, currentPassword: 'whatever' });
      expect(refused.statusCode, JSON.stringify(patch)).toBe(403);
      expect(refused.json().error.code).toBe('owner_only');
    }
    expect(await ctx.services.settings.getSettings()).toEqual(before);
    // Admins still run the rest of the platform's settings.
    expect((await admin.patch('/api/v1/settings', { supportEmail: 'help@example.test' })).statusCode).toBe(
      200,
    );

    const noPassword = await ownerBrowser.patch('/api/v1/settings', { smtpUrl: 'smtp://u:p@mail.test:25' });
    expect(noPassword.statusCode).toBe(400);
    expect(noPassword.json().error.details.fields[0].field).toBe('currentPassword');
    const wrong = await ownerBrowser.patch('/api/v1/settings', {
      smtpUrl: 'smtp://u:p@mail.test:25',
      currentPassword: 'not the password',
    });
    expect(wrong.statusCode).toBe(400);
    // An API key of the owner is not the owner's password either.
    const key = client(ctx, { apiKey: await createApiKey(ctx, owner) });
    expect((await key.patch('/api/v1/settings', { mailFrom: 'Me <me@example.test>' })).statusCode).toBe(400);
    expect((await ctx.services.settings.getSettings()).smtpUrl).toBe(before.smtpUrl);

    const changed = await ownerBrowser.patch('/api/v1/settings', {
      smtpUrl: 'smtp://u:p@mail.test:25',
      mailFrom: 'Guildhall <hello@example.test>',
      currentPassword: owner.password,
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().smtpUrl).toBe('smtp://u:****@mail.test:25');
    const notice = await latestEmailTo(owner.email);
    expect(notice.kind).toBe('outgoing_mail_changed');
    expect(notice.text).toContain('Mail server: smtp://u:****@mail.test:25');
    expect(notice.text).toContain('Sender: Guildhall <hello@example.test>');
    expect(notice.text).not.toContain(':p@');
    await ownerBrowser.patch('/api/v1/settings', { smtpUrl: null, currentPassword: owner.password });
  });

  it('admins cannot make admins, act for others with keys, or use live sign-in links', async () => {
    const adminUser = await createAdmin(ctx);
    const admin = await signIn(ctx, adminUser);
    const member = await createMember(ctx);
    expect((await admin.patch(`/api/v1/users/${member.id}`, { role: 'admin' })).statusCode).toBe(403);
    expect(
      (await admin.post('/api/v1/users', { email: 'new-admin@example.test', role: 'admin' })).statusCode,
    ).toBe(403);
    // Keys acting for someone else are the owner's power (the CLI's `api-key create --user`); the API
    // makes a key for its caller only.
    const adminActor = {
      userId: adminUser.id,
      role: 'admin' as const,
      email: adminUser.email,
      name: adminUser.name,
      via: 'session' as const,
      sessionId: null,
    };
    await expect(
      ctx.services.users.createApiKey(adminActor, { name: 'as owner', userId: owner.id }),
    ).rejects.toThrow('Only the owner may create keys for others.');
    const ownKey = await admin.post('/api/v1/api-keys', { name: 'mine', userId: owner.id });
    const keyRow = await ctx.db
      .selectFrom('apiKeys')
      .select('userId')
      .where('id', '=', ownKey.json().apiKey.id)
      .executeTakeFirstOrThrow();
    expect(keyRow.userId).toBe(adminUser.id);
    const ownersKey = (await ownerBrowser.post('/api/v1/api-keys', { name: 'owner key' })).json();
    expect((await admin.delete(`/api/v1/api-keys/${ownersKey.apiKey.id}`)).statusCode).toBe(403);
    expect((await admin.patch(`/api/v1/users/${owner.id}`, { name: 'Pwned' })).statusCode).toBe(403);

    // No SMTP: the member's sign-in email is kept in the log. The owner may use its link; an admin may not.
    await client(ctx).post('/api/v1/auth/magic-link', { email: member.email });
    await ctx.drainJobs();
    const mail = await latestEmailTo(member.email);
    const asAdmin = (await admin.get(`/api/v1/emails/${mail.id}`)).json();
    expect(asAdmin.text).toContain('token=redacted');
    expect(asAdmin.links).toEqual([`${TEST_PUBLIC_URL}/auth/magic?token=redacted`]);
    const asOwner = (await ownerBrowser.get(`/api/v1/emails/${mail.id}`)).json();
    expect(asOwner.links[0]).toMatch(/\/auth\/magic\?token=[A-Za-z0-9_-]{20,}$/);
    // Nobody sees live links to an account of their own role or above: the owner's, for the admin.
    await client(ctx).post('/api/v1/auth/magic-link', { email: adminUser.email });
    await ctx.drainJobs();
    const adminsMail = await latestEmailTo(adminUser.email);
    expect((await ownerBrowser.get(`/api/v1/emails/${adminsMail.id}`)).json().links[0]).not.toContain(
      'token=redacted',
    );
    expect((await admin.get(`/api/v1/emails/${adminsMail.id}`)).json().links[0]).toContain('token=redacted');
  });
});

describe('3. sign-in links never in a subject', () => {
  it('refuses {{login_link}} in the confirmation subject, and redacts token links in stored subjects', async () => {
    const offer = await freeOffer();
    const refused = await ownerBrowser.patch(`/api/v1/offers/${offer.id}`, {
      confirmationEmail: { subject: 'Your link: {{login_link}}', body: 'Hi' },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.details.fields[0]).toMatchObject({ field: 'confirmationEmail.subject' });
    const preview = await ownerBrowser.post(`/api/v1/offers/${offer.id}/confirmation-email/preview`, {
      subject: '{{ login_link }}',
    });
    expect(preview.statusCode).toBe(400);

    // A subject saved before the rule renders the variable as text, never the token.
    await ctx.db
      .updateTable('offers')
      .set({ confirmationSubject: 'Go: {{login_link}}' })
      .where('id', '=', offer.id)
      .execute();
    await join(client(ctx), offer.slug, { email: 'subject@example.test', name: 'Sub' });
    const mail = await latestEmailTo('subject@example.test');
    expect(mail.subject).toBe('Go: {{login_link}}');

    // Any token link that reached a subject is redacted wherever the log shows it.
    await ctx.db
      .updateTable('emails')
      .set({ subject: `Go: ${TEST_PUBLIC_URL}/auth/verify-email?token=abcdef123` })
      .where('id', '=', mail.id)
      .execute();
    const detail = (await ownerBrowser.get(`/api/v1/emails/${mail.id}`)).json();
    expect(detail.subject).toBe(`Go: ${TEST_PUBLIC_URL}/auth/verify-email?token=redacted`);
    const listed = (await ownerBrowser.get('/api/v1/emails?search=subject@example.test')).json();
    expect(listed.data[0].subject).not.toContain('abcdef123');
  });
});

describe('4. the stored SMTP password stays with its server', () => {
  it('keeps **** only for the same scheme, host, port and user', async () => {
    const set = (smtpUrl: string) =>
      ownerBrowser.patch('/api/v1/settings', { smtpUrl, currentPassword: owner.password });
    expect((await set('smtp://mailer:s3cret@mail.example.test:587')).statusCode).toBe(200);
    for (const elsewhere of [
      'smtp://mailer:****@mail.evil.test:587',
      'smtp://mailer:****@mail.example.test:2525',
      'smtp://other:****@mail.example.test:587',
      'smtps://mailer:****@mail.example.test:587',
    ]) {
      const refused = await set(elsewhere);
      expect(refused.statusCode, elsewhere).toBe(400);
      expect(refused.json().error.details.fields[0].field).toBe('smtpUrl');
    }
    expect((await ctx.services.settings.getSettings()).smtpUrl).toBe(
      'smtp://mailer:s3cret@mail.example.test:587',
    );
    expect((await set('smtp://mailer:****@mail.example.test:587')).statusCode).toBe(200);
    expect((await ctx.services.settings.getSettings()).smtpUrl).toBe(
      'smtp://mailer:s3cret@mail.example.test:587',
    );
    await ownerBrowser.patch('/api/v1/settings', { smtpUrl: null, currentPassword: owner.password });
  });
});

describe('5. tokens and codes stay out of the logs', () => {
  it('redacts token and code query parameters in request log lines', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const database = await createTestDatabase({ LOG_LEVEL: 'info' });
    const logger = createLogger(database.config, sink);
    const { app } = await buildApp({
      config: database.config,
      db: database.db,
      engine: database.engine,
      logger,
    });
    await app.ready();
    try {
      await app.inject({ method: 'GET', url: '/auth/magic?token=SECRET-TOKEN-1' });
      await app.inject({ method: 'GET', url: '/setup?code=SECRET-CODE-2&x=1' });
      await app.inject({ method: 'GET', url: '/checkout/claim?TOKEN=SECRET-TOKEN-3' });
      await app.inject({ method: 'GET', url: '/admin/offers/new?secretKey=SECRET-sk_live_4' });
    } finally {
      await app.close();
      await database.cleanup();
    }
    const log = lines.join('');
    expect(log).toContain('incoming request');
    expect(log).toContain('/auth/magic?token=[redacted]');
    expect(log).toContain('/setup?code=[redacted]&x=1');
    expect(log).not.toMatch(/SECRET-/);
  });
});

describe('6. hidden groups on public offer pages', () => {
  it('are not named to visitors; a staff preview shows them marked hidden', async () => {
    const inner = await createGroup(ctx, { name: 'Inner Sanctum', visibility: 'hidden' });
    const offer = await freeOffer({}, [yoga, inner]);
    for (const path of [`/offers/${offer.slug}`, `/checkout/${offer.slug}`]) {
      const page = await client(ctx).get(path);
      expect(page.body).toContain('Yoga');
      expect(page.body).not.toContain('Inner Sanctum');
      const member = await signIn(ctx, await createMember(ctx));
      expect((await member.get(`${path}?preview=1`)).body).not.toContain('Inner Sanctum');
    }
    const preview = await ownerBrowser.get(`/checkout/${offer.slug}?preview=1`);
    expect(preview.body).toContain('Inner Sanctum');
    expect(preview.body).toContain('(hidden');
  });
});

describe('7–8. signing in under attack', () => {
  let local: TestContext;
  beforeAll(async () => {
    local = await createTestContext();
  });
  afterAll(async () => local.close());

  const login = (from: string, email: string, password: string) =>
    local.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: from,
      headers: { origin: TEST_PUBLIC_URL },
      payload: { email, password },
    });
  const ask = (path: string, from: string, email: string) =>
    local.app.inject({
      method: 'POST',
      url: path,
      remoteAddress: from,
      headers: { origin: TEST_PUBLIC_URL },
      payload: { email },
    });

  it('wrong passwords from one client lock out that client only', async () => {
    const target = await createOwner(local);
    for (let i = 0; i < 10; i += 1)
      expect((await login('10.0.0.1', target.email, 'guess')).statusCode).toBe(401);
    expect((await login('10.0.0.1', target.email, 'guess')).statusCode).toBe(429);
    expect((await login('10.0.0.1', target.email, target.password)).statusCode).toBe(429);
    expect((await login('10.0.0.2', target.email, target.password)).statusCode).toBe(200);
  });

  it('guesses spread over many clients stop those clients, never a client that has not failed', async () => {
    const target = await createMember(local);
    for (let client = 0; client < 10; client += 1) {
      for (let i = 0; i < 10; i += 1) await login(`10.1.0.${client}`, target.email, 'guess');
    }
    expect((await login('10.2.0.1', target.email, 'guess')).statusCode).toBe(401);
    expect((await login('10.2.0.1', target.email, target.password)).statusCode).toBe(429);
    expect((await login('10.2.0.2', target.email, target.password)).statusCode).toBe(200);
  });

  it('the magic-link and reset quotas of an address are counted per client', async () => {
    const target = await createMember(local);
    for (const path of ['/api/v1/auth/magic-link', '/api/v1/auth/password-reset']) {
      for (let i = 0; i < 5; i += 1) expect((await ask(path, '10.3.0.1', target.email)).statusCode).toBe(202);
      expect((await ask(path, '10.3.0.1', target.email)).statusCode).toBe(429);
      expect((await ask(path, '10.3.0.2', target.email)).statusCode, path).toBe(202);
    }
    const sent = await local.db
      .selectFrom('emails')
      .select('kind')
      .where('toAddress', '=', target.email)
      .execute();
    expect(sent.filter((e) => e.kind === 'magic_link')).toHaveLength(6);
    expect(sent.filter((e) => e.kind === 'password_reset')).toHaveLength(6);
  });

  it('says an account is deactivated only to someone who knows its password', async () => {
    const gone = await createMember(local, { status: 'deactivated' });
    const wrong = await login('10.4.0.1', gone.email, 'not it');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('invalid_credentials');
    const right = await login('10.4.0.1', gone.email, gone.password);
    expect(right.statusCode).toBe(401);
    expect(right.json().error.code).toBe('account_deactivated');
  });
});

describe('9. an email change voids the links sent to the old address', () => {
  it('refuses every earlier link once the new address is confirmed', async () => {
    const member = await createMember(ctx);
    const browser = await signIn(ctx, member);
    await client(ctx).post('/api/v1/auth/magic-link', { email: member.email });
    const oldMagic = await latestLinkToken(ctx, member.email);
    await client(ctx).post('/api/v1/auth/password-reset', { email: member.email });
    const oldReset = await latestLinkToken(ctx, member.email);
    await browser.post('/api/v1/me/email', { email: 'moved@example.test', currentPassword: member.password });
    const confirmed = await client(ctx).post('/api/v1/auth/verify-email', {
      token: await latestLinkToken(ctx, 'moved@example.test'),
    });
    expect(confirmed.statusCode).toBe(200);
    const magic = await client(ctx).post('/api/v1/auth/magic-link/verify', { token: oldMagic });
    expect(magic.statusCode).toBe(400);
    const reset = await client(ctx).post('/api/v1/auth/set-password', {
      token: oldReset,
      password: 'a brand new password',
    });
    expect(reset.statusCode).toBe(400);
  });
});

describe('10. the completion page', () => {
  it('shows only this offer’s purchase, and passes the conversion once', async () => {
    const withCode = await freeOffer({ customCode: '<script>parent</script>' });
    const other = await freeOffer({ customCode: '<script>other</script>' });
    const buyer = client(ctx);
    const joined = await join(buyer, withCode.slug, { email: 'conv@example.test', name: 'Conv' });
    const purchaseId = new URL(joined.headers.location as string, TEST_PUBLIC_URL).searchParams.get(
      'purchase',
    );
    const elsewhere = await buyer.get(`/checkout/${other.slug}/complete?purchase=${purchaseId}`);
    expect(elsewhere.statusCode).toBe(303);
    expect(elsewhere.headers.location).toBe('/hub');
    const first = await buyer.get(joined.headers.location as string);
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('data-conversion');
    // A confirmation with the next step as a link, not a timed redirect.
    expect(first.body).not.toContain('http-equiv="refresh"');
    expect(first.body).toMatch(new RegExp(`<a class="op-button" href="/hub/g/${yoga.slug}">Continue</a>`));
    const reload = await buyer.get(joined.headers.location as string);
    expect(reload.statusCode).toBe(303);
    expect(reload.headers.location).toBe(`/hub/g/${yoga.slug}`);
  });
});

describe('11. links in the Emails log', () => {
  it('lists only links the server issued, never one planted in a buyer’s name', async () => {
    const offer = await freeOffer();
    const planted = `${TEST_PUBLIC_URL}/auth/magic?token=planted-by-buyer`;
    await join(client(ctx), offer.slug, { email: 'planter@example.test', name: `Click ${planted}` });
    const mail = await latestEmailTo('planter@example.test');
    expect(mail.text).toContain('planted-by-buyer');
    const shown = (await ownerBrowser.get(`/api/v1/emails/${mail.id}`)).json();
    expect(shown.links).toHaveLength(1);
    expect(shown.links[0]).toMatch(new RegExp(`^${TEST_PUBLIC_URL}/auth/verify-email\\?token=`));
    expect(JSON.stringify(shown.links)).not.toContain('planted');
  });
});

describe('12. simultaneous joins with one new address', () => {
  it('make one account; the others take the existing-account path, never a server error', async () => {
    const offer = await freeOffer();
    const responses = await Promise.all(
      Array.from({ length: 6 }, () =>
        join(client(ctx), offer.slug, { email: 'race@example.test', name: 'Race' }),
      ),
    );
    expect(responses.map((r) => r.statusCode).filter((s) => s >= 500)).toEqual([]);
    expect(responses.filter((r) => r.statusCode === 303)).toHaveLength(1);
    expect(responses.filter((r) => r.body.includes('This address already has an account'))).toHaveLength(5);
    const users = await ctx.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'race@example.test')
      .execute();
    expect(users).toHaveLength(1);
  });
});

describe('13. names and redirect URLs', () => {
  it('refuses control characters in a buyer’s name and changes nothing', async () => {
    const offer = await freeOffer();
    for (const name of ['Eve\r\nBcc: all@example.test', 'Eve\u0000', 'Tab\there']) {
      const refused = await join(client(ctx), offer.slug, { email: 'ctl@example.test', name });
      expect(refused.statusCode).toBe(400);
      expect(refused.body).toContain('Name must not contain control characters');
    }
    expect(
      await ctx.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', 'ctl@example.test')
        .executeTakeFirst(),
    ).toBeUndefined();
  });

  it('stores redirect URLs normalized, and redirects even to one stored raw before', async () => {
    const offer = await freeOffer({
      destination: { customUrl: 'https://example.com/thanks\r\nSet-Cookie: pwned=1' },
    });
    const saved = (await ownerBrowser.get(`/api/v1/offers/${offer.id}`)).json();
    expect(saved.destination.customUrl).toBe('https://example.com/thanksSet-Cookie:%20pwned=1');
    const buyer = client(ctx);
    const joined = await join(buyer, offer.slug, { email: 'redirect@example.test', name: 'Red' });
    expect((await buyer.get(joined.headers.location as string)).headers.location).toBe(
      'https://example.com/thanksSet-Cookie:%20pwned=1',
    );

    await ctx.db
      .updateTable('offers')
      .set({ destinationUrl: 'https://example.com/raw\r\npath' })
      .where('id', '=', offer.id)
      .execute();
    const later = client(ctx);
    const again = await join(later, offer.slug, { email: 'redirect2@example.test', name: 'Red' });
    const done = await later.get(again.headers.location as string);
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('https://example.com/rawpath');
  });
});
