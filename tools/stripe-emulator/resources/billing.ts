// Subscriptions and invoices, and what the clock brings them: a trial ends, a period renews with an
// invoice, a failed payment is retried on Stripe's schedule until the subscription is canceled (or
// left unpaid), a subscription set to cancel at period end ends.
import type Stripe from 'stripe';
import { type Emulator, snapshot } from '../emulator.ts';
import { invalidParam, invalidRequest, noSuchObject, StripeApiError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Params } from '../params.ts';
import { paginate } from '../present.ts';
import { type ApiContext, type ApiRoute, createdRange, listParams, type ParamSpec } from '../routes.ts';
import { type AccountState, allOfKind, getObject, idOf, putObject } from '../store.ts';
import { requirePrice, wireDecimal } from './catalog.ts';
import { requireCustomer } from './customers.ts';
import { confirmPaymentIntent, createPaymentIntent, type PaymentResult } from './payments.ts';

const day = 86_400;

export interface SubscriptionInput {
  customer: Stripe.Customer;
  items: { price: Stripe.Price; quantity: number; metadata?: Record<string, string> }[];
  trialEnd: number | null;
  metadata: Record<string, string>;
  defaultPaymentMethod: string | null;
  cancelAtPeriodEnd: boolean;
  description: string | null;
}

/** Adds whole calendar intervals the way Stripe bills (Jan 31 + 1 month → Feb 28/29). */
export function addInterval(start: number, interval: Stripe.Price.Recurring.Interval, count: number): number {
  if (interval === 'day') return start + count * day;
  if (interval === 'week') return start + count * 7 * day;
  const date = new Date(start * 1000);
  const months = interval === 'month' ? count : count * 12;
  const targetMonth = date.getUTCMonth() + months;
  const result = new Date(date.getTime());
  result.setUTCDate(1);
  result.setUTCMonth(targetMonth);
  const lastDay = new Date(Date.UTC(result.getUTCFullYear(), result.getUTCMonth() + 1, 0)).getUTCDate();
  result.setUTCDate(Math.min(date.getUTCDate(), lastDay));
  return Math.floor(result.getTime() / 1000);
}

export function planFor(price: Stripe.Price): Stripe.Plan {
  const recurring = price.recurring;
  return {
    id: price.id,
    object: 'plan',
    active: price.active,
    amount: price.unit_amount,
    amount_decimal: price.unit_amount_decimal,
    billing_scheme: 'per_unit',
    created: price.created,
    currency: price.currency,
    interval: recurring?.interval ?? 'month',
    interval_count: recurring?.interval_count ?? 1,
    livemode: false,
    metadata: price.metadata,
    meter: null,
    nickname: price.nickname,
    product: price.product,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: recurring?.trial_period_days ?? null,
    usage_type: 'licensed',
  };
}

export function requireSubscription(
  state: AccountState,
  id: string,
  param = 'subscription',
): Stripe.Subscription {
  const subscription = getObject(state, 'subscription', id);
  if (!subscription) throw noSuchObject('subscription', id, param);
  return subscription;
}

export function requireInvoice(state: AccountState, id: string, param = 'invoice'): Stripe.Invoice {
  const invoice = getObject(state, 'invoice', id);
  if (!invoice) throw noSuchObject('invoice', id, param);
  return invoice;
}

export function periodOf(subscription: Stripe.Subscription): { start: number; end: number } {
  const item = subscription.items.data[0];
  return {
    start: item?.current_period_start ?? subscription.start_date,
    end: item?.current_period_end ?? subscription.start_date,
  };
}

function setPeriod(subscription: Stripe.Subscription, start: number, end: number): void {
  for (const item of subscription.items.data) {
    item.current_period_start = start;
    item.current_period_end = end;
  }
}

function firstRecurring(subscription: Stripe.Subscription): Stripe.Price.Recurring {
  return (
    subscription.items.data[0]?.price.recurring ?? {
      interval: 'month',
      interval_count: 1,
      meter: null,
      trial_period_days: null,
      usage_type: 'licensed',
    }
  );
}

