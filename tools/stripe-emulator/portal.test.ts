// Billing portal configurations through the SDK (create, retrieve, update, list, their events, what
// Stripe refuses) and the portal page honouring the session's configuration: cancel only when enabled,
// at period end or at once per its mode, with the reason asked; card updates only when enabled; plan
// changes among the listed prices; billing history; customer details. And webhook endpoints as Guildhall
// repairs them (url and enabled_events updated, listed through the SDK).
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StripeEmulator, startStripeEmulator, stripeClientFor } from './index.ts';
import { control } from './test-support.ts';

let emulator: StripeEmulator;
let keys = 0;

function freshClient(): Stripe {
  keys += 1;
  return stripeClientFor(emulator.url, `sk_test_portal_${keys}`);
}

beforeAll(async () => {
  emulator = await startStripeEmulator();
});
afterAll(async () => {
  await emulator.close();
});

async function member(client: Stripe, email = 'member@example.com') {
  const product = await client.products.create({ name: 'Guild membership' });
  const monthly = await client.prices.create({
    product: product.id,
    currency: 'usd',
    unit_amount: 1500,
    recurring: { interval: 'month' },
  });
  const yearly = await client.prices.create({
    product: product.id,
    currency: 'usd',
    unit_amount: 15000,
    recurring: { interval: 'year' },
  });
  const customer = await client.customers.create({ email, payment_method: 'pm_card_visa' });
  const subscription = await client.subscriptions.create({
    customer: customer.id,
    items: [{ price: monthly.id }],
  });
  return { product, monthly, yearly, customer, subscription };
}

async function post(url: string, fields: Record<string, string>) {
  const response = await fetch(url, {
    method: 'POST',
    body: new URLSearchParams(fields),
    redirect: 'manual',
  });
  return { status: response.status, location: response.headers.get('location'), html: await response.text() };
}

function minimal(
  features: Stripe.BillingPortal.ConfigurationCreateParams.Features,
): Stripe.BillingPortal.ConfigurationCreateParams {
  return { features };
}

