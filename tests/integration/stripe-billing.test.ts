// Keeping access true to every payment after checkout: renewals, failures and the grace period, a card
// fixed, cancel at period end and resume, refunds, disputes, events out of order, and the daily
// reconciliation repairing a lost webhook — each checked against what the buyer can enter.
import { sql } from 'kysely';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboxEntryOf } from '../../src/modules/purchases/billing.service.ts';
import { receiveStripeEvents, stripeInboxCounts } from '../../src/modules/purchases/purchase.repository.ts';
import { inboxOf } from '../../src/platform/db/database.ts';
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
import { signal } from '../support/signal.ts';
import {
  buyAsVisitor,
  connectThroughSettings,
  createStripeTestContext,
  type StripeTestContext,
} from '../support/stripe.ts';

const DAY = 24 * 3600;
let ctx: StripeTestContext;
let owner: Client;
let yoga: TestGroup;

beforeAll(async () => {
  ctx = await createStripeTestContext();
  // An API key: these tests move the clock by months, past any session's life.
  const ownerUser = await createOwner(ctx);
  await connectThroughSettings(await signIn(ctx, ownerUser));
  owner = client(ctx, { apiKey: await createApiKey(ctx, ownerUser) });
  yoga = await createGroup(ctx, { name: 'Yoga', visibility: 'private' });
});
afterAll(async () => ctx.close());

let sequence = 0;
async function paidOffer(pricing: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  sequence += 1;
  return publishOffer(owner, {
    title: `Billing Circle ${sequence}`,
    hubGroupIds: [yoga.id],
    pricing,
    ...extra,
  });
}

const oneTime = { model: 'one_time', amountMinor: 5000, currency: 'usd' };
const monthly = {
  model: 'recurring',
  amountMinor: 900,
  currency: 'usd',
  interval: 'month',
  intervalCount: 1,
};

const buy = (slug: string, email: string, options: { deliver?: boolean } = {}) =>
  buyAsVisitor(ctx, slug, email, options);

async function purchaseOf(email: string) {
  return ctx.db.selectFrom('purchases').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
}

async function entitlementOf(email: string) {
  const purchase = await purchaseOf(email);
  return ctx.db
    .selectFrom('entitlements')
    .selectAll()
    .where('purchaseId', '=', purchase.id)
    .executeTakeFirst();
}

/** The access ledger of a buyer's entitlement, oldest change first. */
async function ledgerOf(email: string) {
  return ctx.db
    .selectFrom('entitlementChanges')
    .select(['toState', 'reason', 'stripeObjectId', 'stripeEventId'])
    .where('entitlementId', '=', (await entitlementOf(email))?.id as string)
    .orderBy('createdAt')
    .execute();
}

async function canEnter(email: string): Promise<boolean> {
  const user = await ctx.db
    .selectFrom('users')
    .select('id')
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
  return ctx.services.access.canEnter(
    { userId: user.id, role: 'member', email, name: '', via: 'session', sessionId: null },
    yoga.id,
  );
}

async function paymentsOf(email: string) {
  const purchase = await purchaseOf(email);
  return ctx.db
    .selectFrom('payments')
    .selectAll()
    .where('purchaseId', '=', purchase.id)
    .orderBy('paidAt')
    .execute();
}

async function subscriptionOf(email: string): Promise<Stripe.Subscription> {
  return ctx.stripe.subscriptions.retrieve((await purchaseOf(email)).stripeSubscriptionId as string);
}

