// The shape every API route has: a method, a path pattern (`:name` segments), the parameters it
// accepts, and a synchronous handler. Handlers run to completion without awaiting, so each request is
// atomic.
import type { Emulator } from './emulator.ts';
import { StripeApiError } from './errors.ts';
import type { ParamObject, ParamValue } from './form.ts';
import type { Params } from './params.ts';
import type { AccountState } from './store.ts';

export interface ApiContext {
  emu: Emulator;
  state: AccountState;
  params: Params;
  path: Record<string, string>;
}

/**
 * The parameters a route accepts, as Stripe checks them before acting: `true` takes a value of any
 * shape (metadata, string lists), a nested spec an object with those keys, `[spec]` a list of such
 * objects. Anything else is refused with 400 `parameter_unknown`. Each route lists exactly what the
 * SDK declares for its method (`expand` included, where declared); `sdk-params.test.ts` holds every
 * route to the installed SDK's types.
 */
export interface ParamSpec {
  readonly [key: string]: true | ParamSpec | readonly [ParamSpec];
}

export interface ApiRoute {
  method: 'GET' | 'POST' | 'DELETE';
  pattern: string;
  params: ParamSpec;
  handle: (ctx: ApiContext) => unknown;
}

/** A `created[gt|gte|lt|lte]` filter, on the lists whose SDK params declare `created`. */
export const createdRange: ParamSpec = { gt: true, gte: true, lt: true, lte: true };

/** What every list endpoint takes (cursors, `limit`, `expand`), plus its own filters. */
export function listParams(filters: ParamSpec = {}): ParamSpec {
  return { limit: true, starting_after: true, ending_before: true, expand: true, ...filters };
}

export function unknownParam(name: string): StripeApiError {
  return new StripeApiError(400, {
    type: 'invalid_request_error',
    code: 'parameter_unknown',
    message: `Received unknown parameter: ${name}`,
    param: name,
  });
}

function isObject(value: ParamValue): value is ParamObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkValue(value: ParamValue, spec: true | ParamSpec | readonly [ParamSpec], name: string): void {
  if (spec === true) return;
  if (Array.isArray(spec)) {
    const itemSpec = (spec as readonly [ParamSpec])[0];
    const items = Array.isArray(value) ? value : isObject(value) ? Object.values(value) : [];
    items.forEach((item, index) => {
      if (isObject(item)) checkObject(item, itemSpec, `${name}[${index}]`);
    });
    return;
  }
  // A scalar where an object is expected is the handler's to refuse (with a better message).
  if (isObject(value)) checkObject(value, spec as ParamSpec, name);
}

function checkObject(value: ParamObject, spec: ParamSpec, prefix: string): void {
  for (const [key, child] of Object.entries(value)) {
    const name = prefix ? `${prefix}[${key}]` : key;
    const childSpec = Object.hasOwn(spec, key) ? spec[key] : undefined;
    if (childSpec === undefined) throw unknownParam(name);
    checkValue(child, childSpec, name);
  }
}

/** Refuses, before anything happens, a parameter the route does not know (Stripe's `parameter_unknown`). */
export function checkParams(params: ParamObject, spec: ParamSpec): void {
  checkObject(params, spec, '');
}

export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const out: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? '';
    const g = got[i] ?? '';
    if (w.startsWith(':')) {
      if (!g) return undefined;
      out[w.slice(1)] = decodeURIComponent(g);
    } else if (w !== g) return undefined;
  }
  return out;
}