describe('portal configurations', () => {
  it('every account has a default one, which sessions use unless they name another', async () => {
    const client = freshClient();
    const list = await client.billingPortal.configurations.list();
    expect(list.data).toHaveLength(1);
    const fallback = list.data[0]!;
    expect(fallback).toMatchObject({
      object: 'billing_portal.configuration',
      is_default: true,
      active: true,
      features: {
        invoice_history: { enabled: true },
        payment_method_update: { enabled: true },
        subscription_cancel: { enabled: true, mode: 'at_period_end', proration_behavior: 'none' },
        subscription_update: { enabled: false },
      },
    });
    const { customer } = await member(client);
    const session = await client.billingPortal.sessions.create({ customer: customer.id });
    expect(session.configuration).toBe(fallback.id);
    expect((await client.billingPortal.configurations.list({ is_default: true })).data).toHaveLength(1);
  });

  it('without saved portal settings there is no default, and a session must name a configuration', async () => {
    const client = freshClient();
    const account = await client.accounts.retrieve(null);
    const { customer } = await member(client);
    const unsaved = await control(emulator.url, `accounts/${account.id}`, { portal_settings_saved: false });
    expect(unsaved.status).toBe(200);
    expect((await client.billingPortal.configurations.list()).data).toHaveLength(0);
    await expect(client.billingPortal.sessions.create({ customer: customer.id })).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringContaining('No configuration provided and your test mode default configuration'),
    });
    const own = await client.billingPortal.configurations.create({
      features: { payment_method_update: { enabled: true } },
    });
    const session = await client.billingPortal.sessions.create({
      customer: customer.id,
      configuration: own.id,
    });
    expect(session.configuration).toBe(own.id);
    await control(emulator.url, `accounts/${account.id}`, { portal_settings_saved: true });
    expect((await client.billingPortal.configurations.list({ is_default: true })).data).toHaveLength(1);
  });

  it('creates one in Stripe’s shape, with its event; products only when expanded', async () => {
    const client = freshClient();
    const { product, monthly, yearly } = await member(client);
    const created = await client.billingPortal.configurations.create({
      business_profile: {
        headline: 'Your guild, your billing',
        privacy_policy_url: 'https://guild.example/privacy',
        terms_of_service_url: 'https://guild.example/terms',
      },
      default_return_url: 'https://guild.example/account',
      features: {
        customer_update: { enabled: true, allowed_updates: ['email', 'name'] },
        invoice_history: { enabled: true },
        payment_method_update: { enabled: true },
        subscription_cancel: {
          enabled: true,
          mode: 'at_period_end',
          cancellation_reason: { enabled: true, options: ['too_expensive', 'unused'] },
        },
        subscription_update: {
          enabled: true,
          default_allowed_updates: ['price'],
          products: [{ product: product.id, prices: [monthly.id, yearly.id] }],
        },
      },
      metadata: { guildhall: 'portal' },
      name: 'Guildhall',
    });
    expect(created).toMatchObject({
      id: expect.stringMatching(/^bpc_/),
      is_default: false,
      active: true,
      name: 'Guildhall',
      metadata: { guildhall: 'portal' },
      default_return_url: 'https://guild.example/account',
      business_profile: { headline: 'Your guild, your billing' },
      features: {
        customer_update: { enabled: true, allowed_updates: ['email', 'name'] },
        subscription_cancel: {
          enabled: true,
          mode: 'at_period_end',
          cancellation_reason: { enabled: true, options: ['too_expensive', 'unused'] },
        },
        subscription_update: { enabled: true, default_allowed_updates: ['price'] },
      },
    });
    expect(created.features.subscription_update).not.toHaveProperty('products');
    const expanded = await client.billingPortal.configurations.retrieve(created.id, {
      expand: ['features.subscription_update.products'],
    });
    expect(expanded.features.subscription_update.products).toEqual([
      {
        adjustable_quantity: { enabled: false, maximum: null, minimum: 1 },
        prices: [monthly.id, yearly.id],
        product: product.id,
      },
    ]);
    const events = await client.events.list({ type: 'billing_portal.configuration.created' });
    expect((events.data[0]!.data.object as Stripe.BillingPortal.Configuration).id).toBe(created.id);
    const list = await client.billingPortal.configurations.list({ is_default: false });
    expect(list.data.map((c) => c.id)).toEqual([created.id]);
  });

  it('refuses what Stripe refuses, and creates nothing', async () => {
    const client = freshClient();
    const { product, monthly } = await member(client);
    const other = await client.products.create({ name: 'Other' });
    const otherPrice = await client.prices.create({
      product: other.id,
      currency: 'usd',
      unit_amount: 100,
      recurring: { interval: 'month' },
    });
    const cases: [Stripe.BillingPortal.ConfigurationCreateParams, Record<string, unknown>][] = [
      [
        {} as Stripe.BillingPortal.ConfigurationCreateParams,
        { code: 'parameter_missing', param: 'features' },
      ],
      [
        minimal({ subscription_cancel: { mode: 'immediately' } as never }),
        { code: 'parameter_missing', param: 'features[subscription_cancel][enabled]' },
      ],
      [
        minimal({ subscription_cancel: { enabled: true, proration_behavior: 'always_invoice' } }),
        { param: 'features[subscription_cancel][proration_behavior]' },
      ],
      [
        minimal({
          subscription_cancel: {
            enabled: true,
            mode: 'at_period_end',
            proration_behavior: 'create_prorations',
          },
        }),
        { param: 'features[subscription_cancel][proration_behavior]' },
      ],
      [
        minimal({ subscription_cancel: { enabled: true, mode: 'sometime' } }),
        { param: 'features[subscription_cancel][mode]' },
      ],
      [
        minimal({ subscription_cancel: { enabled: true, cancellation_reason: { enabled: true } as never } }),
        { code: 'parameter_missing', param: 'features[subscription_cancel][cancellation_reason][options]' },
      ],
      [
        minimal({ subscription_update: { enabled: true, default_allowed_updates: ['price'] } }),
        { code: 'parameter_missing', param: 'features[subscription_update][products]' },
      ],
      [
        minimal({
          subscription_update: {
            enabled: true,
            default_allowed_updates: ['price'],
            products: [{ product: product.id, prices: [monthly.id, otherPrice.id] }],
          },
        }),
        { param: 'features[subscription_update][products][0][prices][1]' },
      ],
      [
        minimal({
          subscription_update: {
            enabled: true,
            default_allowed_updates: ['price'],
            products: [{ product: 'prod_missing', prices: [monthly.id] }],
          },
        }),
        { code: 'resource_missing', param: 'features[subscription_update][products][0][product]' },
      ],
      [
        minimal({ customer_update: { enabled: true, allowed_updates: ['email', 'avatar' as 'email'] } }),
        { param: 'features[customer_update][allowed_updates][1]' },
      ],
      [
        minimal({ subscription_pause: { enabled: true } }),
        { code: 'parameter_unknown', param: 'features[subscription_pause]' },
      ],
      [
        { ...minimal({ invoice_history: { enabled: true } }), default_return_url: 'guild.example' },
        { code: 'url_invalid', param: 'default_return_url' },
      ],
    ];
    for (const [params, error] of cases) {
      await expect(
        client.billingPortal.configurations.create(params),
        JSON.stringify(params),
      ).rejects.toMatchObject({
        statusCode: expect.any(Number),
        ...error,
      });
    }
    expect((await client.billingPortal.configurations.list()).data).toHaveLength(1);
    expect((await client.events.list({ type: 'billing_portal.configuration.created' })).data).toHaveLength(0);
  });

  it('updates only what is given, with previous_attributes; a refused update changes nothing', async () => {
    const client = freshClient();
    const created = await client.billingPortal.configurations.create({
      features: {
        invoice_history: { enabled: true },
        subscription_cancel: { enabled: true, mode: 'at_period_end' },
      },
      metadata: { a: '1' },
    });
    const updated = await client.billingPortal.configurations.update(created.id, {
      features: { subscription_cancel: { mode: 'immediately' }, payment_method_update: { enabled: true } },
      default_return_url: 'https://guild.example/back',
      metadata: { b: '2' },
    });
    expect(updated.features).toMatchObject({
      invoice_history: { enabled: true },
      payment_method_update: { enabled: true },
      subscription_cancel: { enabled: true, mode: 'immediately' },
    });
    expect(updated.metadata).toEqual({ a: '1', b: '2' });
    expect(updated.updated).toBeGreaterThanOrEqual(created.updated);
    const event = (await client.events.list({ type: 'billing_portal.configuration.updated' })).data[0];
    expect(event?.data.previous_attributes).toMatchObject({
      default_return_url: null,
      features: { subscription_cancel: { mode: 'at_period_end' }, payment_method_update: { enabled: false } },
    });

    await expect(
      client.billingPortal.configurations.update(created.id, {
        features: { subscription_cancel: { mode: 'at_period_end', proration_behavior: 'create_prorations' } },
        metadata: { c: '3' },
      }),
    ).rejects.toMatchObject({ param: 'features[subscription_cancel][proration_behavior]' });
    expect(await client.billingPortal.configurations.retrieve(created.id)).toMatchObject({
      features: { subscription_cancel: { mode: 'immediately' } },
      metadata: { a: '1', b: '2' },
    });

    const deactivated = await client.billingPortal.configurations.update(created.id, { active: false });
    expect(deactivated.active).toBe(false);
    expect((await client.billingPortal.configurations.list({ active: false })).data.map((c) => c.id)).toEqual(
      [created.id],
    );
    const { customer } = await member(client);
    await expect(
      client.billingPortal.sessions.create({ customer: customer.id, configuration: created.id }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'configuration' });
    await expect(
      client.billingPortal.sessions.create({ customer: customer.id, configuration: 'bpc_missing' }),
    ).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'configuration' });
    const fallback = (await client.billingPortal.configurations.list({ is_default: true })).data[0]!;
    await expect(
      client.billingPortal.configurations.update(fallback.id, { active: false }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'active' });
  });
});

