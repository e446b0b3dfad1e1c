// The official SDK against the emulator, resource by resource: each change is checked with a later
// retrieve, not only by the response it gave.
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StripeEmulator, startStripeEmulator, stripeClientFor } from './index.ts';
import { control } from './test-support.ts';

let emulator: StripeEmulator;
let stripe: Stripe;
let keyCounter = 0;

/** A fresh account per test: each distinct key is its own account. */
function freshClient(): Stripe {
  keyCounter += 1;
  return stripeClientFor(emulator.url, `sk_test_api_${keyCounter}_${Date.now()}`);
}

beforeAll(async () => {
  emulator = await startStripeEmulator({ port: 0 });
  stripe = freshClient();
});
afterAll(async () => {
  await emulator.close();
});

async function monthlyPrice(client: Stripe, amount = 1500) {
  const product = await client.products.create({ name: 'Guild membership' });
  const price = await client.prices.create({
    product: product.id,
    currency: 'usd',
    unit_amount: amount,
    recurring: { interval: 'month' },
  });
  return { product, price };
}

describe('authentication and errors', () => {
  it('rejects a key that is not a test key with 401 in Stripe’s shape', async () => {
    const client = stripeClientFor(emulator.url, 'sk_live_nope');
    await expect(client.customers.list()).rejects.toMatchObject({
      type: 'StripeAuthenticationError',
      statusCode: 401,
    });
    const response = await fetch(`${emulator.url}/v1/customers`, {
      headers: { authorization: 'Bearer pk_test_x' },
    });
    expect(response.status).toBe(401);
    const body = (await response.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toContain('Invalid API Key');
  });

  it('gives each key its own account, created on first use', async () => {
    const a = await freshClient().accounts.retrieve(null);
    const b = await freshClient().accounts.retrieve(null);
    expect(a.id).toMatch(/^acct_/);
    expect(a.id).not.toBe(b.id);
    const restricted = await stripeClientFor(emulator.url, 'rk_test_restricted1').accounts.retrieve(null);
    expect(restricted.object).toBe('account');
    expect(a.charges_enabled).toBe(true);
  });

  it('names a missing parameter in `param` and answers 404 for unknown objects', async () => {
    await expect(stripe.products.create({} as Stripe.ProductCreateParams)).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      statusCode: 400,
      code: 'parameter_missing',
      param: 'name',
    });
    await expect(stripe.customers.retrieve('cus_missing')).rejects.toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
      param: 'id',
    });
    const client = freshClient();
    await expect(
      client.checkout.sessions.create({
        mode: 'payment',
        line_items: [{ price: 'price_nope', quantity: 1 }],
        success_url: 'http://127.0.0.1/ok',
      }),
    ).rejects.toMatchObject({ statusCode: 404, param: 'line_items[0][price]' });
  });

  it('answers an unknown route with a Stripe-shaped 404', async () => {
    const response = await fetch(`${emulator.url}/v1/nothing_here`, {
      headers: { authorization: 'Bearer sk_test_x' },
    });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain(
      'Unrecognized request URL',
    );
  });
});

describe('idempotency keys', () => {
  it('replays the same response for the same key and parameters, and refuses different parameters', async () => {
    const client = freshClient();
    const first = await client.customers.create({ email: 'a@example.com' }, { idempotencyKey: 'key-1' });
    const replay = await client.customers.create({ email: 'a@example.com' }, { idempotencyKey: 'key-1' });
    expect(replay.id).toBe(first.id);
    expect(replay.lastResponse.headers['idempotent-replayed']).toBe('true');
    const list = await client.customers.list();
    expect(list.data).toHaveLength(1);
    await expect(
      client.customers.create({ email: 'b@example.com' }, { idempotencyKey: 'key-1' }),
    ).rejects.toMatchObject({
      type: 'StripeIdempotencyError',
      statusCode: 400,
    });
  });

  it('scopes keys to the account', async () => {
    const a = await freshClient().customers.create({ email: 'x@example.com' }, { idempotencyKey: 'shared' });
    const b = await freshClient().customers.create({ email: 'x@example.com' }, { idempotencyKey: 'shared' });
    expect(a.id).not.toBe(b.id);
  });
});

