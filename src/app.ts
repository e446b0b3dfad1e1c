// The HTTP app: Fastify, its plugins, and every module's routes over the services.
import { join } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { accessRoutes } from './modules/access/index.ts';
import { accountsRoutes } from './modules/accounts/index.ts';
import { affiliatesRoutes } from './modules/affiliates/index.ts';
import { emailRoutes } from './modules/email/index.ts';
import { hubRoutes } from './modules/hub/index.ts';
import { jobsRoutes } from './modules/jobs/index.ts';
import { metricsRoutes } from './modules/metrics/index.ts';
import { offerRoutes } from './modules/offers/index.ts';
import { billingRoutes, checkoutRoutes, webhookRoutes } from './modules/purchases/index.ts';
import { settingsRoutes } from './modules/settings/index.ts';
import { publicPageFiles } from './pages/assets.ts';
import { renderNotFoundPage } from './pages/offer-pages.tsx';
import { newId } from './platform/crypto.ts';
import { changesOf } from './platform/db/changes.ts';
import { pingDatabase } from './platform/db/database.ts';
import { registerAuth, requireCallerUnlessPublic } from './platform/http/auth.ts';
import {
  answerClientError,
  DEFAULT_HTTP_TIMEOUTS,
  type HttpTimeouts,
  timeoutOptions,
} from './platform/http/connection.ts';
import { answerFrameworkError, registerErrorHandling } from './platform/http/errors.ts';
import { lazySchemas } from './platform/http/lazy-compilers.ts';
import { registerSecurityHeaders } from './platform/http/security.ts';
import { registerStrictSchemas } from './platform/http/strict-schemas.ts';
import { registerTextGuard } from './platform/http/text-guard.ts';
import { registerWeb, SPA_PREFIXES } from './platform/http/web.ts';
import { requestLogger } from './platform/logger.ts';
import { isStoredPath } from './platform/media.ts';
import { projectRoot } from './platform/paths.ts';
import { buildServices, type ServiceDeps, type Services } from './services.ts';

export interface AppDeps extends ServiceDeps {
  /** Where the built SPA is (dist/web by default). */
  webDir?: string;
  /** How long a client may take (defaults suit a slow phone; tests shorten them). */
  httpTimeouts?: HttpTimeouts;
}

/**
 * TRUST_PROXY as Fastify takes it. A hop count n trusts the n proxies nearest to the server, whatever
 * their address (Fastify 5 now refuses a bare number, trusting nobody); an address list is safer, as it
 * also refuses X-Forwarded-For from a client that reaches the server directly.
 */
export function trustProxyOption(value: boolean | number | string) {
  if (typeof value !== 'number') return value;
  return (_address: string, hop: number) => hop < value;
}

