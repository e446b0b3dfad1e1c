// Every object the emulator answers with, checked against the object types the installed SDK declares
// for the pinned API version (read from node_modules/stripe's .d.ts files): each field the type
// requires is present, no field it lacks is added, primitives have the declared kind, and strings of an
// enum are among its literals. The SDK is driven through every emulator route (a route left out fails
// the coverage test), its raw JSON answers are captured on the wire, and each is checked against the
// declared result of the SDK method that called it; every event is checked against its `Stripe.Event`
// variant, `data.previous_attributes` included.
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StripeEmulator, startStripeEmulator } from './index.ts';
import { matchPath } from './routes.ts';
import { shapeProblems } from './sdk-check.ts';
import { loadSdk, type ObjectShape, optionsOf, routeKey, type Shape, sdkRoot } from './sdk-types.ts';
import { apiRoutes } from './server.ts';
import { advanceClock, control, submitOnboarding } from './test-support.ts';

interface Captured {
  key: string;
  method: string;
  path: string;
  status: number;
  body: string;
}

const { decls, methods } = loadSdk();
let emulator: StripeEmulator;
const captured: Captured[] = [];

function capturingClient(key: string): Stripe {
  const url = new URL(emulator.url);
  const wire: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const target = new URL(String(input instanceof Request ? input.url : input));
    captured.push({
      key,
      method: init?.method ?? 'GET',
      path: target.pathname,
      status: response.status,
      body: await response.clone().text(),
    });
    return response;
  };
  return new Stripe(key, {
    host: url.hostname,
    port: Number(url.port),
    protocol: 'http',
    apiVersion: Stripe.API_VERSION,
    maxNetworkRetries: 0,
    telemetry: false,
    httpClient: Stripe.createFetchHttpClient(wire),
  });
}

