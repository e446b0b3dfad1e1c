// Builds every service from its narrow dependencies: what the web app, the worker and the CLI share.
// It imports no HTTP framework, so CLI commands start fast.
import type { Config } from './config.ts';
import { createAccessService } from './modules/access/index.ts';
import { createAuthService, createUsersService } from './modules/accounts/index.ts';
import { createEmailService, SEND_EMAIL_JOB } from './modules/email/index.ts';
import { createHubService } from './modules/hub/index.ts';
import { createOffersService } from './modules/offers/index.ts';
import { createPurchasesService } from './modules/purchases/index.ts';
import { createSettingsAdmin, createSettingsService } from './modules/settings/index.ts';
import { type Clock, systemClock } from './platform/clock.ts';
import { createPasswordHasher, createSealer } from './platform/crypto.ts';
import type { Database, Engine } from './platform/db/database.ts';
import { createMemoryRateLimiter, type RateLimiter } from './platform/http/rate-limit.ts';
import { createWorker, type Worker } from './platform/jobs.ts';
import { createLogger, type Logger } from './platform/logger.ts';
import { type MailSender, sendMailOverSmtp } from './platform/mail.ts';
import { createMediaStore } from './platform/media.ts';

export interface ServiceDeps {
  config: Readonly<Config>;
  db: Database;
  engine: Engine;
  clock?: Clock;
  logger?: Logger;
  sendMail?: MailSender;
  rateLimiter?: RateLimiter;
}

export function buildServices(deps: ServiceDeps) {
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
  const users = createUsersService({ db, clock, hasher, auth, email, settings });
  const settingsAdmin = createSettingsAdmin({ db, settings, email, confirmPassword: auth.confirmPassword });
  const media = createMediaStore(config.dataDir);
  const access = createAccessService({ db, clock });
  const hub = createHubService({ db, clock, access, media });
  const offers = createOffersService({ db, clock, settings, media, email, publicUrl: config.publicUrl });
  const purchases = createPurchasesService({
    db,
    clock,
    appSecret: config.appSecret,
    publicUrl: config.publicUrl,
    rateLimiter,
    access,
    auth,
    users,
    offers,
    email,
    settings,
  });
  const worker: Worker = createWorker({
    db,
    engine,
    clock,
    logger,
    handlers: { [SEND_EMAIL_JOB]: email.sendQueuedEmail },
  });
  return {
    clock,
    logger,
    sealer,
    rateLimiter,
    settings,
    settingsAdmin,
    email,
    auth,
    users,
    media,
    access,
    hub,
    offers,
    purchases,
    worker,
  };
}

export type Services = ReturnType<typeof buildServices>;
