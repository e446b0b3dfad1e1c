// The rest of issue 5's checklist: every resource and test control not covered in api.test.ts, each
// change checked with a later retrieve through the official SDK; expansion of the fields Guildhall
// uses; and what the 3D Secure test cards do.
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StripeEmulator, startStripeEmulator, stripeClientFor } from './index.ts';
import { advanceClock, control } from './test-support.ts';

const day = 86_400;
let emulator: StripeEmulator;
let keys = 0;

function freshClient(): Stripe {
  keys += 1;
  return stripeClientFor(emulator.url, `sk_test_state_${keys}`);
}

beforeAll(async () => {
  emulator = await startStripeEmulator();
});
afterAll(async () => {
  await emulator.close();
});

async function price(client: Stripe, amount: number, recurring = true): Promise<Stripe.Price> {
  const product = await client.products.create({ name: `Offer ${amount}` });
  return client.prices.create({
    product: product.id,
    currency: 'usd',
    unit_amount: amount,
    ...(recurring ? { recurring: { interval: 'month' as const } } : {}),
  });
}

async function subscribed(client: Stripe, amount = 1000) {
  const monthly = await price(client, amount);
  const customer = await client.customers.create({
    email: 'sub@example.com',
    payment_method: 'pm_card_visa',
  });
  const subscription = await client.subscriptions.create({
    customer: customer.id,
    items: [{ price: monthly.id }],
  });
  return { monthly, customer, subscription };
}

async function pay(sessionId: string, body: Record<string, unknown>) {
  return control<{ status: string; redirect?: string; error?: { code: string } }>(
    emulator.url,
    `checkout/sessions/${sessionId}/pay`,
    body,
  );
}

async function events(client: Stripe, type: string): Promise<Stripe.Event[]> {
  return (await client.events.list({ type, limit: 100 })).data;
}

describe('account', () => {
  it('retrieves its own account by id and no other', async () => {
    const client = freshClient();
    const own = await client.accounts.retrieve(null);
    expect((await client.accounts.retrieve(own.id)).id).toBe(own.id);
    const other = await freshClient().accounts.retrieve(null);
    await expect(client.accounts.retrieve(other.id)).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe('expansion of the fields Guildhall uses', () => {
  it('checkout session (payment mode) → customer, payment_intent, line_items; ids otherwise', async () => {
    const client = freshClient();
    const once = await price(client, 2500, false);
    const session = await client.checkout.sessions.create({
      mode: 'payment',
      line_items: [{ price: once.id, quantity: 1 }],
      success_url: 'http://127.0.0.1:9/ok',
      customer_creation: 'always',
      customer_email: 'buyer@example.com',
    });
    await pay(session.id, { card: '4242424242424242' });
    const plain = await client.checkout.sessions.retrieve(session.id);
    expect(plain.customer).toMatch(/^cus_/);
    expect(plain.payment_intent).toMatch(/^pi_/);
    expect(plain).not.toHaveProperty('line_items');
    const expanded = await client.checkout.sessions.retrieve(session.id, {
      expand: ['customer', 'payment_intent', 'line_items'],
    });
    expect((expanded.customer as Stripe.Customer).email).toBe('buyer@example.com');
    expect(expanded.payment_intent as Stripe.PaymentIntent).toMatchObject({
      id: plain.payment_intent,
      status: 'succeeded',
      amount_received: 2500,
    });
    expect(expanded.line_items?.data.map((item) => item.price?.id)).toEqual([once.id]);
    const listed = await client.checkout.sessions.list({ expand: ['data.payment_intent'] });
    expect((listed.data[0]!.payment_intent as Stripe.PaymentIntent).object).toBe('payment_intent');
  });

  it('checkout session (subscription mode) → subscription, customer, line_items; subscription → latest_invoice', async () => {
    const client = freshClient();
    const monthly = await price(client, 1200);
    const session = await client.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: monthly.id, quantity: 1 }],
      success_url: 'http://127.0.0.1:9/ok',
      customer_email: 'member@example.com',
    });
    await pay(session.id, { card: '4242424242424242' });
    const expanded = await client.checkout.sessions.retrieve(session.id, {
      expand: ['subscription', 'customer', 'line_items'],
    });
    const subscription = expanded.subscription as Stripe.Subscription;
    expect(subscription).toMatchObject({ object: 'subscription', status: 'active' });
    expect(expanded.customer as Stripe.Customer).toMatchObject({
      object: 'customer',
      email: 'member@example.com',
    });
    expect(expanded.line_items?.data[0]).toMatchObject({ amount_total: 1200, quantity: 1 });
    expect(typeof subscription.latest_invoice).toBe('string');
    const withInvoice = await client.subscriptions.retrieve(subscription.id, { expand: ['latest_invoice'] });
    expect(withInvoice.latest_invoice as Stripe.Invoice).toMatchObject({
      id: subscription.latest_invoice,
      status: 'paid',
      amount_paid: 1200,
    });
    const listed = await client.subscriptions.list({ expand: ['data.latest_invoice'] });
    expect((listed.data[0]!.latest_invoice as Stripe.Invoice).object).toBe('invoice');
  });

  it('refuses to expand what is not expandable, naming expand', async () => {
    const client = freshClient();
    const { subscription } = await subscribed(client);
    await expect(
      client.subscriptions.retrieve(subscription.id, { expand: ['status'] }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'expand' });
  });
});