/** Drives every route through the SDK, successfully at least once. */
async function exercise(stripe: Stripe): Promise<void> {
  const account = await stripe.accounts.retrieve(null);
  await stripe.accounts.retrieve(account.id);

  const endpoint = await stripe.webhookEndpoints.create({
    url: 'http://127.0.0.1:9/hook',
    enabled_events: ['*'],
  });
  await stripe.webhookEndpoints.retrieve(endpoint.id);
  await stripe.webhookEndpoints.update(endpoint.id, {
    url: 'http://127.0.0.1:9/hook2',
    enabled_events: ['checkout.session.completed'],
  });
  await stripe.webhookEndpoints.list();

  const product = await stripe.products.create({ name: 'Guild', description: 'A guild' });
  await stripe.products.retrieve(product.id);
  await stripe.products.list({ expand: ['data.default_price'] });
  const spare = await stripe.products.create({ name: 'Spare' });
  await stripe.products.del(spare.id);
  const price = await stripe.prices.create({
    product: product.id,
    currency: 'usd',
    unit_amount: 1500,
    recurring: { interval: 'month' },
    lookup_key: 'guild-monthly',
  });
  const oneTime = await stripe.prices.create({
    currency: 'usd',
    unit_amount: 4900,
    product_data: { name: 'Founding' },
  });
  await stripe.products.update(product.id, { default_price: price.id });
  await stripe.prices.retrieve(price.id, { expand: ['product'] });
  await stripe.prices.update(price.id, { nickname: 'Monthly' });
  await stripe.prices.list({ lookup_keys: ['guild-monthly'] });

  const customer = await stripe.customers.create({
    email: 'shapes@example.com',
    name: 'Shapes',
    payment_method: 'pm_card_visa',
  });
  await stripe.customers.update(customer.id, { metadata: { member: '1' } });
  await stripe.customers.retrieve(customer.id, { expand: ['invoice_settings.default_payment_method'] });
  await stripe.customers.list({ email: 'shapes@example.com' });
  await stripe.customers.listPaymentMethods(customer.id);
  const method = await stripe.paymentMethods.create({
    type: 'card',
    card: { number: '4242424242424242', exp_month: 12, exp_year: 2034, cvc: '123' },
  });
  await stripe.paymentMethods.retrieve(method.id);
  await stripe.paymentMethods.attach(method.id, { customer: customer.id });
  await stripe.paymentMethods.list({ customer: customer.id });
  await stripe.paymentMethods.detach(method.id);
  const gone = await stripe.customers.create({ email: 'gone@example.com' });
  await stripe.customers.del(gone.id);
  await stripe.customers.retrieve(gone.id);

  const session = await stripe.checkout.sessions.create({
    mode: 'subscription',
    line_items: [{ price: price.id, quantity: 1 }],
    customer_email: 'buyer@example.com',
    success_url: 'http://127.0.0.1:9/ok?session={CHECKOUT_SESSION_ID}',
    cancel_url: 'http://127.0.0.1:9/back',
    subscription_data: { trial_period_days: 7 },
  });
  await stripe.checkout.sessions.update(session.id, { metadata: { offer: 'o1' } });
  await stripe.checkout.sessions.listLineItems(session.id);
  await control(emulator.url, `checkout/sessions/${session.id}/pay`, { card: '4242424242424242' });
  await stripe.checkout.sessions.retrieve(session.id, { expand: ['line_items', 'subscription'] });
  const payment = await stripe.checkout.sessions.create({
    mode: 'payment',
    line_items: [
      { price: oneTime.id, quantity: 1 },
      { price_data: { currency: 'usd', unit_amount: 500, product_data: { name: 'Extra' } }, quantity: 2 },
    ],
    customer_creation: 'always',
    success_url: 'http://127.0.0.1:9/ok',
  });
  await control(emulator.url, `checkout/sessions/${payment.id}/pay`, {
    card: '4242424242424242',
    email: 'p@example.com',
  });
  const abandoned = await stripe.checkout.sessions.create({
    mode: 'payment',
    line_items: [{ price: oneTime.id, quantity: 1 }],
    success_url: 'http://127.0.0.1:9/ok',
  });
  await stripe.checkout.sessions.expire(abandoned.id);
  await stripe.checkout.sessions.list({ limit: 3 });

  const intent = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', customer: customer.id });
  await stripe.paymentIntents.update(intent.id, { metadata: { order: '1' } });
  await stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' });
  await stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge'] });
  const declined = await stripe.paymentIntents
    .create({ amount: 2000, currency: 'usd', payment_method: 'pm_card_chargeDeclined', confirm: true })
    .catch((error: Stripe.errors.StripeCardError) => error.payment_intent);
  const cancelable = await stripe.paymentIntents.create({ amount: 700, currency: 'usd' });
  await stripe.paymentIntents.cancel(cancelable.id, { cancellation_reason: 'abandoned' });
  await stripe.paymentIntents.list({ customer: customer.id });
  expect(declined?.status).toBe('requires_payment_method');

  const paid = await stripe.paymentIntents.retrieve(intent.id);
  const chargeId = String(paid.latest_charge);
  await stripe.charges.update(chargeId, { description: 'Membership' });
  await stripe.charges.retrieve(chargeId);
  await stripe.charges.list({ payment_intent: intent.id });
  const refund = await stripe.refunds.create({
    charge: chargeId,
    amount: 500,
    reason: 'requested_by_customer',
  });
  await stripe.refunds.update(refund.id, { metadata: { why: 'test' } });
  await stripe.refunds.retrieve(refund.id);
  await stripe.refunds.list({ charge: chargeId });
  const opened = await control<{ id: string }>(emulator.url, `charges/${chargeId}/dispute`, {});
  await stripe.disputes.retrieve(opened.body.id);
  await stripe.disputes.update(opened.body.id, {
    evidence: { uncategorized_text: 'Delivered' },
    submit: false,
  });
  await stripe.disputes.list({ charge: chargeId });
  await stripe.disputes.close(opened.body.id);

  const subscription = await stripe.subscriptions.create({
    customer: customer.id,
    items: [{ price: price.id }],
    expand: ['latest_invoice'],
  });
  await stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true, metadata: { m: '1' } });
  await stripe.subscriptions.retrieve(subscription.id);
  await stripe.subscriptions.list({ customer: customer.id, status: 'all' });
  const invoiceId = String(
    typeof subscription.latest_invoice === 'string'
      ? subscription.latest_invoice
      : subscription.latest_invoice?.id,
  );
  await stripe.invoices.update(invoiceId, { metadata: { m: '1' } });
  await stripe.invoices.retrieve(invoiceId, { expand: ['payments'] });
  await stripe.invoices.listLineItems(invoiceId);
  await stripe.invoices.list({ customer: customer.id });
  await stripe.invoicePayments.list({ invoice: invoiceId });

  const failing = await stripe.customers.create({
    email: 'late@example.com',
    payment_method: 'pm_card_chargeDeclined',
  });
  const incomplete = await stripe.subscriptions.create({
    customer: failing.id,
    items: [{ price: price.id }],
  });
  const card = await stripe.paymentMethods.attach('pm_card_mastercard', { customer: failing.id });
  await stripe.invoices.pay(String(incomplete.latest_invoice), { payment_method: card.id });
  await stripe.subscriptions.cancel(incomplete.id, { cancellation_details: { feedback: 'too_expensive' } });

  await stripe.billingPortal.sessions.create({
    customer: customer.id,
    return_url: 'http://127.0.0.1:9/account',
  });
  const yearly = await stripe.prices.create({
    product: product.id,
    currency: 'usd',
    unit_amount: 15000,
    recurring: { interval: 'year' },
  });
  const configuration = await stripe.billingPortal.configurations.create({
    business_profile: { headline: 'Guild billing', privacy_policy_url: 'https://example.com/privacy' },
    default_return_url: 'http://127.0.0.1:9/account',
    features: {
      invoice_history: { enabled: true },
      payment_method_update: { enabled: true },
      subscription_cancel: {
        enabled: true,
        mode: 'immediately',
        cancellation_reason: { enabled: true, options: ['too_expensive', 'other'] },
      },
      subscription_update: {
        enabled: true,
        default_allowed_updates: ['price'],
        products: [{ product: product.id, prices: [price.id, yearly.id] }],
      },
    },
    metadata: { guildhall: '1' },
    expand: ['features.subscription_update.products'],
  });
  await stripe.billingPortal.configurations.update(configuration.id, {
    features: { customer_update: { enabled: true, allowed_updates: ['email'] } },
    business_profile: { headline: '' },
  });
  await stripe.billingPortal.configurations.retrieve(configuration.id);
  await stripe.billingPortal.configurations.list({ active: true });
  await stripe.billingPortal.sessions.create({ customer: customer.id, configuration: configuration.id });

  // Connect: Express accounts (by type and by controller), onboarded through the account link's page,
  // paid by transfer, partly then fully reversed.
  await stripe.webhookEndpoints.create({
    url: 'http://127.0.0.1:9/connect',
    enabled_events: ['account.updated'],
    connect: true,
  });
  const affiliate = await stripe.accounts.create({
    type: 'express',
    email: 'affiliate@example.com',
    capabilities: { transfers: { requested: true } },
    metadata: { affiliate: 'a1' },
  });
  await stripe.accounts.create({
    controller: {
      fees: { payer: 'application' },
      losses: { payments: 'application' },
      stripe_dashboard: { type: 'express' },
    },
    capabilities: { transfers: { requested: true } },
    business_profile: { url: 'https://affiliate.example.com' },
  });
  await stripe.accounts.update(affiliate.id, { metadata: { tier: 'gold' } });
  const link = await stripe.accountLinks.create({
    account: affiliate.id,
    type: 'account_onboarding',
    refresh_url: 'http://127.0.0.1:9/affiliate/refresh',
    return_url: 'http://127.0.0.1:9/affiliate/return',
  });
  const onboarded = await submitOnboarding(emulator.url, link.url);
  expect(onboarded.submitted).toBe('http://127.0.0.1:9/affiliate/return');
  await stripe.accounts.retrieve(affiliate.id);
  await stripe.accounts.list({ limit: 5 });
  const transfer = await stripe.transfers.create(
    {
      amount: 1000,
      currency: 'usd',
      destination: affiliate.id,
      metadata: { payout: 'p1' },
      transfer_group: 'g1',
    },
    { idempotencyKey: 'payout-p1' },
  );
  await stripe.transfers.update(transfer.id, { metadata: { note: 'checked' } });
  await stripe.transfers.retrieve(transfer.id, { expand: ['destination'] });
  await stripe.transfers.list({ destination: affiliate.id });
  const reversal = await stripe.transfers.createReversal(transfer.id, { amount: 300 });
  await stripe.transfers.updateReversal(transfer.id, reversal.id, { metadata: { why: 'refund' } });
  await stripe.transfers.retrieveReversal(transfer.id, reversal.id);
  await stripe.transfers.createReversal(transfer.id);
  await stripe.transfers.listReversals(transfer.id);

  // A month on: trials end, renewals, the canceled-at-period-end subscription ends.
  await advanceClock(emulator.url, 40 * 86_400);
  const events = await stripe.events.list({ limit: 100 });
  await stripe.events.retrieve(events.data[0]!.id);
  await stripe.webhookEndpoints.del(endpoint.id);
}

