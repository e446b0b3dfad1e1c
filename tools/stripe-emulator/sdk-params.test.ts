// Every parameter each emulator route accepts (the `params` beside its handler) must be one the
// installed SDK declares for the method that calls that route (`Stripe.Checkout.SessionCreateParams`,
// `…ListParams`, …), read from node_modules/stripe's own .d.ts files. A route accepting what the SDK
// does not declare would let code pass here that Stripe refuses; an SDK upgrade that drops a parameter
// fails here until the route drops it too.
import { describe, expect, it } from 'vitest';
import { feedbackValues, paymentBehaviors, prorationBehaviors } from './resources/billing.ts';
import { priceIntervals, taxBehaviors } from './resources/catalog.ts';
import { checkoutModes, customerCreations, uiModes } from './resources/checkout.ts';
import {
  accountLinkTypes,
  accountTypes,
  businessTypes,
  dashboardTypes,
  feePayers,
  lossPayers,
  requirementCollections,
} from './resources/connect.ts';
import { intentCancellationReasons, refundReasons } from './resources/payments.ts';
import {
  cancelModes,
  cancelProrationBehaviors,
  customerUpdateFields,
  subscriptionUpdateKinds,
} from './resources/portal.ts';
import { undeclaredParams } from './sdk-check.ts';
import { loadSdk, optionsOf, routeKey, type SdkMethod, type Shape } from './sdk-types.ts';
import { apiRoutes } from './server.ts';

const { methods } = loadSdk();

function sdkMethodsFor(method: string, pattern: string): SdkMethod[] {
  return methods.filter((m) => routeKey(m.httpMethod, m.path) === routeKey(method, pattern));
}

function declares(method: SdkMethod, key: string): boolean {
  const params = method.params();
  return params !== null && optionsOf(params).some((o) => o.kind === 'object' && o.fields().has(key));
}

const routes = apiRoutes.map((route) => ({ name: `${route.method} ${route.pattern}`, route }));

describe('the installed SDK, read from its declaration files', () => {
  it('has the v1 routes and params types the emulator is checked against', () => {
    expect(methods.length).toBeGreaterThan(100);
    const create = methods.find((m) => m.label === 'Checkout/Sessions.create');
    expect(create).toMatchObject({ httpMethod: 'POST', path: '/v1/checkout/sessions' });
    expect(declares(create!, 'line_items')).toBe(true);
    expect(declares(create!, 'no_such_parameter')).toBe(false);
  });
});

describe('every emulator route is an SDK method', () => {
  it.each(routes)('$name', ({ route }) => {
    expect(sdkMethodsFor(route.method, route.pattern).map((m) => m.label)).not.toEqual([]);
  });
});

describe('every parameter a route accepts is declared by the SDK for that method', () => {
  it.each(routes)('$name', ({ route }) => {
    const candidates = sdkMethodsFor(route.method, route.pattern);
    // Two SDK methods may call one route (accounts.retrieve(null) and accounts.retrieveCurrent):
    // the route must fit one of them entirely.
    const results = candidates.map((m) => ({
      method: m.label,
      undeclared: undeclaredParams(route.params, m.params()),
    }));
    const fits = results.some((r) => r.undeclared.length === 0);
    expect(fits ? [] : results).toEqual([]);
  });
});

describe('expand follows the SDK', () => {
  it.each(routes)('$name accepts expand exactly where the SDK declares it', ({ route }) => {
    const declared = sdkMethodsFor(route.method, route.pattern).some((m) => declares(m, 'expand'));
    expect(Object.hasOwn(route.params, 'expand')).toBe(declared);
  });
});

/** The literals the SDK lists for a parameter, found by its Stripe name (`recurring[interval]`). */
function declaredLiterals(label: string, param: string): string[] {
  const method = methods.find((m) => m.label === label);
  let shape: Shape | null = method?.params() ?? null;
  for (const key of param.replace(/\]/g, '').split('[')) {
    const objects = optionsOf(shape ?? { kind: 'null' })
      .flatMap((o) => (o.kind === 'array' ? optionsOf(o.element) : [o]))
      .filter((o) => o.kind === 'object');
    shape = objects.map((o) => o.fields().get(key)?.shape).find((found) => found) ?? null;
  }
  // A list parameter (`allowed_updates[]`) declares its literals on its elements; `''` (Emptyable) is
  // not a value of the enum.
  return optionsOf(shape ?? { kind: 'null' })
    .flatMap((o) => (o.kind === 'array' ? optionsOf(o.element) : [o]))
    .flatMap((o) => (o.kind === 'string' ? (o.literals ?? []) : []))
    .filter((literal) => literal !== '');
}