describe('checkout sessions', () => {
  it('updates metadata', async () => {
    const client = freshClient();
    const once = await price(client, 900, false);
    const session = await client.checkout.sessions.create({
      mode: 'payment',
      line_items: [{ price: once.id, quantity: 1 }],
      success_url: 'http://127.0.0.1:9/ok',
      metadata: { a: '1' },
    });
    await client.checkout.sessions.update(session.id, { metadata: { b: '2' } });
    expect((await client.checkout.sessions.retrieve(session.id)).metadata).toEqual({ a: '1', b: '2' });
  });
});

describe('payment intents and charges', () => {
  it('create → update → confirm → retrieve; cancel; list by customer', async () => {
    const client = freshClient();
    const customer = await client.customers.create({ email: 'pi@example.com' });
    const intent = await client.paymentIntents.create({
      amount: 1500,
      currency: 'usd',
      customer: customer.id,
    });
    expect((await client.paymentIntents.retrieve(intent.id)).status).toBe('requires_payment_method');
    await client.paymentIntents.update(intent.id, { metadata: { order: 'o1' }, description: 'Workshop' });
    expect(await client.paymentIntents.retrieve(intent.id)).toMatchObject({
      metadata: { order: 'o1' },
      description: 'Workshop',
    });
    await client.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' });
    const confirmed = await client.paymentIntents.retrieve(intent.id, { expand: ['latest_charge'] });
    expect(confirmed).toMatchObject({ status: 'succeeded', amount_received: 1500 });
    expect(confirmed.latest_charge as Stripe.Charge).toMatchObject({ paid: true, customer: customer.id });

    const abandoned = await client.paymentIntents.create({
      amount: 800,
      currency: 'usd',
      customer: customer.id,
    });
    await client.paymentIntents.cancel(abandoned.id, { cancellation_reason: 'requested_by_customer' });
    expect(await client.paymentIntents.retrieve(abandoned.id)).toMatchObject({
      status: 'canceled',
      cancellation_reason: 'requested_by_customer',
    });
    await expect(client.paymentIntents.cancel(intent.id)).rejects.toMatchObject({ statusCode: 400 });
    const listed = await client.paymentIntents.list({ customer: customer.id });
    expect(listed.data.map((i) => i.id).sort()).toEqual([intent.id, abandoned.id].sort());
  });

  it('updates a charge, with charge.updated', async () => {
    const client = freshClient();
    const intent = await client.paymentIntents.create({
      amount: 1000,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
    });
    const chargeId = String(intent.latest_charge);
    await client.charges.update(chargeId, { metadata: { note: 'vip' }, description: 'Ticket' });
    expect(await client.charges.retrieve(chargeId)).toMatchObject({
      metadata: { note: 'vip' },
      description: 'Ticket',
    });
    const [updated] = await events(client, 'charge.updated');
    expect(updated?.data.previous_attributes).toMatchObject({ description: null });
  });
});

