// Paid checkout through Stripe, end to end through HTTP: the offer's Stripe price, the pay button, the
// emulator's payment, the signed webhooks (duplicated, reordered, forged) and the return URL — each
// checked against what the buyer can enter.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type Client,
  client,
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
  sessionIdOf,
  startAndPay,
  submitCheckout,
} from '../support/stripe.ts';

let ctx: StripeTestContext;
let owner: Client;
let yoga: TestGroup;

beforeAll(async () => {
  ctx = await createStripeTestContext();
  owner = await signIn(ctx, await createOwner(ctx));
  await connectThroughSettings(owner);
  yoga = await createGroup(ctx, { name: 'Yoga', visibility: 'private' });
});
afterAll(async () => ctx.close());

let sequence = 0;
async function paidOffer(pricing: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  sequence += 1;
  return publishOffer(owner, { title: `Paid Circle ${sequence}`, hubGroupIds: [yoga.id], pricing, ...extra });
}

const oneTime = { model: 'one_time', amountMinor: 50, currency: 'usd' };
const monthly = {
  model: 'recurring',
  amountMinor: 900,
  currency: 'usd',
  interval: 'month',
  intervalCount: 1,
};

async function purchaseOf(email: string) {
  return ctx.db
    .selectFrom('purchases')
    .selectAll()
    .where('email', '=', email)
    .orderBy('createdAt', 'desc')
    .executeTakeFirstOrThrow();
}

async function entitlementsOfEmail(email: string) {
  return ctx.db
    .selectFrom('entitlements')
    .innerJoin('users', 'users.id', 'entitlements.userId')
    .selectAll('entitlements')
    .where('users.email', '=', email)
    .execute();
}

/** Whether the buyer can open the group now (a fresh sign-in link, as their email would give). */
async function canEnterYoga(email: string): Promise<boolean> {
  const user = await ctx.db
    .selectFrom('users')
    .select('id')
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
  const actor = {
    userId: user.id,
    role: 'member' as const,
    email,
    name: '',
    via: 'session' as const,
    sessionId: null,
  };
  return ctx.services.access.canEnter(actor, yoga.id);
}

/** A visitor buys: the form, Stripe's page paid with a card; answers the browser and the session id. */
async function buy(slug: string, email: string, card = '4242424242424242') {
  const browser = client(ctx);
  return { browser, ...(await startAndPay(ctx, browser, slug, { email, name: 'Buyer' }, card)) };
}

describe('an offer’s Stripe price', () => {
  it('is made on save, and a price change makes a new price and archives the old one', async () => {
    const offer = await paidOffer(oneTime);
    expect(offer.stripe.priceId).toMatch(/^price_/);
    const price = await ctx.stripe.prices.retrieve(offer.stripe.priceId as string);
    expect(price).toMatchObject({ unit_amount: 50, currency: 'usd', active: true, type: 'one_time' });
    const changed = (
      await owner.patch(`/api/v1/offers/${offer.id}`, { pricing: { ...oneTime, amountMinor: 75 } })
    ).json();
    expect(changed.stripe.priceId).not.toBe(offer.stripe.priceId);
    expect((await ctx.stripe.prices.retrieve(offer.stripe.priceId as string)).active).toBe(false);
    expect((await ctx.stripe.prices.retrieve(changed.stripe.priceId)).unit_amount).toBe(75);
    // Saving again without a price change makes nothing new.
    const same = (await owner.patch(`/api/v1/offers/${offer.id}`, { title: 'Renamed Circle' })).json();
    expect(same.stripe.priceId).toBe(changed.stripe.priceId);
    expect((await ctx.stripe.products.retrieve(same.stripe.productId)).name).toBe('Renamed Circle');

    const recurring = await paidOffer({ ...monthly, trialDays: 7 });
    const monthlyPrice = await ctx.stripe.prices.retrieve(recurring.stripe.priceId as string);
    expect(monthlyPrice.recurring).toMatchObject({ interval: 'month', interval_count: 1 });
    const started = await submitCheckout(client(ctx), recurring.slug, {
      email: 'sub@example.test',
      name: 'Sub',
    });
    const session = await ctx.stripe.checkout.sessions.retrieve(
      sessionIdOf(started.headers.location as string),
    );
    expect(session.mode).toBe('subscription');
  });
});

