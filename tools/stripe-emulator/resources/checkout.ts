// Checkout sessions: created by the API, paid on the hosted page (or its test control), expired by the
// API or the clock. Paying in payment mode leaves a payment intent and charge; in subscription mode a
// customer, a subscription and its first invoice.
import type Stripe from 'stripe';
import { findTestCard } from '../cards.ts';
import { type Emulator, snapshot } from '../emulator.ts';
import { invalidParam, invalidRequest, noSuchObject, type StripeErrorBody, withDocUrl } from '../errors.ts';
import { newId, randomToken } from '../ids.ts';
import { isEmailAddress, type Params } from '../params.ts';
import { paginate } from '../present.ts';
import { type ApiContext, type ApiRoute, createdRange, listParams, type ParamSpec } from '../routes.ts';
import { type AccountState, allOfKind, getObject, idOf, putObject } from '../store.ts';
import { createSubscription } from './billing.ts';
import { createPriceObject, priceDataParams, requirePrice, requireProduct } from './catalog.ts';
import {
  attachPaymentMethod,
  createCardPaymentMethod,
  createCustomer,
  requireCustomer,
} from './customers.ts';
import { confirmPaymentIntent, createPaymentIntent } from './payments.ts';

const minute = 60;
const hour = 3600;

interface SessionExtras {
  paymentIntentMetadata: Record<string, string>;
  trialDays: number | null;
  subscriptionMetadata: Record<string, string>;
  subscriptionDescription: string | null;
}

const extrasBySession = new WeakMap<Stripe.Checkout.Session, SessionExtras>();

export function requireSession(state: AccountState, id: string, param = 'session'): Stripe.Checkout.Session {
  const session = getObject(state, 'checkout.session', id);
  if (!session) throw noSuchObject('checkout.session', id, param);
  return session;
}

function lineItemsFrom(ctx: ApiContext, mode: Stripe.Checkout.Session.Mode): Stripe.LineItem[] {
  const params = ctx.params.children('line_items');
  if (params.length === 0)
    throw invalidParam('line_items', 'Missing required param: line_items.', 'parameter_missing');
  return params.map((item: Params) => {
    const priceId = item.string('price');
    const priceData = item.child('price_data');
    let price: Stripe.Price;
    if (priceId) price = requirePrice(ctx.state, priceId, item.name('price'));
    else if (priceData) price = createPriceObject(ctx, priceData, { inline: true });
    else
      throw invalidParam(
        item.name('price'),
        `Missing required param: ${item.name('price')}.`,
        'parameter_missing',
      );
    if (priceId && !price.active)
      throw invalidParam(item.name('price'), `The price \`${price.id}\` is not active.`);
    const quantity = item.integer('quantity');
    if (quantity === undefined)
      throw invalidParam(
        item.name('quantity'),
        `Missing required param: ${item.name('quantity')}.`,
        'parameter_missing',
      );
    if (quantity < 1) throw invalidParam(item.name('quantity'), 'Quantity must be at least 1.');
    if (mode === 'payment' && price.recurring) {
      throw invalidParam(
        item.name('price'),
        'You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.',
      );
    }
    const product = requireProduct(ctx.state, idOf(price.product) ?? '');
    const amount = (price.unit_amount ?? 0) * quantity;
    return {
      id: newId('li'),
      object: 'item',
      adjustable_quantity: null,
      amount_discount: 0,
      amount_subtotal: amount,
      amount_tax: 0,
      amount_total: amount,
      currency: price.currency,
      description: product.name,
      metadata: {},
      price: snapshot(price),
      quantity,
    };
  });
}

/** Values the handler accepts for enum parameters; `sdk-params.test.ts` holds them to the SDK's literals. */
export const uiModes = ['elements', 'embedded_page', 'form', 'hosted_page'] as const;
export const checkoutModes = ['payment', 'subscription', 'setup'] as const;
export const customerCreations = ['always', 'if_required'] as const;

const sessionParams: ParamSpec = {
  expand: true,
  mode: true,
  line_items: [{ price: true, price_data: priceDataParams, quantity: true }],
  customer: true,
  customer_email: true,
  customer_creation: true,
  client_reference_id: true,
  metadata: true,
  payment_intent_data: { metadata: true },
  subscription_data: { trial_period_days: true, metadata: true, description: true },
  success_url: true,
  cancel_url: true,
  expires_at: true,
  allow_promotion_codes: true,
  allowed_payment_method_types: true,
  ui_mode: true,
};