describe('refunds and disputes', () => {
  async function paidCharge(client: Stripe, amount = 4000): Promise<Stripe.Charge> {
    const intent = await client.paymentIntents.create({
      amount,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
    });
    return client.charges.retrieve(String(intent.latest_charge));
  }

  it('retrieves and updates a refund; the charge lists it; list by payment_intent', async () => {
    const client = freshClient();
    const charge = await paidCharge(client);
    const refund = await client.refunds.create({
      charge: charge.id,
      amount: 1500,
      reason: 'requested_by_customer',
    });
    expect(await client.refunds.retrieve(refund.id)).toMatchObject({
      amount: 1500,
      charge: charge.id,
      reason: 'requested_by_customer',
      status: 'succeeded',
    });
    await client.refunds.update(refund.id, { metadata: { ticket: 't1' } });
    expect((await client.refunds.retrieve(refund.id)).metadata).toEqual({ ticket: 't1' });
    const reread = await client.charges.retrieve(charge.id, { expand: ['refunds'] });
    expect(reread.refunds?.data.map((r) => r.id)).toEqual([refund.id]);
    expect(reread).toMatchObject({ amount_refunded: 1500, refunded: false });
    const byIntent = await client.refunds.list({ payment_intent: String(charge.payment_intent) });
    expect(byIntent.data.map((r) => r.id)).toEqual([refund.id]);
    const [created] = await events(client, 'refund.created');
    expect((created!.data.object as Stripe.Refund).id).toBe(refund.id);
  });

  it('a dispute: evidence saved, then submitted, then closed through the API; listed by charge', async () => {
    const client = freshClient();
    const charge = await paidCharge(client);
    const opened = await control<Stripe.Dispute>(emulator.url, `charges/${charge.id}/dispute`, {
      reason: 'product_not_received',
      amount: 2000,
    });
    expect(opened.status).toBe(200);
    await client.disputes.update(opened.body.id, {
      evidence: { customer_email_address: 'buyer@example.com', uncategorized_text: 'Delivered.' },
      submit: false,
    });
    let dispute = await client.disputes.retrieve(opened.body.id);
    expect(dispute).toMatchObject({
      status: 'needs_response',
      amount: 2000,
      reason: 'product_not_received',
      evidence: { customer_email_address: 'buyer@example.com', uncategorized_text: 'Delivered.' },
      evidence_details: { has_evidence: true, submission_count: 0 },
    });
    await client.disputes.update(dispute.id, { evidence: { product_description: 'Course' } });
    expect((await client.disputes.retrieve(dispute.id)).status).toBe('under_review');
    await client.disputes.close(dispute.id);
    dispute = await client.disputes.retrieve(dispute.id);
    expect(dispute.status).toBe('lost');
    expect((await client.disputes.list({ charge: charge.id })).data.map((d) => d.id)).toEqual([dispute.id]);
    const types = (await client.events.list({ type: 'charge.dispute.*' })).data.map((e) => e.type).reverse();
    expect(types).toEqual([
      'charge.dispute.created',
      'charge.dispute.funds_withdrawn',
      'charge.dispute.updated',
      'charge.dispute.updated',
      'charge.dispute.closed',
    ]);
  });
});