describe('a one-time purchase', () => {
  it('goes through Stripe, grants once through the webhook, and signs in only the browser that paid', async () => {
    const offer = await paidOffer(oneTime);
    const page = await client(ctx).get(`/checkout/${offer.slug}`);
    expect(page.body).toContain('Buy now · $0.50');

    const { browser, sessionId, paid } = await buy(offer.slug, 'ana@example.test');
    expect(paid.status).toBe(200);
    const pending = await purchaseOf('ana@example.test');
    expect(pending.status).toBe('pending');
    const session = await ctx.stripe.checkout.sessions.retrieve(sessionId);
    expect(session).toMatchObject({ mode: 'payment', client_reference_id: pending.id, amount_total: 50 });
    expect(session.metadata).toMatchObject({ guildhall_purchase: pending.id, guildhall_offer: offer.id });

    // Every event twice: one entitlement, one payment.
    const responses = await ctx.deliver({ twice: true });
    expect(responses.every((r) => r.statusCode === 200)).toBe(true);
    expect(await entitlementsOfEmail('ana@example.test')).toHaveLength(1);
    const purchase = await purchaseOf('ana@example.test');
    expect(purchase.status).toBe('fulfilled');
    const payments = await ctx.db
      .selectFrom('payments')
      .selectAll()
      .where('purchaseId', '=', purchase.id)
      .execute();
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({ amountMinor: 50, currency: 'usd', refundedMinor: 0 });
    expect(await canEnterYoga('ana@example.test')).toBe(true);
    const listed = (await owner.get(`/api/v1/offers/${offer.id}`)).json();
    expect(listed).toMatchObject({ buyerCount: 1, revenue: { amountMinor: 50, currency: 'usd' } });
    // Sales: the purchase, found by the buyer's address, and in the CSV.
    const sales = (await owner.get(`/api/v1/sales?search=ana@&offerId=${offer.id}`)).json();
    expect(sales.data).toEqual([
      expect.objectContaining({
        buyer: expect.objectContaining({ email: 'ana@example.test' }),
        offer: { id: offer.id, title: expect.any(String) },
        amount: { amountMinor: 50, currency: 'usd' },
        status: 'fulfilled',
      }),
    ]);
    const csv = await owner.get(`/api/v1/sales/export?offerId=${offer.id}`);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body).toContain('"ana@example.test","Buyer"');
    expect(csv.body).toContain('"0.50","0.00","usd","fulfilled"');

    // The return URL after the webhook: signs this browser in, then into the group.
    const back = await browser.get(`/checkout/return?session_id=${sessionId}`);
    expect(back.statusCode).toBe(303);
    const done = await browser.get(back.headers.location as string);
    expect(done.headers.location).toBe(`/hub/g/${yoga.slug}`);
    expect((await browser.get('/api/v1/me')).json().email).toBe('ana@example.test');
    // A leaked return URL signs no one in.
    const stranger = client(ctx);
    const leaked = await stranger.get(`/checkout/return?session_id=${sessionId}`);
    expect(leaked.statusCode).toBe(200);
    expect(leaked.body).toContain('We emailed the address you paid with a link to sign in');
    expect(leaked.body).not.toContain('ana@example.test');
    expect((await stranger.get('/api/v1/me')).statusCode).toBe(401);
    // A made-up session id is answered from our own rows: it never costs a call to Stripe.
    const calls = vi.spyOn(ctx.services.stripe, 'client');
    const madeUp = await stranger.get('/checkout/return?session_id=cs_test_madeup123');
    expect(madeUp.statusCode).toBe(404);
    expect(calls).not.toHaveBeenCalled();
    calls.mockRestore();
    expect(await entitlementsOfEmail('ana@example.test')).toHaveLength(1);
  });

  it('is fulfilled by the return URL when it comes before the webhook, and the webhook then changes nothing', async () => {
    const offer = await paidOffer(oneTime);
    const { browser, sessionId } = await buy(offer.slug, 'ben@example.test');
    const back = await browser.get(`/checkout/return?session_id=${sessionId}`);
    expect(back.statusCode).toBe(303);
    expect((await purchaseOf('ben@example.test')).status).toBe('fulfilled');
    await ctx.deliver();
    expect(await entitlementsOfEmail('ben@example.test')).toHaveLength(1);
    expect(
      await ctx.db.selectFrom('payments').select('id').where('offerId', '=', offer.id).execute(),
    ).toHaveLength(1);
  });

  it('grants once when two fulfilments of one purchase run at the same time', async () => {
    const offer = await paidOffer(oneTime);
    const { sessionId } = await buy(offer.slug, 'cai@example.test');
    const read = await ctx.services.billing.readCheckoutSession(ctx.stripe, sessionId);
    await Promise.all(Array.from({ length: 6 }, () => ctx.services.billing.completeCheckout(read)));
    expect(await entitlementsOfEmail('cai@example.test')).toHaveLength(1);
    const purchase = await purchaseOf('cai@example.test');
    const changes = await ctx.db
      .selectFrom('entitlementChanges')
      .select('id')
      .where('entitlementId', '=', purchase.entitlementId as string)
      .execute();
    expect(changes).toHaveLength(1);
  });

  it('applies one event delivered several times at once exactly once', async () => {
    const offer = await paidOffer(oneTime);
    await buy(offer.slug, 'gil@example.test');
    const events = await ctx.pendingEvents();
    const payloads = events.map((event) => JSON.stringify(event));
    const signed = await Promise.all(
      payloads.map(async (payload) => [payload, await ctx.sign(payload)] as const),
    );
    const responses = await Promise.all(
      signed.flatMap(([payload, signature]) => Array.from({ length: 4 }, () => ctx.post(payload, signature))),
    );
    expect(responses.map((r) => r.statusCode).filter((s) => s !== 200)).toEqual([]);
    // Once more, in order: replays change nothing.
    await ctx.deliver({ events });
    expect(await entitlementsOfEmail('gil@example.test')).toHaveLength(1);
    expect(
      await ctx.db.selectFrom('payments').select('id').where('offerId', '=', offer.id).execute(),
    ).toHaveLength(1);
    expect((await owner.get(`/api/v1/offers/${offer.id}`)).json().revenue.amountMinor).toBe(50);
  });

  it('refuses forged, stale and missing signatures, and changes nothing', async () => {
    const offer = await paidOffer(oneTime);
    await buy(offer.slug, 'dee@example.test');
    const [completed] = await ctx.pendingEvents((event) => event.type === 'checkout.session.completed');
    if (!completed) throw new Error('no checkout event');
    const payload = JSON.stringify(completed);
    const forged = await ctx.post(payload, await ctx.sign(payload, { secret: 'whsec_not_ours' }));
    const stale = await ctx.post(
      payload,
      await ctx.sign(payload, { timestamp: Math.floor(Date.now() / 1000) - 3600 }),
    );
    const missing = await ctx.post(payload, undefined);
    const tampered = await ctx.post(payload.replace('"paid"', '"unpaid"'), await ctx.sign(payload));
    for (const response of [forged, stale, missing, tampered]) {
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('invalid_signature');
    }
    expect((await purchaseOf('dee@example.test')).status).toBe('pending');
    expect(
      await ctx.db.selectFrom('stripeEvents').select('id').where('id', '=', completed.id).execute(),
    ).toHaveLength(0);
    await ctx.deliver();
    expect((await purchaseOf('dee@example.test')).status).toBe('fulfilled');
  });

  it('ignores Stripe objects that are not Guildhall’s', async () => {
    const price = await ctx.stripe.prices.create({
      unit_amount: 500,
      currency: 'usd',
      product_data: { name: 'Other shop' },
    });
    const session = await ctx.stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [{ price: price.id, quantity: 1 }],
      success_url: 'https://shop.example/ok',
    });
    await ctx.pay(session.id);
    const responses = await ctx.deliver();
    expect(responses.every((r) => r.statusCode === 200)).toBe(true);
    expect(
      await ctx.db.selectFrom('purchases').select('id').where('email', '=', 'shop@example.test').execute(),
    ).toHaveLength(0);
  });

  it('a declined card leaves nothing behind; Cancel on Stripe’s page changes nothing', async () => {
    const offer = await paidOffer(oneTime);
    const { paid, location } = await buy(offer.slug, 'eve@example.test', '4000000000000002');
    expect(paid.status).toBe(402);
    await ctx.deliver();
    expect((await purchaseOf('eve@example.test')).status).toBe('pending');
    expect(
      await ctx.db.selectFrom('users').select('id').where('email', '=', 'eve@example.test').execute(),
    ).toHaveLength(0);
    // A second click while the session is open goes back to the same session.
    const again = await submitCheckout(client(ctx), offer.slug, { email: 'eve@example.test', name: 'Eve' });
    expect(again.headers.location).toBe(location);
  });

  it('tells a buyer who already has the offer instead of charging twice', async () => {
    const offer = await paidOffer(oneTime);
    const { browser, sessionId } = await buy(offer.slug, 'fay@example.test');
    await browser.get(`/checkout/return?session_id=${sessionId}`);
    const signedIn = await submitCheckout(browser, offer.slug, {
      email: '',
      name: '',
      csrf: browser.cookies.gh_csrf ?? '',
    });
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.body).toContain('You already have this membership');
    // The public pages know the visitor: "Open Yoga", not "Buy now".
    const page = await browser.get(`/offers/${offer.slug}`);
    expect(page.body).toContain(`href="/hub/g/${yoga.slug}">Open Yoga</a>`);
    expect(page.body).not.toContain('Buy now');
    expect((await client(ctx).get(`/offers/${offer.slug}`)).body).toContain('Buy now');
    const stranger = await submitCheckout(client(ctx), offer.slug, {
      email: 'fay@example.test',
      name: 'Fay',
    });
    expect(stranger.body).toContain(
      'fay@example.test already has this membership: we emailed it a link to sign in.',
    );
    const sent = await ctx.db
      .selectFrom('emails')
      .select('kind')
      .where('toAddress', '=', 'fay@example.test')
      .execute();
    expect(sent.map((e) => e.kind)).toContain('magic_link');
  });
});
