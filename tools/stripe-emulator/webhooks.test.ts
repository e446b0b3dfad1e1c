// Webhooks as a product receives them: verified with the SDK's constructEvent, retried on failure,
// redelivered on request, and hostile (duplicated, reordered, delayed) when a test asks.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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

interface Attempt {
  eventId: string;
  endpointId: string;
  attempt: number;
  status: number | null;
  error: string | null;
  at: number;
}

/** The delivery log once it has `count` entries: an attempt is logged after the receiver's answer is read. */
async function attemptsWhen(url: string, count: number, timeoutMs = 3_000): Promise<Attempt[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const attempts = (await control<{ data: Attempt[] }>(url, 'deliveries')).body.data;
    if (attempts.length >= count || Date.now() > deadline) return attempts;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

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
    const attempts = await attemptsWhen(emulator.url, 3);
    expect(attempts.map((a) => [a.attempt, a.status])).toEqual([
      [1, 500],
      [2, 500],
      [3, 200],
    ]);
    const gap = attempts[2]!.at - attempts[1]!.at;
    expect(gap).toBeGreaterThanOrEqual(150);
  });

  it('counts a receiver that does not answer in time as failed, and retries it', async () => {
    const own = await startStripeEmulator({ webhookRetryDelaysMs: [50], webhookTimeoutMs: 150 });
    let calls = 0;
    const slow = createServer((req, res) => {
      req.resume();
      calls += 1;
      // The first attempt hangs past the timeout; the retry is answered at once.
      if (calls === 1) setTimeout(() => res.writeHead(200).end(), 600);
      else res.writeHead(200).end();
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    try {
      const client = stripeClientFor(own.url, 'sk_test_timeout');
      const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/hook`;
      await client.webhookEndpoints.create({ url, enabled_events: ['customer.created'] });
      await client.customers.create({ email: 'slow@example.com' });
      const attempts = await attemptsWhen(own.url, 2);
      expect(attempts.map((a) => [a.attempt, a.status, a.error])).toEqual([
        [1, null, 'timeout'],
        [2, 200, null],
      ]);
    } finally {
      await own.close();
      slow.closeAllConnections();
      await new Promise((resolve) => slow.close(resolve));
    }
  });

  it('delivers nothing to a disabled endpoint', async () => {
    const endpoint = await subscribe(['customer.created']);
    await stripe.webhookEndpoints.update(endpoint.id, { disabled: true });
    await stripe.customers.create({ email: 'quiet@example.com' });
    await stripe.webhookEndpoints.update(endpoint.id, { disabled: false });
    const later = await stripe.customers.create({ email: 'heard@example.com' });
    const [event] = await receiver.waitFor((e) => e.length >= 1);
    expect((event!.data.object as Stripe.Customer).id).toBe(later.id);
    expect((await attemptsWhen(emulator.url, 1)).map((a) => a.eventId)).toEqual([event!.id]);
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

  it('redelivers an event on request, to every endpoint or the one named', async () => {
    const endpoint = await subscribe(['customer.created']);
    await stripe.customers.create({ email: 'again@example.com' });
    const [event] = await receiver.waitFor((e) => e.length === 1);
    const result = await control<{ deliveries: number }>(emulator.url, `events/${event!.id}/redeliver`, {});
    expect(result.body.deliveries).toBe(1);
    const events = await receiver.waitFor((e) => e.length === 2);
    expect(events[1]!.id).toBe(event!.id);
    const other = await stripe.webhookEndpoints.create({
      url: `${receiver.url}?other`,
      enabled_events: ['*'],
    });
    const named = await control<{ deliveries: number }>(emulator.url, `events/${event!.id}/redeliver`, {
      endpoint: endpoint.id,
    });
    expect(named.body.deliveries).toBe(1);
    await receiver.waitFor((e) => e.length === 3);
    const attempts = await attemptsWhen(emulator.url, 3);
    expect(attempts.filter((a) => a.eventId === event!.id).map((a) => [a.endpointId, a.status])).toEqual([
      [endpoint.id, 200],
      [endpoint.id, 200],
      [endpoint.id, 200],
    ]);
    expect(other.id).not.toBe(endpoint.id);
  });

  it('waits delayMs before each attempt, reads its settings back, and reset restores them', async () => {
    await subscribe(['customer.created']);
    await control(emulator.url, 'delivery', { delayMs: 150 });
    expect((await control(emulator.url, 'delivery')).body).toEqual({
      duplicate: 0,
      reorder: false,
      delayMs: 150,
    });
    const sent = Date.now();
    await stripe.customers.create({ email: 'slow@example.com' });
    await receiver.waitFor((e) => e.length === 1);
    const [attempt] = await attemptsWhen(emulator.url, 1);
    expect(attempt!.at - sent).toBeGreaterThanOrEqual(140);

    await control(emulator.url, 'clock/advance', { seconds: 3600 });
    await control(emulator.url, 'reset', {});
    expect((await control(emulator.url, 'delivery')).body).toEqual({
      duplicate: 0,
      reorder: false,
      delayMs: 0,
    });
    expect((await control<{ data: unknown[] }>(emulator.url, 'deliveries')).body.data).toHaveLength(0);
    const clock = await control<{ now: number }>(emulator.url, 'clock');
    expect(Math.abs(clock.body.now - Date.now() / 1000)).toBeLessThan(5);
    expect((await stripe.webhookEndpoints.list()).data).toHaveLength(0);
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