export function paymentMethodFor(state: AccountState, subscription: Stripe.Subscription): string | null {
  const own = idOf(subscription.default_payment_method);
  if (own) return own;
  const customer = getObject(state, 'customer', idOf(subscription.customer) ?? '');
  return idOf(customer?.invoice_settings.default_payment_method ?? null);
}

/** Creates a subscription with its first invoice, paid now (or $0 while a trial runs). */
export function createSubscription(
  emu: Emulator,
  state: AccountState,
  input: SubscriptionInput,
): { subscription: Stripe.Subscription; invoice: Stripe.Invoice; payment: PaymentResult | null } {
  const now = emu.now();
  const first = input.items[0];
  if (!first) throw missingItems();
  const currencies = new Set(input.items.map((item) => item.price.currency));
  if (currencies.size > 1)
    throw invalidParam('items', 'All prices on a subscription must have the same currency.');
  for (const item of input.items) {
    if (!item.price.recurring) {
      throw invalidParam(
        'items',
        `The price specified (${item.price.id}) is a one-time price; subscriptions need recurring prices.`,
      );
    }
  }
  const recurring = first.price.recurring!;
  const periodEnd = input.trialEnd ?? addInterval(now, recurring.interval, recurring.interval_count);
  const id = newId('sub');
  const subscription: Stripe.Subscription = {
    id,
    object: 'subscription',
    application: null,
    application_fee_percent: null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null },
    billing_cycle_anchor: periodEnd > now && input.trialEnd ? input.trialEnd : now,
    billing_cycle_anchor_config: null,
    billing_mode: { flexible: null, type: 'classic' },
    billing_schedules: [],
    billing_thresholds: null,
    cancel_at: input.cancelAtPeriodEnd ? periodEnd : null,
    cancel_at_period_end: input.cancelAtPeriodEnd,
    canceled_at: null,
    cancellation_details: { comment: null, feedback: null, feedback_option: null, reason: null },
    collection_method: 'charge_automatically',
    created: now,
    currency: first.price.currency,
    customer: input.customer.id,
    customer_account: null,
    days_until_due: null,
    default_payment_method: input.defaultPaymentMethod,
    default_source: null,
    default_tax_rates: [],
    description: input.description,
    discounts: [],
    ended_at: null,
    invoice_settings: {
      account_tax_ids: null,
      custom_fields: null,
      description: null,
      footer: null,
      issuer: { type: 'self' },
    },
    items: {
      object: 'list',
      data: input.items.map((item) => ({
        id: newId('si', 14),
        object: 'subscription_item',
        billing_thresholds: null,
        created: now,
        current_period_end: periodEnd,
        current_period_start: now,
        current_trial: null,
        discounts: [],
        metadata: item.metadata ?? {},
        plan: planFor(item.price),
        price: snapshot(item.price),
        quantity: item.quantity,
        subscription: id,
        tax_rates: [],
      })),
      has_more: false,
      url: `/v1/subscription_items?subscription=${id}`,
    },
    latest_invoice: null,
    livemode: false,
    managed_payments: null,
    metadata: input.metadata,
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pause_collection: null,
    payment_settings: {
      payment_method_options: null,
      payment_method_types: null,
      save_default_payment_method: 'off',
    },
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    schedule: null,
    start_date: now,
    status: input.trialEnd ? 'trialing' : 'incomplete',
    test_clock: null,
    transfer_data: null,
    trial_end: input.trialEnd,
    trial_settings: {
      end_behavior: { billing_cycle_anchor: null, missing_payment_method: 'create_invoice' },
    },
    trial_start: input.trialEnd ? now : null,
  };
  putObject(state, subscription);
  emu.emit(state, 'customer.subscription.created', subscription);
  const invoice = createInvoice(
    emu,
    state,
    subscription,
    'subscription_create',
    { start: now, end: now },
    { start: now, end: periodEnd },
  );
  const payment = collectInvoice(emu, state, invoice);
  return { subscription, invoice, payment };
}

function missingItems(): StripeApiError {
  return invalidParam('items', 'Missing required param: items.', 'parameter_missing');
}

