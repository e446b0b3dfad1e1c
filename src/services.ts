// Builds every service from its narrow dependencies: what the web app, the worker and the CLI share.
// It imports no HTTP framework, so CLI commands start fast.
import type { Config } from './config.ts';
import { createAccessService } from './modules/access/index.ts';
import { createAuthService, createUsersService } from './modules/accounts/index.ts';
import { createAffiliatesService, PAY_DUE_JOB } from './modules/affiliates/index.ts';
import { createEmailService, SEND_EMAIL_JOB } from './modules/email/index.ts';
import { createHubService, DIGEST_JOB, FOLLOWERS_JOB } from './modules/hub/index.ts';
import { createJobsService } from './modules/jobs/index.ts';
import { createMetricsService } from './modules/metrics/index.ts';
import { createOffersService } from './modules/offers/index.ts';
import {
  createBillingService,
  createCheckoutService,
  createPurchasesService,
  RECONCILE_JOB,
  SYNC_PURCHASE_JOB,
  type SyncPurchasePayload,
} from './modules/purchases/index.ts';
import {
  createSettingsAdmin,
  createSettingsService,
  createStripeConnection,
  DEFAULT_PLATFORM_NAME,
} from './modules/settings/index.ts';
import { type Clock, systemClock } from './platform/clock.ts';
import { createPasswordHasher, createSealer } from './platform/crypto.ts';
import { changesOf } from './platform/db/changes.ts';
import type { Database, Engine } from './platform/db/database.ts';
import { createRateLimiter, type RateLimiter } from './platform/http/rate-limit.ts';
import { createWorker, enqueueJobOnce, type Worker } from './platform/jobs.ts';
import { createLogger, type Logger } from './platform/logger.ts';
import { type MailSender, sendMailOverSmtp } from './platform/mail.ts';
import { createMediaStore } from './platform/media.ts';
import { openRateLimitStore } from './platform/shared-store.ts';
import { createStripeGateway, type StripeGateway } from './platform/stripe.ts';

export interface ServiceDeps {
  config: Readonly<Config>;
  db: Database;
  engine: Engine;
  clock?: Clock;
  logger?: Logger;
  sendMail?: MailSender;
  rateLimiter?: RateLimiter;
  stripeGateway?: StripeGateway;
}