/** Requests Stripe refuses, one of each kind of error the emulator answers with. */
async function refuse(stripe: Stripe): Promise<void> {
  const fail = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected a refusal');
      },
      () => undefined,
    );
  const price = await stripe.prices.create({
    currency: 'usd',
    unit_amount: 1000,
    product_data: { name: 'P' },
  });
  const checkout = {
    mode: 'payment' as const,
    line_items: [{ price: price.id, quantity: 1 }],
    success_url: 'http://127.0.0.1:9/ok',
  };
  await fail(stripe.customers.create({ emial: 'x@example.com' } as Stripe.CustomerCreateParams));
  await fail(stripe.products.create({} as Stripe.ProductCreateParams));
  await fail(stripe.customers.retrieve('cus_missing'));
  await fail(stripe.customers.create({ email: 'someone@gmail' }));
  await fail(stripe.checkout.sessions.create({ ...checkout, customer_email: 'buyer at example.com' }));
  await fail(stripe.checkout.sessions.create({ ...checkout, success_url: 'ftp://example.com' }));
  await fail(stripe.customers.list({ limit: 0 }));
  await fail(stripe.paymentIntents.create({ amount: 10, currency: 'usd' }));
  await fail(
    stripe.paymentIntents.create({
      amount: 900,
      currency: 'usd',
      payment_method: 'pm_card_chargeDeclined',
      confirm: true,
    }),
  );
  const intent = await stripe.paymentIntents.create({
    amount: 900,
    currency: 'usd',
    payment_method: 'pm_card_visa',
    confirm: true,
  });
  await fail(stripe.refunds.create({ payment_intent: intent.id, amount: 5000 }));
  await fail(stripe.customers.create({ email: 'a@example.com' }, { idempotencyKey: 'k'.repeat(256) }));
  await stripe.customers.create({ email: 'a@example.com' }, { idempotencyKey: 'same' });
  await fail(stripe.customers.create({ email: 'b@example.com' }, { idempotencyKey: 'same' }));
  await fail(stripe.transfers.create({ amount: 500, currency: 'usd', destination: 'acct_missing' }));
  const pending = await stripe.accounts.create({
    type: 'express',
    capabilities: { transfers: { requested: true } },
  });
  await fail(stripe.transfers.create({ amount: 500, currency: 'usd', destination: pending.id }));
  await control(emulator.url, `accounts/${pending.id}`, { capabilities: { transfers: 'active' } });
  await control(emulator.url, 'transfers/fail-next', { destination: pending.id });
  await fail(stripe.transfers.create({ amount: 500, currency: 'usd', destination: pending.id }));
}