function createSession(ctx: ApiContext): Stripe.Checkout.Session {
  const p = ctx.params;
  const methodTypes = p.strings('allowed_payment_method_types');
  const otherType = methodTypes.findIndex((type) => type !== 'card');
  if (otherType >= 0) {
    throw invalidParam(
      `allowed_payment_method_types[${otherType}]`,
      'The emulator supports the `card` payment method type only.',
    );
  }
  // The UI modes of this API version; the emulator hosts its own page only.
  const uiMode = p.oneOf('ui_mode', uiModes);
  if (uiMode && uiMode !== 'hosted_page')
    throw invalidParam('ui_mode', 'The emulator supports `ui_mode=hosted_page` (the default) only.');
  const mode = p.oneOf('mode', checkoutModes);
  if (!mode) throw invalidParam('mode', 'Missing required param: mode.', 'parameter_missing');
  if (mode === 'setup')
    throw invalidParam('mode', 'The emulator supports `payment` and `subscription` mode only.');
  const customerId = p.string('customer');
  const customerEmail = p.email('customer_email') || undefined;
  if (customerId && customerEmail) {
    throw invalidRequest(
      'You may only specify one of these parameters: customer, customer_email.',
      'customer_email',
    );
  }
  const customer = customerId ? requireCustomer(ctx.state, customerId) : undefined;
  const items = lineItemsFrom(ctx, mode);
  if (mode === 'subscription' && !items.some((item) => item.price?.recurring)) {
    throw invalidParam(
      'line_items',
      'You must provide at least one recurring price in `subscription` mode when using prices.',
    );
  }
  const currency = items[0]?.currency ?? 'usd';
  if (items.some((item) => item.currency !== currency)) {
    throw invalidParam('line_items', 'All line items must have the same currency.');
  }
  const subscriptionData = p.child('subscription_data');
  if (subscriptionData && mode !== 'subscription') {
    throw invalidParam(
      'subscription_data',
      'You can only specify `subscription_data` in `subscription` mode.',
    );
  }
  const trialDays = subscriptionData?.integer('trial_period_days') ?? null;
  if (trialDays !== null && (trialDays < 1 || trialDays > 730)) {
    throw invalidParam(
      'subscription_data[trial_period_days]',
      'trial_period_days must be between 1 and 730.',
    );
  }
  const now = ctx.emu.now();
  const expiresAt = p.integer('expires_at') ?? now + 24 * hour;
  if (expiresAt < now + 30 * minute || expiresAt > now + 24 * hour) {
    throw invalidParam(
      'expires_at',
      'The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.',
    );
  }
  const subtotal = trialDays ? 0 : items.reduce((sum, item) => sum + item.amount_subtotal, 0);
  const successUrl = p.url('success_url') || null;
  const cancelUrl = p.url('cancel_url') || null;
  const id = `cs_test_${randomToken(58)}`;
  const session: Stripe.Checkout.Session = {
    id,
    object: 'checkout.session',
    adaptive_pricing: { enabled: false },
    after_expiration: null,
    allow_promotion_codes: p.boolean('allow_promotion_codes') ?? null,
    allowed_payment_method_types: methodTypes.length > 0 ? methodTypes : null,
    amount_subtotal: subtotal,
    amount_total: subtotal,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: null,
    cancel_url: cancelUrl,
    client_reference_id: p.string('client_reference_id') ?? null,
    client_secret: null,
    collected_information: null,
    consent: null,
    consent_collection: null,
    created: now,
    currency,
    currency_conversion: null,
    custom_fields: [],
    custom_text: {
      after_submit: null,
      shipping_address: null,
      submit: null,
      terms_of_service_acceptance: null,
    },
    customer: customer?.id ?? null,
    customer_account: null,
    customer_creation:
      mode === 'payment'
        ? (p.oneOf('customer_creation', customerCreations) ?? (customer ? null : 'if_required'))
        : null,
    customer_details: customer
      ? {
          address: null,
          business_name: null,
          email: customer.email,
          individual_name: null,
          name: customer.name ?? null,
          phone: null,
          tax_exempt: 'none',
          tax_ids: [],
        }
      : null,
    customer_email: customerEmail ?? null,
    discounts: [],
    expires_at: expiresAt,
    integration_identifier: null,
    invoice: null,
    invoice_creation:
      mode === 'payment'
        ? {
            enabled: false,
            invoice_data: {
              account_tax_ids: null,
              custom_fields: null,
              description: null,
              footer: null,
              issuer: null,
              metadata: {},
              rendering_options: null,
            },
          }
        : null,
    livemode: false,
    locale: null,
    managed_payments: null,
    metadata: p.metadata(),
    mode,
    origin_context: null,
    payment_intent: null,
    payment_link: null,
    payment_method_collection: mode === 'subscription' ? 'always' : null,
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: ['card'],
    payment_status: 'unpaid',
    permissions: null,
    phone_number_collection: { enabled: false },
    recovered_from: null,
    saved_payment_method_options: null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: 'open',
    submit_type: null,
    subscription: null,
    success_url: successUrl,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: 'hosted_page',
    url: `${ctx.emu.settings.baseUrl}/c/pay/${id}`,
    wallet_options: null,
  };
  putObject(ctx.state, session);
  ctx.state.checkoutLineItems.set(id, items);
  extrasBySession.set(session, {
    paymentIntentMetadata: p.child('payment_intent_data')?.metadata() ?? {},
    trialDays,
    subscriptionMetadata: subscriptionData?.metadata() ?? {},
    subscriptionDescription: subscriptionData?.string('description') ?? null,
  });
  return session;
}

