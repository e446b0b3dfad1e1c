// The account behind the key, webhook endpoints (the `whsec_` secret is shown once, on create; `connect:
// true` makes a Connect endpoint) and events (the platform's own: its connected accounts' events, which
// carry `account`, reach it through Connect endpoints, not these lists).
import type Stripe from 'stripe';
import { apiVersion, snapshot } from '../emulator.ts';
import { invalidParam, noSuchObject } from '../errors.ts';
import { newId, randomToken } from '../ids.ts';
import { paginate } from '../present.ts';
import { type ApiContext, type ApiRoute, createdRange, listParams } from '../routes.ts';
import { allOfKind, dropObject, getObject, putObject } from '../store.ts';

function requireEndpoint(ctx: ApiContext): Stripe.WebhookEndpoint {
  const endpoint = getObject(ctx.state, 'webhook_endpoint', ctx.path.id ?? '');
  if (!endpoint) throw noSuchObject('webhook endpoint', ctx.path.id ?? '', 'id');
  return endpoint;
}

function createEndpoint(ctx: ApiContext): Stripe.WebhookEndpoint {
  const p = ctx.params;
  p.requiredString('url');
  const url = p.url('url') ?? '';
  const enabled = p.strings('enabled_events');
  if (enabled.length === 0)
    throw invalidParam('enabled_events', 'Missing required param: enabled_events.', 'parameter_missing');
  const secret = `whsec_${randomToken(32)}`;
  const endpoint: Stripe.WebhookEndpoint = {
    id: newId('we'),
    object: 'webhook_endpoint',
    api_version: p.string('api_version') ?? null,
    application: null,
    created: ctx.emu.now(),
    description: p.string('description') ?? null,
    enabled_events: enabled,
    livemode: false,
    metadata: p.metadata(),
    status: 'enabled',
    url,
  };
  putObject(ctx.state, endpoint);
  ctx.state.webhookSecrets.set(endpoint.id, secret);
  if (p.boolean('connect')) ctx.state.connectEndpoints.add(endpoint.id);
  return { ...snapshot(endpoint), secret };
}

function updateEndpoint(ctx: ApiContext): Stripe.WebhookEndpoint {
  const endpoint = requireEndpoint(ctx);
  const p = ctx.params;
  if (p.has('url')) {
    p.requiredString('url');
    endpoint.url = p.url('url') ?? endpoint.url;
  }
  if (p.has('enabled_events')) endpoint.enabled_events = p.strings('enabled_events');
  if (p.has('description')) endpoint.description = p.string('description') || null;
  if (p.has('metadata')) endpoint.metadata = p.metadata(endpoint.metadata);
  const disabled = p.boolean('disabled');
  if (disabled !== undefined) endpoint.status = disabled ? 'disabled' : 'enabled';
  return endpoint;
}

export const platformRoutes: ApiRoute[] = [
  { method: 'GET', pattern: '/v1/account', params: { expand: true }, handle: (ctx) => ctx.state.account },
  {
    method: 'POST',
    pattern: '/v1/webhook_endpoints',
    params: {
      expand: true,
      url: true,
      enabled_events: true,
      description: true,
      metadata: true,
      api_version: true,
      connect: true,
    },
    handle: createEndpoint,
  },
  { method: 'GET', pattern: '/v1/webhook_endpoints/:id', params: { expand: true }, handle: requireEndpoint },
  {
    method: 'POST',
    pattern: '/v1/webhook_endpoints/:id',
    params: {
      expand: true,
      url: true,
      enabled_events: true,
      description: true,
      metadata: true,
      disabled: true,
    },
    handle: updateEndpoint,
  },
  {
    method: 'DELETE',
    pattern: '/v1/webhook_endpoints/:id',
    params: {},
    handle: (ctx) => {
      const endpoint = requireEndpoint(ctx);
      dropObject(ctx.state, endpoint.id);
      ctx.state.webhookSecrets.delete(endpoint.id);
      ctx.state.connectEndpoints.delete(endpoint.id);
      ctx.state.deleted.set(endpoint.id, 'webhook_endpoint');
      return { id: endpoint.id, object: 'webhook_endpoint', deleted: true };
    },
  },
  {
    method: 'GET',
    pattern: '/v1/webhook_endpoints',
    params: listParams(),
    handle: (ctx) => paginate(allOfKind(ctx.state, 'webhook_endpoint'), ctx.params, '/v1/webhook_endpoints'),
  },
  {
    method: 'GET',
    pattern: '/v1/events/:id',
    params: { expand: true },
    handle: (ctx) => {
      const event = getObject(ctx.state, 'event', ctx.path.id ?? '');
      // A connected account's event belongs to that account, not to the platform's events.
      if (!event || event.account) throw noSuchObject('event', ctx.path.id ?? '', 'id');
      return event;
    },
  },
  {
    method: 'GET',
    pattern: '/v1/events',
    params: listParams({ created: createdRange, type: true, types: true }),
    handle: (ctx) => {
      const type = ctx.params.string('type');
      const types = ctx.params.strings('types');
      const matches = (eventType: string) => {
        if (types.length > 0) return types.includes(eventType);
        if (!type) return true;
        // Stripe allows one trailing wildcard: `customer.subscription.*`.
        return type.endsWith('*') ? eventType.startsWith(type.slice(0, -1)) : eventType === type;
      };
      return paginate(
        allOfKind(ctx.state, 'event').filter((event) => !event.account && matches(event.type)),
        ctx.params,
        '/v1/events',
      );
    },
  },
];

export { apiVersion };