describe('products and prices', () => {
  it('create → retrieve → update → archive → list', async () => {
    const client = freshClient();
    const product = await client.products.create({ name: 'Course', metadata: { offer: 'o1' } });
    expect(product.id).toMatch(/^prod_/);
    expect((await client.products.retrieve(product.id)).metadata).toEqual({ offer: 'o1' });
    await client.products.update(product.id, { name: 'Course v2', metadata: { offer: '', tier: 'gold' } });
    const updated = await client.products.retrieve(product.id);
    expect(updated.name).toBe('Course v2');
    expect(updated.metadata).toEqual({ tier: 'gold' });

    const price = await client.prices.create({
      product: product.id,
      currency: 'EUR',
      unit_amount: 2500,
      recurring: { interval: 'year', interval_count: 1 },
    });
    expect(price.id).toMatch(/^price_/);
    expect(price.currency).toBe('eur');
    expect(price.type).toBe('recurring');
    expect(price.recurring).toMatchObject({ interval: 'year', interval_count: 1, usage_type: 'licensed' });
    const oneTime = await client.prices.create({ product: product.id, currency: 'eur', unit_amount: 900 });
    expect(oneTime.recurring).toBeNull();

    await client.prices.update(price.id, { active: false });
    expect((await client.prices.retrieve(price.id)).active).toBe(false);
    const active = await client.prices.list({ product: product.id, active: true });
    expect(active.data.map((p) => p.id)).toEqual([oneTime.id]);
    await client.products.update(product.id, { active: false, default_price: oneTime.id });
    const archived = await client.products.retrieve(product.id);
    expect(archived.active).toBe(false);
    expect(archived.default_price).toBe(oneTime.id);
    expect((await client.products.list({ active: false })).data.map((p) => p.id)).toEqual([product.id]);
  });

  it('refuses to delete a product that has prices; deletes one without', async () => {
    const client = freshClient();
    const { product } = await monthlyPrice(client);
    await expect(client.products.del(product.id)).rejects.toMatchObject({ statusCode: 400 });
    const lonely = await client.products.create({ name: 'Lonely' });
    expect(await client.products.del(lonely.id)).toMatchObject({ id: lonely.id, deleted: true });
    await expect(client.products.retrieve(lonely.id)).rejects.toMatchObject({ statusCode: 404 });
  });

  it('paginates newest first with has_more and starting_after, and auto-paginates in the SDK', async () => {
    const client = freshClient();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await client.products.create({ name: `P${i}` })).id);
    const page1 = await client.products.list({ limit: 2 });
    expect(page1.data.map((p) => p.id)).toEqual([ids[4], ids[3]]);
    expect(page1.has_more).toBe(true);
    const page2 = await client.products.list({ limit: 2, starting_after: page1.data[1]!.id });
    expect(page2.data.map((p) => p.id)).toEqual([ids[2], ids[1]]);
    const all: string[] = [];
    for await (const product of client.products.list({ limit: 2 })) all.push(product.id);
    expect(all).toEqual([...ids].reverse());
  });
});

describe('customers', () => {
  it('create → retrieve → update → list by email → delete', async () => {
    const client = freshClient();
    const customer = await client.customers.create({
      email: 'm@example.com',
      name: 'Member',
      metadata: { user: 'u1' },
    });
    expect(customer.id).toMatch(/^cus_/);
    await client.customers.update(customer.id, { name: 'Member Two' });
    expect((await client.customers.retrieve(customer.id)) as Stripe.Customer).toMatchObject({
      name: 'Member Two',
      email: 'm@example.com',
      metadata: { user: 'u1' },
    });
    await client.customers.create({ email: 'other@example.com' });
    const byEmail = await client.customers.list({ email: 'm@example.com' });
    expect(byEmail.data.map((c) => c.id)).toEqual([customer.id]);
    await client.customers.del(customer.id);
    expect(await client.customers.retrieve(customer.id)).toMatchObject({ id: customer.id, deleted: true });
  });

  it('attaches a test card and makes it the default payment method', async () => {
    const client = freshClient();
    const customer = await client.customers.create({ email: 'c@example.com' });
    const method = await client.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    expect(method.card?.last4).toBe('4242');
    await client.customers.update(customer.id, { invoice_settings: { default_payment_method: method.id } });
    const reread = (await client.customers.retrieve(customer.id, {
      expand: ['invoice_settings.default_payment_method'],
    })) as Stripe.Customer;
    expect((reread.invoice_settings.default_payment_method as Stripe.PaymentMethod).id).toBe(method.id);
  });
});