export async function buildApp(
  deps: AppDeps,
): Promise<{ app: FastifyInstance; services: Services; compileAllSchemas: () => number }> {
  const { config, db } = deps;
  const services = buildServices(deps);
  const { clock, logger, settings, email, auth, users, access, hub, media, offers, purchases } = services;

  const schemas = lazySchemas();
  const app = Fastify({
    schemaController: schemas.controller,
    loggerInstance: logger as FastifyBaseLogger,
    trustProxy: trustProxyOption(config.trustProxy),
    genReqId: () => newId(),
    childLoggerFactory: requestLogger,
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    ...timeoutOptions(deps.httpTimeouts ?? DEFAULT_HTTP_TIMEOUTS),
    clientErrorHandler: answerClientError,
    frameworkErrors: answerFrameworkError,
    ajv: {
      customOptions: {
        allErrors: true,
        removeAdditional: true,
        coerceTypes: 'array',
        useDefaults: true,
        // A union tagged by a field (landing-page blocks by `type`) checks only the branch it names.
        discriminator: true,
      },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  registerErrorHandling(app, {
    notFoundPage: async (request) => {
      // The page must render even when the database does not answer.
      const { platformName } = await settings.getSettings().catch(() => ({ platformName: 'Guildhall' }));
      return renderNotFoundPage({
        platformName,
        url: `${config.publicUrl}${request.url.split('?')[0]}`,
        assets: publicPageFiles().assets,
      });
    },
  });
  registerTextGuard(app);
  registerStrictSchemas(app);
  // During a graceful shutdown, a response that finishes tells its client to hang up, so a kept-alive
  // connection cannot hold the closing server open.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // Stripe's events already answered are applied by the inbox's drainer: a closing app lets it finish
  // the batch in hand (what is left is applied when a process runs again).
  app.addHook('onClose', async () => {
    await services.billing.inbox.stop();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  registerSecurityHeaders(app, { hsts: config.secureCookies });
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody);
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Guildhall API',
        version: '1',
        description:
          'Send an API key as `Authorization: Bearer <key>`; it acts as its user. Cookie sessions also need the `X-CSRF-Token` header on changes.',
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ apiKey: [] }],
    },
  });
  await app.register(fastifySwaggerUi, {
    routePrefix: '/api/docs',
    // Swagger UI's own policy minus upgrade-insecure-requests, which breaks plain-http installs.
    staticCSP:
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
  });

  registerAuth(app, {
    secret: config.appSecret,
    publicUrl: config.publicUrl,
    secureCookies: config.secureCookies,
    clock,
    resolvers: { bySessionToken: auth.actorBySessionToken, byApiKey: auth.actorByApiKey },
  });

  const cookies = { secret: config.appSecret, secureCookies: config.secureCookies };
  await app.register(
    async (api) => {
      requireCallerUnlessPublic(api);
      await api.register(accountsRoutes({ auth, users, settings, cookies }));
      await api.register(emailRoutes({ email }));
      await api.register(
        settingsRoutes({
          settings,
          settingsAdmin: services.settingsAdmin,
          stripe: services.stripe,
          demo: config.demo,
        }),
      );
      await api.register(jobsRoutes({ jobs: services.jobs }));
      await api.register(metricsRoutes({ metrics: services.metrics }));
      await api.register(accessRoutes({ access }));
      await api.register(hubRoutes({ hub, access }));
      await api.register(offerRoutes({ offers }));
      await api.register(billingRoutes({ billing: services.billing, publicUrl: config.publicUrl }));
      await api.register(affiliatesRoutes({ affiliates: services.affiliates, publicUrl: config.publicUrl }));
    },
    { prefix: '/api/v1' },
  );

  app.get('/healthz', { schema: { hide: true } }, async (_request, reply) => {
    const ok = await pingDatabase(db);
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'database_unavailable' });
  });

  // Uploaded images: content-addressed, so cached for a year.
  await app.register(fastifyStatic, {
    root: media.root,
    prefix: '/media/',
    decorateReply: false,
    immutable: true,
    maxAge: '365d',
    index: false,
    wildcard: true,
    allowedPath: (path) => isStoredPath(path.replace(/^\//, '')),
  });

  await app.register(webhookRoutes({ billing: services.billing }));
  await app.register(
    checkoutRoutes({
      offers,
      purchases,
      checkout: services.checkout,
      paymentsOpen: async () => (await services.stripe.current())?.chargesEnabled ?? false,
      settings,
      publicUrl: config.publicUrl,
      cookies,
      demo: config.demo,
      checkoutOrigin: config.stripeApiUrl
        ? new URL(config.stripeApiUrl).origin
        : 'https://checkout.stripe.com',
      affiliates: services.affiliates,
      changes: changesOf(db),
    }),
  );

  const sendIndex = await registerWeb(app, deps.webDir ?? join(projectRoot, 'dist', 'web'));
  app.get('/', { schema: { hide: true } }, async (request, reply) => {
    if (await auth.needsSetup()) return reply.redirect('/setup');
    if (!request.actor) return reply.redirect('/login');
    return reply.redirect(request.actor.role === 'member' ? '/hub' : '/admin');
  });
  app.get('/setup', { schema: { hide: true } }, async (_request, reply) => {
    // Once the owner exists the setup page is gone for good.
    if (!(await auth.needsSetup())) {
      return reply
        .status(404)
        .type('text/html; charset=utf-8')
        .send(
          '<!doctype html><meta charset="utf-8"><title>Not found</title><p>This Guildhall is already set up. <a href="/login">Sign in</a>.</p>',
        );
    }
    return sendIndex(reply);
  });
  for (const prefix of SPA_PREFIXES.filter((p) => p !== '/setup')) {
    app.get(prefix, { schema: { hide: true } }, async (_request, reply) => sendIndex(reply));
    app.get(`${prefix}/*`, { schema: { hide: true } }, async (_request, reply) => sendIndex(reply));
  }

  return { app, services, compileAllSchemas: schemas.compileAll };
}

export type { Services };
