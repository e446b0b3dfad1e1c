// A person pays on the Stripe emulator's hosted page: a good card lands on success_url and the
// product's webhook receiver gets verified events; a declined card shows the decline on the page;
// "Back" returns to cancel_url.
import type { Page } from 'playwright-core';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type StripeEmulator,
  startStripeEmulator,
  stripeClientFor,
} from '../../tools/stripe-emulator/index.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../tools/stripe-emulator/test-support.ts';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';

let emulator: StripeEmulator;
let receiver: WebhookReceiver;
let browser: TestBrowser;
let stripe: Stripe;
let price: Stripe.Price;
/** Where success_url and cancel_url point: the receiver's own loopback server answers them. */
let site: string;

beforeAll(async () => {
  emulator = await startStripeEmulator();
  receiver = await startWebhookReceiver();
  browser = await launchBrowser();
  stripe = stripeClientFor(emulator.url, 'sk_test_browser');
  const endpoint = await stripe.webhookEndpoints.create({
    url: receiver.url,
    enabled_events: [
      'checkout.session.completed',
      'charge.succeeded',
      'charge.failed',
      'payment_intent.succeeded',
    ],
  });
  receiver.setSecret(endpoint.secret ?? '');
  site = new URL(receiver.url).origin;
  const product = await stripe.products.create({ name: 'Founding membership <b>' });
  price = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 4900 });
});

afterAll(async () => {
  await browser?.close();
  await receiver?.close();
  await emulator?.close();
});

async function newSession(email: string) {
  return stripe.checkout.sessions.create({
    mode: 'payment',
    line_items: [{ price: price.id, quantity: 1 }],
    customer_email: email,
    success_url: `${site}/thanks?session_id={CHECKOUT_SESSION_ID}`,
    cancel_url: `${site}/offer`,
  });
}

async function payWith(page: Page, card: string) {
  await page.fill('#card', card);
  await page.click('#submit');
}

// A journey: its steps run in order (the suite shuffles tests elsewhere).
describe('the hosted pay page', { shuffle: false }, () => {
  it('pays with 4242 4242 4242 4242, redirects to success_url, and the events arrive verified', async () => {
    const session = await newSession('buyer@example.com');
    const page = await browser.browser.newPage();
    await page.goto(session.url ?? '');
    await expect(page.locator('.banner').textContent()).resolves.toContain('Stripe emulator — test mode');
    const body = await page.locator('main').textContent();
    expect(body).toContain('Founding membership <b>');
    expect(body).toContain('$49.00');
    expect(await page.inputValue('#email')).toBe('buyer@example.com');
    await payWith(page, '4242 4242 4242 4242');
    await page.waitForURL(`${site}/thanks?session_id=${session.id}`);
    await page.close();

    const reread = await stripe.checkout.sessions.retrieve(session.id);
    expect(reread).toMatchObject({ status: 'complete', payment_status: 'paid' });
    const events = await receiver.waitFor((e) =>
      e.some((event) => event.type === 'checkout.session.completed'),
    );
    const completed = events.find((event) => event.type === 'checkout.session.completed')!;
    expect((completed.data.object as Stripe.Checkout.Session).id).toBe(session.id);
    expect(events.map((event) => event.type)).toEqual(
      expect.arrayContaining(['charge.succeeded', 'payment_intent.succeeded', 'checkout.session.completed']),
    );
    expect(receiver.received.every((r) => r.verified)).toBe(true);
  });

  it('shows the decline for 4000 0000 0000 0002 and stays open; Back goes to cancel_url', async () => {
    const session = await newSession('declined@example.com');
    const page = await browser.browser.newPage();
    await page.goto(session.url ?? '');
    await payWith(page, '4000 0000 0000 0002');
    await expect(page.locator('#error').textContent()).resolves.toContain('Your card was declined.');
    expect(page.url()).toBe(`${emulator.url}/c/pay/${session.id}`);
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
    await receiver.waitFor(() => receiver.received.some((r) => r.event.type === 'charge.failed'));
    const completedForThis = receiver.received.filter(
      (r) =>
        r.event.type === 'checkout.session.completed' &&
        (r.event.data.object as Stripe.Checkout.Session).id === session.id,
    );
    expect(completedForThis).toHaveLength(0);
    await page.click('#back');
    await page.waitForURL(`${site}/offer`);
    await page.close();
  });

  it('asks for 3D Secure with 4000 0000 0000 3220: failing stays on the page, completing pays', async () => {
    const session = await newSession('3ds@example.com');
    const page = await browser.browser.newPage();
    await page.goto(session.url ?? '');
    await payWith(page, '4000 0000 0000 3220');
    await expect(page.locator('h1').textContent()).resolves.toContain('3D Secure');
    await page.click('#fail-auth');
    await expect(page.locator('#error').textContent()).resolves.toContain('unable to authenticate');
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
    await payWith(page, '4000 0000 0000 3220');
    await page.click('#complete-auth');
    await page.waitForURL(`${site}/thanks?session_id=${session.id}`);
    await page.close();
    const paid = await stripe.checkout.sessions.retrieve(session.id, { expand: ['payment_intent'] });
    expect(paid).toMatchObject({ status: 'complete', payment_status: 'paid' });
    expect((paid.payment_intent as Stripe.PaymentIntent).status).toBe('succeeded');
    await receiver.waitFor((events) =>
      events.some(
        (event) =>
          event.type === 'checkout.session.completed' &&
          (event.data.object as Stripe.Checkout.Session).id === session.id,
      ),
    );
  });
});