describe('subscriptions and invoices', () => {
  it('cancel_at_period_end and its undo, with the cancellation reason', async () => {
    const client = freshClient();
    const { subscription } = await subscribed(client);
    await client.subscriptions.update(subscription.id, { cancel_at_period_end: true });
    let reread = await client.subscriptions.retrieve(subscription.id);
    expect(reread).toMatchObject({
      cancel_at_period_end: true,
      cancel_at: subscription.items.data[0]?.current_period_end,
      cancellation_details: { reason: 'cancellation_requested' },
    });
    await client.subscriptions.update(subscription.id, { cancel_at_period_end: false });
    reread = await client.subscriptions.retrieve(subscription.id);
    expect(reread).toMatchObject({ cancel_at_period_end: false, cancel_at: null, canceled_at: null });
    const [undo] = await events(client, 'customer.subscription.updated');
    expect(undo?.data.previous_attributes).toMatchObject({ cancel_at_period_end: true });
  });

  it('a new price applies from the next invoice; a new default card is kept', async () => {
    const client = freshClient();
    const { customer, subscription } = await subscribed(client, 1000);
    const dearer = await price(client, 3000);
    const item = subscription.items.data[0]!;
    await client.subscriptions.update(subscription.id, {
      items: [{ id: item.id, price: dearer.id }],
      proration_behavior: 'none',
    });
    expect((await client.subscriptions.retrieve(subscription.id)).items.data[0]?.price.id).toBe(dearer.id);
    const card = await client.paymentMethods.attach('pm_card_mastercard', { customer: customer.id });
    await client.subscriptions.update(subscription.id, { default_payment_method: card.id });
    expect((await client.subscriptions.retrieve(subscription.id)).default_payment_method).toBe(card.id);
    await advanceClock(emulator.url, item.current_period_end - item.current_period_start);
    const renewed = await client.subscriptions.retrieve(subscription.id, { expand: ['latest_invoice'] });
    const invoice = renewed.latest_invoice as Stripe.Invoice;
    expect(invoice).toMatchObject({
      amount_paid: 3000,
      status: 'paid',
      billing_reason: 'subscription_cycle',
    });
    const payments = await client.invoicePayments.list({
      invoice: invoice.id,
      expand: ['data.payment.payment_intent'],
    });
    const intent = payments.data[0]?.payment.payment_intent as Stripe.PaymentIntent;
    expect(intent.payment_method).toBe(card.id);
  });

  it('trial_end=now ends a trial at once and bills it', async () => {
    const client = freshClient();
    const monthly = await price(client, 1000);
    const customer = await client.customers.create({
      email: 't@example.com',
      payment_method: 'pm_card_visa',
    });
    const subscription = await client.subscriptions.create({
      customer: customer.id,
      items: [{ price: monthly.id }],
      trial_period_days: 14,
    });
    expect(subscription.status).toBe('trialing');
    await client.subscriptions.update(subscription.id, { trial_end: 'now' });
    const reread = await client.subscriptions.retrieve(subscription.id, { expand: ['latest_invoice'] });
    expect(reread.status).toBe('active');
    expect(reread.latest_invoice as Stripe.Invoice).toMatchObject({ status: 'paid', amount_paid: 1000 });
  });

  it('updates an invoice, lists its lines, and pays a failed one with another card', async () => {
    const client = freshClient();
    const { customer, subscription } = await subscribed(client, 1000);
    const first = String(subscription.latest_invoice);
    await client.invoices.update(first, { metadata: { membership: 'm1' } });
    expect((await client.invoices.retrieve(first)).metadata).toEqual({ membership: 'm1' });
    const lines = await client.invoices.listLineItems(first);
    expect(lines.data[0]).toMatchObject({ amount: 1000, quantity: 1 });

    await control(emulator.url, `subscriptions/${subscription.id}/fail-next-payment`, {});
    const item = subscription.items.data[0]!;
    await advanceClock(emulator.url, item.current_period_end - item.current_period_start);
    const pastDue = await client.subscriptions.retrieve(subscription.id);
    expect(pastDue.status).toBe('past_due');
    const open = String(pastDue.latest_invoice);
    await expect(client.invoices.pay(open)).rejects.toMatchObject({ statusCode: 402, code: 'card_declined' });
    expect(await client.invoices.retrieve(open)).toMatchObject({ status: 'open', attempt_count: 2 });
    const card = await client.paymentMethods.attach('pm_card_mastercard', { customer: customer.id });
    await client.invoices.pay(open, { payment_method: card.id });
    expect(await client.invoices.retrieve(open)).toMatchObject({
      status: 'paid',
      next_payment_attempt: null,
    });
    expect((await client.subscriptions.retrieve(subscription.id)).status).toBe('active');
    await expect(client.invoices.pay(open)).rejects.toMatchObject({ statusCode: 400 });
  });
});

