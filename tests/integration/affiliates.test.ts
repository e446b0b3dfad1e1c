// Customer resell rights through HTTP and the emulator: a member's link, attribution by cookie and by
// form field (last click wins), commissions that follow every payment, refund and dispute exactly once,
// the affiliate's own right to the offer checked at each sale, and payouts.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitOnboarding } from '../../tools/stripe-emulator/test-support.ts';
import {
  type Client,
  client,
  createApiKey,
  createGroup,
  createOwner,
  publishOffer,
  signIn,
  type TestGroup,
} from '../support/factories.ts';
import {
  connectThroughSettings,
  createStripeTestContext,
  type StripeTestContext,
  startAndPay,
} from '../support/stripe.ts';

const DAY = 24 * 3600;
let ctx: StripeTestContext;
let owner: Client;
let yoga: TestGroup;

beforeAll(async () => {
  ctx = await createStripeTestContext();
  const ownerUser = await createOwner(ctx);
  await connectThroughSettings(await signIn(ctx, ownerUser));
  owner = client(ctx, { apiKey: await createApiKey(ctx, ownerUser) });
  yoga = await createGroup(ctx, { name: 'Yoga', visibility: 'private' });
});
afterAll(async () => ctx.close());

let sequence = 0;
async function resellableOffer(pricing: Record<string, unknown>, resell: Record<string, unknown> = {}) {
  sequence += 1;
  return publishOffer(owner, {
    title: `Resell Circle ${sequence}`,
    hubGroupIds: [yoga.id],
    pricing,
    resell: { enabled: true, commissionPercent: 30, description: 'Tell a friend.', ...resell },
  });
}

const oneTime = { model: 'one_time', amountMinor: 5000, currency: 'usd' };

/** A visitor pays (the browser given, so its cookies count); events delivered; signed in on return. */
async function buy(browser: Client, slug: string, email: string, extra: Record<string, string> = {}) {
  const { sessionId, paid } = await startAndPay(ctx, browser, slug, { email, name: 'Buyer', ...extra });
  expect(paid.status).toBe(200);
  await ctx.deliver();
  await browser.get(`/checkout/return?session_id=${sessionId}`);
  return sessionId;
}