beforeAll(async () => {
  emulator = await startStripeEmulator({ webhookRetryDelaysMs: [] });
  await exercise(capturingClient('sk_test_sdk_shapes'));
  await refuse(capturingClient('sk_test_sdk_errors'));
}, 30_000);
afterAll(async () => {
  await emulator.close();
});

function routeOf(entry: Captured) {
  return apiRoutes.find((route) => route.method === entry.method && matchPath(route.pattern, entry.path));
}

function listShape(item: Shape): Shape {
  return {
    kind: 'object',
    name: 'ApiList',
    fields: () =>
      new Map([
        ['object', { optional: false, shape: { kind: 'string', literals: ['list'], open: false } }],
        ['data', { optional: false, shape: { kind: 'array', element: item } }],
        ['has_more', { optional: false, shape: { kind: 'boolean', literals: null } }],
        ['url', { optional: false, shape: { kind: 'string', literals: null, open: true } }],
      ]),
    index: () => null,
  };
}

function declaredResult(entry: Captured): Shape {
  const route = routeOf(entry);
  if (!route) throw new Error(`no route for ${entry.method} ${entry.path}`);
  const candidates = methods.filter(
    (m) => routeKey(m.httpMethod, m.path) === routeKey(route.method, route.pattern),
  );
  const results = candidates.flatMap((m) => {
    const returns = m.returns();
    return returns ? [returns.list ? listShape(returns.shape) : returns.shape] : [];
  });
  if (results.length === 0) throw new Error(`no declared result for ${route.method} ${route.pattern}`);
  return results.length === 1 ? (results[0] as Shape) : { kind: 'union', options: results };
}