describe('checkout sessions', () => {
  it('creates a payment-mode session with Stripe’s fields and expands line_items', async () => {
    const client = freshClient();
    const product = await client.products.create({ name: 'Ebook' });
    const price = await client.prices.create({ product: product.id, currency: 'usd', unit_amount: 1200 });
    const session = await client.checkout.sessions.create({
      mode: 'payment',
      line_items: [{ price: price.id, quantity: 2 }],
      success_url: 'http://127.0.0.1:9/ok?session={CHECKOUT_SESSION_ID}',
      cancel_url: 'http://127.0.0.1:9/back',
      customer_email: 'buyer@example.com',
      client_reference_id: 'member_1',
      metadata: { offer: 'ebook' },
      expand: ['line_items'],
    });
    expect(session.id).toMatch(/^cs_test_/);
    expect(session).toMatchObject({
      object: 'checkout.session',
      status: 'open',
      payment_status: 'unpaid',
      amount_total: 2400,
      currency: 'usd',
      client_reference_id: 'member_1',
      metadata: { offer: 'ebook' },
      customer_email: 'buyer@example.com',
    });
    expect(session.url).toBe(`${emulator.url}/c/pay/${session.id}`);
    expect(session.expires_at).toBeGreaterThan(session.created + 23 * 3600);
    expect(session.line_items?.data[0]).toMatchObject({
      object: 'item',
      quantity: 2,
      amount_total: 2400,
      description: 'Ebook',
    });
    const items = await client.checkout.sessions.listLineItems(session.id);
    expect(items.data[0]?.price?.id).toBe(price.id);
    const listed = await client.checkout.sessions.list();
    expect(listed.data.map((s) => s.id)).toContain(session.id);
  });

  it('refuses mismatched modes and customer plus customer_email', async () => {
    const client = freshClient();
    const { price } = await monthlyPrice(client);
    await expect(
      client.checkout.sessions.create({
        mode: 'payment',
        line_items: [{ price: price.id, quantity: 1 }],
        success_url: 'http://127.0.0.1/ok',
      }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'line_items[0][price]' });
    const customer = await client.customers.create({ email: 'x@example.com' });
    await expect(
      client.checkout.sessions.create({
        mode: 'subscription',
        line_items: [{ price: price.id, quantity: 1 }],
        success_url: 'http://127.0.0.1/ok',
        customer: customer.id,
        customer_email: 'y@example.com',
      }),
    ).rejects.toMatchObject({ statusCode: 400 });
  });

  it('pays through the test control: payment intent, charge, completed session', async () => {
    const client = freshClient();
    const product = await client.products.create({ name: 'Workshop' });
    const price = await client.prices.create({ product: product.id, currency: 'usd', unit_amount: 5000 });
    const session = await client.checkout.sessions.create({
      mode: 'payment',
      line_items: [{ price: price.id, quantity: 1 }],
      success_url: 'http://127.0.0.1:9/ok?session={CHECKOUT_SESSION_ID}',
      payment_intent_data: { metadata: { offer: 'w' } },
    });
    const declined = await control<{ status: string; error: { code: string; decline_code: string } }>(
      emulator.url,
      `checkout/sessions/${session.id}/pay`,
      { card: '4000 0000 0000 9995', email: 'p@example.com' },
    );
    expect(declined.status).toBe(402);
    expect(declined.body.error).toMatchObject({ code: 'card_declined', decline_code: 'insufficient_funds' });
    expect((await client.checkout.sessions.retrieve(session.id)).status).toBe('open');

    const paid = await control<{ status: string; redirect: string }>(
      emulator.url,
      `checkout/sessions/${session.id}/pay`,
      {
        card: '4242 4242 4242 4242',
        email: 'p@example.com',
      },
    );
    expect(paid.body).toMatchObject({
      status: 'succeeded',
      redirect: `http://127.0.0.1:9/ok?session=${session.id}`,
    });
    const done = await client.checkout.sessions.retrieve(session.id, {
      expand: ['payment_intent.latest_charge'],
    });
    expect(done).toMatchObject({ status: 'complete', payment_status: 'paid' });
    expect(done.customer_details?.email).toBe('p@example.com');
    const intent = done.payment_intent as Stripe.PaymentIntent;
    expect(intent).toMatchObject({ status: 'succeeded', amount_received: 5000, metadata: { offer: 'w' } });
    const charge = intent.latest_charge as Stripe.Charge;
    expect(charge).toMatchObject({ status: 'succeeded', paid: true, amount: 5000 });
    expect(charge.payment_method_details?.card?.last4).toBe('4242');
    const charges = await client.charges.list({ payment_intent: intent.id });
    expect(charges.data.map((c) => c.status).sort()).toEqual(['failed', 'succeeded']);
    const again = await control(emulator.url, `checkout/sessions/${session.id}/pay`, {
      card: '4242424242424242',
    });
    expect(again.status).toBe(400);
  });

  it('expires an open session through the API, with its event', async () => {
    const client = freshClient();
    const { price } = await monthlyPrice(client);
    const session = await client.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: price.id, quantity: 1 }],
      success_url: 'http://127.0.0.1/ok',
    });
    await client.checkout.sessions.expire(session.id);
    expect((await client.checkout.sessions.retrieve(session.id)).status).toBe('expired');
    const events = await client.events.list({ type: 'checkout.session.expired' });
    expect(events.data[0]?.data.object).toMatchObject({ id: session.id, status: 'expired' });
    await expect(client.checkout.sessions.expire(session.id)).rejects.toMatchObject({ statusCode: 400 });
  });

  it('expires sessions when the clock passes expires_at', async () => {
    const client = freshClient();
    const { price } = await monthlyPrice(client);
    const session = await client.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: price.id, quantity: 1 }],
      success_url: 'http://127.0.0.1/ok',
    });
    await control(emulator.url, 'clock/advance', { seconds: 25 * 3600 });
    expect((await client.checkout.sessions.retrieve(session.id)).status).toBe('expired');
  });

  it('creates a customer, subscription and paid invoice in subscription mode, expandable in one call', async () => {
    const client = freshClient();
    const { price } = await monthlyPrice(client, 2000);
    const session = await client.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: price.id, quantity: 1 }],
      success_url: 'http://127.0.0.1/ok',
      customer_email: 'sub@example.com',
      subscription_data: { metadata: { membership: 'm1' } },
    });
    await control(emulator.url, `checkout/sessions/${session.id}/pay`, { card: '4242424242424242' });
    const done = await client.checkout.sessions.retrieve(session.id, {
      expand: ['subscription', 'customer', 'subscription.latest_invoice'],
    });
    expect(done).toMatchObject({ status: 'complete', payment_status: 'paid' });
    const subscription = done.subscription as Stripe.Subscription;
    expect(subscription).toMatchObject({ status: 'active', metadata: { membership: 'm1' } });
    expect((done.customer as Stripe.Customer).email).toBe('sub@example.com');
    const item = subscription.items.data[0]!;
    expect(item.id).toMatch(/^si_/);
    expect(item.current_period_end).toBeGreaterThan(item.current_period_start + 27 * 86_400);
    const invoice = subscription.latest_invoice as Stripe.Invoice;
    expect(invoice).toMatchObject({
      status: 'paid',
      amount_paid: 2000,
      billing_reason: 'subscription_create',
    });
    expect(invoice.parent?.subscription_details?.subscription).toBe(subscription.id);
    const withPayments = await client.invoices.retrieve(invoice.id, { expand: ['payments'] });
    expect(withPayments.payments?.data[0]?.payment.type).toBe('payment_intent');
  });
});

