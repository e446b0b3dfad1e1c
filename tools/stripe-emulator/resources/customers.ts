// Customers and their card payment methods. Replacing a customer's default card is what lifts a
// `fail-next-payment` on their subscriptions, as a member fixing their card would on Stripe.
import type Stripe from 'stripe';
import { cardForToken, findTestCard, type TestCard } from '../cards.ts';
import { type Emulator, snapshot } from '../emulator.ts';
import { invalidParam, invalidRequest, noSuchObject } from '../errors.ts';
import { newId, randomToken } from '../ids.ts';
import type { Params } from '../params.ts';
import { paginate } from '../present.ts';
import { type ApiContext, type ApiRoute, createdRange, listParams, type ParamSpec } from '../routes.ts';
import { type AccountState, allOfKind, dropObject, getObject, idOf, putObject } from '../store.ts';
import { cancelNow } from './billing.ts';

export function requireCustomer(state: AccountState, id: string, param = 'customer'): Stripe.Customer {
  const customer = getObject(state, 'customer', id);
  if (!customer) throw noSuchObject('customer', id, param);
  return customer;
}

export function createCustomer(
  emu: Emulator,
  state: AccountState,
  fields: {
    email?: string | null;
    name?: string | null;
    metadata?: Record<string, string>;
    description?: string | null;
    phone?: string | null;
  },
): Stripe.Customer {
  const customer: Stripe.Customer = {
    id: newId('cus', 14),
    object: 'customer',
    address: null,
    balance: 0,
    created: emu.now(),
    currency: null,
    default_source: null,
    delinquent: false,
    description: fields.description ?? null,
    discount: null,
    email: fields.email ?? null,
    invoice_prefix: randomToken(8).toUpperCase(),
    invoice_settings: {
      custom_fields: null,
      default_payment_method: null,
      footer: null,
      rendering_options: null,
    },
    livemode: false,
    metadata: fields.metadata ?? {},
    name: fields.name ?? null,
    next_invoice_sequence: 1,
    phone: fields.phone ?? null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  };
  putObject(state, customer);
  emu.emit(state, 'customer.created', customer);
  return customer;
}