const successes = () => captured.filter((entry) => entry.status >= 200 && entry.status < 300);

describe('the SDK was driven through every emulator route', () => {
  it.each(apiRoutes.map((route) => ({ name: `${route.method} ${route.pattern}`, route })))(
    '$name answered at least once',
    ({ route }) => {
      expect(successes().some((entry) => routeOf(entry) === route)).toBe(true);
    },
  );
});

describe('every answer has the shape the SDK declares for its method', () => {
  it('checks each captured answer', () => {
    const problems = successes().flatMap((entry) =>
      shapeProblems(JSON.parse(entry.body), declaredResult(entry), `${entry.method} ${entry.path}`),
    );
    expect([...new Set(problems)]).toEqual([]);
    expect(successes().length).toBeGreaterThan(70);
  });
});

describe('every event has the shape of its Stripe.Event variant', () => {
  it('checks the envelope, data.object and data.previous_attributes of each event', async () => {
    const eventsModule = decls.module(join(sdkRoot(), 'esm', 'resources', 'Events.d.ts'));
    const union = decls.shapeOf(eventsModule.scope, ['Event']);
    const byType = new Map<string, ObjectShape>();
    for (const option of optionsOf(union)) {
      if (option.kind !== 'object') continue;
      const type = option.fields().get('type')?.shape;
      if (type?.kind === 'string' && type.literals?.[0]) byType.set(type.literals[0], option);
    }
    const all = await control<{ data: { type: string }[] }>(emulator.url, 'events');
    expect(all.body.data.length).toBeGreaterThan(50);
    const unknownTypes = all.body.data.filter((event) => !byType.has(event.type)).map((event) => event.type);
    expect(unknownTypes).toEqual([]);
    // The control adds the owning `account` to each event; a delivered event does not carry it.
    const problems = all.body.data.flatMap(
      ({ account: _account, ...event }: { type: string; account?: string }) =>
        shapeProblems(event, byType.get(event.type)!, `event ${event.type}`),
    );
    expect([...new Set(problems)]).toEqual([]);
  });
});