describe('subscriptions through the API', () => {
  it('create → retrieve → update (cancel at period end, metadata) → list → cancel', async () => {
    const client = freshClient();
    const { price } = await monthlyPrice(client);
    const customer = await client.customers.create({
      email: 's@example.com',
      payment_method: 'pm_card_visa',
    });
    const subscription = await client.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      expand: ['latest_invoice'],
    });
    expect(subscription.status).toBe('active');
    expect((subscription.latest_invoice as Stripe.Invoice).status).toBe('paid');
    await client.subscriptions.update(subscription.id, { cancel_at_period_end: true, metadata: { a: '1' } });
    const updated = await client.subscriptions.retrieve(subscription.id);
    expect(updated).toMatchObject({ cancel_at_period_end: true, metadata: { a: '1' }, status: 'active' });
    expect(updated.cancel_at).toBe(updated.items.data[0]?.current_period_end);
    expect((await client.subscriptions.list({ customer: customer.id })).data).toHaveLength(1);
    await client.subscriptions.cancel(subscription.id);
    const canceled = await client.subscriptions.retrieve(subscription.id);
    expect(canceled.status).toBe('canceled');
    expect(canceled.ended_at).not.toBeNull();
    expect((await client.subscriptions.list({ customer: customer.id })).data).toHaveLength(0);
    expect((await client.subscriptions.list({ customer: customer.id, status: 'all' })).data).toHaveLength(1);
  });
});

