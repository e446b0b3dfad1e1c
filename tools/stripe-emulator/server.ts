// The HTTP face: /v1 (Stripe's API: key auth, idempotency, expansion, the request log), /_emulator
// (test controls, JSON or form bodies) and the pages (/c/pay/…, /p/session/…, /setup/e/…,
// /connect/onboarding/…).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { controlRoutes } from './controls.ts';
import { apiVersion, type Emulator } from './emulator.ts';
import { StripeApiError, type StripeErrorBody, unknownRoute } from './errors.ts';
import { type ParamObject, parseForm } from './form.ts';
import { newId } from './ids.ts';
import {
  findOnboardingSession,
  openAccountLink,
  renderOnboardingPage,
  submitOnboardingPage,
} from './onboarding.ts';
import {
  type PageResult,
  portalNotices,
  renderCompletePage,
  renderIndexPage,
  renderInvoicePage,
  renderPayPage,
  renderPortalPage,
  renderReceiptPage,
  submitPayPage,
  submitPortalPage,
} from './pages.ts';
import { Params } from './params.ts';
import { expandPaths, type Includable } from './present.ts';
import { billingRoutes, invoicePayments } from './resources/billing.ts';
import { catalogRoutes } from './resources/catalog.ts';
import { checkoutRoutes, sessionLineItems } from './resources/checkout.ts';
import { connectRoutes } from './resources/connect.ts';
import { customerRoutes } from './resources/customers.ts';
import { paymentRoutes } from './resources/payments.ts';
import { platformRoutes } from './resources/platform.ts';
import { portalProducts, portalRoutes } from './resources/portal.ts';
import { type ApiRoute, checkParams, matchPath } from './routes.ts';
import { type AccountState, getObject } from './store.ts';

const maxBodyBytes = 1_000_000;
const maxIdempotencyKeyLength = 255;

export const apiRoutes: ApiRoute[] = [
  ...platformRoutes,
  ...catalogRoutes,
  ...customerRoutes,
  ...checkoutRoutes,
  ...paymentRoutes,
  ...billingRoutes,
  ...portalRoutes,
  ...connectRoutes,
];

const includables: Record<string, Record<string, Includable>> = {
  'checkout.session': {
    line_items: (state, object) => {
      const id = String(object.id);
      return {
        object: 'list',
        data: sessionLineItems(state, id),
        has_more: false,
        url: `/v1/checkout/sessions/${id}/line_items`,
      };
    },
  },
  invoice: { payments: (state, object) => invoicePayments(state, String(object.id)) },
  'billing_portal.configuration': {
    'features.subscription_update.products': (state, object) => portalProducts(state, String(object.id)),
  },
};

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        reject(
          new StripeApiError(413, { type: 'invalid_request_error', message: 'Request body too large.' }),
        );
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = typeof body === 'string' ? body : JSON.stringify(body, null, 2);
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-cache, no-store',
    ...headers,
  });
  res.end(payload);
}

