// The billing portal: configurations (what the portal offers: billing history, card updates,
// canceling at period end or at once with a reason, plan changes among listed prices, customer details)
// and sessions, whose page (pages.ts) offers exactly what the session's configuration enables. Every
// account has a default configuration (portal-configuration.ts); a session names another with
// `configuration`.
import type Stripe from 'stripe';
import { findTestCard } from '../cards.ts';
import { type Emulator, snapshot } from '../emulator.ts';
import { invalidParam, invalidRequest, missingParam, noSuchObject } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Params } from '../params.ts';
import {
  disabledFeatures,
  newConfiguration,
  type PortalConfiguration,
  type PortalProduct,
} from '../portal-configuration.ts';
import { paginate } from '../present.ts';
import { type ApiContext, type ApiRoute, listParams, type ParamSpec } from '../routes.ts';
import { type AccountState, allOfKind, getObject, idOf, putObject } from '../store.ts';
import {
  cancelNow,
  collectInvoice,
  feedbackValues,
  periodOf,
  planFor,
  prorationBehaviors,
} from './billing.ts';
import { requirePrice, requireProduct } from './catalog.ts';
import {
  attachPaymentMethod,
  createCardPaymentMethod,
  requireCustomer,
  setDefaultPaymentMethod,
} from './customers.ts';

/** Values the handlers accept for enum parameters; `sdk-params.test.ts` holds them to the SDK's literals. */
export const customerUpdateFields = ['address', 'email', 'name', 'phone', 'shipping', 'tax_id'] as const;
export const cancelModes = ['at_period_end', 'immediately'] as const;
/** `always_invoice` is refused for cancellations, as Stripe documents. */
export const cancelProrationBehaviors = ['create_prorations', 'none'] as const;
export const subscriptionUpdateKinds = ['price', 'promotion_code', 'quantity'] as const;

export function requirePortalSession(state: AccountState, id: string): Stripe.BillingPortal.Session {
  const session = getObject(state, 'billing_portal.session', id);
  if (!session) throw noSuchObject('billing_portal.session', id, 'id');
  return session;
}

export function requireConfiguration(state: AccountState, id: string, param = 'id'): PortalConfiguration {
  const configuration = getObject(state, 'billing_portal.configuration', id);
  if (!configuration) throw noSuchObject('configuration', id, param);
  return configuration;
}

export function defaultConfigurationOf(state: AccountState): PortalConfiguration | undefined {
  return allOfKind(state, 'billing_portal.configuration').find((c) => c.is_default);
}

/** The configuration a portal session runs with. */
export function configurationOf(
  state: AccountState,
  session: Stripe.BillingPortal.Session,
): PortalConfiguration {
  const found = getObject(state, 'billing_portal.configuration', idOf(session.configuration) ?? '');
  return found ?? defaultConfigurationOf(state) ?? newConfiguration('bpc_missing', session.created);
}

export function portalProducts(state: AccountState, configurationId: string): PortalProduct[] {
  return state.portalProducts.get(configurationId) ?? [];
}

export function customerSubscriptions(state: AccountState, customerId: string): Stripe.Subscription[] {
  return allOfKind(state, 'subscription').filter(
    (subscription) => idOf(subscription.customer) === customerId,
  );
}

// ---------------------------------------------------------------------------------------------------
// Configurations

const featureParams: ParamSpec = {
  customer_update: { enabled: true, allowed_updates: true },
  invoice_history: { enabled: true },
  payment_method_update: { enabled: true },
  subscription_cancel: {
    enabled: true,
    mode: true,
    proration_behavior: true,
    cancellation_reason: { enabled: true, options: true },
  },
  subscription_update: {
    enabled: true,
    default_allowed_updates: true,
    products: [{ product: true, prices: true }],
    proration_behavior: true,
  },
};

const businessProfileParams: ParamSpec = {
  headline: true,
  privacy_policy_url: true,
  terms_of_service_url: true,
};

const configurationParams: ParamSpec = {
  expand: true,
  features: featureParams,
  business_profile: businessProfileParams,
  default_return_url: true,
  metadata: true,
  name: true,
};

/** A list parameter whose every value must be one of `allowed` (`''` empties it). */
function literalList<T extends string>(p: Params, key: string, allowed: readonly T[]): T[] {
  const values = p.strings(key);
  values.forEach((value, index) => {
    if (!(allowed as readonly string[]).includes(value)) {
      throw invalidParam(
        `${p.name(key)}[${index}]`,
        `Invalid ${p.name(key)}[${index}]: must be one of ${allowed.join(', ')}`,
      );
    }
  });
  return values as T[];
}