describe('3D Secure cards (4000 0000 0000 3220, 4000 0025 0000 3155)', () => {
  async function paymentSession(client: Stripe) {
    const once = await price(client, 3000, false);
    return client.checkout.sessions.create({
      mode: 'payment',
      line_items: [{ price: once.id, quantity: 1 }],
      success_url: 'http://127.0.0.1:9/ok?s={CHECKOUT_SESSION_ID}',
      customer_email: '3ds@example.com',
    });
  }

  it('asks for authentication; a failed one leaves the session open; a completed one pays', async () => {
    const client = freshClient();
    const session = await paymentSession(client);
    const asked = await pay(session.id, { card: '4000 0000 0000 3220' });
    expect(asked).toMatchObject({ status: 200, body: { status: 'requires_action' } });
    expect((await client.checkout.sessions.retrieve(session.id)).status).toBe('open');

    const failed = await pay(session.id, { card: '4000 0000 0000 3220', authenticate: 'fail' });
    expect(failed.status).toBe(402);
    expect(failed.body.error?.code).toBe('payment_intent_authentication_failure');
    expect(await client.checkout.sessions.retrieve(session.id)).toMatchObject({
      status: 'open',
      payment_status: 'unpaid',
    });
    expect(await events(client, 'checkout.session.completed')).toHaveLength(0);

    const done = await pay(session.id, { card: '4000 0000 0000 3220', authenticate: 'complete' });
    expect(done.body).toMatchObject({
      status: 'succeeded',
      redirect: `http://127.0.0.1:9/ok?s=${session.id}`,
    });
    const paid = await client.checkout.sessions.retrieve(session.id, { expand: ['payment_intent'] });
    expect(paid).toMatchObject({ status: 'complete', payment_status: 'paid' });
    expect((paid.payment_intent as Stripe.PaymentIntent).status).toBe('succeeded');
    expect(await events(client, 'checkout.session.completed')).toHaveLength(1);
  });

  it('renewals: 3220 fails off-session (authentication_required); 3155, once saved, renews', async () => {
    const client = freshClient();
    const monthly = await price(client, 1000);
    const subscriptionFor = async (card: string) => {
      const session = await client.checkout.sessions.create({
        mode: 'subscription',
        line_items: [{ price: monthly.id, quantity: 1 }],
        success_url: 'http://127.0.0.1:9/ok',
        customer_email: `${card}@example.com`,
      });
      expect((await pay(session.id, { card, authenticate: 'complete' })).body.status).toBe('succeeded');
      return String((await client.checkout.sessions.retrieve(session.id)).subscription);
    };
    const always = await subscriptionFor('4000000000003220');
    const onceSetUp = await subscriptionFor('4000002500003155');
    expect((await client.subscriptions.retrieve(always)).status).toBe('active');
    const item = (await client.subscriptions.retrieve(always)).items.data[0]!;
    await advanceClock(emulator.url, item.current_period_end - item.current_period_start);

    const failing = await client.subscriptions.retrieve(always, { expand: ['latest_invoice.payments'] });
    expect(failing.status).toBe('past_due');
    const failedIntents = await client.paymentIntents.list({ customer: String(failing.customer) });
    expect(failedIntents.data[0]?.last_payment_error?.code).toBe('authentication_required');
    const renewed = await client.subscriptions.retrieve(onceSetUp, { expand: ['latest_invoice'] });
    expect(renewed.status).toBe('active');
    expect(renewed.latest_invoice as Stripe.Invoice).toMatchObject({
      status: 'paid',
      billing_reason: 'subscription_cycle',
    });
  });
});

