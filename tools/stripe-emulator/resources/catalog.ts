// Products and prices: create, retrieve, update (archive with `active=false`), list; products can be
// deleted only while they have no prices, as on Stripe.
import type Stripe from 'stripe';
import { snapshot } from '../emulator.ts';
import { invalidParam, invalidRequest, noSuchObject } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Params } from '../params.ts';
import { paginate } from '../present.ts';
import { type ApiContext, type ApiRoute, createdRange, listParams, type ParamSpec } from '../routes.ts';
import { type AccountState, allOfKind, dropObject, getObject, idOf, putObject } from '../store.ts';

type Decimal = NonNullable<Stripe.Price['unit_amount_decimal']>;

/** Stripe sends decimals as strings; the SDK's type is what it parses them into on the client. */
export function wireDecimal(value: number): Decimal {
  return String(value) as unknown as Decimal;
}

export function requireProduct(state: AccountState, id: string, param = 'product'): Stripe.Product {
  const product = getObject(state, 'product', id);
  if (!product) throw noSuchObject('product', id, param);
  return product;
}

export function requirePrice(state: AccountState, id: string, param = 'price'): Stripe.Price {
  const price = getObject(state, 'price', id);
  if (!price) throw noSuchObject('price', id, param);
  return price;
}

/** Values the handlers accept for enum parameters; `sdk-params.test.ts` holds them to the SDK's literals. */
export const priceIntervals = ['day', 'week', 'month', 'year'] as const;
export const taxBehaviors = ['exclusive', 'inclusive', 'unspecified'] as const;

/** What a price's inline `product_data` takes (`POST /v1/prices`). */
const priceProductDataParams: ParamSpec = {
  id: true,
  name: true,
  active: true,
  metadata: true,
  statement_descriptor: true,
  tax_code: true,
  unit_label: true,
};

/** What a checkout line item's `price_data[product_data]` takes: no id, no activity, but a description. */
const lineItemProductDataParams: ParamSpec = {
  name: true,
  description: true,
  images: true,
  metadata: true,
  tax_code: true,
  unit_label: true,
};

const productParams: ParamSpec = {
  expand: true,
  id: true,
  name: true,
  active: true,
  description: true,
  images: true,
  metadata: true,
  statement_descriptor: true,
  tax_code: true,
  unit_label: true,
  url: true,
};

/** What a checkout line item's `price_data` takes. */
export const priceDataParams: ParamSpec = {
  currency: true,
  product: true,
  product_data: lineItemProductDataParams,
  unit_amount: true,
  unit_amount_decimal: true,
  recurring: { interval: true, interval_count: true },
  tax_behavior: true,
};

const priceParams: ParamSpec = {
  expand: true,
  currency: true,
  product: true,
  product_data: priceProductDataParams,
  unit_amount: true,
  unit_amount_decimal: true,
  tax_behavior: true,
  recurring: { interval: true, interval_count: true, trial_period_days: true },
  active: true,
  lookup_key: true,
  transfer_lookup_key: true,
  metadata: true,
  nickname: true,
};

export function createProductObject(ctx: ApiContext, p: Params): Stripe.Product {
  const now = ctx.emu.now();
  const id = p.string('id') ?? newId('prod', 14);
  if (ctx.state.objects.has(id))
    throw invalidRequest(`Product already exists.`, 'id', 'resource_already_exists');
  const product: Stripe.Product = {
    id,
    object: 'product',
    active: p.boolean('active') ?? true,
    created: now,
    default_price: null,
    description: p.string('description') ?? null,
    images: p.strings('images'),
    livemode: false,
    marketing_features: [],
    metadata: p.metadata(),
    name: p.requiredString('name'),
    package_dimensions: null,
    shippable: null,
    statement_descriptor: p.string('statement_descriptor') ?? null,
    tax_code: p.string('tax_code') ?? null,
    tax_details: null,
    type: 'service',
    unit_label: p.string('unit_label') ?? null,
    updated: now,
    url: p.string('url') ?? null,
  };
  putObject(ctx.state, product);
  ctx.emu.emit(ctx.state, 'product.created', product);
  return product;
}

