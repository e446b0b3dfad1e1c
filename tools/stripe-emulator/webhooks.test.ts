// Webhooks as a product receives them: verified with the SDK's constructEvent, retried on failure,
// redelivered on request, and hostile (duplicated, reordered, delayed) when a test asks.
import type Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type StripeEmulator, startStripeEmulator, stripeClientFor } from './index.ts';
import { control, startWebhookReceiver, type WebhookReceiver } from './test-support.ts';

let emulator: StripeEmulator;
let receiver: WebhookReceiver;
let stripe: Stripe;

beforeEach(async () => {
  emulator = await startStripeEmulator({ webhookRetryDelaysMs: [100, 200, 300] });
  receiver = await startWebhookReceiver();
  stripe = stripeClientFor(emulator.url, 'sk_test_webhooks');
});
afterEach(async () => {
  await emulator.close();
  await receiver.close();
});

async function subscribe(events: string[]): Promise<Stripe.WebhookEndpoint> {
  const endpoint = await stripe.webhookEndpoints.create({
    url: receiver.url,
    enabled_events: events as Stripe.WebhookEndpointCreateParams.EnabledEvent[],
  });
  expect(endpoint.secret).toMatch(/^whsec_/);
  receiver.setSecret(endpoint.secret ?? '');
  return endpoint;
}

describe('webhook endpoints', () => {
  it('create (secret shown once) → retrieve → update → list → delete', async () => {
    const endpoint = await subscribe(['customer.created']);
    const reread = await stripe.webhookEndpoints.retrieve(endpoint.id);
    expect(reread.secret).toBeUndefined();
    expect(reread).toMatchObject({
      url: receiver.url,
      enabled_events: ['customer.created'],
      status: 'enabled',
    });
    await stripe.webhookEndpoints.update(endpoint.id, { disabled: true, enabled_events: ['*'] });
    expect(await stripe.webhookEndpoints.retrieve(endpoint.id)).toMatchObject({
      status: 'disabled',
      enabled_events: ['*'],
    });
    expect((await stripe.webhookEndpoints.list()).data.map((e) => e.id)).toEqual([endpoint.id]);
    await stripe.webhookEndpoints.del(endpoint.id);
    await expect(stripe.webhookEndpoints.retrieve(endpoint.id)).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe('delivery', () => {
  it('delivers only subscribed types, signed so constructEvent verifies them', async () => {
    await subscribe(['customer.created', 'customer.updated']);
    const customer = await stripe.customers.create({ email: 'w@example.com' });
    await stripe.customers.update(customer.id, { name: 'W' });
    await stripe.products.create({ name: 'not subscribed' });
    const events = await receiver.waitFor((e) => e.length >= 2);
    expect(events.map((e) => e.type)).toEqual(['customer.created', 'customer.updated']);
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    const updated = events[1]!;
    expect(updated.data.previous_attributes).toEqual({ name: null });
    expect(updated.api_version).toBe(stripe.getApiField('version'));
    const stored = await stripe.events.retrieve(updated.id);
    expect(stored.type).toBe('customer.updated');
    expect(stored.request?.id).toMatch(/^req_/);
  });

  it('retries a non-2xx answer with backoff until it succeeds', async () => {
    await subscribe(['customer.created']);
    receiver.respondWith = (_event, attempt) => (attempt < 3 ? 500 : 200);
    const customer = await stripe.customers.create({ email: 'retry@example.com' });
    const events = await receiver.waitFor((e) => e.length === 1, 5_000);
    expect((events[0]!.data.object as Stripe.Customer).id).toBe(customer.id);
    const attempts = await control<{ data: { attempt: number; status: number; at: number }[] }>(
      emulator.url,
      'deliveries',
    );
    expect(attempts.body.data.map((a) => [a.attempt, a.status])).toEqual([
      [1, 500],
      [2, 500],
      [3, 200],
    ]);
    const gap = attempts.body.data[2]!.at - attempts.body.data[1]!.at;
    expect(gap).toBeGreaterThanOrEqual(150);
  });

  it('stops retrying when closed, leaving no timer behind', async () => {
    const own = await startStripeEmulator({ webhookRetryDelaysMs: [50, 50, 50, 50] });
    const client = stripeClientFor(own.url, 'sk_test_close');
    const endpoint = await client.webhookEndpoints.create({ url: receiver.url, enabled_events: ['*'] });
    receiver.setSecret(endpoint.secret ?? '');
    receiver.respondWith = 500;
    await client.customers.create({ email: 'x@example.com' });
    await new Promise((resolve) => setTimeout(resolve, 80));
    await own.close();
    const seen = receiver.received.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.received.length).toBe(seen);
  });

  it('redelivers an event on request', async () => {
    await subscribe(['customer.created']);
    await stripe.customers.create({ email: 'again@example.com' });
    const [event] = await receiver.waitFor((e) => e.length === 1);
    const result = await control<{ deliveries: number }>(emulator.url, `events/${event!.id}/redeliver`, {});
    expect(result.body.deliveries).toBe(1);
    const events = await receiver.waitFor((e) => e.length === 2);
    expect(events[1]!.id).toBe(event!.id);
  });

  it('duplicates, reorders and delays deliveries when told to', async () => {
    await subscribe(['customer.created', 'customer.updated']);
    const settings = await control(emulator.url, 'delivery', { duplicate: 1, reorder: true, delayMs: 30 });
    expect(settings.body).toEqual({ duplicate: 1, reorder: true, delayMs: 30 });
    const customer = await stripe.customers.create({
      email: 'chaos@example.com',
      payment_method: 'pm_card_visa',
    });
    const events = await receiver.waitFor((e) => e.length >= 4);
    const created = events.filter((e) => e.type === 'customer.created');
    expect(created).toHaveLength(2);
    expect(created[0]!.id).toBe(created[1]!.id);
    // One API call produced customer.created then customer.updated; reordering delivers the later first.
    expect(events[0]!.type).toBe('customer.updated');
    expect((events[0]!.data.object as Stripe.Customer).id).toBe(customer.id);
  });
});