describe('the portal page follows the session’s configuration', () => {
  it('offers no cancel and no card update when they are off, and refuses them if posted', async () => {
    const client = freshClient();
    const { customer, subscription } = await member(client);
    const configuration = await client.billingPortal.configurations.create({
      business_profile: { headline: 'Members only' },
      features: {
        invoice_history: { enabled: true },
        subscription_cancel: { enabled: false },
        payment_method_update: { enabled: false },
      },
    });
    const portal = await client.billingPortal.sessions.create({
      customer: customer.id,
      configuration: configuration.id,
      return_url: 'https://guild.example/account',
    });
    const page = await (await fetch(portal.url)).text();
    expect(page).toContain('Members only');
    expect(page).toContain('Billing history');
    expect(page).toContain(String((await client.invoices.list({ customer: customer.id })).data[0]?.number));
    expect(page).not.toContain(`id="cancel-${subscription.id}"`);
    expect(page).not.toContain('id="update-card"');
    expect(page).not.toContain('id="update-customer"');
    expect((await post(portal.url, { action: 'cancel', subscription: subscription.id })).status).toBe(403);
    expect((await post(portal.url, { action: 'update_card', card: '5555555555554444' })).status).toBe(403);
    expect((await post(portal.url, { action: 'update_customer', email: 'x@example.com' })).status).toBe(403);
    expect(await client.subscriptions.retrieve(subscription.id)).toMatchObject({
      status: 'active',
      cancel_at_period_end: false,
    });
    expect(((await client.customers.retrieve(customer.id)) as Stripe.Customer).email).toBe(
      'member@example.com',
    );
  });

  it('cancels at the end of the period with the reason given, and undoes it', async () => {
    const client = freshClient();
    const { customer, subscription } = await member(client);
    const portal = await client.billingPortal.sessions.create({ customer: customer.id });
    const page = await (await fetch(portal.url)).text();
    expect(page).toContain(`id="cancel-${subscription.id}"`);
    expect(page).toContain('name="reason"');
    const cancel = await post(portal.url, {
      action: 'cancel',
      subscription: subscription.id,
      reason: 'unused',
    });
    expect(cancel).toMatchObject({ status: 303, location: `${portal.url}?notice=canceled` });
    expect(await client.subscriptions.retrieve(subscription.id)).toMatchObject({
      status: 'active',
      cancel_at_period_end: true,
      cancellation_details: { reason: 'cancellation_requested', feedback: 'unused' },
    });
    expect((await post(portal.url, { action: 'renew', subscription: subscription.id })).status).toBe(303);
    expect((await client.subscriptions.retrieve(subscription.id)).cancel_at_period_end).toBe(false);
  });

  it('cancels at once when the mode is immediately', async () => {
    const client = freshClient();
    const { customer, subscription } = await member(client);
    const configuration = await client.billingPortal.configurations.create({
      features: {
        subscription_cancel: {
          enabled: true,
          mode: 'immediately',
          cancellation_reason: { enabled: true, options: ['too_expensive'] },
        },
      },
    });
    const portal = await client.billingPortal.sessions.create({
      customer: customer.id,
      configuration: configuration.id,
    });
    const cancel = await post(portal.url, {
      action: 'cancel',
      subscription: subscription.id,
      reason: 'too_expensive',
    });
    expect(cancel.location).toBe(`${portal.url}?notice=canceled_now`);
    expect(await client.subscriptions.retrieve(subscription.id)).toMatchObject({
      status: 'canceled',
      cancellation_details: { reason: 'cancellation_requested', feedback: 'too_expensive' },
    });
    const deleted = await client.events.list({ type: 'customer.subscription.deleted' });
    expect(deleted.data.map((e) => (e.data.object as Stripe.Subscription).id)).toEqual([subscription.id]);
  });

  it('switches plan among the listed prices, updates the card and the email when enabled', async () => {
    const client = freshClient();
    const { product, monthly, yearly, customer, subscription } = await member(client);
    const configuration = await client.billingPortal.configurations.create({
      default_return_url: 'https://guild.example/account',
      features: {
        customer_update: { enabled: true, allowed_updates: ['email'] },
        payment_method_update: { enabled: true },
        subscription_update: {
          enabled: true,
          default_allowed_updates: ['price'],
          products: [{ product: product.id, prices: [monthly.id, yearly.id] }],
        },
      },
    });
    const portal = await client.billingPortal.sessions.create({
      customer: customer.id,
      configuration: configuration.id,
    });
    expect(portal.return_url).toBe('https://guild.example/account');
    const page = await (await fetch(portal.url)).text();
    expect(page).toContain(`id="change-${subscription.id}"`);
    expect(page).toContain('id="update-card"');
    expect(page).toContain('name="email"');
    expect(page).not.toContain('name="name"');

    const change = await post(portal.url, {
      action: 'change_price',
      subscription: subscription.id,
      price: yearly.id,
    });
    expect(change.status).toBe(303);
    expect((await client.subscriptions.retrieve(subscription.id)).items.data[0]?.price.id).toBe(yearly.id);
    const outside = await client.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 1,
      recurring: { interval: 'week' },
    });
    expect(
      (await post(portal.url, { action: 'change_price', subscription: subscription.id, price: outside.id }))
        .status,
    ).toBe(403);

    expect((await post(portal.url, { action: 'update_customer', email: 'not an email' })).status).toBe(400);
    expect((await post(portal.url, { action: 'update_customer', email: 'new@example.com' })).status).toBe(
      303,
    );
    expect(((await client.customers.retrieve(customer.id)) as Stripe.Customer).email).toBe('new@example.com');
    expect((await post(portal.url, { action: 'update_customer', name: 'N' })).status).toBe(403);

    expect((await post(portal.url, { action: 'update_card', card: '5555555555554444' })).status).toBe(303);
    const reread = (await client.customers.retrieve(customer.id, {
      expand: ['invoice_settings.default_payment_method'],
    })) as Stripe.Customer;
    expect((reread.invoice_settings.default_payment_method as Stripe.PaymentMethod).card?.last4).toBe('4444');
  });
});

