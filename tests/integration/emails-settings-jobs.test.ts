import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/platform/clock.ts';
import { createWorker, enqueueJob } from '../../src/platform/jobs.ts';
import { createLogger } from '../../src/platform/logger.ts';
import {
  client,
  createAdmin,
  createMember,
  createOwner,
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

/** The ids of the emails to an address, oldest first (the list's order, reversed). */
async function emailIdsOf(to: string): Promise<string[]> {
  const rows = await ctx.db
    .selectFrom('emails')
    .select('id')
    .where('toAddress', '=', to)
    .orderBy('createdAt', 'asc')
    .orderBy('id', 'asc')
    .execute();
  return rows.map((row) => row.id);
}

async function latestEmailId(to: string): Promise<string> {
  const id = (await emailIdsOf(to)).at(-1);
  if (!id) throw new Error(`no email to ${to}`);
  return id;
}

async function useSmtp(url: string | null): Promise<void> {
  await ctx.services.settings.updateSettings({ smtpUrl: url });
}

describe('the Emails log without SMTP', () => {
  it('keeps every email as logged; only the owner sees live links, and only for roles below theirs', async () => {
    await useSmtp(null);
    const member = await createMember(ctx);
    const adminUser = await createAdmin(ctx);
    await client(ctx).post('/api/v1/auth/magic-link', { email: member.email });
    await client(ctx).post('/api/v1/auth/magic-link', { email: adminUser.email });
    await client(ctx).post('/api/v1/auth/magic-link', { email: owner.email });
    expect(await ctx.drainJobs()).toBeGreaterThanOrEqual(3);

    const ownerSession = await signIn(ctx, owner);
    const adminSession = await signIn(ctx, adminUser);
    const memberMail = (await ownerSession.get(`/api/v1/emails/${await latestEmailId(member.email)}`)).json();
    expect(memberMail.status).toBe('logged');
    expect(memberMail.text).toMatch(/token=[A-Za-z0-9_-]{20,}/);
    expect(memberMail.html).toMatch(/token=[A-Za-z0-9_-]{20,}/);

    const adminMailForOwner = (
      await ownerSession.get(`/api/v1/emails/${await latestEmailId(adminUser.email)}`)
    ).json();
    expect(adminMailForOwner.text).toMatch(/token=[A-Za-z0-9_-]{20,}/);
    const ownMail = (await ownerSession.get(`/api/v1/emails/${await latestEmailId(owner.email)}`)).json();
    expect(ownMail.text).toContain('token=redacted');
    const memberMailForAdmin = (
      await adminSession.get(`/api/v1/emails/${await latestEmailId(member.email)}`)
    ).json();
    expect(memberMailForAdmin.text).toContain('token=redacted');
    expect(memberMailForAdmin.text).not.toMatch(/token=(?!redacted)/);
  });

  it('lists newest first with search and pages; staff only', async () => {
    // Its own three emails, so what other tests sent does not matter.
    const member = await createMember(ctx);
    for (let i = 0; i < 3; i++) await client(ctx).post('/api/v1/auth/magic-link', { email: member.email });
    const session = await signIn(ctx, owner);
    const search = `search=${encodeURIComponent(member.email)}`;
    const list = await session.get(`/api/v1/emails?${search}&limit=2`);
    expect(list.statusCode).toBe(200);
    expect(list.json().data).toHaveLength(2);
    expect(list.json().nextCursor).toBeTruthy();
    expect(list.json().data[0]).not.toHaveProperty('html');
    const rest = (
      await session.get(
        `/api/v1/emails?${search}&limit=2&cursor=${encodeURIComponent(list.json().nextCursor)}`,
      )
    ).json();
    const found = [...list.json().data, ...rest.data];
    expect(found).toHaveLength(3);
    expect(found.every((e: { to: string }) => e.to === member.email)).toBe(true);
    expect(found.map((e: { id: string }) => e.id)).toEqual([...(await emailIdsOf(member.email))].reverse());
    expect((await (await signIn(ctx, await createMember(ctx))).get('/api/v1/emails')).statusCode).toBe(403);
    expect((await client(ctx).get('/api/v1/emails')).statusCode).toBe(401);
    expect((await session.get('/api/v1/emails/nope')).statusCode).toBe(404);
  });

  it('stores a typed name as text: markup in a name never becomes markup in the message', async () => {
    const member = await createMember(ctx, { name: '<img src=x onerror=alert(1)>' });
    await client(ctx).post('/api/v1/auth/magic-link', { email: member.email });
    const mail = (
      await (await signIn(ctx, owner)).get(`/api/v1/emails/${await latestEmailId(member.email)}`)
    ).json();
    expect(mail.html).not.toContain('<img src=x');
    expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});

describe('sending over SMTP', () => {
  it('sends, records it as sent, and redacts the links left in the log', async () => {
    await useSmtp('smtp://mailer:s3cret@127.0.0.1:2525');
    const member = await createMember(ctx);
    await client(ctx).post('/api/v1/auth/magic-link', { email: member.email });
    await ctx.drainJobs();
    const sent = ctx.outbox.find((m) => m.to === member.email);
    expect(sent?.text).toMatch(/token=[A-Za-z0-9_-]{20,}/);
    expect(sent?.html).toBeTruthy();
    expect(sent?.smtpUrl).toBe('smtp://mailer:s3cret@127.0.0.1:2525');
    // A stable Message-ID: a resend after a crash is recognisably the same message.
    expect(sent?.messageId).toBe(
      `<${await latestEmailId(member.email)}@${sent?.from.split('@')[1]?.replace('>', '')}>`,
    );
    const logged = (
      await (await signIn(ctx, owner)).get(`/api/v1/emails/${await latestEmailId(member.email)}`)
    ).json();
    expect(logged.status).toBe('sent');
    expect(logged.sentAt).toBeTruthy();
    expect(logged.text).toContain('token=redacted');
    const stored = await ctx.db
      .selectFrom('emails')
      .select('text')
      .where('id', '=', logged.id)
      .executeTakeFirstOrThrow();
    expect(stored.text).not.toMatch(/token=(?!redacted)/);
  });

  it('retries with backoff, then marks the email and its job failed for the admin to see and retry', async () => {
    await useSmtp('smtp://127.0.0.1:2525');
    ctx.failMail(true);
    const session = await signIn(ctx, owner);
    const queued = await session.post('/api/v1/settings/test-email', { to: 'someone@example.test' });
    expect(queued.statusCode).toBe(202);
    const { emailId } = queued.json();
    await ctx.drainJobs();
    let email = (await session.get(`/api/v1/emails/${emailId}`)).json();
    expect(email.status).toBe('queued');
    expect(email.error).toContain('ECONNREFUSED');
    const job = await ctx.db
      .selectFrom('jobs')
      .selectAll()
      .where('payload', 'like', `%${emailId}%`)
      .executeTakeFirstOrThrow();
    expect(job.status).toBe('pending');
    expect(job.runAt).toBeGreaterThan(Date.now());

    // Exhaust the attempts: make every retry due now.
    for (let i = 0; i < 10; i += 1) {
      await ctx.db
        .updateTable('jobs')
        .set({ runAt: 0 })
        .where('id', '=', job.id)
        .where('status', '=', 'pending')
        .execute();
      await ctx.drainJobs();
    }
    email = (await session.get(`/api/v1/emails/${emailId}`)).json();
    expect(email.status).toBe('failed');
    const failed = (await session.get('/api/v1/jobs?status=failed')).json().data;
    expect(failed.map((j: { id: string }) => j.id)).toContain(job.id);
    expect(failed.find((j: { id: string }) => j.id === job.id).attempts).toBe(6);

    ctx.failMail(false);
    expect((await session.post(`/api/v1/jobs/${job.id}/retry`)).statusCode).toBe(200);
    expect((await session.post(`/api/v1/jobs/${job.id}/retry`)).statusCode).toBe(404);
    // The email row says failed; a retried job sends it all the same.
    await ctx.db.updateTable('emails').set({ status: 'queued' }).where('id', '=', emailId).execute();
    await ctx.drainJobs();
    expect((await session.get(`/api/v1/emails/${emailId}`)).json().status).toBe('sent');
    expect((await (await signIn(ctx, await createMember(ctx))).get('/api/v1/jobs')).statusCode).toBe(403);
    expect((await session.get('/api/v1/jobs?status=bogus')).statusCode).toBe(400);
  });
});

describe('Settings', () => {
  it('reads and saves, masks the SMTP password and keeps it when the mask comes back', async () => {
    const session = await signIn(ctx, owner);
    const saved = await session.patch('/api/v1/settings', {
      platformName: 'Iron Temple',
      supportEmail: 'Help@Iron.test',
      defaultCurrency: 'EUR',
      smtpUrl: 'smtp://user:topsecret@mail.iron.test:587',
      mailFrom: 'Iron Temple <hello@iron.test>',
      currentPassword: owner.password,
    });
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toEqual({
      platformName: 'Iron Temple',
      supportEmail: 'help@iron.test',
      termsUrl: null,
      privacyUrl: null,
      defaultCurrency: 'eur',
      smtpUrl: 'smtp://user:****@mail.iron.test:587',
      mailFrom: 'Iron Temple <hello@iron.test>',
      pastDueGraceDays: 7,
      affiliateCookieDays: 30,
      commissionHoldDays: 30,
      payoutMinimumMinor: 1000,
      welcomePrompt: expect.stringMatching(/Introduce yourself/),
    });
    await session.patch('/api/v1/settings', {
      smtpUrl: 'smtp://user:****@mail.iron.test:587/?pool=true',
      currentPassword: owner.password,
    });
    expect((await ctx.services.settings.getSettings()).smtpUrl).toBe(
      'smtp://user:topsecret@mail.iron.test:587/?pool=true',
    );
    const stored = await ctx.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', 'smtpUrl')
      .executeTakeFirstOrThrow();
    expect(stored.value).not.toContain('topsecret');
    expect((await client(ctx).get('/api/v1/platform')).json()).toEqual({
      platformName: 'Iron Temple',
      supportEmail: 'help@iron.test',
      welcomePrompt: expect.stringMatching(/Introduce yourself/),
      demo: false,
    });
  });

  it('refuses bad values, naming each field, and changes nothing', async () => {
    const session = await signIn(ctx, owner);
    const before = (await session.get('/api/v1/settings')).json();
    const bad = await session.patch('/api/v1/settings', {
      platformName: '   ',
      supportEmail: 'nope',
      defaultCurrency: 'dollars',
      smtpUrl: 'http://mail.test',
      mailFrom: 'Someone',
    });
    expect(bad.statusCode).toBe(400);
    const fields = bad.json().error.details.fields.map((f: { field: string }) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['defaultCurrency']));
    const unknownCurrency = await session.patch('/api/v1/settings', { defaultCurrency: 'dol' });
    expect(unknownCurrency.json().error.details.fields[0].field).toBe('defaultCurrency');
    const bad2 = await session.patch('/api/v1/settings', {
      platformName: '   ',
      supportEmail: 'nope',
      smtpUrl: 'http://mail.test',
      mailFrom: 'Someone',
      currentPassword: owner.password,
    });
    expect(bad2.json().error.details.fields.map((f: { field: string }) => f.field)).toEqual([
      'platformName',
      'supportEmail',
      'smtpUrl',
      'mailFrom',
    ]);
    expect((await session.get('/api/v1/settings')).json()).toEqual(before);
    expect(
      (await session.post('/api/v1/settings/test-email', { to: 'nope' })).json().error.details.fields[0]
        .field,
    ).toBe('to');
  });

  it('is for staff', async () => {
    const member = await signIn(ctx, await createMember(ctx));
    expect((await member.get('/api/v1/settings')).statusCode).toBe(403);
    expect((await member.patch('/api/v1/settings', { platformName: 'Mine' })).statusCode).toBe(403);
    expect((await member.post('/api/v1/settings/test-email', { to: 'a@b.test' })).statusCode).toBe(403);
    expect((await client(ctx).get('/api/v1/settings')).statusCode).toBe(401);
  });
});

describe('jobs', () => {
  it('never runs one job twice, with two workers claiming at once', async () => {
    const ran: string[] = [];
    const handlers = {
      'test.record': async (payload: unknown) => {
        ran.push((payload as { n: string }).n);
        await new Promise((resolve) => setTimeout(resolve, 2));
      },
    };
    const total = 40;
    // Jobs earlier tests left due (their emails) are not this test's to count.
    await ctx.drainJobs();
    await ctx.db.transaction().execute(async (trx) => {
      for (let i = 0; i < total; i += 1) await enqueueJob(trx, systemClock, 'test.record', { n: String(i) });
    });
    const logger = createLogger({ logLevel: 'silent' });
    const make = (id: string) =>
      createWorker({ db: ctx.db, engine: ctx.engine, clock: systemClock, logger, handlers, workerId: id });
    const [a, b] = [make('a'), make('b')];
    const counts = await Promise.all([a.drain(), b.drain()]);
    expect(counts[0] + counts[1]).toBe(total);
    expect(ran).toHaveLength(total);
    expect(new Set(ran).size).toBe(total);
    if (ctx.engine === 'postgres') {
      // With real concurrency both workers took a share.
      expect(counts.every((c) => c > 0)).toBe(true);
    }
  });
});

describe('a worker that died', () => {
  it('leaves its job to another worker once its lease runs out; a live worker keeps renewing its lease', async () => {
    await ctx.drainJobs();
    const ran: string[] = [];
    const handlers = {
      'test.lease': async (payload: unknown) => {
        ran.push((payload as { n: string }).n);
        await new Promise((resolve) => setTimeout(resolve, 600));
      },
    };
    const logger = createLogger({ logLevel: 'silent' });
    const make = (id: string) =>
      createWorker({
        db: ctx.db,
        engine: ctx.engine,
        clock: systemClock,
        logger,
        handlers,
        workerId: id,
        leaseMs: 300,
      });
    // A job a crashed worker held: its lease ran out, so the next worker runs it.
    const dead = await ctx.db
      .transaction()
      .execute((trx) => enqueueJob(trx, systemClock, 'test.lease', { n: 'orphan' }));
    await ctx.db
      .updateTable('jobs')
      .set({ status: 'running', lockedBy: 'dead', lockedAt: Date.now() - 301 })
      .where('id', '=', dead)
      .execute();
    expect(await make('next').drain()).toBe(1);
    expect(ran).toEqual(['orphan']);
    // A job that runs longer than the lease, on a live worker: nobody else takes it.
    await ctx.db.transaction().execute((trx) => enqueueJob(trx, systemClock, 'test.lease', { n: 'long' }));
    const live = make('live').drain();
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(await make('other').drain()).toBe(0);
    expect(await live).toBe(1);
    expect(ran).toEqual(['orphan', 'long']);
  });
});

describe('health and API description', () => {
  it('serves the OpenAPI document and the docs page', async () => {
    const doc = (await client(ctx).get('/api/docs/json')).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/me', '/api/v1/users', '/api/v1/auth/login', '/api/v1/emails/{id}']),
    );
    const page = await client(ctx).get('/api/docs/');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('swagger');
  });

  it('answers 503 on /healthz when the database does not', async () => {
    const broken = await createTestContext();
    expect((await client(broken).get('/healthz')).statusCode).toBe(200);
    await broken.db.destroy();
    const down = await client(broken).get('/healthz');
    expect(down.statusCode).toBe(503);
    await broken.app.close();
  });

  it('answers unknown routes and bad JSON in the one error shape', async () => {
    const missing = await client(ctx).get('/api/v1/nothing-here');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('not_found');
    const badJson = await client(ctx).request('POST', '/api/v1/auth/login', '{not json', {
      'content-type': 'application/json',
    });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json().error.code).toBe('bad_json');
  });
});