describe('the values a handler accepts for an enum parameter are the SDK’s', () => {
  const table: { name: string; label: string; param: string; accepted: readonly string[] }[] = [
    { name: 'checkout ui_mode', label: 'Checkout/Sessions.create', param: 'ui_mode', accepted: uiModes },
    { name: 'checkout mode', label: 'Checkout/Sessions.create', param: 'mode', accepted: checkoutModes },
    {
      name: 'checkout customer_creation',
      label: 'Checkout/Sessions.create',
      param: 'customer_creation',
      accepted: customerCreations,
    },
    {
      name: 'line item price_data[recurring][interval]',
      label: 'Checkout/Sessions.create',
      param: 'line_items[price_data][recurring][interval]',
      accepted: priceIntervals,
    },
    {
      name: 'price recurring[interval]',
      label: 'Prices.create',
      param: 'recurring[interval]',
      accepted: priceIntervals,
    },
    { name: 'price tax_behavior', label: 'Prices.create', param: 'tax_behavior', accepted: taxBehaviors },
    {
      name: 'price update tax_behavior',
      label: 'Prices.update',
      param: 'tax_behavior',
      accepted: taxBehaviors,
    },
    {
      name: 'subscription proration_behavior',
      label: 'Subscriptions.update',
      param: 'proration_behavior',
      accepted: prorationBehaviors,
    },
    {
      name: 'subscription payment_behavior',
      label: 'Subscriptions.create',
      param: 'payment_behavior',
      accepted: paymentBehaviors,
    },
    {
      name: 'subscription cancellation_details[feedback]',
      label: 'Subscriptions.update',
      param: 'cancellation_details[feedback]',
      accepted: feedbackValues,
    },
    {
      name: 'subscription cancel cancellation_details[feedback]',
      label: 'Subscriptions.cancel',
      param: 'cancellation_details[feedback]',
      accepted: feedbackValues,
    },
    {
      name: 'payment intent cancellation_reason',
      label: 'PaymentIntents.cancel',
      param: 'cancellation_reason',
      accepted: intentCancellationReasons,
    },
    { name: 'refund reason', label: 'Refunds.create', param: 'reason', accepted: refundReasons },
    { name: 'account type', label: 'Accounts.create', param: 'type', accepted: accountTypes },
    {
      name: 'account business_type',
      label: 'Accounts.create',
      param: 'business_type',
      accepted: businessTypes,
    },
    {
      name: 'account controller[fees][payer]',
      label: 'Accounts.create',
      param: 'controller[fees][payer]',
      accepted: feePayers,
    },
    {
      name: 'account controller[losses][payments]',
      label: 'Accounts.create',
      param: 'controller[losses][payments]',
      accepted: lossPayers,
    },
    {
      name: 'account controller[stripe_dashboard][type]',
      label: 'Accounts.create',
      param: 'controller[stripe_dashboard][type]',
      accepted: dashboardTypes,
    },
    {
      name: 'account controller[requirement_collection]',
      label: 'Accounts.create',
      param: 'controller[requirement_collection]',
      accepted: requirementCollections,
    },
    { name: 'account link type', label: 'AccountLinks.create', param: 'type', accepted: accountLinkTypes },
    ...['create', 'update'].flatMap((verb) => {
      const label = `BillingPortal/Configurations.${verb}`;
      return [
        {
          name: `portal ${verb} cancel mode`,
          label,
          param: 'features[subscription_cancel][mode]',
          accepted: cancelModes,
        },
        {
          name: `portal ${verb} cancel proration_behavior`,
          label,
          param: 'features[subscription_cancel][proration_behavior]',
          accepted: cancelProrationBehaviors,
        },
        {
          name: `portal ${verb} cancellation reasons`,
          label,
          param: 'features[subscription_cancel][cancellation_reason][options]',
          accepted: feedbackValues,
        },
        {
          name: `portal ${verb} customer_update allowed_updates`,
          label,
          param: 'features[customer_update][allowed_updates]',
          accepted: customerUpdateFields,
        },
        {
          name: `portal ${verb} default_allowed_updates`,
          label,
          param: 'features[subscription_update][default_allowed_updates]',
          accepted: subscriptionUpdateKinds,
        },
        {
          name: `portal ${verb} update proration_behavior`,
          label,
          param: 'features[subscription_update][proration_behavior]',
          accepted: prorationBehaviors,
        },
      ];
    }),
  ];
  it.each(table)('$name', ({ label, param, accepted }) => {
    const declared = declaredLiterals(label, param);
    expect(declared.length).toBeGreaterThan(0);
    expect(accepted.filter((value) => !declared.includes(value))).toEqual([]);
  });
});
