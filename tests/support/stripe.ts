// A test context with Stripe: the emulator on loopback, Guildhall connected to it through the real
// Settings route, and the webhooks under the test's control. The emulator's own deliveries go to a
// port nothing listens on; the test delivers events itself (signed as Stripe signs them), so it
// decides when, how often and in what order — duplicates, reordering, forged signatures.
import type { LightMyRequestResponse } from 'fastify';
import Stripe from 'stripe';
import { expect } from 'vitest';
import { type Clock, manualClock } from '../../src/platform/clock.ts';
import { startStripeEmulator, stripeClientFor } from '../../tools/stripe-emulator/index.ts';
import { control } from '../../tools/stripe-emulator/test-support.ts';
import { type Client, client } from './factories.ts';
import { createTestContext, type TestContext } from './test-app.ts';

export const STRIPE_TEST_KEY = 'sk_test_guildhall_integration';
// Nothing listens here: the emulator's own delivery attempts fail quietly; tests deliver by hand.
const UNREACHABLE_PUBLIC_URL = 'http://127.0.0.1:9';

export interface StripeTestContext extends TestContext {
  clock: Clock & { advance(ms: number): void };
  emulatorUrl: string;
  /** The SDK acting on the creator's account, for looking at what Guildhall made. */
  stripe: Stripe;
  /** Events the emulator produced that have not been delivered yet, oldest first. */
  pendingEvents(filter?: (event: Stripe.Event) => boolean): Promise<Stripe.Event[]>;
  /** Delivers events (all pending by default) to POST /webhooks/stripe, signed, and drains the inbox; answers the responses. */
  deliver(options?: {
    events?: Stripe.Event[];
    filter?: (event: Stripe.Event) => boolean;
    reverse?: boolean;
    twice?: boolean;
  }): Promise<LightMyRequestResponse[]>;
  /** Delivers one payload with the given signature header as is (for forged or stale signatures), and drains the inbox. */
  post(payload: string, signature: string | undefined, path?: string): Promise<LightMyRequestResponse>;
  sign(payload: string, options?: { secret?: string; timestamp?: number }): Promise<string>;
  /** What the pay page does: pays a Checkout Session with a test card. */
  pay(
    sessionId: string,
    card?: string,
    email?: string,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Moves the emulator's clock and Guildhall's together; what fell due at Stripe happens now. */
  advance(seconds: number): Promise<void>;
  control: (path: string, body?: Record<string, unknown>) => ReturnType<typeof control>;
}

export async function createStripeTestContext(
  options: { onQuery?: (sql: string) => void } = {},
): Promise<StripeTestContext> {
  const emulator = await startStripeEmulator({ port: 0, webhookRetryDelaysMs: [60_000] });
  const clock = manualClock(Date.now());
  const ctx = await createTestContext({
    clock,
    ...options,
    env: { STRIPE_API_URL: emulator.url, PUBLIC_URL: UNREACHABLE_PUBLIC_URL },
  });
  const delivered = new Set<string>();
  const stripe = stripeClientFor(emulator.url, STRIPE_TEST_KEY);

  /**
   * Every event, oldest first. The control names each event's account: the platform's events go to
   * Guildhall's endpoint as Stripe sends them (without `account`); a connected account's events keep
   * it and go to the Connect endpoint.
   */
  async function allEvents(): Promise<Stripe.Event[]> {
    const { body } = await control<{ data: (Stripe.Event & { account: string })[] }>(emulator.url, 'events');
    const platform = (await ctx.services.stripe.current())?.accountId;
    return body.data.map(
      ({ account, ...event }) => (account === platform ? event : { ...event, account }) as Stripe.Event,
    );
  }

  async function secret(kind: 'account' | 'connect' = 'account'): Promise<string> {
    const value = await ctx.services.stripe.webhookSecret(kind);
    if (!value) throw new Error('Stripe is not connected in this test');
    return value;
  }

  const context: StripeTestContext = {
    ...ctx,
    clock,
    emulatorUrl: emulator.url,
    stripe,
    async pendingEvents(filter) {
      return (await allEvents()).filter((event) => !delivered.has(event.id) && (!filter || filter(event)));
    },
    async sign(payload, signOptions = {}) {
      return Stripe.webhooks.generateTestHeaderString({
        payload,
        secret: signOptions.secret ?? (await secret()),
        ...(signOptions.timestamp ? { timestamp: signOptions.timestamp } : {}),
      });
    },
    async post(payload, signature, path = '/webhooks/stripe') {
      const response = await ctx.app.inject({
        method: 'POST',
        url: path,
        headers: {
          'content-type': 'application/json; charset=utf-8',
          ...(signature ? { 'stripe-signature': signature } : {}),
        },
        payload,
      });
      await ctx.services.billing.inbox.drain();
      return response;
    },
    async deliver(deliverOptions = {}) {
      let events = deliverOptions.events ?? (await context.pendingEvents(deliverOptions.filter));
      if (deliverOptions.reverse) events = [...events].reverse();
      const responses: LightMyRequestResponse[] = [];
      for (const event of events) {
        const payload = JSON.stringify(event);
        const connect = typeof event.account === 'string';
        const signature = await context.sign(payload, {
          secret: await secret(connect ? 'connect' : 'account'),
        });
        for (let i = 0; i < (deliverOptions.twice ? 2 : 1); i += 1) {
          responses.push(
            await context.post(payload, signature, connect ? '/webhooks/stripe/connect' : undefined),
          );
        }
        delivered.add(event.id);
      }
      // Answered at once, applied by the inbox's drainer: what a test checks next is what it applied.
      await ctx.services.billing.inbox.drain();
      return responses;
    },
    async pay(sessionId, card = '4242424242424242', email) {
      const result = await control(emulator.url, `checkout/sessions/${sessionId}/pay`, {
        card,
        ...(email ? { email } : {}),
      });
      return { status: result.status, body: result.body as Record<string, unknown> };
    },
    async advance(seconds) {
      const result = await control(emulator.url, 'clock/advance', { seconds });
      if (result.status !== 200) throw new Error(`clock advance failed: ${JSON.stringify(result.body)}`);
      clock.advance(seconds * 1000);
    },
    control: (path, body) => control(emulator.url, path, body),
    async close() {
      await ctx.close();
      await emulator.close();
    },
  };
  return context;
}

/** Connects Stripe as the owner would: Settings → Stripe, paste the key. */
export async function connectThroughSettings(owner: Client, key = STRIPE_TEST_KEY) {
  const response = await owner.request('PUT', '/api/v1/settings/stripe', { secretKey: key });
  if (response.statusCode !== 200) throw new Error(`connect failed: ${response.statusCode} ${response.body}`);
  return response.json();
}

/** Posts the checkout form as a browser would; answers the response (303 to Stripe's page on success). */
export async function submitCheckout(browser: Client, slug: string, values: Record<string, string>) {
  return browser.request('POST', `/checkout/${slug}`, new URLSearchParams(values).toString(), {
    'content-type': 'application/x-www-form-urlencoded',
  });
}

/** The Checkout Session id in the URL Guildhall redirected to. */
export function sessionIdOf(location: string): string {
  const match = /cs_[A-Za-z0-9_]+/.exec(location);
  if (!match) throw new Error(`no session id in ${location}`);
  return match[0];
}

/** A visitor fills the checkout form and pays on Stripe's page; answers the session and the payment. */
export async function startAndPay(
  ctx: StripeTestContext,
  browser: Client,
  slug: string,
  values: Record<string, string>,
  card?: string,
) {
  const started = await submitCheckout(browser, slug, values);
  if (started.statusCode !== 303) throw new Error(`checkout: ${started.statusCode} ${started.body}`);
  const location = started.headers.location as string;
  const sessionId = sessionIdOf(location);
  const paid = await ctx.pay(sessionId, card);
  return { sessionId, location, paid };
}

/**
 * A new visitor buys: the form, Stripe's page paid with 4242, and (unless told not to) every pending event
 * delivered, each answered 200. Answers the browser and the Checkout Session.
 */
export async function buyAsVisitor(
  ctx: StripeTestContext,
  slug: string,
  email: string,
  options: { deliver?: boolean } = {},
) {
  const browser = client(ctx);
  const { sessionId, paid } = await startAndPay(ctx, browser, slug, { email, name: 'Buyer' });
  expect(paid.status).toBe(200);
  if (options.deliver !== false) {
    const responses = await ctx.deliver();
    expect(responses.map((r) => r.statusCode).filter((s) => s !== 200)).toEqual([]);
  }
  return { browser, sessionId };
}