function createInvoice(
  emu: Emulator,
  state: AccountState,
  subscription: Stripe.Subscription,
  reason: Stripe.Invoice.BillingReason,
  period: { start: number; end: number },
  linePeriod: { start: number; end: number },
): Stripe.Invoice {
  const now = emu.now();
  const customer = getObject(state, 'customer', idOf(subscription.customer) ?? '');
  const trialing = subscription.status === 'trialing';
  const id = newId('in');
  const lines: Stripe.InvoiceLineItem[] = subscription.items.data.map((item) => {
    const amount = trialing ? 0 : (item.price.unit_amount ?? 0) * (item.quantity ?? 1);
    const productName = (() => {
      const product = getObject(state, 'product', idOf(item.price.product) ?? '');
      return product?.name ?? 'Subscription';
    })();
    return {
      id: newId('il'),
      object: 'line_item',
      amount,
      currency: subscription.currency,
      description: trialing ? `Trial period for ${productName}` : `${item.quantity ?? 1} × ${productName}`,
      discount_amounts: [],
      discountable: true,
      discounts: [],
      invoice: id,
      livemode: false,
      metadata: {},
      parent: {
        type: 'subscription_item_details',
        invoice_item_details: null,
        subscription_item_details: {
          invoice_item: null,
          proration: false,
          proration_details: { credited_items: null },
          subscription: subscription.id,
          subscription_item: item.id,
        },
      },
      period: { start: linePeriod.start, end: linePeriod.end },
      pretax_credit_amounts: [],
      pricing: {
        type: 'price_details',
        price_details: { price: item.price.id, product: idOf(item.price.product) ?? '' },
        unit_amount_decimal: item.price.unit_amount_decimal,
      },
      quantity: item.quantity ?? 1,
      quantity_decimal: wireDecimal(item.quantity ?? 1),
      subscription: subscription.id,
      subtotal: amount,
      taxes: [],
    };
  });
  const total = lines.reduce((sum, line) => sum + line.amount, 0);
  const sequence = customer?.next_invoice_sequence ?? 1;
  if (customer) customer.next_invoice_sequence = sequence + 1;
  const invoice: Stripe.Invoice = {
    id,
    object: 'invoice',
    account_country: 'US',
    account_name: state.account.business_profile?.name ?? null,
    account_tax_ids: null,
    amount_due: total,
    amount_overpaid: 0,
    amount_paid: 0,
    amount_remaining: total,
    amount_shipping: 0,
    application: null,
    attempt_count: 0,
    attempted: false,
    auto_advance: true,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    automatically_finalizes_at: null,
    billing_reason: reason,
    collection_method: 'charge_automatically',
    created: now,
    currency: subscription.currency,
    custom_fields: null,
    customer: idOf(subscription.customer),
    customer_account: null,
    customer_address: null,
    customer_email: customer?.email ?? null,
    customer_name: customer?.name ?? null,
    customer_phone: customer?.phone ?? null,
    customer_shipping: null,
    customer_tax_exempt: 'none',
    customer_tax_ids: [],
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    due_date: null,
    effective_at: null,
    ending_balance: null,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: null,
    invoice_pdf: null,
    issuer: { type: 'self' },
    last_finalization_error: null,
    latest_revision: null,
    lines: { object: 'list', data: lines, has_more: false, url: `/v1/invoices/${id}/lines` },
    livemode: false,
    metadata: {},
    next_payment_attempt: null,
    number: null,
    on_behalf_of: null,
    parent: {
      type: 'subscription_details',
      quote_details: null,
      subscription_details: { metadata: snapshot(subscription.metadata), subscription: subscription.id },
    },
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: period.end,
    period_start: period.start,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: 'draft',
    status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
    subtotal: total,
    subtotal_excluding_tax: total,
    test_clock: null,
    total,
    total_discount_amounts: [],
    total_excluding_tax: total,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: now,
  };
  putObject(state, invoice);
  emu.emit(state, 'invoice.created', invoice);
  invoice.status = 'open';
  invoice.number = `${customer?.invoice_prefix ?? 'EMU'}-${String(sequence).padStart(4, '0')}`;
  // A finalized invoice has its hosted page (served by the emulator, pages.ts).
  invoice.hosted_invoice_url = `${emu.settings.baseUrl}/i/${invoice.id}`;
  invoice.effective_at = now;
  invoice.status_transitions.finalized_at = now;
  emu.emit(state, 'invoice.finalized', invoice, undefined);
  subscription.latest_invoice = invoice.id;
  return invoice;
}