export function expireSession(
  emu: Emulator,
  state: AccountState,
  session: Stripe.Checkout.Session,
): Stripe.Checkout.Session {
  if (session.status !== 'open') {
    throw invalidRequest(
      `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${session.status}".`,
    );
  }
  session.status = 'expired';
  const intent = getObject(state, 'payment_intent', idOf(session.payment_intent) ?? '');
  if (intent && intent.status !== 'succeeded' && intent.status !== 'canceled') {
    intent.status = 'canceled';
    intent.canceled_at = emu.now();
    intent.cancellation_reason = 'abandoned';
    emu.emit(state, 'payment_intent.canceled', intent);
  }
  emu.emit(state, 'checkout.session.expired', session);
  return session;
}

export function sessionLineItems(state: AccountState, sessionId: string): Stripe.LineItem[] {
  return state.checkoutLineItems.get(sessionId) ?? [];
}

export interface PayInput {
  card: string;
  email?: string | null;
  name?: string | null;
  /** For cards that ask for 3D Secure: what the customer does on the authentication step. */
  authenticate?: 'complete' | 'fail' | null;
}

export type PayOutcome =
  | { status: 'succeeded'; session: Stripe.Checkout.Session; redirect: string }
  | { status: 'requires_action'; session: Stripe.Checkout.Session }
  | { status: 'failed'; session: Stripe.Checkout.Session; error: StripeErrorBody };

function cardError(code: string, message: string, declineCode?: string): StripeErrorBody {
  return withDocUrl({
    type: 'card_error',
    code,
    message,
    ...(declineCode ? { decline_code: declineCode } : {}),
  });
}

export function successRedirect(emu: Emulator, session: Stripe.Checkout.Session): string {
  const target = session.success_url ?? `${emu.settings.baseUrl}/c/complete/${session.id}`;
  return target.replaceAll('{CHECKOUT_SESSION_ID}', session.id);
}