export function createCardPaymentMethod(
  emu: Emulator,
  state: AccountState,
  card: TestCard,
  details: { name?: string | null; email?: string | null; expMonth?: number; expYear?: number } = {},
): Stripe.PaymentMethod {
  const last4 = card.number.slice(-4);
  const method: Stripe.PaymentMethod = {
    id: newId('pm'),
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: {
      address: null,
      email: details.email ?? null,
      name: details.name ?? null,
      phone: null,
      tax_id: null,
    },
    card: {
      brand: card.brand,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
      country: 'US',
      display_brand: card.brand,
      exp_month: details.expMonth ?? 12,
      exp_year: details.expYear ?? new Date().getUTCFullYear() + 3,
      fingerprint: randomToken(16),
      funding: 'credit',
      generated_from: null,
      last4,
      networks: { available: [card.brand], preferred: null },
      regulated_status: 'unregulated',
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created: emu.now(),
    customer: null,
    customer_account: null,
    livemode: false,
    metadata: {},
    type: 'card',
  };
  putObject(state, method);
  state.paymentMethodCards.set(method.id, card);
  return method;
}

/** A payment method id or one of Stripe's `pm_card_*` test tokens, as a stored payment method. */
export function resolvePaymentMethod(
  emu: Emulator,
  state: AccountState,
  id: string,
  param: string,
): Stripe.PaymentMethod {
  const existing = getObject(state, 'payment_method', id);
  if (existing) return existing;
  const card = cardForToken(id);
  if (card) return createCardPaymentMethod(emu, state, card);
  throw noSuchObject('PaymentMethod', id, param);
}

export function attachPaymentMethod(
  emu: Emulator,
  state: AccountState,
  method: Stripe.PaymentMethod,
  customerId: string,
): void {
  if (idOf(method.customer) === customerId) return;
  if (method.customer)
    throw invalidRequest('The payment method you provided has already been attached to a customer.');
  method.customer = customerId;
  emu.emit(state, 'payment_method.attached', method);
}

/** Sets the customer's default card; a new card clears failures the tests asked for. */
export function setDefaultPaymentMethod(
  emu: Emulator,
  state: AccountState,
  customer: Stripe.Customer,
  methodId: string | null,
): void {
  const before = snapshot(customer);
  const changed = idOf(customer.invoice_settings.default_payment_method) !== methodId;
  customer.invoice_settings.default_payment_method = methodId;
  if (changed && methodId) {
    for (const subscription of allOfKind(state, 'subscription')) {
      if (idOf(subscription.customer) === customer.id) state.failingSubscriptions.delete(subscription.id);
    }
  }
  emu.emitUpdate(state, 'customer.updated', before, customer);
}

const customerParams: ParamSpec = {
  expand: true,
  email: true,
  name: true,
  description: true,
  phone: true,
  metadata: true,
  invoice_settings: { default_payment_method: true },
};

/** Stripe's `type` filter: every payment method here is a card. */
function ofType(methods: Stripe.PaymentMethod[], type: string | undefined): Stripe.PaymentMethod[] {
  return type === undefined || type === 'card' ? methods : [];
}

function customerFields(p: Params) {
  return {
    email: p.email('email') || null,
    name: p.string('name') ?? null,
    description: p.string('description') ?? null,
    phone: p.string('phone') ?? null,
    metadata: p.metadata(),
  };
}

function createCustomerRoute(ctx: ApiContext): Stripe.Customer {
  const p = ctx.params;
  const customer = createCustomer(ctx.emu, ctx.state, customerFields(p));
  const methodId = p.string('payment_method');
  const defaultMethod = p.child('invoice_settings')?.string('default_payment_method');
  if (methodId) {
    const method = resolvePaymentMethod(ctx.emu, ctx.state, methodId, 'payment_method');
    attachPaymentMethod(ctx.emu, ctx.state, method, customer.id);
    if (defaultMethod === methodId || defaultMethod === undefined) {
      setDefaultPaymentMethod(ctx.emu, ctx.state, customer, method.id);
    }
  }
  return customer;
}

function updateCustomerRoute(ctx: ApiContext): Stripe.Customer {
  const customer = requireCustomer(ctx.state, ctx.path.id ?? '', 'id');
  const p = ctx.params;
  const before = snapshot(customer);
  if (p.has('email')) customer.email = p.email('email') || null;
  if (p.has('name')) customer.name = p.string('name') || null;
  if (p.has('description')) customer.description = p.string('description') || null;
  if (p.has('phone')) customer.phone = p.string('phone') || null;
  if (p.has('metadata')) customer.metadata = p.metadata(customer.metadata);
  const settings = p.child('invoice_settings');
  if (settings?.has('default_payment_method')) {
    const methodId = settings.string('default_payment_method');
    if (methodId) {
      const method = getObject(ctx.state, 'payment_method', methodId);
      if (!method) throw noSuchObject('PaymentMethod', methodId, 'invoice_settings[default_payment_method]');
      if (idOf(method.customer) !== customer.id) {
        throw invalidParam(
          'invoice_settings[default_payment_method]',
          'The customer does not have a payment method with the ID provided. The payment method must be attached to the customer.',
          'resource_missing',
        );
      }
    }
    ctx.emu.emitUpdate(ctx.state, 'customer.updated', before, customer);
    setDefaultPaymentMethod(ctx.emu, ctx.state, customer, methodId || null);
    return customer;
  }
  ctx.emu.emitUpdate(ctx.state, 'customer.updated', before, customer);
  return customer;
}

function retrieveCustomer(ctx: ApiContext): unknown {
  const id = ctx.path.id ?? '';
  if (ctx.state.deleted.get(id) === 'customer') return { id, object: 'customer', deleted: true };
  return requireCustomer(ctx.state, id, 'id');
}

function paymentMethodsOf(state: AccountState, customerId: string): Stripe.PaymentMethod[] {
  return allOfKind(state, 'payment_method').filter((method) => idOf(method.customer) === customerId);
}

export const customerRoutes: ApiRoute[] = [
  {
    method: 'POST',
    pattern: '/v1/customers',
    params: { ...customerParams, payment_method: true },
    handle: createCustomerRoute,
  },
  { method: 'GET', pattern: '/v1/customers/:id', params: { expand: true }, handle: retrieveCustomer },
  { method: 'POST', pattern: '/v1/customers/:id', params: customerParams, handle: updateCustomerRoute },
  {
    method: 'DELETE',
    pattern: '/v1/customers/:id',
    params: {},
    handle: (ctx) => {
      const customer = requireCustomer(ctx.state, ctx.path.id ?? '', 'id');
      for (const subscription of allOfKind(ctx.state, 'subscription')) {
        if (idOf(subscription.customer) === customer.id && subscription.status !== 'canceled') {
          cancelNow(ctx.emu, ctx.state, subscription, 'cancellation_requested');
        }
      }
      dropObject(ctx.state, customer.id);
      ctx.state.deleted.set(customer.id, 'customer');
      ctx.emu.emit(ctx.state, 'customer.deleted', customer);
      return { id: customer.id, object: 'customer', deleted: true };
    },
  },
  {
    method: 'GET',
    pattern: '/v1/customers',
    params: listParams({ created: createdRange, email: true }),
    handle: (ctx) => {
      const email = ctx.params.string('email');
      const items = allOfKind(ctx.state, 'customer').filter((customer) => !email || customer.email === email);
      return paginate(items, ctx.params, '/v1/customers');
    },
  },
  {
    method: 'GET',
    pattern: '/v1/customers/:id/payment_methods',
    params: listParams({ type: true }),
    handle: (ctx) => {
      const customer = requireCustomer(ctx.state, ctx.path.id ?? '', 'id');
      return paginate(
        ofType(paymentMethodsOf(ctx.state, customer.id), ctx.params.string('type')),
        ctx.params,
        `/v1/customers/${customer.id}/payment_methods`,
      );
    },
  },
  {
    method: 'POST',
    pattern: '/v1/payment_methods',
    params: {
      expand: true,
      type: true,
      card: { token: true, number: true, exp_month: true, exp_year: true, cvc: true },
      billing_details: { name: true, email: true },
    },
    handle: (ctx) => {
      const p = ctx.params;
      const type = p.requiredString('type');
      if (type !== 'card') throw invalidParam('type', 'The emulator supports card payment methods only.');
      const card = p.child('card');
      const token = card?.string('token');
      const number = card?.string('number');
      const testCard = token ? cardForToken(token) : number ? findTestCard(number) : undefined;
      if (!testCard) {
        throw invalidParam(
          'card[number]',
          'Use one of Stripe test cards (e.g. 4242 4242 4242 4242).',
          'invalid_number',
        );
      }
      const billing = p.child('billing_details');
      const expMonth = card?.integer('exp_month');
      const expYear = card?.integer('exp_year');
      return createCardPaymentMethod(ctx.emu, ctx.state, testCard, {
        name: billing?.string('name') ?? null,
        email: billing?.string('email') ?? null,
        ...(expMonth !== undefined ? { expMonth } : {}),
        ...(expYear !== undefined ? { expYear } : {}),
      });
    },
  },
  {
    method: 'GET',
    pattern: '/v1/payment_methods/:id',
    params: { expand: true },
    handle: (ctx) => {
      const method = getObject(ctx.state, 'payment_method', ctx.path.id ?? '');
      if (!method) throw noSuchObject('PaymentMethod', ctx.path.id ?? '', 'id');
      return method;
    },
  },
  {
    method: 'GET',
    pattern: '/v1/payment_methods',
    params: listParams({ customer: true, type: true }),
    handle: (ctx) => {
      const customer = ctx.params.requiredString('customer');
      return paginate(
        ofType(paymentMethodsOf(ctx.state, customer), ctx.params.string('type')),
        ctx.params,
        '/v1/payment_methods',
      );
    },
  },
  {
    method: 'POST',
    pattern: '/v1/payment_methods/:id/attach',
    params: { expand: true, customer: true },
    handle: (ctx) => {
      const customer = requireCustomer(ctx.state, ctx.params.requiredString('customer'));
      const method = resolvePaymentMethod(ctx.emu, ctx.state, ctx.path.id ?? '', 'id');
      attachPaymentMethod(ctx.emu, ctx.state, method, customer.id);
      return method;
    },
  },
  {
    method: 'POST',
    pattern: '/v1/payment_methods/:id/detach',
    params: { expand: true },
    handle: (ctx) => {
      const method = getObject(ctx.state, 'payment_method', ctx.path.id ?? '');
      if (!method) throw noSuchObject('PaymentMethod', ctx.path.id ?? '', 'id');
      if (!method.customer)
        throw invalidRequest(
          'The payment method you provided is not attached to a customer so detachment is impossible.',
        );
      const before = snapshot(method);
      method.customer = null;
      ctx.emu.emit(ctx.state, 'payment_method.detached', method, { customer: idOf(before.customer) });
      return method;
    },
  },
];