function markPaid(
  emu: Emulator,
  state: AccountState,
  invoice: Stripe.Invoice,
  intent: Stripe.PaymentIntent | null,
): void {
  const now = emu.now();
  invoice.status = 'paid';
  invoice.amount_paid = invoice.amount_due;
  invoice.amount_remaining = 0;
  invoice.next_payment_attempt = null;
  invoice.status_transitions.paid_at = now;
  const payment: Stripe.InvoicePayment = {
    id: newId('inpay'),
    object: 'invoice_payment',
    amount_paid: invoice.amount_due,
    amount_requested: invoice.amount_due,
    created: now,
    currency: invoice.currency,
    invoice: invoice.id,
    is_default: true,
    livemode: false,
    payment: intent ? { type: 'payment_intent', payment_intent: intent.id } : { type: 'out_of_band_payment' },
    status: 'paid',
    status_transitions: { canceled_at: null, paid_at: now },
  };
  putObject(state, payment);
  emu.emit(state, 'invoice.paid', invoice);
  emu.emit(state, 'invoice.payment_succeeded', invoice);
  if (intent) emu.emit(state, 'invoice_payment.paid', payment);
}

/**
 * One collection attempt on an open invoice: success marks it paid and makes its subscription active;
 * failure counts the attempt, schedules the next retry, and moves the subscription along.
 */
export function collectInvoice(
  emu: Emulator,
  state: AccountState,
  invoice: Stripe.Invoice,
  /** A payment method given for this attempt (`invoices.pay` with `payment_method`). */
  methodOverride?: string,
): PaymentResult | null {
  if (invoice.status !== 'open') return null;
  const subscription = getObject(
    state,
    'subscription',
    idOf(invoice.parent?.subscription_details?.subscription ?? null) ?? '',
  );
  if (invoice.amount_due === 0) {
    invoice.attempted = true;
    markPaid(emu, state, invoice, null);
    if (subscription) activate(emu, state, subscription);
    return null;
  }
  const usual = subscription ? paymentMethodFor(state, subscription) : idOf(invoice.default_payment_method);
  const methodId = methodOverride ?? usual;
  const method = methodId ? getObject(state, 'payment_method', methodId) : undefined;
  invoice.attempted = true;
  invoice.attempt_count += 1;
  let result: PaymentResult | null = null;
  if (method) {
    const intent = createPaymentIntent(emu, state, {
      amount: invoice.amount_due,
      currency: invoice.currency,
      customer: idOf(invoice.customer),
      description:
        invoice.billing_reason === 'subscription_create' ? 'Subscription creation' : 'Subscription update',
      offSession: true,
    });
    result = confirmPaymentIntent(emu, state, intent, method, {
      // A failing subscription's card keeps failing; another card given for this payment does not.
      forceFail: subscription ? state.failingSubscriptions.has(subscription.id) && methodId === usual : false,
      offSession: invoice.billing_reason !== 'subscription_create',
    });
    if (!result.error) {
      markPaid(emu, state, invoice, intent);
      if (subscription) activate(emu, state, subscription);
      return result;
    }
  }
  const retryDays = emu.settings.invoiceRetryDays[invoice.attempt_count - 1];
  const firstInvoice = invoice.billing_reason === 'subscription_create';
  invoice.next_payment_attempt =
    retryDays !== undefined && !firstInvoice ? emu.now() + retryDays * day : null;
  emu.emit(state, 'invoice.payment_failed', invoice);
  if (!subscription || firstInvoice) return result;
  if (invoice.next_payment_attempt === null) giveUp(emu, state, subscription);
  else if (subscription.status === 'active' || subscription.status === 'trialing') {
    const before = snapshot(subscription);
    subscription.status = 'past_due';
    emu.emitUpdate(state, 'customer.subscription.updated', before, subscription);
  }
  return result;
}