describe('webhook endpoints, as Guildhall repairs them', () => {
  it('updates url and enabled_events, and lists them through the SDK', async () => {
    const client = freshClient();
    const first = await client.webhookEndpoints.create({
      url: 'https://guild.example/webhooks/stripe',
      enabled_events: ['checkout.session.completed', 'customer.subscription.updated'],
      description: 'Guildhall',
      metadata: { guildhall: '1' },
    });
    const second = await client.webhookEndpoints.create({
      url: 'https://other.example/hook',
      enabled_events: ['*'],
    });
    const listed = await client.webhookEndpoints.list({ limit: 1 });
    expect(listed).toMatchObject({ object: 'list', has_more: true, url: '/v1/webhook_endpoints' });
    expect(listed.data.map((e) => e.id)).toEqual([second.id]);
    const all = await client.webhookEndpoints.list().autoPagingToArray({ limit: 10 });
    expect(all.map((e) => e.id)).toEqual([second.id, first.id]);
    expect(all.every((e) => !('secret' in e))).toBe(true);

    const repaired = await client.webhookEndpoints.update(first.id, {
      url: 'https://guild.example/webhooks/stripe?v=2',
      enabled_events: ['checkout.session.completed', 'invoice.paid', 'account.updated'],
    });
    expect(repaired).toMatchObject({
      url: 'https://guild.example/webhooks/stripe?v=2',
      enabled_events: ['checkout.session.completed', 'invoice.paid', 'account.updated'],
      description: 'Guildhall',
      metadata: { guildhall: '1' },
      status: 'enabled',
    });
    expect(await client.webhookEndpoints.retrieve(first.id)).toMatchObject({
      url: 'https://guild.example/webhooks/stripe?v=2',
      enabled_events: ['checkout.session.completed', 'invoice.paid', 'account.updated'],
    });
    await expect(
      client.webhookEndpoints.update(first.id, { url: 'guild.example/hook' }),
    ).rejects.toMatchObject({
      code: 'url_invalid',
      param: 'url',
    });
    await expect(client.webhookEndpoints.update(first.id, { url: '' })).rejects.toMatchObject({
      code: 'parameter_missing',
      param: 'url',
    });
    expect((await client.webhookEndpoints.retrieve(first.id)).url).toBe(
      'https://guild.example/webhooks/stripe?v=2',
    );
  });
});
