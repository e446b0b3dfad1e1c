// A subscription's whole life driven by the emulator's clock: trial → first invoice → renewal →
// failed payment → retries → canceled, with the events a product would receive, in order.
import type Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type StripeEmulator, startStripeEmulator, stripeClientFor } from './index.ts';
import { advanceClock, control, startWebhookReceiver, type WebhookReceiver } from './test-support.ts';

const day = 86_400;
let emulator: StripeEmulator;
let receiver: WebhookReceiver;

beforeEach(async () => {
  emulator = await startStripeEmulator({ webhookRetryDelaysMs: [50] });
  receiver = await startWebhookReceiver();
});
afterEach(async () => {
  await emulator.close();
  await receiver.close();
});

const lifecycleTypes = [
  'checkout.session.completed',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'customer.subscription.trial_will_end',
  'invoice.paid',
  'invoice.payment_failed',
] as const;

describe('a subscription’s life by the clock', () => {
  it('trial → first invoice → renewal → failed payment → retries → canceled', async () => {
    const stripe = stripeClientFor(emulator.url, 'sk_test_life');
    const endpoint = await stripe.webhookEndpoints.create({
      url: receiver.url,
      enabled_events: [...lifecycleTypes],
    });
    receiver.setSecret(endpoint.secret ?? '');
    const product = await stripe.products.create({ name: 'Guild' });
    const price = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 1000,
      recurring: { interval: 'month' },
    });
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: price.id, quantity: 1 }],
      success_url: 'http://127.0.0.1:9/ok',
      customer_email: 'life@example.com',
      subscription_data: { trial_period_days: 7 },
    });
    await control(emulator.url, `checkout/sessions/${session.id}/pay`, { card: '4242424242424242' });
    const subscriptionId = String((await stripe.checkout.sessions.retrieve(session.id)).subscription);
    let subscription = await stripe.subscriptions.retrieve(subscriptionId);
    expect(subscription.status).toBe('trialing');
    expect(subscription.trial_end).toBe(subscription.created + 7 * day);
    expect(subscription.items.data[0]?.current_period_end).toBe(subscription.trial_end);

    // The trial ends: the first real invoice is paid and the subscription becomes active.
    await advanceClock(emulator.url, 7 * day + 60);
    subscription = await stripe.subscriptions.retrieve(subscriptionId, { expand: ['latest_invoice'] });
    expect(subscription.status).toBe('active');
    const firstInvoice = subscription.latest_invoice as Stripe.Invoice;
    expect(firstInvoice).toMatchObject({
      status: 'paid',
      amount_paid: 1000,
      billing_reason: 'subscription_cycle',
    });
    const firstPeriodEnd = subscription.items.data[0]!.current_period_end;

    // A month later it renews with a second paid invoice.
    await advanceClock(emulator.url, firstPeriodEnd - subscription.items.data[0]!.current_period_start);
    subscription = await stripe.subscriptions.retrieve(subscriptionId);
    expect(subscription.status).toBe('active');
    expect(subscription.items.data[0]!.current_period_start).toBe(firstPeriodEnd);
    const paid = await stripe.invoices.list({ subscription: subscriptionId, status: 'paid' });
    expect(paid.data).toHaveLength(3);

    // The bank starts refusing: the next renewal fails and the subscription is past due.
    await control(emulator.url, `subscriptions/${subscriptionId}/fail-next-payment`, {});
    const secondPeriodEnd = subscription.items.data[0]!.current_period_end;
    await advanceClock(emulator.url, secondPeriodEnd - subscription.items.data[0]!.current_period_start);
    subscription = await stripe.subscriptions.retrieve(subscriptionId, { expand: ['latest_invoice'] });
    expect(subscription.status).toBe('past_due');
    const failing = subscription.latest_invoice as Stripe.Invoice;
    expect(failing).toMatchObject({ status: 'open', attempt_count: 1 });
    expect(failing.next_payment_attempt).toBe(secondPeriodEnd + 3 * day);

    // Retries on days 3, 8 and 15 fail too; after the last one the subscription is canceled.
    await advanceClock(emulator.url, 3 * day);
    expect((await stripe.invoices.retrieve(failing.id)).attempt_count).toBe(2);
    await advanceClock(emulator.url, 12 * day);
    subscription = await stripe.subscriptions.retrieve(subscriptionId);
    expect(subscription.status).toBe('canceled');
    expect(subscription.cancellation_details?.reason).toBe('payment_failed');
    const finalInvoice = await stripe.invoices.retrieve(failing.id);
    expect(finalInvoice).toMatchObject({ status: 'open', attempt_count: 4, next_payment_attempt: null });

    const expected = [
      'customer.subscription.created',
      'invoice.paid',
      'checkout.session.completed',
      'customer.subscription.trial_will_end',
      'customer.subscription.updated', // trialing → active
      'invoice.paid',
      'customer.subscription.updated', // renewal
      'invoice.paid',
      'customer.subscription.updated', // renewal
      'invoice.payment_failed',
      'customer.subscription.updated', // active → past_due
      'invoice.payment_failed',
      'invoice.payment_failed',
      'invoice.payment_failed',
      'customer.subscription.deleted',
    ];
    const events = await receiver.waitFor((e) => e.length >= expected.length);
    expect(events.map((e) => e.type)).toEqual(expected);
    const toActive = events[4]!;
    expect(toActive.data.previous_attributes).toMatchObject({ status: 'trialing' });
    const toPastDue = events[10]!;
    expect(toPastDue.data.previous_attributes).toMatchObject({ status: 'active' });
    expect((events.at(-1)!.data.object as Stripe.Subscription).status).toBe('canceled');
  });

  it('a replaced card ends the failures: the portal pays the open invoice and reactivates', async () => {
    const stripe = stripeClientFor(emulator.url, 'sk_test_recover');
    const product = await stripe.products.create({ name: 'Guild' });
    const price = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 1000,
      recurring: { interval: 'month' },
    });
    const customer = await stripe.customers.create({
      email: 'r@example.com',
      payment_method: 'pm_card_visa',
    });
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
    });
    await control(emulator.url, `subscriptions/${subscription.id}/fail-next-payment`, {});
    const item = subscription.items.data[0]!;
    await advanceClock(emulator.url, item.current_period_end - item.current_period_start);
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('past_due');
    const portal = await stripe.billingPortal.sessions.create({ customer: customer.id });
    await fetch(portal.url, {
      method: 'POST',
      body: new URLSearchParams({ action: 'update_card', card: '4242424242424242' }),
      redirect: 'manual',
    });
    const recovered = await stripe.subscriptions.retrieve(subscription.id, { expand: ['latest_invoice'] });
    expect(recovered.status).toBe('active');
    expect((recovered.latest_invoice as Stripe.Invoice).status).toBe('paid');
  });

  it('with afterFinalFailure "unpaid", the last failed retry leaves it unpaid, not canceled', async () => {
    const own = await startStripeEmulator({ afterFinalFailure: 'unpaid', invoiceRetryDays: [2] });
    try {
      const stripe = stripeClientFor(own.url, 'sk_test_unpaid');
      const product = await stripe.products.create({ name: 'Guild' });
      const price = await stripe.prices.create({
        product: product.id,
        currency: 'usd',
        unit_amount: 1000,
        recurring: { interval: 'month' },
      });
      const customer = await stripe.customers.create({
        email: 'u@example.com',
        payment_method: 'pm_card_visa',
      });
      const subscription = await stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: price.id }],
      });
      await control(own.url, `subscriptions/${subscription.id}/fail-next-payment`, {});
      const item = subscription.items.data[0]!;
      await advanceClock(own.url, item.current_period_end - item.current_period_start);
      expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('past_due');
      await advanceClock(own.url, 2 * day);
      const unpaid = await stripe.subscriptions.retrieve(subscription.id, { expand: ['latest_invoice'] });
      expect(unpaid.status).toBe('unpaid');
      expect(unpaid.latest_invoice as Stripe.Invoice).toMatchObject({
        status: 'open',
        attempt_count: 2,
        next_payment_attempt: null,
      });
      const types = (await stripe.events.list({ type: 'customer.subscription.*' })).data.map((e) => e.type);
      expect(types).not.toContain('customer.subscription.deleted');
    } finally {
      await own.close();
    }
  });

  it('cancel_at_period_end ends the subscription when the period ends', async () => {
    const stripe = stripeClientFor(emulator.url, 'sk_test_period_end');
    const product = await stripe.products.create({ name: 'Guild' });
    const price = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 1000,
      recurring: { interval: 'week', interval_count: 2 },
    });
    const customer = await stripe.customers.create({
      email: 'e@example.com',
      payment_method: 'pm_card_visa',
    });
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
    });
    await stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true });
    await advanceClock(emulator.url, 14 * day);
    const ended = await stripe.subscriptions.retrieve(subscription.id);
    expect(ended.status).toBe('canceled');
    expect(ended.ended_at).toBe(subscription.items.data[0]!.current_period_end);
    expect((await stripe.invoices.list({ subscription: subscription.id })).data).toHaveLength(1);
  });
});