describe('every error has Stripe’s form', () => {
  const refusals = () =>
    captured
      .filter((entry) => entry.key === 'sk_test_sdk_errors' && entry.status >= 400)
      .map((entry) => ({
        entry,
        error: (JSON.parse(entry.body) as { error: Record<string, unknown> }).error,
      }));

  it('is a StripeRawError whose code is one the SDK lists, with its doc_url', () => {
    const types = decls.module(join(sdkRoot(), 'esm', 'Types.d.ts'));
    const rawError = decls.shapeOf(types.scope, ['StripeRawError']);
    const intents = decls.module(join(sdkRoot(), 'esm', 'resources', 'PaymentIntents.d.ts'));
    const codes = decls.shapeOf(intents.scope, ['PaymentIntent', 'LastPaymentError', 'Code']);
    const known = codes.kind === 'string' ? (codes.literals ?? []) : [];
    expect(known).toContain('parameter_unknown');
    expect(refusals().length).toBe(15);
    const problems = refusals().flatMap(({ entry, error }) => {
      const where = `${entry.method} ${entry.path} ${entry.status}`;
      const out = shapeProblems(error, rawError, where);
      if (typeof error.message !== 'string') out.push(`${where}: no message`);
      if (typeof error.code === 'string') {
        if (!known.includes(error.code)) out.push(`${where}: code ${error.code} is not one Stripe has`);
        if (error.doc_url !== `https://stripe.com/docs/error-codes/${error.code.replaceAll('_', '-')}`)
          out.push(`${where}: doc_url ${String(error.doc_url)} for ${error.code}`);
      } else if ('doc_url' in error) out.push(`${where}: doc_url without a code`);
      return out;
    });
    expect(problems).toEqual([]);
  });

  it('names the code and the param Stripe names', () => {
    const summary = refusals().map(({ entry, error }) => ({
      status: entry.status,
      type: error.type,
      code: error.code,
      param: error.param,
    }));
    expect(summary).toEqual([
      { status: 400, type: 'invalid_request_error', code: 'parameter_unknown', param: 'emial' },
      { status: 400, type: 'invalid_request_error', code: 'parameter_missing', param: 'name' },
      { status: 404, type: 'invalid_request_error', code: 'resource_missing', param: 'id' },
      { status: 400, type: 'invalid_request_error', code: 'email_invalid', param: 'email' },
      { status: 400, type: 'invalid_request_error', code: 'email_invalid', param: 'customer_email' },
      { status: 400, type: 'invalid_request_error', code: 'url_invalid', param: 'success_url' },
      { status: 400, type: 'invalid_request_error', code: 'parameter_invalid_integer', param: 'limit' },
      { status: 400, type: 'invalid_request_error', code: 'amount_too_small', param: 'amount' },
      { status: 402, type: 'card_error', code: 'card_declined', param: undefined },
      { status: 400, type: 'invalid_request_error', code: 'amount_too_large', param: 'amount' },
      { status: 400, type: 'invalid_request_error', code: undefined, param: undefined },
      { status: 400, type: 'idempotency_error', code: undefined, param: undefined },
      { status: 404, type: 'invalid_request_error', code: 'resource_missing', param: 'destination' },
      { status: 400, type: 'invalid_request_error', code: undefined, param: 'destination' },
      { status: 400, type: 'invalid_request_error', code: 'balance_insufficient', param: undefined },
    ]);
    const declined = refusals().find(({ error }) => error.code === 'card_declined')?.error;
    expect(declined).toMatchObject({
      decline_code: 'generic_decline',
      doc_url: 'https://stripe.com/docs/error-codes/card-declined',
    });
    const longKey = refusals().find(({ error }) => String(error.message).includes('Idempotency'))?.error;
    expect(longKey?.message).toBe('Idempotency keys can be at most 255 characters long.');
  });
});