export function buildServices(deps: ServiceDeps) {
  const { config, db, engine } = deps;
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? createLogger(config);
  const sealer = createSealer(config.appSecret);
  const rateLimits = openRateLimitStore(config, db, logger);
  const rateLimiter = deps.rateLimiter ?? createRateLimiter(rateLimits.store, clock, config.appSecret);
  const settings = createSettingsService({ db, clock, config, sealer, changes: changesOf(db) });
  const gateway = deps.stripeGateway ?? createStripeGateway({ apiUrl: config.stripeApiUrl });
  const stripe = createStripeConnection({
    settings,
    sealer,
    gateway,
    clock,
    logger,
    publicUrl: config.publicUrl,
  });
  const email = createEmailService({
    db,
    clock,
    logger,
    settings,
    sendMail: deps.sendMail ?? sendMailOverSmtp,
  });
  const metrics = createMetricsService({
    db,
    clock,
    setupSettings: async () => {
      const [{ platformName, supportEmail, defaultCurrency }, connection] = await Promise.all([
        settings.getSettings(),
        stripe.current(),
      ]);
      return {
        platformNamed: platformName !== DEFAULT_PLATFORM_NAME,
        supportEmail: supportEmail !== null,
        stripeConnected: connection !== null,
        defaultCurrency,
      };
    },
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
    changes: changesOf(db),
  });
  const users = createUsersService({ db, clock, hasher, auth, email, settings, metrics });
  const settingsAdmin = createSettingsAdmin({ db, settings, email, confirmPassword: auth.confirmPassword });
  const media = createMediaStore(config.dataDir);
  const access = createAccessService({ db, clock, metrics, changes: changesOf(db) });
  const jobs = createJobsService({ db, clock });
  const hub = createHubService({
    db,
    clock,
    access,
    media,
    rateLimiter,
    email,
    settings,
    publicUrl: config.publicUrl,
    appSecret: config.appSecret,
  });
  const offers = createOffersService({
    db,
    clock,
    settings,
    media,
    email,
    publicUrl: config.publicUrl,
    stripe,
    logger,
    access,
  });
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
    metrics,
  });
  const affiliates = createAffiliatesService({
    db,
    clock,
    logger,
    publicUrl: config.publicUrl,
    settings,
    access,
    email,
    stripe,
    programs: offers.resellPrograms,
  });
  const billing = createBillingService({
    db,
    clock,
    logger,
    stripe,
    verifyEvent: gateway.verifyEvent,
    purchases,
    access,
    offers,
    users,
    settings,
    affiliates,
    metrics,
  });
  const checkout = createCheckoutService({
    db,
    clock,
    logger,
    publicUrl: config.publicUrl,
    rateLimiter,
    stripe,
    access,
    auth,
    offers,
    purchases,
    billing,
  });
  /** Books the next daily reconciliation unless one is waiting. */
  const scheduleReconcile = (executor: Database, exceptId?: string) =>
    enqueueJobOnce(executor, clock, RECONCILE_JOB, null, {
      runAt: clock.now() + 24 * 3600_000,
      maxAttempts: 3,
      ...(exceptId ? { exceptId } : {}),
    });
  /** Books the next daily digest of notifications unless one is waiting. */
  const scheduleDigest = (executor: Database, exceptId?: string) =>
    enqueueJobOnce(executor, clock, DIGEST_JOB, null, {
      runAt: clock.now() + 24 * 3600_000,
      maxAttempts: 3,
      ...(exceptId ? { exceptId } : {}),
    });
  /** Books every daily job (a server or worker starting). */
  const scheduleDailyJobs = async (executor: Database) => {
    await scheduleReconcile(executor);
    await scheduleDigest(executor);
  };
  const worker: Worker = createWorker({
    db,
    engine,
    clock,
    logger,
    handlers: {
      [SEND_EMAIL_JOB]: email.sendQueuedEmail,
      [SYNC_PURCHASE_JOB]: async (payload) => billing.syncPurchase(payload as SyncPurchasePayload),
      [PAY_DUE_JOB]: async (_payload, job) => {
        // Daily: affiliates with a connected account and a payable balance over the minimum.
        if (await stripe.current()) {
          const result = await affiliates.payDue();
          logger.info(result, 'affiliate payouts');
        }
        // Books its next run; itself, still running, is not "one waiting".
        await enqueueJobOnce(db, clock, PAY_DUE_JOB, null, {
          runAt: clock.now() + 24 * 3600_000,
          maxAttempts: 3,
          exceptId: job.id,
        });
      },
      [FOLLOWERS_JOB]: async (payload) => {
        const told = await hub.tellFollowers((payload as { postId: string }).postId);
        logger.info({ told }, 'followers told of a new post');
      },
      [DIGEST_JOB]: async (_payload, job) => {
        const sent = await hub.sendDigests();
        logger.info({ sent }, 'notification digests');
        await scheduleDigest(db, job.id);
      },
      [RECONCILE_JOB]: async (_payload, job) => {
        // Daily: repairs the endpoint and every purchase, then books the next run.
        if (await stripe.current()) {
          await stripe.repair();
          const result = await billing.reconcile({ dryRun: false });
          logger.info({ checked: result.checked, repaired: result.differences.length }, 'stripe reconciled');
        }
        await scheduleReconcile(db, job.id);
      },
    },
  });
  return {
    clock,
    logger,
    sealer,
    rateLimiter,
    settings,
    settingsAdmin,
    stripe,
    gateway,
    email,
    auth,
    users,
    media,
    access,
    jobs,
    metrics,
    hub,
    offers,
    purchases,
    billing,
    affiliates,
    checkout,
    scheduleDailyJobs,
    worker,
    rateLimits,
    /** Lets go of what the services hold beyond the database (the Redis connection). */
    close: () => rateLimits.close(),
  };
}

export type Services = ReturnType<typeof buildServices>;