describe('payment intents, refunds and disputes', () => {
  async function paidCharge(client: Stripe, amount = 3000) {
    const intent = await client.paymentIntents.create({
      amount,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
    });
    expect(intent.status).toBe('succeeded');
    return client.charges.retrieve(String(intent.latest_charge));
  }

  it('declines a confirm with a card error (402) and keeps the failed charge', async () => {
    const client = freshClient();
    await expect(
      client.paymentIntents.create({
        amount: 1000,
        currency: 'usd',
        payment_method: 'pm_card_chargeDeclined',
        confirm: true,
      }),
    ).rejects.toMatchObject({
      type: 'StripeCardError',
      statusCode: 402,
      code: 'card_declined',
      decline_code: 'generic_decline',
    });
    const intents = await client.paymentIntents.list();
    expect(intents.data[0]?.status).toBe('requires_payment_method');
    expect(intents.data[0]?.last_payment_error?.code).toBe('card_declined');
  });

  it('refunds partially then fully; the charge keeps count', async () => {
    const client = freshClient();
    const charge = await paidCharge(client);
    const partial = await client.refunds.create({ charge: charge.id, amount: 1000 });
    expect(partial).toMatchObject({ object: 'refund', amount: 1000, status: 'succeeded' });
    expect(partial.id).toMatch(/^re_/);
    let reread = await client.charges.retrieve(charge.id);
    expect(reread).toMatchObject({ amount_refunded: 1000, refunded: false });
    await expect(client.refunds.create({ charge: charge.id, amount: 5000 })).rejects.toMatchObject({
      statusCode: 400,
      param: 'amount',
    });
    await client.refunds.create({ payment_intent: String(charge.payment_intent) });
    reread = await client.charges.retrieve(charge.id);
    expect(reread).toMatchObject({ amount_refunded: 3000, refunded: true });
    expect((await client.refunds.list({ charge: charge.id })).data).toHaveLength(2);
    const refunded = await client.events.list({ type: 'charge.refunded' });
    expect(refunded.data).toHaveLength(2);
    expect(refunded.data[0]?.data.previous_attributes).toMatchObject({
      amount_refunded: 1000,
      refunded: false,
    });
  });

  it('disputes a charge through the control and closes it', async () => {
    const client = freshClient();
    const charge = await paidCharge(client);
    const created = await control<Stripe.Dispute>(emulator.url, `charges/${charge.id}/dispute`, {
      reason: 'fraudulent',
    });
    expect(created.body.id).toMatch(/^dp_/);
    const dispute = await client.disputes.retrieve(created.body.id);
    expect(dispute).toMatchObject({
      status: 'needs_response',
      charge: charge.id,
      amount: 3000,
      reason: 'fraudulent',
    });
    expect((await client.charges.retrieve(charge.id)).disputed).toBe(true);
    await control(emulator.url, `disputes/${dispute.id}/close`, { status: 'won' });
    expect((await client.disputes.retrieve(dispute.id)).status).toBe('won');
    const types = (await client.events.list({ type: 'charge.dispute.*' })).data.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['charge.dispute.created', 'charge.dispute.closed']));
  });
});

describe('account control', () => {
  it('sets charges_enabled and requirements, with account.updated', async () => {
    const client = freshClient();
    const account = await client.accounts.retrieve(null);
    const result = await control(emulator.url, `accounts/${account.id}`, {
      charges_enabled: false,
      details_submitted: false,
      currently_due: ['business_profile.url', 'external_account'],
    });
    expect(result.status).toBe(200);
    const reread = await client.accounts.retrieve(null);
    expect(reread).toMatchObject({ charges_enabled: false, details_submitted: false });
    expect(reread.requirements?.currently_due).toEqual(['business_profile.url', 'external_account']);
    const events = await client.events.list({ type: 'account.updated' });
    expect(events.data[0]?.data.previous_attributes).toMatchObject({ charges_enabled: true });
  });
});