function requiredBoolean(p: Params, key: string): boolean {
  const value = p.boolean(key);
  if (value === undefined) throw missingParam(p.name(key));
  return value;
}

/** The products and prices a subscription may switch between: existing, recurring, each its product's. */
function productsFrom(state: AccountState, p: Params): PortalProduct[] {
  const list = p.children('products');
  if (list.length > 10)
    throw invalidParam(p.name('products'), 'You can specify at most 10 products for subscription updates.');
  return list.map((item) => {
    const product = requireProduct(state, item.requiredString('product'), item.name('product'));
    const prices = item.strings('prices');
    if (prices.length === 0) throw missingParam(item.name('prices'));
    prices.forEach((priceId, index) => {
      const param = `${item.name('prices')}[${index}]`;
      const price = requirePrice(state, priceId, param);
      if (idOf(price.product) !== product.id)
        throw invalidParam(
          param,
          `The price \`${price.id}\` does not belong to the product \`${product.id}\`.`,
        );
      if (!price.recurring) throw invalidParam(param, `The price \`${price.id}\` is not a recurring price.`);
    });
    return {
      adjustable_quantity: { enabled: false, maximum: null, minimum: 1 },
      prices,
      product: product.id,
    };
  });
}

/**
 * Applies `features[…]` to a configuration's features: on create every feature given needs `enabled`
 * (as the SDK's create params declare); on update only what is given changes.
 */
function applyFeatures(
  state: AccountState,
  configurationId: string,
  features: PortalConfiguration['features'],
  p: Params,
  creating: boolean,
): void {
  const enabledOf = (feature: Params, current: boolean) =>
    creating ? requiredBoolean(feature, 'enabled') : (feature.boolean('enabled') ?? current);

  const customer = p.child('customer_update');
  if (customer) {
    features.customer_update.enabled = enabledOf(customer, features.customer_update.enabled);
    if (customer.has('allowed_updates'))
      features.customer_update.allowed_updates = literalList(
        customer,
        'allowed_updates',
        customerUpdateFields,
      );
  }
  const history = p.child('invoice_history');
  if (history) features.invoice_history.enabled = requiredBoolean(history, 'enabled');
  const methods = p.child('payment_method_update');
  if (methods) features.payment_method_update.enabled = requiredBoolean(methods, 'enabled');

  const cancel = p.child('subscription_cancel');
  if (cancel) {
    const target = features.subscription_cancel;
    target.enabled = enabledOf(cancel, target.enabled);
    target.mode = cancel.oneOf('mode', cancelModes) ?? target.mode;
    if (cancel.string('proration_behavior') === 'always_invoice') {
      throw invalidParam(
        cancel.name('proration_behavior'),
        'Passing `always_invoice` is not supported for subscription cancellations; use `none` or `create_prorations`.',
      );
    }
    target.proration_behavior =
      cancel.oneOf('proration_behavior', cancelProrationBehaviors) ?? target.proration_behavior;
    if (target.proration_behavior === 'create_prorations' && target.mode !== 'immediately') {
      throw invalidParam(
        cancel.name('proration_behavior'),
        '`create_prorations` is only compatible with `mode=immediately`.',
      );
    }
    const reason = cancel.child('cancellation_reason');
    if (reason) {
      target.cancellation_reason.enabled = requiredBoolean(reason, 'enabled');
      if (creating && !reason.has('options')) throw missingParam(reason.name('options'));
      if (reason.has('options'))
        target.cancellation_reason.options = literalList(reason, 'options', feedbackValues);
    }
  }

  const update = p.child('subscription_update');
  if (update) {
    const target = features.subscription_update;
    target.enabled = enabledOf(update, target.enabled);
    if (update.has('default_allowed_updates'))
      target.default_allowed_updates = literalList(
        update,
        'default_allowed_updates',
        subscriptionUpdateKinds,
      );
    target.proration_behavior =
      update.oneOf('proration_behavior', prorationBehaviors) ?? target.proration_behavior;
    if (update.has('products')) state.portalProducts.set(configurationId, productsFrom(state, update));
    if (target.enabled && portalProducts(state, configurationId).length === 0)
      throw missingParam(update.name('products'));
    if (target.enabled && target.default_allowed_updates.length === 0)
      throw missingParam(update.name('default_allowed_updates'));
  }
}