function recurringFrom(p: Params | undefined): Stripe.Price.Recurring | null {
  if (!p) return null;
  const interval = p.oneOf('interval', priceIntervals);
  if (!interval)
    throw invalidParam(
      p.name('interval'),
      `Missing required param: ${p.name('interval')}.`,
      'parameter_missing',
    );
  const count = p.integer('interval_count') ?? 1;
  const maxCount = { day: 1095, week: 156, month: 36, year: 3 }[interval];
  if (count < 1 || count > maxCount) {
    throw invalidParam(
      p.name('interval_count'),
      `Invalid interval_count: must be between 1 and ${maxCount} for ${interval}.`,
    );
  }
  return {
    interval,
    interval_count: count,
    meter: null,
    trial_period_days: p.integer('trial_period_days') ?? null,
    usage_type: 'licensed',
  };
}

/** A price from `price` params or inline `price_data` (where Stripe also accepts `product_data`). */
export function createPriceObject(
  ctx: ApiContext,
  p: Params,
  options: { inline?: boolean } = {},
): Stripe.Price {
  const currency = p.requiredString('currency').toLowerCase();
  let productId = p.string('product');
  const productData = p.child('product_data');
  if (!productId && productData) productId = createProductObject(ctx, productData).id;
  if (!productId)
    throw invalidParam(
      p.name('product'),
      `Missing required param: ${p.name('product')}.`,
      'parameter_missing',
    );
  requireProduct(ctx.state, productId, p.name('product'));
  const unitAmount =
    p.integer('unit_amount') ??
    (p.string('unit_amount_decimal') ? Number(p.string('unit_amount_decimal')) : undefined);
  if (unitAmount === undefined) {
    throw invalidParam(
      p.name('unit_amount'),
      `Missing required param: ${p.name('unit_amount')}.`,
      'parameter_missing',
    );
  }
  if (unitAmount < 0)
    throw invalidParam(p.name('unit_amount'), 'This value must be greater than or equal to 0.');
  const recurring = recurringFrom(p.child('recurring'));
  const lookupKey = p.string('lookup_key') ?? null;
  if (lookupKey) {
    const clash = allOfKind(ctx.state, 'price').find((price) => price.lookup_key === lookupKey);
    if (clash && !p.boolean('transfer_lookup_key')) {
      throw invalidParam(p.name('lookup_key'), `A price (\`${clash.id}\`) already uses that lookup key.`);
    }
    if (clash) clash.lookup_key = null;
  }
  const price: Stripe.Price = {
    id: newId('price'),
    object: 'price',
    active: options.inline ? false : (p.boolean('active') ?? true),
    billing_scheme: 'per_unit',
    created: ctx.emu.now(),
    currency,
    custom_unit_amount: null,
    livemode: false,
    lookup_key: lookupKey,
    metadata: p.metadata(),
    nickname: p.string('nickname') ?? null,
    product: productId,
    recurring,
    tax_behavior: p.oneOf('tax_behavior', taxBehaviors) ?? 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: recurring ? 'recurring' : 'one_time',
    unit_amount: unitAmount,
    unit_amount_decimal: wireDecimal(unitAmount),
  };
  putObject(ctx.state, price);
  ctx.emu.emit(ctx.state, 'price.created', price);
  return price;
}

function updateProduct(ctx: ApiContext): Stripe.Product {
  const product = requireProduct(ctx.state, ctx.path.id ?? '', 'id');
  const before = snapshot(product);
  const p = ctx.params;
  if (p.has('name')) product.name = p.requiredString('name');
  if (p.has('active')) product.active = p.boolean('active') ?? product.active;
  if (p.has('description')) product.description = p.string('description') || null;
  if (p.has('images')) product.images = p.strings('images');
  if (p.has('url')) product.url = p.string('url') || null;
  if (p.has('metadata')) product.metadata = p.metadata(product.metadata);
  const defaultPrice = p.string('default_price');
  if (defaultPrice !== undefined) {
    if (defaultPrice) {
      const price = requirePrice(ctx.state, defaultPrice, 'default_price');
      if (idOf(price.product) !== product.id) {
        throw invalidParam('default_price', 'The price must belong to this product.');
      }
    }
    product.default_price = defaultPrice || null;
  }
  product.updated = ctx.emu.now();
  ctx.emu.emitUpdate(ctx.state, 'product.updated', before, product);
  return product;
}

