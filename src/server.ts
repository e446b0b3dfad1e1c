// A running Guildhall: database opened and migrated, HTTP listening, worker started, and a shutdown
// that lets in-flight requests and the job in hand finish.

import type { FastifyInstance } from 'fastify';
import { buildApp, type Services } from './app.ts';
import type { Config } from './config.ts';
import {
  type Database,
  migrateToLatest,
  type OpenDatabaseOptions,
  openDatabase,
} from './platform/db/database.ts';
import type { HttpTimeouts } from './platform/http/connection.ts';
import type { Logger } from './platform/logger.ts';
import type { MailSender } from './platform/mail.ts';

export interface RunningServer {
  app: FastifyInstance;
  db: Database;
  services: Services;
  url: string;
  /** The setup link to print, while the platform has no owner. */
  setupUrl: string | null;
  close(): Promise<void>;
}

export interface StartOptions {
  database?: OpenDatabaseOptions;
  sendMail?: MailSender;
  logger?: Logger;
  webDir?: string;
  httpTimeouts?: HttpTimeouts;
  /** Issues the setup link while there is no owner (default); one process of several does. */
  issueSetupCode?: boolean;
  /** Registers extra routes before listening (tests). */
  extend?: (app: FastifyInstance) => void;
}

export async function startServer(
  config: Readonly<Config>,
  options: StartOptions = {},
): Promise<RunningServer> {
  const { db, engine } = await openDatabase(config.database, {
    ...options.database,
    caches: true,
    checkpointsInBackground: { processes: config.processes ?? 1 },
  });
  await migrateToLatest(db);
  const { app, services } = await buildApp({
    config,
    db,
    engine,
    ...(options.sendMail ? { sendMail: options.sendMail } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.webDir ? { webDir: options.webDir } : {}),
    ...(options.httpTimeouts ? { httpTimeouts: options.httpTimeouts } : {}),
  });
  options.extend?.(app);
  // Every web process takes Stripe's events into the inbox; which one applies them is settled by the
  // inbox's first look, a moment after (a delivery before that waits at most one sweep: billing.inbox.ts).
  services.billing.inbox.start();
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  app.log.info(
    { rateLimits: services.rateLimits.kind, process: process.env.GUILDHALL_PROCESS_INDEX ?? null },
    `rate limits are counted in ${services.rateLimits.kind === 'memory' ? "this process's memory" : `the ${services.rateLimits.kind}`}`,
  );
  if (config.runWorker) {
    await services.scheduleDailyJobs(db);
    services.worker.start();
  }
  const code = options.issueSetupCode === false ? null : await services.auth.issueSetupCode();
  const setupUrl = code ? `${config.publicUrl}/setup?code=${code}` : null;

  let closing: Promise<void> | null = null;
  return {
    app,
    db,
    services,
    url,
    setupUrl,
    close() {
      closing ??= (async () => {
        // In-flight requests get this long to finish before their connections are cut.
        const deadline = setTimeout(() => app.server.closeAllConnections(), 25_000);
        await app.close();
        clearTimeout(deadline);
        await services.worker.stop();
        await services.close();
        await db.destroy();
      })();
      return closing;
    },
  };
}

/** Closes the server gracefully on the first SIGTERM or SIGINT; resolves with the signal once closed. */
export function closeOnSignal(server: Pick<RunningServer, 'close'>): Promise<NodeJS.Signals> {
  return new Promise((resolve, reject) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      server.close().then(() => resolve(signal), reject);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