function sendPage(res: ServerResponse, page: PageResult): void {
  if (page.redirect) {
    res.writeHead(page.status, { location: page.redirect });
    res.end();
    return;
  }
  res.writeHead(page.status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(page.html ?? '');
}

function errorBody(error: unknown, emu: Emulator): { status: number; body: { error: StripeErrorBody } } {
  if (error instanceof StripeApiError) return { status: error.status, body: { error: error.body } };
  emu.settings.log(
    `emulator error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  return {
    status: 500,
    body: { error: { type: 'api_error', message: 'An unexpected error occurred in the Stripe emulator.' } },
  };
}

function authenticate(emu: Emulator, req: IncomingMessage): AccountState {
  const header = req.headers.authorization ?? '';
  let key = '';
  if (header.startsWith('Bearer ')) key = header.slice(7).trim();
  else if (header.startsWith('Basic '))
    key = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':')[0] ?? '';
  if (!key) {
    throw new StripeApiError(401, {
      type: 'invalid_request_error',
      message:
        "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
    });
  }
  if (!/^(sk|rk)_test_[A-Za-z0-9_]+$/.test(key)) {
    const shown =
      key.length > 12 ? `${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}` : key;
    throw new StripeApiError(401, {
      type: 'invalid_request_error',
      message: `Invalid API Key provided: ${shown}`,
    });
  }
  return emu.accountForKey(key);
}

async function handleApi(
  emu: Emulator,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: string,
): Promise<void> {
  const requestId = newId('req', 14);
  const method = req.method ?? 'GET';
  const idempotencyKey =
    typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : null;
  const headers: Record<string, string> = { 'request-id': requestId, 'stripe-version': apiVersion };
  if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
  let state: AccountState | null = null;
  let params: ParamObject = {};
  let status = 200;
  let replayed = false;
  try {
    state = authenticate(emu, req);
    if (idempotencyKey !== null && idempotencyKey.length > maxIdempotencyKeyLength) {
      // Stripe documents keys of up to 255 characters; a longer one is refused before anything runs.
      throw new StripeApiError(400, {
        type: 'invalid_request_error',
        message: `Idempotency keys can be at most ${maxIdempotencyKeyLength} characters long.`,
      });
    }
    params =
      method === 'POST'
        ? { ...parseForm(url.search.slice(1)), ...parseForm(body) }
        : parseForm(url.search.slice(1));
    const fingerprint = `${method} ${url.pathname} ${body}`;
    const previous = idempotencyKey && method === 'POST' ? state.idempotency.get(idempotencyKey) : undefined;
    if (previous) {
      if (previous.fingerprint !== fingerprint) {
        throw new StripeApiError(400, {
          type: 'idempotency_error',
          message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
        });
      }
      replayed = true;
      status = previous.status;
      sendJson(res, previous.status, previous.body, { ...headers, 'idempotent-replayed': 'true' });
      return;
    }
    emu.runDue();
    let found: { route: ApiRoute; path: Record<string, string> } | undefined;
    for (const route of apiRoutes) {
      if (route.method !== method) continue;
      const path = matchPath(route.pattern, url.pathname);
      if (path) {
        found = { route, path };
        break;
      }
    }
    if (!found) throw unknownRoute(method, url.pathname);
    // Stripe refuses a parameter it does not know before acting, so a misspelling changes nothing.
    checkParams(params, found.route.params);
    const reader = new Params(params);
    emu.currentRequest = { id: requestId, idempotencyKey };
    let result: unknown;
    try {
      result = found.route.handle({ emu, state, params: reader, path: found.path });
    } catch (error) {
      // Card errors happen after Stripe has acted (a failed charge exists), so Stripe saves them; so are
      // errors an endpoint raises once it has begun (a transfer refused for its balance).
      const saved = error instanceof StripeApiError && (error.status === 402 || error.savedForIdempotency);
      if (saved && idempotencyKey) {
        state.idempotency.set(idempotencyKey, {
          fingerprint,
          status: error.status,
          body: JSON.stringify({ error: error.body }, null, 2),
        });
      }
      throw error;
    } finally {
      emu.currentRequest = null;
    }
    const expanded = expandPaths(state, result, reader.strings('expand'), includables);
    const payload = JSON.stringify(expanded, null, 2);
    if (idempotencyKey && method === 'POST')
      state.idempotency.set(idempotencyKey, { fingerprint, status: 200, body: payload });
    sendJson(res, 200, payload, headers);
  } catch (error) {
    const { status: errorStatus, body: errorPayload } = errorBody(error, emu);
    status = errorStatus;
    sendJson(res, errorStatus, errorPayload, headers);
  } finally {
    emu.requests.push({
      id: requestId,
      method,
      path: url.pathname,
      account: state?.id ?? null,
      idempotencyKey,
      params,
      status: res.statusCode || status,
      replayed,
      at: Date.now(),
    });
    emu.settings.log(`${method} ${url.pathname} → ${res.statusCode}${replayed ? ' (replayed)' : ''}`);
  }
}

function controlParams(req: IncomingMessage, url: URL, body: string): ParamObject {
  const query = parseForm(url.search.slice(1));
  if (!body) return query;
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new StripeApiError(400, { type: 'invalid_request_error', message: 'Invalid JSON body.' });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new StripeApiError(400, {
        type: 'invalid_request_error',
        message: 'The body must be a JSON object.',
      });
    }
    return { ...query, ...(parsed as ParamObject) };
  }
  return { ...query, ...parseForm(body) };
}

function handleControl(
  emu: Emulator,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: string,
): void {
  try {
    const method = req.method ?? 'GET';
    for (const route of controlRoutes) {
      if (route.method !== method) continue;
      const path = matchPath(route.pattern, url.pathname);
      if (!path) continue;
      const params = controlParams(req, url, body);
      checkParams(params, route.params);
      const result = route.handle(emu, new Params(params), path);
      sendJson(res, result.status, result.body);
      return;
    }
    throw unknownRoute(method, url.pathname);
  } catch (error) {
    const { status, body: payload } = errorBody(error, emu);
    sendJson(res, status, payload);
  }
}

function formFields(body: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(body));
}

function handlePage(
  emu: Emulator,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: string,
): boolean {
  const method = req.method ?? 'GET';
  const notFound = {
    status: 404,
    html: '<!doctype html><title>Not found</title><p>Not found (Stripe emulator).</p>',
  };
  const pay = matchPath('/c/pay/:id', url.pathname);
  if (pay) {
    emu.runDue();
    const id = pay.id ?? '';
    const state = emu.findOwner(id);
    const session = state ? getObject(state, 'checkout.session', id) : undefined;
    if (!state || !session) sendPage(res, notFound);
    else
      sendPage(
        res,
        method === 'POST'
          ? submitPayPage(emu, state, session, formFields(body))
          : renderPayPage(emu, state, session),
      );
    return true;
  }
  const receipt = matchPath('/receipts/payment/:id', url.pathname);
  const hostedInvoice = matchPath('/i/:id', url.pathname);
  if ((receipt || hostedInvoice) && method === 'GET') {
    const id = receipt?.id ?? hostedInvoice?.id ?? '';
    const state = emu.findOwner(id);
    const charge = state && receipt ? getObject(state, 'charge', id) : undefined;
    const invoice = state && hostedInvoice ? getObject(state, 'invoice', id) : undefined;
    if (state && charge) sendPage(res, renderReceiptPage(state, charge));
    else if (state && invoice) sendPage(res, renderInvoicePage(state, invoice));
    else sendPage(res, notFound);
    return true;
  }
  const complete = matchPath('/c/complete/:id', url.pathname);
  if (complete) {
    const id = complete.id ?? '';
    const session = emu.findOwner(id) ? getObject(emu.findOwner(id)!, 'checkout.session', id) : undefined;
    sendPage(res, session ? renderCompletePage(session) : notFound);
    return true;
  }
  const portal = matchPath('/p/session/:id', url.pathname);
  if (portal) {
    emu.runDue();
    const id = portal.id ?? '';
    const state = emu.findOwner(id);
    const session = state ? getObject(state, 'billing_portal.session', id) : undefined;
    if (!state || !session) sendPage(res, notFound);
    else if (method === 'POST') sendPage(res, submitPortalPage(emu, state, session, formFields(body)));
    else sendPage(res, renderPortalPage(state, session, portalNotices[url.searchParams.get('notice') ?? '']));
    return true;
  }
  const link = matchPath('/setup/e/:account/:token', url.pathname);
  if (link && method === 'GET') {
    emu.runDue();
    sendPage(res, openAccountLink(emu, link.account ?? '', link.token ?? ''));
    return true;
  }
  const onboarding = matchPath('/connect/onboarding/:token', url.pathname);
  if (onboarding) {
    emu.runDue();
    const found = findOnboardingSession(emu, onboarding.token ?? '');
    if (!found) sendPage(res, notFound);
    else if (method === 'POST') {
      const userAgent = req.headers['user-agent'];
      sendPage(
        res,
        submitOnboardingPage(emu, found.state, found.session, formFields(body), {
          ip: req.socket.remoteAddress ?? null,
          userAgent: typeof userAgent === 'string' ? userAgent : null,
        }),
      );
    } else sendPage(res, renderOnboardingPage(found.state, found.session));
    return true;
  }
  if (url.pathname === '/' && method === 'GET') {
    sendPage(res, { status: 200, html: renderIndexPage(emu) });
    return true;
  }
  return false;
}

export async function handleRequest(emu: Emulator, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator.local');
  let body = '';
  try {
    body = await readBody(req);
  } catch (error) {
    const { status, body: payload } = errorBody(error, emu);
    if (!res.headersSent) sendJson(res, status, payload);
    return;
  }
  // Anything but a read may change what falls due: before it runs and once it is done.
  const changes = req.method !== 'GET' && req.method !== 'HEAD';
  if (changes) emu.changed();
  try {
    if (url.pathname.startsWith('/v1/')) return await handleApi(emu, req, res, url, body);
    if (url.pathname.startsWith('/_emulator/')) return handleControl(emu, req, res, url, body);
    if (handlePage(emu, req, res, url, body)) return;
    sendJson(res, 404, { error: unknownRoute(req.method ?? 'GET', url.pathname).body });
  } catch (error) {
    const { status, body: payload } = errorBody(error, emu);
    if (!res.headersSent) sendJson(res, status, payload);
  } finally {
    if (changes) emu.changed();
  }
}
