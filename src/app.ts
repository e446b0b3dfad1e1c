// Composition root: builds every service from its narrow dependencies and mounts the routes.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import { accountsRoutes, createAuthService, createUsersService } from './modules/accounts/index.ts';
import { createEmailService, emailRoutes, SEND_EMAIL_JOB } from './modules/email/index.ts';
import { jobsRoutes } from './modules/jobs/index.ts';
import { createSettingsService, settingsRoutes } from './modules/settings/index.ts';
import { type Clock, systemClock } from './platform/clock.ts';
import { createPasswordHasher, createSealer, newId } from './platform/crypto.ts';
import { type Database, type Engine, pingDatabase } from './platform/db/database.ts';
import { registerAuth } from './platform/http/auth.ts';
import { registerErrorHandling } from './platform/http/errors.ts';
import { createMemoryRateLimiter, type RateLimiter } from './platform/http/rate-limit.ts';
import { registerSecurityHeaders } from './platform/http/security.ts';
import { registerWeb, SPA_PREFIXES } from './platform/http/web.ts';
import { createWorker, type Worker } from './platform/jobs.ts';
import { createLogger, type Logger } from './platform/logger.ts';
import { type MailSender, sendMailOverSmtp } from './platform/mail.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface AppDeps {
  config: Readonly<Config>;
  db: Database;
  engine: Engine;
  clock?: Clock;
  logger?: Logger;
  sendMail?: MailSender;
  rateLimiter?: RateLimiter;
  /** Where the built SPA is (dist/web by default). */
  webDir?: string;
}

export function buildServices(deps: AppDeps) {
  const { config, db, engine } = deps;
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? createLogger(config);
  const sealer = createSealer(config.appSecret);
  const rateLimiter = deps.rateLimiter ?? createMemoryRateLimiter(clock);
  const settings = createSettingsService({ db, clock, config, sealer });
  const email = createEmailService({
    db,
    clock,
    logger,
    settings,
    sendMail: deps.sendMail ?? sendMailOverSmtp,
  });
  const hasher = createPasswordHasher(config.passwordHashCost);
  const auth = createAuthService({
    db,
    clock,
    logger,
    hasher,
    rateLimiter,
    email,
    settings,
    publicUrl: config.publicUrl,
  });
  const users = createUsersService({ db, clock, auth, email, settings });
  const worker: Worker = createWorker({
    db,
    engine,
    clock,
    logger,
    handlers: { [SEND_EMAIL_JOB]: email.sendQueuedEmail },
  });
  return { clock, logger, sealer, rateLimiter, settings, email, auth, users, worker };
}

export type Services = ReturnType<typeof buildServices>;

export async function buildApp(deps: AppDeps): Promise<{ app: FastifyInstance; services: Services }> {
  const { config, db } = deps;
  const services = buildServices(deps);
  const { clock, logger, settings, email, auth, users } = services;

  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // Fastify takes a hop count too; its typings only list the other forms.
    trustProxy: config.trustProxy as boolean | string,
    genReqId: () => newId(),
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    ajv: {
      customOptions: { allErrors: true, removeAdditional: true, coerceTypes: 'array', useDefaults: true },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  registerErrorHandling(app);
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
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs', staticCSP: true });

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
      await api.register(accountsRoutes({ auth, users, settings, cookies }));
      await api.register(emailRoutes({ email }));
      await api.register(
        settingsRoutes({
          settings,
          sendTestEmail: (actor, to) => email.sendTestEmail(to, actor.name || actor.email),
        }),
      );
      await api.register(jobsRoutes({ db, clock }));
    },
    { prefix: '/api/v1' },
  );

  app.get('/healthz', { schema: { hide: true } }, async (_request, reply) => {
    const ok = await pingDatabase(db);
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'database_unavailable' });
  });

  const sendIndex = await registerWeb(app, deps.webDir ?? join(root, 'dist', 'web'));
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

  return { app, services };
}