function updatePrice(ctx: ApiContext): Stripe.Price {
  const price = requirePrice(ctx.state, ctx.path.id ?? '', 'id');
  const before = snapshot(price);
  const p = ctx.params;
  if (p.has('active')) price.active = p.boolean('active') ?? price.active;
  if (p.has('nickname')) price.nickname = p.string('nickname') || null;
  if (p.has('lookup_key')) price.lookup_key = p.string('lookup_key') || null;
  if (p.has('metadata')) price.metadata = p.metadata(price.metadata);
  if (p.has('tax_behavior')) price.tax_behavior = p.oneOf('tax_behavior', taxBehaviors) ?? null;
  ctx.emu.emitUpdate(ctx.state, 'price.updated', before, price);
  return price;
}

export const catalogRoutes: ApiRoute[] = [
  {
    method: 'POST',
    pattern: '/v1/products',
    params: productParams,
    handle: (ctx) => createProductObject(ctx, ctx.params),
  },
  {
    method: 'GET',
    pattern: '/v1/products/:id',
    params: { expand: true },
    handle: (ctx) => requireProduct(ctx.state, ctx.path.id ?? '', 'id'),
  },
  {
    method: 'POST',
    pattern: '/v1/products/:id',
    params: {
      expand: true,
      name: true,
      active: true,
      description: true,
      images: true,
      url: true,
      metadata: true,
      default_price: true,
    },
    handle: updateProduct,
  },
  {
    method: 'DELETE',
    pattern: '/v1/products/:id',
    params: {},
    handle: (ctx) => {
      const product = requireProduct(ctx.state, ctx.path.id ?? '', 'id');
      if (allOfKind(ctx.state, 'price').some((price) => idOf(price.product) === product.id)) {
        throw invalidRequest(
          'This product cannot be deleted because it has one or more user-created prices.',
        );
      }
      dropObject(ctx.state, product.id);
      ctx.state.deleted.set(product.id, 'product');
      ctx.emu.emit(ctx.state, 'product.deleted', product);
      return { id: product.id, object: 'product', deleted: true };
    },
  },
  {
    method: 'GET',
    pattern: '/v1/products',
    params: listParams({ created: createdRange, active: true, ids: true }),
    handle: (ctx) => {
      const active = ctx.params.boolean('active');
      const ids = ctx.params.strings('ids');
      const items = allOfKind(ctx.state, 'product').filter(
        (product) =>
          (active === undefined || product.active === active) &&
          (ids.length === 0 || ids.includes(product.id)),
      );
      return paginate(items, ctx.params, '/v1/products');
    },
  },
  {
    method: 'POST',
    pattern: '/v1/prices',
    params: priceParams,
    handle: (ctx) => createPriceObject(ctx, ctx.params),
  },
  {
    method: 'GET',
    pattern: '/v1/prices/:id',
    params: { expand: true },
    handle: (ctx) => requirePrice(ctx.state, ctx.path.id ?? '', 'id'),
  },
  {
    method: 'POST',
    pattern: '/v1/prices/:id',
    params: {
      expand: true,
      active: true,
      nickname: true,
      lookup_key: true,
      metadata: true,
      tax_behavior: true,
    },
    handle: updatePrice,
  },
  {
    method: 'GET',
    pattern: '/v1/prices',
    params: listParams({
      created: createdRange,
      active: true,
      product: true,
      type: true,
      currency: true,
      lookup_keys: true,
      recurring: { interval: true },
    }),
    handle: (ctx) => {
      const p = ctx.params;
      const active = p.boolean('active');
      const product = p.string('product');
      const type = p.string('type');
      const currency = p.string('currency');
      const lookupKeys = p.strings('lookup_keys');
      const interval = p.child('recurring')?.string('interval');
      const items = allOfKind(ctx.state, 'price').filter(
        (price) =>
          (active === undefined || price.active === active) &&
          (!product || idOf(price.product) === product) &&
          (!type || price.type === type) &&
          (!currency || price.currency === currency) &&
          (lookupKeys.length === 0 || (price.lookup_key !== null && lookupKeys.includes(price.lookup_key))) &&
          (!interval || price.recurring?.interval === interval),
      );
      return paginate(items, p, '/v1/prices');
    },
  },
];