function applyBusinessProfile(configuration: PortalConfiguration, p: Params | undefined): void {
  if (!p) return;
  const profile = configuration.business_profile;
  if (p.has('headline')) profile.headline = p.string('headline') || null;
  if (p.has('privacy_policy_url')) profile.privacy_policy_url = p.url('privacy_policy_url') || null;
  if (p.has('terms_of_service_url')) profile.terms_of_service_url = p.url('terms_of_service_url') || null;
}

function createConfiguration(ctx: ApiContext): PortalConfiguration {
  const p = ctx.params;
  const features = p.child('features');
  if (!features) throw missingParam('features');
  const configuration = newConfiguration(newId('bpc', 24), ctx.emu.now(), {
    features: disabledFeatures(),
    metadata: p.metadata(),
    name: p.string('name') || null,
  });
  applyFeatures(ctx.state, configuration.id, configuration.features, features, true);
  applyBusinessProfile(configuration, p.child('business_profile'));
  configuration.default_return_url = p.url('default_return_url') || null;
  putObject(ctx.state, configuration);
  ctx.emu.emit(ctx.state, 'billing_portal.configuration.created', configuration);
  return configuration;
}

function updateConfiguration(ctx: ApiContext): PortalConfiguration {
  const configuration = requireConfiguration(ctx.state, ctx.path.id ?? '');
  const p = ctx.params;
  const active = p.boolean('active');
  if (active === false && configuration.is_default)
    throw invalidParam('active', 'The default configuration cannot be deactivated.');
  const before = snapshot(configuration);
  const productsBefore = portalProducts(ctx.state, configuration.id);
  // Everything is checked on copies first, so a refused update leaves the configuration as it was.
  const next = snapshot(configuration);
  try {
    const features = p.child('features');
    if (features) applyFeatures(ctx.state, configuration.id, next.features, features, false);
    applyBusinessProfile(next, p.child('business_profile'));
    if (p.has('default_return_url')) next.default_return_url = p.url('default_return_url') || null;
  } catch (error) {
    ctx.state.portalProducts.set(configuration.id, productsBefore);
    throw error;
  }
  if (active !== undefined) next.active = active;
  if (p.has('name')) next.name = p.string('name') || null;
  if (p.has('metadata')) next.metadata = p.metadata(configuration.metadata ?? {});
  Object.assign(configuration, next);
  const productsChanged =
    JSON.stringify(productsBefore) !== JSON.stringify(portalProducts(ctx.state, configuration.id));
  if (JSON.stringify(before) !== JSON.stringify(configuration) || productsChanged) {
    configuration.updated = ctx.emu.now();
    ctx.emu.emitUpdate(ctx.state, 'billing_portal.configuration.updated', before, configuration);
  }
  return configuration;
}

// ---------------------------------------------------------------------------------------------------
// What the portal page does

/** The member replaces their card: it becomes the default everywhere, and open invoices are retried. */
export function replaceCard(
  emu: Emulator,
  state: AccountState,
  customer: Stripe.Customer,
  cardNumber: string,
): string | null {
  const card = findTestCard(cardNumber);
  if (!card) return 'Your card number is incorrect.';
  if (card.outcome.kind === 'decline') return card.outcome.message;
  const method = createCardPaymentMethod(emu, state, card, {
    email: customer.email,
    name: customer.name ?? null,
  });
  attachPaymentMethod(emu, state, method, customer.id);
  setDefaultPaymentMethod(emu, state, customer, method.id);
  for (const subscription of customerSubscriptions(state, customer.id)) {
    if (subscription.status === 'canceled') continue;
    const before = snapshot(subscription);
    subscription.default_payment_method = method.id;
    state.failingSubscriptions.delete(subscription.id);
    emu.emitUpdate(state, 'customer.subscription.updated', before, subscription);
    const latest = getObject(state, 'invoice', idOf(subscription.latest_invoice) ?? '');
    if (latest?.status === 'open') collectInvoice(emu, state, latest);
  }
  return null;
}

export type Feedback = Stripe.Subscription.CancellationDetails.Feedback;

export function setCancelAtPeriodEnd(
  emu: Emulator,
  state: AccountState,
  subscription: Stripe.Subscription,
  cancel: boolean,
  feedback: Feedback | null = null,
): void {
  if (subscription.status === 'canceled') return;
  const before = snapshot(subscription);
  subscription.cancel_at_period_end = cancel;
  subscription.cancel_at = cancel ? periodOf(subscription).end : null;
  subscription.canceled_at = cancel ? emu.now() : null;
  subscription.cancellation_details = {
    comment: null,
    feedback: cancel ? feedback : null,
    feedback_option: null,
    reason: cancel ? 'cancellation_requested' : null,
  };
  emu.emitUpdate(state, 'customer.subscription.updated', before, subscription);
}