describe('test controls, read back', () => {
  it('the clock: GET shows the advance and new objects are created at the emulator’s time', async () => {
    const client = freshClient();
    const before = await control<{ now: number }>(emulator.url, 'clock');
    await advanceClock(emulator.url, 3 * day);
    const after = await control<{ now: number }>(emulator.url, 'clock');
    expect(after.body.now - before.body.now).toBeGreaterThanOrEqual(3 * day);
    const customer = await client.customers.create({ email: 'late@example.com' });
    expect(Math.abs(customer.created - after.body.now)).toBeLessThan(5);
    const negative = await control(emulator.url, 'clock/advance', { seconds: -1 });
    expect(negative.status).toBe(400);
  });

  it('the account control takes requirements.currently_due (JSON or form) and undoes it', async () => {
    const client = freshClient();
    const account = await client.accounts.retrieve(null);
    await control(emulator.url, `accounts/${account.id}`, {
      charges_enabled: false,
      requirements: { currently_due: ['individual.verification.document'] },
    });
    expect(await client.accounts.retrieve(null)).toMatchObject({
      charges_enabled: false,
      details_submitted: true,
      requirements: {
        currently_due: ['individual.verification.document'],
        disabled_reason: 'requirements.past_due',
      },
    });
    const form = await fetch(`${emulator.url}/_emulator/accounts/${account.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'charges_enabled=true&details_submitted=true&currently_due=',
    });
    expect(form.status).toBe(200);
    const reread = await client.accounts.retrieve(null);
    expect(reread).toMatchObject({ charges_enabled: true, requirements: { currently_due: [] } });
    expect(await events(client, 'account.updated')).toHaveLength(2);
  });

  it('controls answer 404 for objects that do not exist', async () => {
    for (const path of [
      'subscriptions/sub_missing/fail-next-payment',
      'charges/ch_missing/dispute',
      'events/evt_missing/redeliver',
      'checkout/sessions/cs_test_missing/pay',
      'accounts/acct_missing',
    ]) {
      const result = await control(
        emulator.url,
        path,
        path.endsWith('/pay') ? { card: '4242424242424242' } : {},
      );
      expect([path, result.status]).toEqual([path, 404]);
    }
  });

  it('GET /_emulator/events filters by type and account, oldest first', async () => {
    const a = freshClient();
    const b = freshClient();
    const first = await a.customers.create({ email: '1@example.com' });
    const second = await a.customers.create({ email: '2@example.com' });
    await b.customers.create({ email: 'other@example.com' });
    const account = (await a.accounts.retrieve(null)).id;
    const listed = await control<{
      data: { type: string; account: string; data: { object: { id: string } } }[];
    }>(emulator.url, `events?type=customer.created&account=${account}`);
    expect(listed.body.data.map((e) => e.data.object.id)).toEqual([first.id, second.id]);
    expect(listed.body.data.every((e) => e.account === account && e.type === 'customer.created')).toBe(true);
  });

  it('GET /_emulator/requests filters by account and records replays', async () => {
    const client = freshClient();
    await client.products.create({ name: 'R' }, { idempotencyKey: 'req-1' });
    await client.products.create({ name: 'R' }, { idempotencyKey: 'req-1' });
    const account = (await client.accounts.retrieve(null)).id;
    const log = await control<{
      data: { method: string; path: string; replayed: boolean; account: string }[];
    }>(emulator.url, `requests?account=${account}`);
    expect(log.body.data.map((r) => [r.method, r.path, r.replayed])).toEqual([
      ['POST', '/v1/products', false],
      ['POST', '/v1/products', true],
      ['GET', '/v1/account', false],
    ]);
  });
});