async function partner(browser: Client) {
  const response = await browser.get('/api/v1/hub/partner');
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

async function commissionsOf(affiliateCode: string) {
  return ctx.db
    .selectFrom('commissions')
    .innerJoin('affiliates', 'affiliates.id', 'commissions.affiliateId')
    .selectAll('commissions')
    .where('affiliates.code', '=', affiliateCode)
    .orderBy('commissions.createdAt')
    .execute();
}

describe('Become a Partner', () => {
  it('lists the programs a member holds, with their link; staff are never affiliates', async () => {
    const offer = await resellableOffer(oneTime);
    const ana = client(ctx);
    await buy(ana, offer.slug, 'ana@example.test');
    const view = await partner(ana);
    expect(view.code).toMatch(/^[a-z2-9]{8}$/);
    expect(view.programs).toEqual([
      expect.objectContaining({
        offer: expect.objectContaining({ id: offer.id }),
        commissionPercent: 30,
        description: 'Tell a friend.',
        link: `${ctx.config.publicUrl}/offers/${offer.slug}?ref=${view.code}`,
      }),
    ]);
    expect(view.chart).toHaveLength(90);
    const staff = await owner.get('/api/v1/hub/partner');
    expect(staff.statusCode).toBe(403);
    expect(staff.json().error.code).toBe('staff_not_affiliate');
  });
});

// One affiliate's story, told in order: each step counts what the steps before it earned (four sales by
// the payout), so it never runs shuffled.
describe('attribution and commission', { shuffle: false }, () => {
  let offer: { id: string; slug: string; title: string };
  let ana: Client;
  let code: string;
  beforeAll(async () => {
    offer = await resellableOffer(oneTime);
    ana = client(ctx);
    await buy(ana, offer.slug, 'ana2@example.test');
    code = (await partner(ana)).code;
  });

  it('counts the click once, remembers it in a cookie, and pays 30 % of what was paid, once', async () => {
    const bea = client(ctx);
    const landing = await bea.get(`/offers/${offer.slug}?ref=${code}`);
    expect(landing.statusCode).toBe(200);
    const cookie = (landing.cookies as { name: string; maxAge?: number }[]).find((c) => c.name === 'gh_ref');
    expect(cookie?.maxAge).toBe(30 * DAY);
    await bea.get(`/offers/${offer.slug}?ref=${code}`); // a reload is not a new click
    // The form carries no code: the cookie attributes the sale.
    await buy(bea, offer.slug, 'bea@example.test', { ref: '' });
    await ctx.deliver({ events: await ctx.pendingEvents(), twice: true });
    const [commission] = await commissionsOf(code);
    expect(commission).toMatchObject({ paidMinor: 5000, percent: 30, amountMinor: 1500, flagged: null });
    expect(await commissionsOf(code)).toHaveLength(1);
    const view = await partner(ana);
    expect(view.programs[0]).toMatchObject({
      clicks: 1,
      sales: 1,
      commissions: [{ currency: 'usd', pendingMinor: 1500, payableMinor: 0, paidMinor: 0, reversedMinor: 0 }],
    });
    expect(view.balances).toEqual([
      expect.objectContaining({ currency: 'usd', pendingMinor: 1500, payableMinor: 0 }),
    ]);
    expect(view.commissions[0]).toMatchObject({
      buyer: 'b…@example.test',
      state: 'pending',
      earned: { amountMinor: 1500 },
    });
    const mail = await ctx.db
      .selectFrom('emails')
      .select(['subject', 'kind'])
      .where('toAddress', '=', 'ana2@example.test')
      .where('kind', '=', 'affiliate_sale')
      .execute();
    expect(mail).toEqual([
      { kind: 'affiliate_sale', subject: `You earned $15 from a sale of ${offer.title}` },
    ]);
  });

  it('attributes by the form field when the cookie is missing, and the last click wins', async () => {
    const cyd = client(ctx);
    await buy(cyd, offer.slug, 'cyd@example.test', { ref: code });
    expect(await commissionsOf(code)).toHaveLength(2);

    // A second affiliate for the same offer; a visitor clicks Ana's link, then theirs.
    const dan = client(ctx);
    await buy(dan, offer.slug, 'dan@example.test');
    const danCode = (await partner(dan)).code;
    const eve = client(ctx);
    await eve.get(`/offers/${offer.slug}?ref=${code}`);
    await eve.get(`/offers/${offer.slug}?ref=${danCode}`);
    await buy(eve, offer.slug, 'eve@example.test', { ref: '' });
    expect(await commissionsOf(code)).toHaveLength(2);
    expect(await commissionsOf(danCode)).toHaveLength(1);
  });

  it('pays nothing when the affiliate no longer holds the offer, or refers themselves', async () => {
    const fay = client(ctx);
    await buy(fay, offer.slug, 'fay@example.test');
    const fayCode = (await partner(fay)).code;
    const fayUser = await ctx.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'fay@example.test')
      .executeTakeFirstOrThrow();
    await ctx.db
      .updateTable('entitlements')
      .set({ state: 'ended' })
      .where('userId', '=', fayUser.id)
      .execute();
    await buy(client(ctx), offer.slug, 'gus@example.test', { ref: fayCode });
    expect(await commissionsOf(fayCode)).toHaveLength(0);

    // The same person on both sides earns nothing (here, a purchase of Ana's own).
    const payment = await ctx.db.selectFrom('payments').selectAll().limit(1).executeTakeFirstOrThrow();
    const anaUser = await ctx.db
      .selectFrom('users')
      .select(['id', 'email'])
      .where('email', '=', 'ana2@example.test')
      .executeTakeFirstOrThrow();
    const earned = await ctx.db.transaction().execute((trx) =>
      ctx.services.affiliates.earnOnPayment(trx, {
        purchase: {
          id: payment.purchaseId,
          ref: code,
          userId: anaUser.id,
          email: anaUser.email,
          offerId: offer.id,
          commissionPercent: 30,
          commissionRecurring: 'every',
          commissionMonths: null,
        },
        payment: {
          id: payment.id,
          amountMinor: 5000,
          currency: 'usd',
          paidAt: Date.now(),
          cardFingerprint: null,
        },
        offer: {
          id: offer.id,
          title: 'x',
          resellEnabled: true,
          resellCommissionPercent: 30,
          resellRecurring: 'every',
          resellMonths: null,
          trialDays: null,
        },
      }),
    );
    expect(earned).toBeNull();
  });

  it('takes back a proportional share on a partial refund, all of it on a full refund, and restores a won dispute', async () => {
    const hal = client(ctx);
    await buy(hal, offer.slug, 'hal@example.test', { ref: code });
    const purchase = await ctx.db
      .selectFrom('purchases')
      .selectAll()
      .where('email', '=', 'hal@example.test')
      .executeTakeFirstOrThrow();
    const payment = await ctx.db
      .selectFrom('payments')
      .selectAll()
      .where('purchaseId', '=', purchase.id)
      .executeTakeFirstOrThrow();
    const worth = async () => {
      const commission = await ctx.db
        .selectFrom('commissions')
        .select('id')
        .where('paymentId', '=', payment.id)
        .executeTakeFirstOrThrow();
      const row = await ctx.db
        .selectFrom('commissionEntries')
        .select((eb) => eb.fn.sum<number>('amountMinor').as('w'))
        .where('commissionId', '=', commission.id)
        .executeTakeFirstOrThrow();
      return Number(row.w);
    };
    expect(await worth()).toBe(1500);
    await owner.post(`/api/v1/payments/${payment.id}/refund`, { amountMinor: 2500 });
    await ctx.deliver({ twice: true });
    expect(await worth()).toBe(750);

    const ivy = client(ctx);
    await buy(ivy, offer.slug, 'ivy@example.test', { ref: code });
    const ivyPurchase = await ctx.db
      .selectFrom('purchases')
      .selectAll()
      .where('email', '=', 'ivy@example.test')
      .executeTakeFirstOrThrow();
    const intent = await ctx.stripe.paymentIntents.retrieve(ivyPurchase.stripePaymentIntentId as string);
    const opened = await ctx.control(`charges/${intent.latest_charge}/dispute`, {});
    await ctx.deliver();
    const ivyCommission = async () => {
      const rows = await ctx.db
        .selectFrom('commissions')
        .innerJoin('commissionEntries', 'commissionEntries.commissionId', 'commissions.id')
        .select(['commissionEntries.kind', 'commissionEntries.amountMinor'])
        .where('commissions.purchaseId', '=', ivyPurchase.id)
        .orderBy('commissionEntries.createdAt')
        .execute();
      return rows.map((r) => [r.kind, Number(r.amountMinor)]);
    };
    expect(await ivyCommission()).toEqual([
      ['earn', 1500],
      ['reverse', -1500],
    ]);
    await ctx.control(`disputes/${(opened.body as { id: string }).id}/close`, { status: 'won' });
    await ctx.deliver({ twice: true });
    expect(await ivyCommission()).toEqual([
      ['earn', 1500],
      ['reverse', -1500],
      ['restore', 1500],
    ]);

    await owner.post(`/api/v1/payments/${payment.id}/refund`, {});
    await ctx.deliver();
    expect(await worth()).toBe(0);
  });

  it('becomes payable after the hold, is paid by hand, and a later reversal leaves a negative balance', async () => {
    const before = (await partner(ana)).balances[0];
    expect(before.payableMinor).toBe(0);
    await ctx.advance(31 * DAY);
    ana = client(ctx);
    // The session above is a month old now; the member signs in again through a fresh login link.
    const anaUser = await ctx.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'ana2@example.test')
      .executeTakeFirstOrThrow();
    const session = await ctx.db
      .transaction()
      .execute((trx) =>
        ctx.services.auth.createSession(trx, anaUser.id, { ip: '127.0.0.1', userAgent: 'test' }),
      );
    const { csrfTokenFor } = await import('../../src/platform/http/auth.ts');
    ana = client(ctx, {
      cookies: { gh_session: session.token, gh_csrf: csrfTokenFor(ctx.config.appSecret, session.id) },
    });
    const due = (await partner(ana)).balances[0];
    expect(due.pendingMinor).toBe(0);
    expect(due.payableMinor).toBeGreaterThan(0);

    const affiliates = (await owner.get('/api/v1/affiliates')).json().data;
    const anaRow = affiliates.find((a: { user: { email: string } }) => a.user.email === 'ana2@example.test');
    expect(anaRow).toMatchObject({ sales: 4, payoutsConnected: false });
    // Not connected to Stripe: she is on the list of affiliates to pay by hand, with what is payable.
    const byHand = (await owner.get('/api/v1/payouts/due-by-hand')).body;
    expect(byHand.split('\n')[0]).toMatch(/^email,name/);
    expect(byHand).toContain('ana2@example.test');
    const refused = await owner.post('/api/v1/payouts', { affiliateId: anaRow.id, method: 'stripe' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('payouts_not_connected');
    // A double click: two payouts of one balance at once pay it once.
    const both = await Promise.all(
      [1, 2].map(() =>
        owner.post('/api/v1/payouts', { affiliateId: anaRow.id, method: 'manual', reference: 'Wise 123' }),
      ),
    );
    expect(both.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    const paid = both.find((r) => r.statusCode === 201) as (typeof both)[number];
    expect(both.find((r) => r.statusCode === 409)?.json().error.code).toBe('nothing_payable');
    expect(paid.statusCode).toBe(201);
    expect(paid.json()).toMatchObject({
      method: 'manual',
      status: 'paid',
      reference: 'Wise 123',
      amount: { amountMinor: due.payableMinor },
    });
    const after = (await partner(ana)).balances[0];
    expect(after).toMatchObject({ payableMinor: 0, paidMinor: due.payableMinor });
    expect(
      (await owner.post('/api/v1/payouts', { affiliateId: anaRow.id, method: 'manual' })).json().error.code,
    ).toBe('nothing_payable');

    // Bea's sale is refunded after it was paid out: Ana's balance goes below zero.
    const beaPayment = await ctx.db
      .selectFrom('payments')
      .innerJoin('purchases', 'purchases.id', 'payments.purchaseId')
      .select('payments.id')
      .where('purchases.email', '=', 'bea@example.test')
      .executeTakeFirstOrThrow();
    await owner.post(`/api/v1/payments/${beaPayment.id}/refund`, {});
    await ctx.deliver();
    expect((await partner(ana)).balances[0].payableMinor).toBe(-1500);
    const list = (await owner.get(`/api/v1/commissions?affiliateId=${anaRow.id}`)).json().data;
    expect(list.map((c: { state: string }) => c.state)).toContain('reversed');
    const reversed = (await owner.get(`/api/v1/commissions?affiliateId=${anaRow.id}&state=reversed`)).json()
      .data;
    expect(reversed.length).toBeGreaterThan(0);
    expect(reversed.every((c: { state: string }) => c.state === 'reversed')).toBe(true);
    const paidOnes = (await owner.get(`/api/v1/commissions?affiliateId=${anaRow.id}&state=paid`)).json().data;
    expect(paidOnes.every((c: { state: string }) => c.state === 'paid')).toBe(true);
    const csv = await owner.get('/api/v1/commissions/export');
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\n')[0]).toBe(
      'date,affiliate_email,offer,buyer_email,paid,percent,earned,worth,currency,state,flagged',
    );
  });
});

describe('payouts through Stripe', () => {
  it('onboards the affiliate’s own Stripe account, pays by transfer, and retries a failed transfer without paying twice', async () => {
    await owner.patch('/api/v1/settings', { commissionHoldDays: 0 });
    const offer = await resellableOffer(oneTime);
    const mia = client(ctx);
    await buy(mia, offer.slug, 'mia@example.test');
    const code = (await partner(mia)).code;

    // Connect Express onboarding: the link opens Stripe's page; submitting it enables transfers.
    const onboarding = await mia.post('/api/v1/hub/partner/payouts/onboarding');
    expect(onboarding.statusCode).toBe(200);
    const submitted = await submitOnboarding(ctx.emulatorUrl, onboarding.json().url);
    expect(submitted.submitted).toContain('/hub/partner?payouts=done');
    // account.updated comes to the Connect endpoint, signed with its own secret.
    const responses = await ctx.deliver();
    expect(responses.map((r) => r.statusCode).filter((status) => status !== 200)).toEqual([]);
    expect((await partner(mia)).payouts).toMatchObject({ connected: true, payoutsEnabled: true });

    await buy(client(ctx), offer.slug, 'ned@example.test', { ref: code });
    await buy(client(ctx), offer.slug, 'ola@example.test', { ref: code });
    await ctx.advance(60);
    const affiliate = (await owner.get('/api/v1/affiliates'))
      .json()
      .data.find((a: { user: { email: string } }) => a.user.email === 'mia@example.test');
    expect(affiliate.balances[0].payableMinor).toBe(3000);

    const account = await ctx.db
      .selectFrom('affiliates')
      .select('stripeAccountId')
      .where('id', '=', affiliate.id)
      .executeTakeFirstOrThrow();
    await ctx.control('transfers/fail-next', { destination: account.stripeAccountId as string });
    const failed = await owner.post('/api/v1/payouts', { affiliateId: affiliate.id, method: 'stripe' });
    expect(failed.statusCode).toBe(201);
    expect(failed.json()).toMatchObject({ status: 'failed', amount: { amountMinor: 3000 } });
    expect(failed.json().error).toBeTruthy();
    // A failed payout is retried, never replaced by a second one.
    const second = await owner.post('/api/v1/payouts', { affiliateId: affiliate.id, method: 'stripe' });
    expect(second.json().error.code).toBe('payout_open');
    // Retried four times at once (a double click, two admins): one transfer.
    const retries = await Promise.all(
      Array.from({ length: 4 }, () => owner.post(`/api/v1/payouts/${failed.json().id}/retry`)),
    );
    const retried = retries.find((response) => response.statusCode === 200);
    expect(retries.every((response) => [200, 409].includes(response.statusCode))).toBe(true);
    expect(retried?.json()).toMatchObject({
      status: 'paid',
      stripeTransferId: expect.stringMatching(/^tr_/),
    });
    expect((await owner.post(`/api/v1/payouts/${failed.json().id}/retry`)).statusCode).toBe(409);
    const transfers = await ctx.stripe.transfers.list({ destination: account.stripeAccountId as string });
    expect(transfers.data).toHaveLength(1);
    expect(transfers.data[0]?.amount).toBe(3000);
    expect((await partner(mia)).balances[0]).toMatchObject({ payableMinor: 0, paidMinor: 3000 });
    const mail = await ctx.db
      .selectFrom('emails')
      .select('subject')
      .where('toAddress', '=', 'mia@example.test')
      .where('kind', '=', 'affiliate_payout')
      .execute();
    expect(mail).toHaveLength(1);

    // A send cut off after Stripe made the transfer (a crash before it was recorded): the payout is
    // left pending; sending it again records Stripe's transfer instead of making a second one.
    const cutOff = randomUUID();
    await ctx.db
      .insertInto('payouts')
      .values({
        id: cutOff,
        affiliateId: affiliate.id,
        amountMinor: 700,
        currency: 'usd',
        method: 'stripe',
        status: 'pending',
        stripeTransferId: null,
        reference: null,
        error: null,
        attempts: 1,
        createdBy: null,
        createdAt: Date.now() - 3600_000,
        paidAt: null,
      })
      .execute();
    const made = await ctx.stripe.transfers.create({
      amount: 700,
      currency: 'usd',
      destination: account.stripeAccountId as string,
      transfer_group: cutOff,
    });
    const resent = await owner.post(`/api/v1/payouts/${cutOff}/retry`);
    expect(resent.json()).toMatchObject({ status: 'paid', stripeTransferId: made.id });
    expect((await ctx.stripe.transfers.list({ transfer_group: cutOff })).data).toHaveLength(1);
    await owner.patch('/api/v1/settings', { commissionHoldDays: 30 });
  });

  it('the daily job pays every connected affiliate over the minimum, once', async () => {
    const first = await ctx.services.affiliates.payDue();
    const again = await ctx.services.affiliates.payDue();
    expect(again.paid).toBe(0);
    expect(first.failed + again.failed).toBe(0);
  });
});

describe('turning a program off', () => {
  it('stops new commissions; what was earned stays', async () => {
    const offer = await resellableOffer(oneTime);
    const pat = client(ctx);
    await buy(pat, offer.slug, 'pat@example.test');
    const code = (await partner(pat)).code;
    await buy(client(ctx), offer.slug, 'quin@example.test', { ref: code });
    expect(await commissionsOf(code)).toHaveLength(1);
    await owner.patch(`/api/v1/offers/${offer.id}`, { resell: { enabled: false } });
    await buy(client(ctx), offer.slug, 'rex@example.test', { ref: code });
    expect(await commissionsOf(code)).toHaveLength(1);
    expect((await partner(pat)).programs).toEqual([]);
    expect(
      (await partner(pat)).balances[0].pendingMinor + (await partner(pat)).balances[0].payableMinor,
    ).toBe(1500);
  });
});

describe('recurring offers', () => {
  it('earns on the first payment only when the offer says so', async () => {
    const offer = await resellableOffer(
      { model: 'recurring', amountMinor: 1000, currency: 'usd', interval: 'month', intervalCount: 1 },
      { commissionPercent: 20, recurring: 'first' },
    );
    const kim = client(ctx);
    await buy(kim, offer.slug, 'kim@example.test');
    const kimCode = (await partner(kim)).code;
    await buy(client(ctx), offer.slug, 'lee@example.test', { ref: kimCode });
    await ctx.advance(31 * DAY);
    await ctx.deliver();
    const commissions = await commissionsOf(kimCode);
    expect(commissions.map((c) => Number(c.amountMinor))).toEqual([200]);
    const payments = await ctx.db
      .selectFrom('payments')
      .innerJoin('purchases', 'purchases.id', 'payments.purchaseId')
      .select('payments.id')
      .where('purchases.email', '=', 'lee@example.test')
      .execute();
    expect(payments).toHaveLength(2);
  });
});