describe('a recurring membership', () => {
  it('renews, fails into the grace period, locks after it, and opens again when the card is fixed', async () => {
    const offer = await paidOffer(monthly);
    const email = 'rita@example.test';
    await buy(offer.slug, email);
    expect(await entitlementOf(email)).toMatchObject({ state: 'active', stripeStatus: 'active' });
    expect((await paymentsOf(email)).map((p) => Number(p.amountMinor))).toEqual([900]);

    await ctx.advance(31 * DAY);
    await ctx.deliver();
    expect((await paymentsOf(email)).map((p) => Number(p.amountMinor))).toEqual([900, 900]);
    expect((await owner.get(`/api/v1/offers/${offer.id}`)).json().revenue.amountMinor).toBe(1800);
    expect(await canEnter(email)).toBe(true);

    const subscription = await subscriptionOf(email);
    await ctx.control(`subscriptions/${subscription.id}/fail-next-payment`, {});
    await ctx.advance(31 * DAY);
    await ctx.deliver();
    const failing = await entitlementOf(email);
    expect(failing).toMatchObject({ state: 'past_due', stripeStatus: 'past_due' });
    expect(Number(failing?.accessUntil)).toBe(ctx.clock.now() + 7 * DAY * 1000);
    expect(await canEnter(email)).toBe(true);

    // Stripe retries on its schedule and fails again; the grace runs out all the same.
    await ctx.advance(8 * DAY);
    await ctx.deliver();
    expect(await entitlementOf(email)).toMatchObject({ state: 'past_due' });
    expect(await canEnter(email)).toBe(false);

    // The member puts a working card in and the open invoice is paid: back in, by itself.
    const customer = subscription.customer as string;
    const card = await ctx.stripe.paymentMethods.attach('pm_card_visa', { customer });
    await ctx.stripe.customers.update(customer, { invoice_settings: { default_payment_method: card.id } });
    const open = await ctx.stripe.invoices.list({ subscription: subscription.id, status: 'open' });
    await ctx.stripe.invoices.pay(open.data[0]?.id as string);
    await ctx.deliver();
    expect(await entitlementOf(email)).toMatchObject({ state: 'active', accessUntil: null });
    expect(await canEnter(email)).toBe(true);
    const ledger = await ledgerOf(email);
    expect(ledger.map((l) => l.toState)).toEqual(['active', 'past_due', 'active']);
    expect(ledger.every((l) => l.stripeObjectId?.startsWith('sub_'))).toBe(true);
    const user = await ctx.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    const history = (await owner.get(`/api/v1/users/${user.id}/access-history`)).json().data;
    expect(history.map((h: { to: string }) => h.to)).toEqual(['active', 'past_due', 'active']);
    expect(history[0]).toMatchObject({ from: 'past_due', to: 'active', reason: 'renewal' });
  });

  it('cancels at period end from Billing, resumes, and ends when the period does', async () => {
    const offer = await paidOffer(monthly);
    const email = 'sam@example.test';
    const { browser, sessionId } = await buy(offer.slug, email);
    await browser.get(`/checkout/return?session_id=${sessionId}`);
    const billing = (await browser.get('/api/v1/hub/billing')).json().data;
    expect(billing).toHaveLength(1);
    expect(billing[0]).toMatchObject({
      offer: { id: offer.id },
      status: 'fulfilled',
      access: { live: true, state: 'active' },
      subscription: { status: 'active', cancelAtPeriodEnd: false, interval: 'month' },
    });
    expect(billing[0].payments[0].receiptUrl).toMatch(/^http/);

    // Another member cannot touch it.
    const other = await buy(offer.slug, 'snoop@example.test');
    await other.browser.get(`/checkout/return?session_id=${other.sessionId}`);
    expect((await other.browser.post(`/api/v1/hub/billing/${billing[0].id}/cancel`)).statusCode).toBe(404);
    // Billing is one's own: staff act on a buyer's subscription from the user card, never from here.
    for (const action of ['cancel', 'resume'])
      expect((await owner.post(`/api/v1/hub/billing/${billing[0].id}/${action}`)).statusCode).toBe(404);

    expect((await browser.post(`/api/v1/hub/billing/${billing[0].id}/cancel`)).statusCode).toBe(204);
    const canceled = await entitlementOf(email);
    expect(canceled?.state).toBe('canceled');
    expect(Number(canceled?.accessUntil)).toBeGreaterThan(ctx.clock.now());
    expect(await canEnter(email)).toBe(true);
    expect((await browser.post(`/api/v1/hub/billing/${billing[0].id}/resume`)).statusCode).toBe(204);
    expect(await entitlementOf(email)).toMatchObject({ state: 'active', cancelAtPeriodEnd: 0 });
    await ctx.deliver();

    const portal = await other.browser.post('/api/v1/hub/billing/portal');
    expect(portal.statusCode).toBe(200);
    expect(portal.json().url).toContain(ctx.emulatorUrl);

    expect((await browser.post(`/api/v1/hub/billing/${billing[0].id}/cancel`)).statusCode).toBe(204);
    await ctx.advance(32 * DAY);
    await ctx.deliver();
    expect(await entitlementOf(email)).toMatchObject({ state: 'ended' });
    expect(await canEnter(email)).toBe(false);
    // Ended: a cancel answers 409 in our words, not Stripe's.
    const refused = await owner.post(`/api/v1/purchases/${billing[0].id}/cancel`, { when: 'now' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('subscription_ended');
  });

  it('applies events in any order: the subscription before the checkout, the same state after', async () => {
    const offer = await paidOffer(monthly, {});
    const email = 'tom@example.test';
    await buy(offer.slug, email, { deliver: false });
    const responses = await ctx.deliver({ reverse: true });
    expect(responses.map((r) => r.statusCode).filter((s) => s !== 200)).toEqual([]);
    const entitlements = await ctx.db
      .selectFrom('entitlements')
      .select('state')
      .where('purchaseId', '=', (await purchaseOf(email)).id)
      .execute();
    expect(entitlements).toEqual([{ state: 'active' }]);
    expect(await paymentsOf(email)).toHaveLength(1);
  });

  it('applies the events of one subscription in a batch once; each on its own when the first was applied before', async () => {
    const offer = await paidOffer(monthly);
    const email = 'batched@example.test';
    await buy(offer.slug, email);
    const { id } = await subscriptionOf(email);
    const updatesOf = async () =>
      ctx.pendingEvents(
        (event) =>
          event.type === 'customer.subscription.updated' && (event.data.object as { id: string }).id === id,
      );
    const ledger = async () =>
      (await ledgerOf(email)).map(({ toState, stripeEventId }) => ({ toState, stripeEventId }));
    await ctx.stripe.subscriptions.update(id, { cancel_at_period_end: true });
    await ctx.stripe.subscriptions.update(id, { metadata: { note: 'first' } });
    const updates = await updatesOf();
    expect(updates).toHaveLength(2);
    await takeTogether(updates);
    expect(await entitlementOf(email)).toMatchObject({ state: 'canceled', cancelAtPeriodEnd: 1 });
    for (const update of updates) expect((await inboxRow(update.id)).appliedAt).not.toBeNull();
    // One change, named by the first; both recorded as applied.
    expect((await ledger()).slice(1)).toEqual([{ toState: 'canceled', stripeEventId: updates[0]?.id }]);
    const recorded = await ctx.db
      .selectFrom('stripeEvents')
      .select('id')
      .where(
        'id',
        'in',
        updates.map((update) => update.id),
      )
      .execute();
    expect(recorded).toHaveLength(2);

    // The first was applied before (by a process that saw the subscription as it was then): the second
    // is applied on its own, as Stripe has the subscription now.
    await ctx.stripe.subscriptions.update(id, { cancel_at_period_end: false });
    await ctx.stripe.subscriptions.update(id, { metadata: { note: 'second' } });
    const resumes = (await updatesOf()).filter((event) => !updates.some((update) => update.id === event.id));
    expect(resumes).toHaveLength(2);
    await ctx.db
      .insertInto('stripeEvents')
      .values({
        id: resumes[0]?.id as string,
        type: 'customer.subscription.updated',
        receivedAt: ctx.clock.now(),
      })
      .execute();
    await takeTogether(resumes);
    expect(await entitlementOf(email)).toMatchObject({ state: 'active', cancelAtPeriodEnd: 0 });
    expect((await ledger()).at(-1)).toEqual({ toState: 'active', stripeEventId: resumes[1]?.id });
  });

  it('names the failed payment in the ledger when it comes in one batch with its subscription update', async () => {
    const email = 'folded@example.test';
    await buy((await paidOffer(monthly)).slug, email);
    const { id } = await subscriptionOf(email);
    await ctx.control(`subscriptions/${id}/fail-next-payment`, {});
    await ctx.advance(31 * DAY);
    const ofIt = await ctx.pendingEvents((event) => JSON.stringify(event.data.object).includes(id));
    const failed = ofIt.find((event) => event.type === 'invoice.payment_failed');
    expect(failed).toBeDefined();
    await takeTogether(ofIt);
    const ledger = (await ledgerOf(email)).map(({ toState, reason, stripeEventId }) => ({
      toState,
      reason,
      stripeEventId,
    }));
    expect(ledger.at(-1)).toEqual({
      toState: 'past_due',
      reason: 'payment_failed',
      stripeEventId: failed?.id,
    });
  });

  it('starts a trial as trialing, live, with no payment until it ends', async () => {
    const offer = await paidOffer({ ...monthly, trialDays: 14 });
    const email = 'una@example.test';
    await buy(offer.slug, email);
    expect(await entitlementOf(email)).toMatchObject({ state: 'trialing' });
    expect(await canEnter(email)).toBe(true);
    expect(await paymentsOf(email)).toHaveLength(0);
    await ctx.advance(15 * DAY);
    await ctx.deliver();
    expect(await entitlementOf(email)).toMatchObject({ state: 'active' });
    expect(await paymentsOf(email)).toHaveLength(1);
  });
});

describe('refunds and disputes', () => {
  it('a partial refund keeps access, a full one ends it; revenue and the payment follow', async () => {
    const offer = await paidOffer(oneTime);
    const email = 'vic@example.test';
    await buy(offer.slug, email);
    const [payment] = await paymentsOf(email);
    const partial = await owner.post(`/api/v1/payments/${payment?.id}/refund`, { amountMinor: 2000 });
    expect(partial.statusCode).toBe(200);
    expect(partial.json().refunded.amountMinor).toBe(2000);
    expect(await canEnter(email)).toBe(true);
    // The same click twice refunds once.
    await ctx.deliver({ twice: true });
    expect((await owner.get(`/api/v1/offers/${offer.id}`)).json().revenue.amountMinor).toBe(3000);
    const tooMuch = await owner.post(`/api/v1/payments/${payment?.id}/refund`, { amountMinor: 4000 });
    expect(tooMuch.statusCode).toBe(400);
    expect(tooMuch.json().error.details.fields[0].field).toBe('amountMinor');

    const rest = await owner.post(`/api/v1/payments/${payment?.id}/refund`, {});
    expect(rest.json().refunded.amountMinor).toBe(5000);
    expect(await entitlementOf(email)).toMatchObject({ state: 'refunded' });
    expect(await canEnter(email)).toBe(false);
    await ctx.deliver();
    expect((await owner.get(`/api/v1/offers/${offer.id}`)).json().revenue.amountMinor).toBe(0);
    expect((await purchaseOf(email)).refundedMinor).toBe(5000);
  });

  it('counts a refund once when its events are applied at once (each re-reads the same charge)', async () => {
    const offer = await paidOffer(oneTime);
    const email = 'ray@example.test';
    await buy(offer.slug, email);
    const intentId = (await purchaseOf(email)).stripePaymentIntentId as string;
    // Two partial refunds at Stripe: two charge.refunded events, both re-reading the charge as it is now.
    await ctx.stripe.refunds.create({ payment_intent: intentId, amount: 2000 });
    await ctx.stripe.refunds.create({ payment_intent: intentId, amount: 1000 });
    const intent = await ctx.stripe.paymentIntents.retrieve(intentId);
    const charge = await ctx.stripe.charges.retrieve(intent.latest_charge as string);
    expect(charge.amount_refunded).toBe(3000);
    await Promise.all(Array.from({ length: 6 }, () => ctx.services.billing.applyRefund(charge)));
    expect((await owner.get(`/api/v1/offers/${offer.id}`)).json().revenue.amountMinor).toBe(2000);
    expect((await purchaseOf(email)).refundedMinor).toBe(3000);
    expect((await paymentsOf(email))[0]?.refundedMinor).toBe(3000);
    expect(await canEnter(email)).toBe(true);
  });

  it('a subscription update applied while a refund commits never brings access back', async () => {
    const offer = await paidOffer(monthly);
    const email = 'refund-race@example.test';
    await buy(offer.slug, email);
    const entitlement = await entitlementOf(email);
    const subscription = await subscriptionOf(email);
    const commit = signal();
    const refundWritten = signal();
    // A refund ends access in a transaction still open...
    const refund = ctx.db.transaction().execute(async (trx) => {
      await ctx.services.access.changeEntitlement(
        trx,
        await ctx.services.access.entitlementForChange(trx, entitlement?.id as string),
        { state: 'refunded', accessUntil: null },
        { reason: 'refund' },
      );
      refundWritten.fire();
      await commit.reached;
    });
    await refundWritten.reached;
    // ...while the subscription, active at Stripe, is applied; then the refund commits.
    const sync = ctx.services.billing.syncSubscription(subscription, Date.now());
    await new Promise((resolve) => setTimeout(resolve, 100));
    commit.fire();
    await Promise.all([refund, sync]);
    expect(await entitlementOf(email)).toMatchObject({ state: 'refunded' });
    expect(await canEnter(email)).toBe(false);
  });

  it('an offer whose refund policy is "never" keeps access after a full refund', async () => {
    const offer = await paidOffer(oneTime, { checkout: { refundPolicy: 'never' } });
    const email = 'wes@example.test';
    await buy(offer.slug, email);
    const [payment] = await paymentsOf(email);
    await owner.post(`/api/v1/payments/${payment?.id}/refund`, {});
    expect(await canEnter(email)).toBe(true);
  });

  it('a dispute ends access at once; won, it comes back; lost, it stays closed', async () => {
    const offer = await paidOffer(oneTime);
    for (const [email, outcome, back] of [
      ['xia@example.test', 'won', true],
      ['yan@example.test', 'lost', false],
    ] as const) {
      await buy(offer.slug, email);
      const intent = await ctx.stripe.paymentIntents.retrieve(
        (await purchaseOf(email)).stripePaymentIntentId as string,
      );
      const opened = await ctx.control(`charges/${intent.latest_charge}/dispute`, { reason: 'fraudulent' });
      await ctx.deliver();
      expect(await entitlementOf(email)).toMatchObject({ state: 'disputed' });
      expect(await canEnter(email)).toBe(false);
      await ctx.control(`disputes/${(opened.body as { id: string }).id}/close`, { status: outcome });
      await ctx.deliver();
      expect(await canEnter(email)).toBe(back);
      expect((await paymentsOf(email))[0]?.disputeStatus).toBe(outcome);
    }
  });

  it('a won dispute of a subscription gives back what the subscription says', async () => {
    const offer = await paidOffer(monthly);
    const email = 'won-sub@example.test';
    await buy(offer.slug, email);
    const [payment] = await paymentsOf(email);
    const intent = await ctx.stripe.paymentIntents.retrieve(payment?.stripePaymentIntentId as string);
    const opened = await ctx.control(`charges/${intent.latest_charge}/dispute`, { reason: 'fraudulent' });
    await ctx.deliver();
    expect(await entitlementOf(email)).toMatchObject({ state: 'disputed' });
    await ctx.control(`disputes/${(opened.body as { id: string }).id}/close`, { status: 'won' });
    await ctx.deliver();
    // The subscription is applied again by a job the dispute's transaction booked.
    expect(await entitlementOf(email)).toMatchObject({ state: 'disputed' });
    await ctx.drainJobs();
    expect(await entitlementOf(email)).toMatchObject({ state: 'active', stripeStatus: 'active' });
    expect(await canEnter(email)).toBe(true);
  });

  it('a refund event for a payment not recorded yet waits in the inbox, is tried again, then applied', async () => {
    const offer = await paidOffer(monthly);
    const email = 'zed@example.test';
    const refundEvents = await refundBeforeItsPayment(offer.slug, email);
    // (another test of this file may have given an event up already)
    const { givenUp } = await stripeInboxCounts(inboxOf(ctx.db));
    // Answered at once; the drainer cannot apply it yet: it stays in the inbox, due again shortly.
    const early = await ctx.deliver({ events: refundEvents });
    expect(early.map((r) => r.statusCode)).toEqual([200]);
    expect(await inboxRow(refundEvents[0]?.id as string)).toMatchObject({
      appliedAt: null,
      attempts: 1,
      lastError: 'The payment of this charge is not recorded yet.',
    });
    const waiting = await owner.get('/api/v1/sales/stripe-events');
    expect(waiting.statusCode).toBe(200);
    expect(waiting.json()).toMatchObject({ pending: 1, givenUp, oldestPendingAt: expect.any(String) });
    await ctx.deliver({ filter: (event) => !refundEvents.some((refund) => refund.id === event.id) });
    expect(await entitlementOf(email)).toMatchObject({ state: 'active' });
    // Its time comes: applied once, and a delivery again changes nothing.
    ctx.clock.advance(1_000);
    await ctx.services.billing.inbox.drain();
    expect(await entitlementOf(email)).toMatchObject({ state: 'refunded' });
    expect((await inboxRow(refundEvents[0]?.id as string)).appliedAt).not.toBeNull();
    const again = await ctx.deliver({ events: refundEvents });
    expect(again.map((r) => r.statusCode)).toEqual([200]);
    expect((await paymentsOf(email))[0]?.refundedMinor).toBe(900);
    expect((await stripeInboxCounts(inboxOf(ctx.db))).pending).toBe(0);
  });

  it('on SQLite, a batch that fails outside its events is applied event by event: only the failing one waits', async () => {
    if (ctx.engine !== 'sqlite') return;
    const subscribed = 'unjammed@example.test';
    await buy((await paidOffer(monthly)).slug, subscribed);
    const { id } = await subscriptionOf(subscribed);
    await ctx.stripe.subscriptions.update(id, { cancel_at_period_end: true });
    const update = await ctx.pendingEvents(
      (event) =>
        event.type === 'customer.subscription.updated' && (event.data.object as { id: string }).id === id,
    );
    await buy((await paidOffer(oneTime)).slug, 'jammed@example.test', { deliver: false });
    const checkout = await ctx.pendingEvents(
      (event) => event.type === 'checkout.session.completed' && JSON.stringify(event).includes('jammed@'),
    );
    // The day's sales counter cannot be written: the batch's counters, written at its end, fail with it.
    await sql`create trigger no_sales before insert on metric_days when new.metric = 'sales'
      begin select raise(abort, 'sales are not counted today'); end`.execute(ctx.db);
    try {
      await takeTogether([...checkout, ...update]);
      expect(await entitlementOf(subscribed)).toMatchObject({ state: 'canceled', cancelAtPeriodEnd: 1 });
      expect(await inboxRow(checkout[0]?.id as string)).toMatchObject({
        appliedAt: null,
        attempts: 1,
        lastError: expect.stringContaining('sales are not counted today'),
      });
    } finally {
      await sql`drop trigger no_sales`.execute(ctx.db);
    }
    ctx.clock.advance(1_000);
    await ctx.services.billing.inbox.drain();
    expect(await entitlementOf('jammed@example.test')).toMatchObject({ state: 'active' });
  });

  it('an event that fails in a busy batch waits alone: the events applied beside it commit', async () => {
    const offer = await paidOffer(oneTime);
    const buyers = Array.from({ length: 10 }, (_, index) => `crowd-${index}@example.test`);
    for (const email of buyers) await buy(offer.slug, email, { deliver: false });
    const refused = await purchaseOf(buyers[0] as string);
    const checkouts = await ctx.pendingEvents(
      (event) => event.type === 'checkout.session.completed' && JSON.stringify(event).includes('crowd-'),
    );
    expect(checkouts).toHaveLength(10);
    // The first buyer's payment cannot be written. On PostgreSQL a batch this size is applied in shares
    // of several events: the share with the refused payment is rolled back, and the others in it are
    // applied all the same (on SQLite each event has its savepoint).
    if (ctx.engine === 'postgres') {
      await sql`create function refuse_payment() returns trigger language plpgsql as $$
        begin raise exception 'this payment is refused'; end $$`.execute(ctx.db);
      await sql`create trigger refuse_payment before insert on payments for each row
        when (new.purchase_id = ${sql.lit(refused.id)}) execute function refuse_payment()`.execute(ctx.db);
    } else {
      await sql`create trigger refuse_payment before insert on payments
        when new.purchase_id = ${sql.lit(refused.id)}
        begin select raise(abort, 'this payment is refused'); end`.execute(ctx.db);
    }
    try {
      const first = checkouts.find((event) => JSON.stringify(event).includes(buyers[0] as string));
      await takeTogether([first as Stripe.Event, ...checkouts.filter((event) => event !== first)]);
      for (const email of buyers.slice(1)) {
        expect(await entitlementOf(email)).toMatchObject({ state: 'active' });
      }
      expect(await entitlementOf(buyers[0] as string)).toBeUndefined();
      expect(await inboxRow(first?.id as string)).toMatchObject({
        appliedAt: null,
        attempts: 1,
        lastError: expect.stringContaining('this payment is refused'),
      });
    } finally {
      await sql`drop trigger refuse_payment${ctx.engine === 'postgres' ? sql` on payments` : sql``}`.execute(
        ctx.db,
      );
      if (ctx.engine === 'postgres') await sql`drop function refuse_payment()`.execute(ctx.db);
    }
    ctx.clock.advance(1_000);
    await ctx.services.billing.inbox.drain();
    expect(await entitlementOf(buyers[0] as string)).toMatchObject({ state: 'active' });
  });

  it('an event that never becomes applicable is given up after three days; the batch around it commits', async () => {
    const waiting = await paidOffer(monthly);
    const refundEvents = await refundBeforeItsPayment(waiting.slug, 'never-recorded@example.test');
    const { givenUp } = await stripeInboxCounts(inboxOf(ctx.db));
    const other = await paidOffer(oneTime);
    await buy(other.slug, 'neighbour@example.test', { deliver: false });
    const neighbours = await ctx.pendingEvents(
      (event) => event.type.startsWith('checkout.') && !JSON.stringify(event).includes('never-recorded'),
    );
    // One batch: the refund fails under its own savepoint, the neighbour's checkout is applied.
    await takeTogether([...refundEvents, ...neighbours]);
    expect(await entitlementOf('neighbour@example.test')).toMatchObject({ state: 'active' });
    for (const neighbour of neighbours) expect((await inboxRow(neighbour.id)).appliedAt).not.toBeNull();
    let tries = 0;
    while ((await stripeInboxCounts(inboxOf(ctx.db))).pending > 0 && tries < 200) {
      ctx.clock.advance(3_600_000);
      await ctx.services.billing.inbox.drain();
      tries += 1;
    }
    const given = await inboxRow(refundEvents[0]?.id as string);
    expect(given).toMatchObject({ appliedAt: null, dueAt: null });
    expect(given.attempts).toBeGreaterThan(70);
    expect((await owner.get('/api/v1/sales/stripe-events')).json()).toEqual({
      pending: 0,
      givenUp: givenUp + 1,
      oldestPendingAt: null,
    });
  });
});

/** A subscription bought, its first payment refunded at Stripe, none of it delivered: the refund's events. */
async function refundBeforeItsPayment(slug: string, email: string): Promise<Stripe.Event[]> {
  await buy(slug, email, { deliver: false });
  const purchase = await purchaseOf(email);
  const session = await ctx.stripe.checkout.sessions.retrieve(purchase.stripeCheckoutSessionId as string);
  const invoices = await ctx.stripe.invoices.list({ subscription: session.subscription as string });
  const invoice = await ctx.stripe.invoices.retrieve(invoices.data[0]?.id as string, {
    expand: ['payments'],
  });
  const intent = invoice.payments?.data[0]?.payment.payment_intent as string;
  await ctx.stripe.refunds.create({ payment_intent: intent });
  return ctx.pendingEvents(
    (event) =>
      event.type === 'charge.refunded' && (event.data.object as Stripe.Charge).payment_intent === intent,
  );
}

/**
 * Takes events into the inbox in the order given, each a millisecond after the one before (no HTTP:
 * nothing drains in between), then applies them as one batch.
 */
async function takeTogether(events: Stripe.Event[]) {
  const first = ctx.clock.now() - events.length;
  for (const [index, event] of events.entries()) {
    await receiveStripeEvents(inboxOf(ctx.db), [inboxEntryOf(event, 'account')], first + index);
  }
  await ctx.services.billing.inbox.drain();
}

async function inboxRow(id: string) {
  return inboxOf(ctx.db).selectFrom('stripeInbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

describe('late events', () => {
  it('a late paid event for an older invoice does not undo the refund of a newer one', async () => {
    const offer = await paidOffer(monthly);
    const email = 'late@example.test';
    await buy(offer.slug, email, { deliver: false });
    const purchaseId = (await purchaseOf(email)).id;
    const firstPaid = (await ctx.pendingEvents((e) => e.type === 'invoice.paid')).slice(-1);
    await ctx.deliver({ filter: (e) => !firstPaid.some((f) => f.id === e.id) });
    await ctx.advance(31 * DAY);
    await ctx.deliver({ filter: (e) => !firstPaid.some((f) => f.id === e.id) });
    const payments = await ctx.db
      .selectFrom('payments')
      .selectAll()
      .where('purchaseId', '=', purchaseId)
      .execute();
    const renewal = payments.sort((a, b) => Number(b.paidAt) - Number(a.paidAt))[0];
    await owner.post(`/api/v1/payments/${renewal?.id}/refund`, {});
    await ctx.deliver({ filter: (e) => !firstPaid.some((f) => f.id === e.id) });
    expect(await entitlementOf(email)).toMatchObject({ state: 'refunded' });
    await ctx.deliver({ events: firstPaid });
    expect(await entitlementOf(email)).toMatchObject({ state: 'refunded' });
    expect(await canEnter(email)).toBe(false);
  });
});

describe('reconciliation', () => {
  it('repairs what lost webhooks left behind, and says so first with --dry-run', async () => {
    const offer = await paidOffer(monthly);
    const email = 'lost@example.test';
    await buy(offer.slug, email, { deliver: false });
    // Every webhook of this purchase is lost.
    const lost = await ctx.pendingEvents();
    const dry = await ctx.services.billing.reconcile({ dryRun: true });
    expect(dry.differences).toContainEqual(
      expect.objectContaining({ email, what: 'paid, but not fulfilled' }),
    );
    expect((await purchaseOf(email)).status).toBe('pending');
    await ctx.services.billing.reconcile({ dryRun: false });
    expect((await purchaseOf(email)).status).toBe('fulfilled');
    expect(await canEnter(email)).toBe(true);

    const subscription = await subscriptionOf(email);
    await ctx.stripe.subscriptions.cancel(subscription.id);
    const repaired = await ctx.services.billing.reconcile({ dryRun: false });
    expect(repaired.differences).toContainEqual(
      expect.objectContaining({ email, what: 'active → ended (subscription canceled)' }),
    );
    expect(await canEnter(email)).toBe(false);
    // The lost events arriving late change nothing.
    await ctx.deliver({ events: lost });
    await ctx.deliver();
    expect(await entitlementOf(email)).toMatchObject({ state: 'ended' });
  });
});