describe('billing portal', () => {
  it('creates a session whose page cancels at period end and replaces the card', async () => {
    const client = freshClient();
    const { price } = await monthlyPrice(client);
    const customer = await client.customers.create({
      email: 'portal@example.com',
      payment_method: 'pm_card_visa',
    });
    const subscription = await client.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
    });
    const portal = await client.billingPortal.sessions.create({
      customer: customer.id,
      return_url: 'http://127.0.0.1:9/account',
    });
    expect(portal.id).toMatch(/^bps_/);
    const page = await fetch(portal.url);
    const pageHtml = await page.text();
    expect(pageHtml).toContain('Stripe emulator — test mode');
    expect(pageHtml).toContain('Cancel subscription');
    const cancel = await fetch(portal.url, {
      method: 'POST',
      body: new URLSearchParams({ action: 'cancel', subscription: subscription.id }),
      redirect: 'manual',
    });
    expect(cancel.status).toBe(303);
    expect((await client.subscriptions.retrieve(subscription.id)).cancel_at_period_end).toBe(true);
    await fetch(portal.url, {
      method: 'POST',
      body: new URLSearchParams({ action: 'update_card', card: '5555555555554444' }),
      redirect: 'manual',
    });
    const reread = (await client.customers.retrieve(customer.id, {
      expand: ['invoice_settings.default_payment_method'],
    })) as Stripe.Customer;
    expect((reread.invoice_settings.default_payment_method as Stripe.PaymentMethod).card?.last4).toBe('4444');
  });
});

describe('receipts and hosted invoices', () => {
  it('gives a paid charge its receipt_url and a finalized invoice its hosted_invoice_url, both served', async () => {
    const client = freshClient();
    const { price } = await monthlyPrice(client, 2500);
    const customer = await client.customers.create({
      email: 'receipt@example.com',
      payment_method: 'pm_card_visa',
    });
    const subscription = await client.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      expand: ['latest_invoice.payments'],
    });
    const invoice = subscription.latest_invoice as Stripe.Invoice;
    expect(invoice.hosted_invoice_url).toBe(`${emulator.url}/i/${invoice.id}`);
    const invoicePage = await fetch(invoice.hosted_invoice_url ?? '');
    expect(invoicePage.status).toBe(200);
    const invoiceHtml = await invoicePage.text();
    expect(invoiceHtml).toContain(String(invoice.number));
    expect(invoiceHtml).toContain('$25.00');
    expect(invoiceHtml).toContain('Paid on');

    const intentId = String(invoice.payments?.data[0]?.payment.payment_intent);
    const intent = await client.paymentIntents.retrieve(intentId, { expand: ['latest_charge'] });
    const charge = intent.latest_charge as Stripe.Charge;
    expect(charge.receipt_url).toBe(`${emulator.url}/receipts/payment/${charge.id}`);
    await client.refunds.create({ charge: charge.id, amount: 500 });
    const receiptHtml = await (await fetch(charge.receipt_url ?? '')).text();
    expect(receiptHtml).toContain('$25.00');
    expect(receiptHtml).toContain('−$5.00');
    expect(receiptHtml).toContain('visa ending in 4242');
    expect((await fetch(`${emulator.url}/receipts/payment/ch_missing`)).status).toBe(404);
  });
});

describe('requests log and reset', () => {
  it('records every API request and forgets everything on reset', async () => {
    const own = await startStripeEmulator();
    try {
      const client = stripeClientFor(own.url, 'sk_test_log');
      await client.customers.create({ email: 'log@example.com' }, { idempotencyKey: 'log-1' });
      await expect(client.customers.retrieve('cus_none')).rejects.toThrow();
      const log = await control<{
        data: {
          method: string;
          path: string;
          status: number;
          idempotencyKey: string | null;
          params: Record<string, unknown>;
        }[];
      }>(own.url, 'requests');
      expect(log.body.data.map((r) => [r.method, r.path, r.status])).toEqual([
        ['POST', '/v1/customers', 200],
        ['GET', '/v1/customers/cus_none', 404],
      ]);
      expect(log.body.data[0]).toMatchObject({
        idempotencyKey: 'log-1',
        params: { email: 'log@example.com' },
      });
      await control(own.url, 'reset', {});
      expect((await client.customers.list()).data).toHaveLength(0);
      expect((await control<{ data: unknown[] }>(own.url, 'events')).body.data).toHaveLength(0);
    } finally {
      await own.close();
    }
  });
});