/** What the hosted page does when the customer presses Pay. */
export function payCheckoutSession(
  emu: Emulator,
  state: AccountState,
  session: Stripe.Checkout.Session,
  input: PayInput,
): PayOutcome {
  if (session.status !== 'open') {
    throw invalidRequest(`This Checkout Session is ${session.status}; it can no longer be paid.`);
  }
  const card = findTestCard(input.card);
  if (!card)
    return {
      status: 'failed',
      session,
      error: cardError('incorrect_number', 'Your card number is incorrect.'),
    };
  if (card.outcome.kind === 'authenticate') {
    if (!input.authenticate) return { status: 'requires_action', session };
    if (input.authenticate === 'fail') {
      return {
        status: 'failed',
        session,
        error: cardError(
          'payment_intent_authentication_failure',
          'We are unable to authenticate your payment method. Please choose a different payment method and try again.',
        ),
      };
    }
  }
  const existing = session.customer ? requireCustomer(state, idOf(session.customer) ?? '') : undefined;
  const email = existing?.email ?? session.customer_email ?? (input.email?.trim() || null);
  if (!email || !isEmailAddress(email))
    return {
      status: 'failed',
      session,
      error: withDocUrl({
        type: 'invalid_request_error',
        code: 'email_invalid',
        message: email ? 'Your email address is invalid.' : 'Enter your email address.',
        param: 'email',
      }),
    };
  const name = input.name?.trim() || null;
  const extras = extrasBySession.get(session);
  if (session.mode === 'subscription') {
    const trial = extras?.trialDays ?? null;
    const outcome = card.outcome;
    if (outcome.kind === 'decline')
      return {
        status: 'failed',
        session,
        error: cardError(outcome.code, outcome.message, outcome.declineCode),
      };
    if (outcome.kind === 'attach_then_decline' && !trial) {
      return {
        status: 'failed',
        session,
        error: cardError('card_declined', 'Your card was declined.', 'generic_decline'),
      };
    }
    const customer = existing ?? createCustomer(emu, state, { email, name });
    const method = createCardPaymentMethod(emu, state, card, { name, email });
    attachPaymentMethod(emu, state, method, customer.id);
    const items = sessionLineItems(state, session.id).flatMap((item) =>
      item.price?.recurring
        ? [{ price: requirePrice(state, item.price.id), quantity: item.quantity ?? 1 }]
        : [],
    );
    const now = emu.now();
    const { subscription, invoice } = createSubscription(emu, state, {
      customer,
      items,
      trialEnd: trial ? now + trial * 86_400 : null,
      metadata: extras?.subscriptionMetadata ?? {},
      defaultPaymentMethod: method.id,
      cancelAtPeriodEnd: false,
      description: extras?.subscriptionDescription ?? null,
    });
    session.customer = customer.id;
    session.subscription = subscription.id;
    session.invoice = invoice.id;
    session.payment_status = trial ? 'no_payment_required' : 'paid';
  } else {
    const customer =
      existing ??
      (session.customer_creation === 'always' ? createCustomer(emu, state, { email, name }) : undefined);
    const method = createCardPaymentMethod(emu, state, card, { name, email });
    if (customer) attachPaymentMethod(emu, state, method, customer.id);
    const intent =
      getObject(state, 'payment_intent', idOf(session.payment_intent) ?? '') ??
      createPaymentIntent(emu, state, {
        amount: session.amount_total ?? 0,
        currency: session.currency ?? 'usd',
        customer: customer?.id ?? null,
        metadata: extras?.paymentIntentMetadata ?? {},
        receiptEmail: email,
      });
    session.payment_intent = intent.id;
    const result = confirmPaymentIntent(emu, state, intent, method);
    if (result.error) return { status: 'failed', session, error: result.error };
    session.customer = customer?.id ?? null;
    session.payment_status = 'paid';
  }
  session.status = 'complete';
  session.customer_details = {
    address: null,
    business_name: null,
    email,
    individual_name: null,
    name,
    phone: null,
    tax_exempt: 'none',
    tax_ids: [],
  };
  emu.emit(state, 'checkout.session.completed', session);
  return { status: 'succeeded', session, redirect: successRedirect(emu, session) };
}

export const checkoutRoutes: ApiRoute[] = [
  { method: 'POST', pattern: '/v1/checkout/sessions', params: sessionParams, handle: createSession },
  {
    method: 'GET',
    pattern: '/v1/checkout/sessions/:id',
    params: { expand: true },
    handle: (ctx) => requireSession(ctx.state, ctx.path.id ?? '', 'id'),
  },
  {
    method: 'POST',
    pattern: '/v1/checkout/sessions/:id',
    params: { expand: true, metadata: true },
    handle: (ctx) => {
      const session = requireSession(ctx.state, ctx.path.id ?? '', 'id');
      if (ctx.params.has('metadata')) session.metadata = ctx.params.metadata(session.metadata ?? {});
      return session;
    },
  },
  {
    method: 'POST',
    pattern: '/v1/checkout/sessions/:id/expire',
    params: { expand: true },
    handle: (ctx) => expireSession(ctx.emu, ctx.state, requireSession(ctx.state, ctx.path.id ?? '', 'id')),
  },
  {
    method: 'GET',
    pattern: '/v1/checkout/sessions/:id/line_items',
    params: listParams(),
    handle: (ctx) => {
      const session = requireSession(ctx.state, ctx.path.id ?? '', 'id');
      const items = sessionLineItems(ctx.state, session.id).map((item, index) => ({
        ...item,
        created: session.created - index,
      }));
      const page = paginate(items, ctx.params, `/v1/checkout/sessions/${session.id}/line_items`);
      return { ...page, data: page.data.map(({ created: _created, ...item }) => item) };
    },
  },
  {
    method: 'GET',
    pattern: '/v1/checkout/sessions',
    params: listParams({
      created: createdRange,
      customer: true,
      status: true,
      payment_intent: true,
      subscription: true,
    }),
    handle: (ctx) => {
      const p = ctx.params;
      const customer = p.string('customer');
      const status = p.string('status');
      const intent = p.string('payment_intent');
      const subscription = p.string('subscription');
      const items = allOfKind(ctx.state, 'checkout.session').filter(
        (session) =>
          (!customer || idOf(session.customer) === customer) &&
          (!status || session.status === status) &&
          (!intent || idOf(session.payment_intent) === intent) &&
          (!subscription || idOf(session.subscription) === subscription),
      );
      return paginate(items, p, '/v1/checkout/sessions');
    },
  },
];