function activate(emu: Emulator, state: AccountState, subscription: Stripe.Subscription): void {
  if (subscription.status === 'trialing' && (subscription.trial_end ?? 0) > emu.now()) return;
  if (subscription.status === 'active' || subscription.status === 'canceled') return;
  const before = snapshot(subscription);
  subscription.status = 'active';
  emu.emitUpdate(state, 'customer.subscription.updated', before, subscription);
}

/** Every retry failed: Stripe's "if all retries fail" setting decides between canceled and unpaid. */
function giveUp(emu: Emulator, state: AccountState, subscription: Stripe.Subscription): void {
  if (emu.settings.afterFinalFailure === 'unpaid') {
    const before = snapshot(subscription);
    subscription.status = 'unpaid';
    emu.emitUpdate(state, 'customer.subscription.updated', before, subscription);
    return;
  }
  cancelNow(emu, state, subscription, 'payment_failed');
}

export function cancelNow(
  emu: Emulator,
  state: AccountState,
  subscription: Stripe.Subscription,
  reason: Stripe.Subscription.CancellationDetails.Reason,
  details: {
    comment?: string | null;
    feedback?: Stripe.Subscription.CancellationDetails.Feedback | null;
  } = {},
): Stripe.Subscription {
  if (subscription.status === 'canceled') {
    throw invalidRequest(
      `No such subscription: '${subscription.id}'; it has already been canceled.`,
      'id',
      'resource_missing',
    );
  }
  const now = emu.now();
  subscription.status = 'canceled';
  subscription.canceled_at = subscription.canceled_at ?? now;
  subscription.ended_at = now;
  subscription.cancellation_details = {
    comment: details.comment ?? subscription.cancellation_details?.comment ?? null,
    feedback: details.feedback ?? subscription.cancellation_details?.feedback ?? null,
    feedback_option: null,
    reason,
  };
  state.failingSubscriptions.delete(subscription.id);
  for (const invoice of allOfKind(state, 'invoice')) {
    if (invoice.parent?.subscription_details?.subscription === subscription.id && invoice.status === 'open') {
      invoice.next_payment_attempt = null;
    }
  }
  emu.emit(state, 'customer.subscription.deleted', subscription);
  return subscription;
}

export function renew(emu: Emulator, state: AccountState, subscription: Stripe.Subscription): void {
  const period = periodOf(subscription);
  if (
    subscription.cancel_at_period_end ||
    (subscription.cancel_at !== null && subscription.cancel_at <= period.end)
  ) {
    cancelNow(emu, state, subscription, 'cancellation_requested');
    return;
  }
  const recurring = firstRecurring(subscription);
  const before = snapshot(subscription);
  const end = addInterval(period.end, recurring.interval, recurring.interval_count);
  setPeriod(subscription, period.end, end);
  if (subscription.status === 'trialing') subscription.status = 'active';
  emu.emitUpdate(state, 'customer.subscription.updated', before, subscription);
  const invoice = createInvoice(emu, state, subscription, 'subscription_cycle', period, {
    start: period.end,
    end,
  });
  if (subscription.status === 'unpaid') return;
  collectInvoice(emu, state, invoice);
}

function itemsFrom(state: AccountState, list: Params[]): SubscriptionInput['items'] {
  return list.map((item) => ({
    price: requirePrice(state, item.requiredString('price'), item.name('price')),
    quantity: item.integer('quantity') ?? 1,
    metadata: item.metadata(),
  }));
}

/** Values each handler accepts for an enum parameter; `sdk-params.test.ts` holds them to the SDK's literals. */
export const prorationBehaviors = ['always_invoice', 'create_prorations', 'none'] as const;
export const paymentBehaviors = ['allow_incomplete', 'error_if_incomplete'] as const;

