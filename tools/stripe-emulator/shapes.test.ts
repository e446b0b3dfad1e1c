// Object shapes against Stripe's own fixtures (fixtures/fixtures3.json): every field Stripe's
// fixture has exists on the emulator's object, with the same JSON type (or null where either side is
// nullable), at the top level and one level down; and the fields Guildhall reads have the types it needs.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StripeEmulator, startStripeEmulator, stripeClientFor } from './index.ts';
import { control, submitOnboarding } from './test-support.ts';

// Stripe's fixtures (MIT, see fixtures/LICENSE), copied into the repository so the comparison runs
// wherever the tests do.
const fixturesPath = fileURLToPath(new URL('./fixtures/fixtures3.json', import.meta.url));
const fixtures = JSON.parse(readFileSync(fixturesPath, 'utf8')).resources as Record<
  string,
  Record<string, unknown>
>;

/** Fields of the fixtures this API version no longer has (the SDK's types dropped them too). */
const goneInThisVersion: Record<string, string[]> = {
  // Since 2025-03-31 an invoice names its subscription under parent.subscription_details.
  invoice: ['subscription'],
};

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

function mismatches(
  ours: Record<string, unknown>,
  theirs: Record<string, unknown>,
  skip: string[],
  path = '',
  depth = 0,
): string[] {
  const out: string[] = [];
  for (const [key, expected] of Object.entries(theirs)) {
    if (skip.includes(`${path}${key}`)) continue;
    if (!(key in ours)) {
      out.push(`missing ${path}${key}`);
      continue;
    }
    const actual = ours[key];
    const [a, b] = [jsonType(actual), jsonType(expected)];
    if (a !== b && a !== 'null' && b !== 'null') out.push(`${path}${key}: ${a}, Stripe has ${b}`);
    const nested =
      a === 'object' &&
      b === 'object' &&
      key !== 'metadata' &&
      (expected as { object?: string }).object !== 'list';
    if (nested && depth < 2) {
      out.push(
        ...mismatches(
          actual as Record<string, unknown>,
          expected as Record<string, unknown>,
          skip,
          `${path}${key}.`,
          depth + 1,
        ),
      );
    }
  }
  return out;
}

let emulator: StripeEmulator;
const objects: Record<string, unknown> = {};

beforeAll(async () => {
  emulator = await startStripeEmulator();
  const stripe = stripeClientFor(emulator.url, 'sk_test_shapes');
  const product = await stripe.products.create({ name: 'Guild' });
  const price = await stripe.prices.create({
    product: product.id,
    currency: 'usd',
    unit_amount: 1500,
    recurring: { interval: 'month' },
  });
  const session = await stripe.checkout.sessions.create({
    mode: 'subscription',
    line_items: [{ price: price.id, quantity: 1 }],
    success_url: 'http://127.0.0.1:9/ok',
    customer_email: 'shapes@example.com',
  });
  await control(emulator.url, `checkout/sessions/${session.id}/pay`, { card: '4242424242424242' });
  const paidSession = await stripe.checkout.sessions.retrieve(session.id);
  const subscription = await stripe.subscriptions.retrieve(String(paidSession.subscription));
  const invoice = await stripe.invoices.retrieve(String(subscription.latest_invoice));
  const intent = await stripe.paymentIntents.create({
    amount: 2000,
    currency: 'usd',
    payment_method: 'pm_card_visa',
    confirm: true,
  });
  const charge = await stripe.charges.retrieve(String(intent.latest_charge));
  const refund = await stripe.refunds.create({ charge: charge.id, amount: 500 });
  const opened = await control<{ id: string }>(emulator.url, `charges/${charge.id}/dispute`, {});
  const dispute = await stripe.disputes.retrieve(opened.body.id);
  const event = (await stripe.events.list({ type: 'customer.subscription.created' })).data[0];
  const customer = await stripe.customers.retrieve(String(paidSession.customer));
  const affiliate = await stripe.accounts.create({
    type: 'express',
    email: 'affiliate@example.com',
    capabilities: { transfers: { requested: true } },
  });
  const link = await stripe.accountLinks.create({
    account: affiliate.id,
    type: 'account_onboarding',
    refresh_url: 'http://127.0.0.1:9/refresh',
    return_url: 'http://127.0.0.1:9/return',
  });
  await submitOnboarding(emulator.url, link.url);
  const connected = await stripe.accounts.retrieve(affiliate.id);
  const transfer = await stripe.transfers.create({
    amount: 1100,
    currency: 'usd',
    destination: affiliate.id,
  });
  const reversal = await stripe.transfers.createReversal(transfer.id, { amount: 100 });
  Object.assign(objects, {
    connected,
    bank_account: connected.external_accounts?.data[0],
    account_link: link,
    transfer: await stripe.transfers.retrieve(transfer.id),
    transfer_reversal: reversal,
    'checkout.session': paidSession,
    item: (await stripe.checkout.sessions.listLineItems(session.id)).data[0],
    subscription,
    subscription_item: subscription.items.data[0],
    invoice,
    line_item: invoice.lines.data[0],
    payment_intent: await stripe.paymentIntents.retrieve(intent.id),
    charge: await stripe.charges.retrieve(charge.id),
    refund: await stripe.refunds.retrieve(refund.id),
    dispute,
    event,
    customer,
    product: await stripe.products.retrieve(product.id),
    price: await stripe.prices.retrieve(price.id),
    account: await stripe.accounts.retrieve(null),
    payment_method: await stripe.paymentMethods.retrieve(String(subscription.default_payment_method)),
    webhook_endpoint: await stripe.webhookEndpoints.create({
      url: 'http://127.0.0.1:9/hook',
      enabled_events: ['*'],
    }),
    'billing_portal.session': await stripe.billingPortal.sessions.create({ customer: customer.id }),
    'billing_portal.configuration': (await stripe.billingPortal.configurations.list()).data[0],
  });
});
afterAll(async () => {
  await emulator.close();
});

