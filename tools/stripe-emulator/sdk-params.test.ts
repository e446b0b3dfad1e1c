// Every parameter each emulator route accepts (the `params` beside its handler) must be one the
// installed SDK declares for the method that calls that route (`Stripe.Checkout.SessionCreateParams`,
// `…ListParams`, …), read from node_modules/stripe's own .d.ts files. A route accepting what the SDK
// does not declare would let code pass here that Stripe refuses; an SDK upgrade that drops a parameter
// fails here until the route drops it too.
import { describe, expect, it } from 'vitest';
import { undeclaredParams } from './sdk-check.ts';
import { loadSdk, optionsOf, routeKey, type SdkMethod } from './sdk-types.ts';
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