/** The member cancels in the portal, at period end or at once as the configuration says. */
export function cancelFromPortal(
  emu: Emulator,
  state: AccountState,
  configuration: PortalConfiguration,
  subscription: Stripe.Subscription,
  feedback: Feedback | null,
): 'at_period_end' | 'immediately' {
  if (configuration.features.subscription_cancel.mode === 'immediately') {
    cancelNow(emu, state, subscription, 'cancellation_requested', { feedback });
    return 'immediately';
  }
  setCancelAtPeriodEnd(emu, state, subscription, true, feedback);
  return 'at_period_end';
}

/** The prices a subscription may switch to under a configuration (those listed for its product). */
export function switchablePrices(
  state: AccountState,
  configuration: PortalConfiguration,
  subscription: Stripe.Subscription,
): Stripe.Price[] {
  const update = configuration.features.subscription_update;
  if (!update.enabled || !update.default_allowed_updates.includes('price')) return [];
  const item = subscription.items.data[0];
  const product = idOf(item?.price.product ?? null);
  const entry = portalProducts(state, configuration.id).find((p) => p.product === product);
  return (entry?.prices ?? [])
    .map((id) => getObject(state, 'price', id))
    .filter((price): price is Stripe.Price => price !== undefined && price.active);
}

/** The member switches plan: the new price applies from the next invoice (the emulator never prorates). */
export function switchPrice(
  emu: Emulator,
  state: AccountState,
  subscription: Stripe.Subscription,
  price: Stripe.Price,
): void {
  const item = subscription.items.data[0];
  if (!item || item.price.id === price.id) return;
  const before = snapshot(subscription);
  item.price = snapshot(price);
  item.plan = planFor(price);
  emu.emitUpdate(state, 'customer.subscription.updated', before, subscription);
}

// ---------------------------------------------------------------------------------------------------
// Routes

export const portalRoutes: ApiRoute[] = [
  {
    method: 'POST',
    pattern: '/v1/billing_portal/configurations',
    params: configurationParams,
    handle: createConfiguration,
  },
  {
    method: 'GET',
    pattern: '/v1/billing_portal/configurations/:id',
    params: { expand: true },
    handle: (ctx) => requireConfiguration(ctx.state, ctx.path.id ?? ''),
  },
  {
    method: 'POST',
    pattern: '/v1/billing_portal/configurations/:id',
    params: { ...configurationParams, active: true },
    handle: updateConfiguration,
  },
  {
    method: 'GET',
    pattern: '/v1/billing_portal/configurations',
    params: listParams({ active: true, is_default: true }),
    handle: (ctx) => {
      const active = ctx.params.boolean('active');
      const isDefault = ctx.params.boolean('is_default');
      const items = allOfKind(ctx.state, 'billing_portal.configuration').filter(
        (c) =>
          (active === undefined || c.active === active) &&
          (isDefault === undefined || c.is_default === isDefault),
      );
      return paginate(items, ctx.params, '/v1/billing_portal/configurations');
    },
  },
  {
    method: 'POST',
    pattern: '/v1/billing_portal/sessions',
    params: { expand: true, customer: true, return_url: true, configuration: true },
    handle: (ctx) => {
      const p = ctx.params;
      const customer = requireCustomer(ctx.state, p.requiredString('customer'));
      const configurationId = p.string('configuration');
      const configuration = configurationId
        ? requireConfiguration(ctx.state, configurationId, 'configuration')
        : defaultConfigurationOf(ctx.state);
      if (!configuration) {
        // Stripe's answer for an account whose owner never saved the portal settings.
        throw invalidRequest(
          'No configuration provided and your test mode default configuration has not been created. Provide a configuration or create your default by saving your customer portal settings in test mode at https://dashboard.stripe.com/test/settings/billing/portal.',
        );
      }
      if (!configuration.active) {
        throw invalidParam(
          'configuration',
          `The configuration \`${configuration.id}\` is not active; activate it or use another.`,
        );
      }
      const returnUrl = p.url('return_url') || configuration.default_return_url;
      const id = newId('bps');
      const session: Stripe.BillingPortal.Session = {
        id,
        object: 'billing_portal.session',
        configuration: configuration.id,
        created: ctx.emu.now(),
        customer: customer.id,
        customer_account: null,
        flow: null,
        livemode: false,
        locale: null,
        on_behalf_of: null,
        return_url: returnUrl,
        url: `${ctx.emu.settings.baseUrl}/p/session/${id}`,
      };
      putObject(ctx.state, session);
      return session;
    },
  },
];