function plain(value: unknown): Record<string, unknown> {
  const { lastResponse: _ignored, ...rest } = value as Record<string, unknown>;
  return JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
}

describe('object shapes follow Stripe’s fixtures', () => {
  const kinds = [
    'checkout.session',
    'item',
    'subscription',
    'subscription_item',
    'invoice',
    'line_item',
    'payment_intent',
    'charge',
    'refund',
    'dispute',
    'customer',
    'product',
    'price',
    'account',
    'payment_method',
    'webhook_endpoint',
    'billing_portal.session',
    'billing_portal.configuration',
    'bank_account',
    'account_link',
    'transfer',
    'transfer_reversal',
  ];
  it.each(kinds)('%s has every field of the fixture, with its type', (kind) => {
    const ours = plain(objects[kind]);
    expect(ours.object).toBe(kind);
    expect(mismatches(ours, fixtures[kind]!, goneInThisVersion[kind] ?? [])).toEqual([]);
  });

  it('a connected Express account, onboarded, has every field of the account fixture', () => {
    const ours = plain(objects.connected);
    expect(ours).toMatchObject({ object: 'account', type: 'express' });
    // An account lists the capabilities requested for it: an affiliate's is transfers alone.
    expect(mismatches(ours, fixtures.account!, ['capabilities.card_payments'])).toEqual([]);
  });

  it('event: the envelope matches; data.object is the object as it was', () => {
    const event = plain(objects.event);
    expect(mismatches(event, fixtures.event!, ['data.object', 'api_version'])).toEqual([]);
    expect(event.api_version).toEqual(expect.any(String));
    const data = event.data as { object: Record<string, unknown> };
    expect(mismatches(data.object, fixtures.subscription!, [])).toEqual([]);
  });
});

describe('the fields Guildhall reads', () => {
  it('checkout.session links its customer, subscription and state', () => {
    const session = objects['checkout.session'] as Stripe.Checkout.Session;
    expect(session).toMatchObject({
      id: expect.stringMatching(/^cs_test_/),
      mode: 'subscription',
      status: 'complete',
      payment_status: 'paid',
      customer: expect.stringMatching(/^cus_/),
      subscription: expect.stringMatching(/^sub_/),
      client_reference_id: null,
      metadata: {},
      expires_at: expect.any(Number),
      url: expect.any(String),
      customer_details: expect.objectContaining({ email: 'shapes@example.com' }),
    });
  });

  it('subscription keeps its period on the items', () => {
    const subscription = objects.subscription as Stripe.Subscription;
    expect(subscription).not.toHaveProperty('current_period_end');
    expect(subscription).toMatchObject({
      status: 'active',
      cancel_at_period_end: false,
      cancel_at: null,
      customer: expect.stringMatching(/^cus_/),
      latest_invoice: expect.stringMatching(/^in_/),
      trial_end: null,
    });
    const item = subscription.items.data[0]!;
    expect(item.current_period_start).toEqual(expect.any(Number));
    expect(item.current_period_end).toBeGreaterThan(item.current_period_start);
    expect(item.price.id).toMatch(/^price_/);
  });

  it('invoice names its subscription under parent, with amounts and status', () => {
    const invoice = objects.invoice as Stripe.Invoice;
    expect(invoice).toMatchObject({
      status: 'paid',
      amount_paid: 1500,
      amount_due: 1500,
      billing_reason: 'subscription_create',
      parent: { type: 'subscription_details', subscription_details: { subscription: expect.any(String) } },
    });
    expect(invoice.lines.data[0]?.period.end).toBeGreaterThan(invoice.lines.data[0]!.period.start);
  });

  it('charge, refund and dispute carry the amounts and links a refund or dispute handler needs', () => {
    const charge = objects.charge as Stripe.Charge;
    expect(charge).toMatchObject({
      amount: 2000,
      amount_refunded: 500,
      refunded: false,
      disputed: true,
      payment_intent: expect.stringMatching(/^pi_/),
    });
    expect(objects.refund).toMatchObject({
      amount: 500,
      charge: charge.id,
      payment_intent: charge.payment_intent,
      status: 'succeeded',
    });
    expect(objects.dispute).toMatchObject({
      amount: 1500,
      charge: charge.id,
      payment_intent: charge.payment_intent,
      status: 'needs_response',
      reason: expect.any(String),
    });
  });
});