export const feedbackValues = [
  'customer_service',
  'low_quality',
  'missing_features',
  'other',
  'switched_service',
  'too_complex',
  'too_expensive',
  'unused',
] as const;

const cancellationDetailsParams: ParamSpec = { comment: true, feedback: true };

function createSubscriptionRoute(ctx: ApiContext): Stripe.Subscription {
  const p = ctx.params;
  const customer = requireCustomer(ctx.state, p.requiredString('customer'));
  const items = itemsFrom(ctx.state, p.children('items'));
  if (items.length === 0) throw missingItems();
  const trialDays = p.integer('trial_period_days');
  const trialEndParam = p.string('trial_end');
  const now = ctx.emu.now();
  const trialEnd =
    trialEndParam && trialEndParam !== 'now'
      ? Number(trialEndParam)
      : trialDays
        ? now + trialDays * day
        : null;
  const methodId = p.string('default_payment_method') ?? null;
  if (methodId && idOf(getObject(ctx.state, 'payment_method', methodId)?.customer ?? null) !== customer.id) {
    throw invalidParam(
      'default_payment_method',
      'The customer does not have a payment method with the ID provided.',
      'resource_missing',
    );
  }
  const { subscription, payment } = createSubscription(ctx.emu, ctx.state, {
    customer,
    items,
    trialEnd,
    metadata: p.metadata(),
    defaultPaymentMethod: methodId,
    cancelAtPeriodEnd: p.boolean('cancel_at_period_end') ?? false,
    description: p.string('description') ?? null,
  });
  // `default_incomplete` and `pending_if_incomplete` (no payment attempt at creation) are not emulated.
  const behavior = p.oneOf('payment_behavior', paymentBehaviors) ?? 'allow_incomplete';
  if (payment?.error && behavior === 'error_if_incomplete') {
    throw new StripeApiError(402, payment.error);
  }
  return subscription;
}

function updateSubscriptionRoute(ctx: ApiContext): Stripe.Subscription {
  const subscription = requireSubscription(ctx.state, ctx.path.id ?? '', 'id');
  if (subscription.status === 'canceled') {
    throw invalidRequest('A canceled subscription can only update its cancellation_details and metadata.');
  }
  const p = ctx.params;
  // Accepted for Stripe's sake; the emulator never prorates (a new price applies from the next invoice).
  p.oneOf('proration_behavior', prorationBehaviors);
  const before = snapshot(subscription);
  if (p.has('metadata')) subscription.metadata = p.metadata(subscription.metadata);
  if (p.has('description')) subscription.description = p.string('description') || null;
  const cancelAtPeriodEnd = p.boolean('cancel_at_period_end');
  if (cancelAtPeriodEnd !== undefined) {
    subscription.cancel_at_period_end = cancelAtPeriodEnd;
    subscription.cancel_at = cancelAtPeriodEnd ? periodOf(subscription).end : null;
    subscription.canceled_at = cancelAtPeriodEnd ? ctx.emu.now() : null;
    subscription.cancellation_details = {
      comment: subscription.cancellation_details?.comment ?? null,
      feedback: subscription.cancellation_details?.feedback ?? null,
      feedback_option: null,
      reason: cancelAtPeriodEnd ? 'cancellation_requested' : null,
    };
  }
  const details = p.child('cancellation_details');
  if (details) {
    subscription.cancellation_details = {
      comment: details.string('comment') ?? null,
      feedback: details.oneOf('feedback', feedbackValues) ?? null,
      feedback_option: null,
      reason: subscription.cancellation_details?.reason ?? null,
    };
  }
  if (p.has('default_payment_method')) {
    const methodId = p.string('default_payment_method') || null;
    if (methodId) {
      const method = getObject(ctx.state, 'payment_method', methodId);
      if (!method || idOf(method.customer) !== idOf(subscription.customer)) {
        throw invalidParam(
          'default_payment_method',
          'The customer does not have a payment method with the ID provided.',
          'resource_missing',
        );
      }
      if (methodId !== idOf(subscription.default_payment_method))
        ctx.state.failingSubscriptions.delete(subscription.id);
    }
    subscription.default_payment_method = methodId;
  }
  for (const itemParams of p.children('items')) {
    const itemId = itemParams.string('id');
    const priceId = itemParams.string('price');
    const item = itemId ? subscription.items.data.find((candidate) => candidate.id === itemId) : undefined;
    if (itemId && !item) throw noSuchObject('subscription_item', itemId, itemParams.name('id'));
    if (item && priceId) {
      const price = requirePrice(ctx.state, priceId, itemParams.name('price'));
      item.price = snapshot(price);
      item.plan = planFor(price);
    }
    if (item) item.quantity = itemParams.integer('quantity') ?? item.quantity;
  }
  const trialEnd = p.string('trial_end');
  if (trialEnd === 'now' && subscription.status === 'trialing') {
    subscription.trial_end = ctx.emu.now();
    setPeriod(subscription, periodOf(subscription).start, ctx.emu.now());
  }
  ctx.emu.emitUpdate(ctx.state, 'customer.subscription.updated', before, subscription);
  if (trialEnd === 'now') ctx.emu.runDue();
  return subscription;
}

export const billingRoutes: ApiRoute[] = [
  {
    method: 'POST',
    pattern: '/v1/subscriptions',
    params: {
      expand: true,
      customer: true,
      items: [{ price: true, quantity: true, metadata: true }],
      trial_period_days: true,
      trial_end: true,
      default_payment_method: true,
      metadata: true,
      cancel_at_period_end: true,
      description: true,
      payment_behavior: true,
    },
    handle: createSubscriptionRoute,
  },
  {
    method: 'GET',
    pattern: '/v1/subscriptions/:id',
    params: { expand: true },
    handle: (ctx) => requireSubscription(ctx.state, ctx.path.id ?? '', 'id'),
  },
  {
    method: 'POST',
    pattern: '/v1/subscriptions/:id',
    params: {
      expand: true,
      metadata: true,
      description: true,
      cancel_at_period_end: true,
      cancellation_details: cancellationDetailsParams,
      default_payment_method: true,
      items: [{ id: true, price: true, quantity: true }],
      trial_end: true,
      proration_behavior: true,
    },
    handle: updateSubscriptionRoute,
  },
  {
    method: 'DELETE',
    pattern: '/v1/subscriptions/:id',
    params: { expand: true, cancellation_details: cancellationDetailsParams },
    handle: (ctx) => {
      const details = ctx.params.child('cancellation_details');
      return cancelNow(
        ctx.emu,
        ctx.state,
        requireSubscription(ctx.state, ctx.path.id ?? '', 'id'),
        'cancellation_requested',
        {
          comment: details?.string('comment') ?? null,
          feedback: details?.oneOf('feedback', feedbackValues) ?? null,
        },
      );
    },
  },
  {
    method: 'GET',
    pattern: '/v1/subscriptions',
    params: listParams({ created: createdRange, customer: true, price: true, status: true }),
    handle: (ctx) => {
      const p = ctx.params;
      const customer = p.string('customer');
      const price = p.string('price');
      const status = p.string('status');
      const items = allOfKind(ctx.state, 'subscription').filter(
        (subscription) =>
          (!customer || idOf(subscription.customer) === customer) &&
          (!price || subscription.items.data.some((item) => item.price.id === price)) &&
          (status === 'all' ||
            (status === undefined &&
              subscription.status !== 'canceled' &&
              subscription.status !== 'incomplete_expired') ||
            (status === 'ended' &&
              (subscription.status === 'canceled' || subscription.status === 'incomplete_expired')) ||
            subscription.status === status),
      );
      return paginate(items, p, '/v1/subscriptions');
    },
  },
  {
    method: 'GET',
    pattern: '/v1/invoices/:id',
    params: { expand: true },
    handle: (ctx) => requireInvoice(ctx.state, ctx.path.id ?? '', 'id'),
  },
  {
    method: 'POST',
    pattern: '/v1/invoices/:id',
    params: { expand: true, metadata: true, description: true },
    handle: (ctx) => {
      const invoice = requireInvoice(ctx.state, ctx.path.id ?? '', 'id');
      const before = snapshot(invoice);
      if (ctx.params.has('metadata')) invoice.metadata = ctx.params.metadata(invoice.metadata ?? {});
      if (ctx.params.has('description')) invoice.description = ctx.params.string('description') || null;
      ctx.emu.emitUpdate(ctx.state, 'invoice.updated', before, invoice);
      return invoice;
    },
  },
  {
    method: 'GET',
    pattern: '/v1/invoices/:id/lines',
    params: listParams(),
    handle: (ctx) => {
      const invoice = requireInvoice(ctx.state, ctx.path.id ?? '', 'id');
      // Lines keep the invoice's order; `created` only orders them for the pager and is not sent.
      const lines = invoice.lines.data.map((line, index) => ({ ...line, created: invoice.created - index }));
      const page = paginate(lines, ctx.params, `/v1/invoices/${invoice.id}/lines`);
      return { ...page, data: page.data.map(({ created: _created, ...line }) => line) };
    },
  },
  {
    method: 'POST',
    pattern: '/v1/invoices/:id/pay',
    params: { expand: true, payment_method: true },
    handle: (ctx) => {
      const invoice = requireInvoice(ctx.state, ctx.path.id ?? '', 'id');
      if (invoice.status === 'paid') throw invalidRequest('Invoice is already paid.');
      if (invoice.status !== 'open')
        throw invalidRequest(`You can only pay an open invoice; this one is ${invoice.status}.`);
      const methodId = ctx.params.string('payment_method');
      if (methodId) {
        const method = getObject(ctx.state, 'payment_method', methodId);
        if (!method) throw noSuchObject('PaymentMethod', methodId, 'payment_method');
        if (idOf(method.customer) !== idOf(invoice.customer)) {
          throw invalidParam(
            'payment_method',
            'The payment method must be attached to the invoice’s customer.',
            'resource_missing',
          );
        }
      }
      const result = collectInvoice(ctx.emu, ctx.state, invoice, methodId);
      if (result?.error) throw new StripeApiError(402, result.error);
      return invoice;
    },
  },
  {
    method: 'GET',
    pattern: '/v1/invoices',
    params: listParams({ created: createdRange, customer: true, subscription: true, status: true }),
    handle: (ctx) => {
      const p = ctx.params;
      const customer = p.string('customer');
      const subscription = p.string('subscription');
      const status = p.string('status');
      const items = allOfKind(ctx.state, 'invoice').filter(
        (invoice) =>
          (!customer || idOf(invoice.customer) === customer) &&
          (!subscription || invoice.parent?.subscription_details?.subscription === subscription) &&
          (!status || invoice.status === status),
      );
      return paginate(items, p, '/v1/invoices');
    },
  },
  {
    method: 'GET',
    pattern: '/v1/invoice_payments',
    params: listParams({
      created: createdRange,
      invoice: true,
      payment: { type: true, payment_intent: true, payment_record: true },
      status: true,
    }),
    handle: (ctx) => {
      const invoice = ctx.params.string('invoice');
      const status = ctx.params.string('status');
      const payment = ctx.params.child('payment');
      const type = payment?.oneOf('type', ['payment_intent', 'payment_record'] as const);
      const intent = payment?.string('payment_intent');
      const items = allOfKind(ctx.state, 'invoice_payment').filter(
        (row) =>
          (!invoice || idOf(row.invoice) === invoice) &&
          (!status || row.status === status) &&
          (!type || row.payment.type === type) &&
          (!intent || idOf(row.payment.payment_intent) === intent),
      );
      return paginate(items, ctx.params, '/v1/invoice_payments');
    },
  },
];

/** Fields of invoices that Stripe only includes on request (`expand[]=payments`). */
export function invoicePayments(state: AccountState, invoiceId: string) {
  const data = allOfKind(state, 'invoice_payment').filter((payment) => idOf(payment.invoice) === invoiceId);
  return { object: 'list', data, has_more: false, url: `/v1/invoice_payments?invoice=${invoiceId}` };
}
