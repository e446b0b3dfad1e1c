// An app on a real, private database for one test file: SQLite in a temp directory, or its own
// schema in the run's PostgreSQL database. Mail is captured instead of sent.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { inject } from 'vitest';
import { buildApp, type Services } from '../../src/app.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import type { Clock } from '../../src/platform/clock.ts';
import { type Database, migrateToLatest, openDatabase } from '../../src/platform/db/database.ts';
import type { MailSender, OutgoingMail } from '../../src/platform/mail.ts';

export const TEST_PUBLIC_URL = 'http://localhost:3000';

export interface TestContext {
  app: FastifyInstance;
  services: Services;
  db: Database;
  config: Readonly<Config>;
  engine: 'sqlite' | 'postgres';
  /** Mail handed to SMTP (only when an SMTP URL is configured). */
  outbox: (OutgoingMail & { smtpUrl: string })[];
  /** Makes the next sends fail (an SMTP outage). */
  failMail(on: boolean): void;
  /** Runs every due job now. */
  drainJobs(): Promise<number>;
  close(): Promise<void>;
}

export interface TestContextOptions {
  clock?: Clock;
  env?: Record<string, string>;
  onQuery?: (sql: string) => void;
}

export function testEngine(): 'sqlite' | 'postgres' {
  return process.env.TEST_DB_ENGINE === 'postgres' ? 'postgres' : 'sqlite';
}

/** A config for tests: a temp data dir, cheap password hashing, silent logs. */
const TEST_ENV = {
  PUBLIC_URL: TEST_PUBLIC_URL,
  APP_SECRET: 'test-secret-test-secret-test-secret-0123',
  PASSWORD_HASH_COST: '8',
  LOG_LEVEL: 'silent',
  RUN_WORKER: 'false',
};

export function testConfig(dataDir: string, env: Record<string, string> = {}): Readonly<Config> {
  return loadConfig({ ...TEST_ENV, DATA_DIR: dataDir, ...env });
}

/** A fresh database on the engine under test; answers its config and a cleanup. */
export async function createTestDatabase(env: Record<string, string> = {}, onQuery?: (sql: string) => void) {
  const dataDir = mkdtempSync(join(tmpdir(), 'guildhall-test-'));
  const engine = testEngine();
  let schema: string | null = null;
  let databaseEnv: Record<string, string> = {};
  if (engine === 'postgres') {
    const url = inject('postgresUrl');
    schema = `t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`create schema ${schema}`);
    await client.end();
    const withSchema = new URL(url);
    withSchema.searchParams.set('options', `-c search_path=${schema}`);
    databaseEnv = { DATABASE_URL: withSchema.toString() };
  }
  const config = testConfig(dataDir, { ...databaseEnv, ...env });
  const { db } = await openDatabase(config.database, {
    poolSize: 5,
    caches: true,
    ...(onQuery ? { onQuery } : {}),
  });
  await migrateToLatest(db);
  return {
    config,
    db,
    engine,
    schema,
    /** The environment that points a child process (the CLI) at this same database. */
    env: { ...TEST_ENV, DATA_DIR: dataDir, ...databaseEnv, ...env },
    async cleanup() {
      await db.destroy();
      if (schema) {
        const client = new pg.Client({ connectionString: inject('postgresUrl') });
        await client.connect();
        await client.query(`drop schema ${schema} cascade`);
        await client.end();
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function createTestContext(options: TestContextOptions = {}): Promise<TestContext> {
  const database = await createTestDatabase(options.env, options.onQuery);
  const outbox: TestContext['outbox'] = [];
  let failing = false;
  const sendMail: MailSender = async (smtpUrl, mail) => {
    if (failing) throw new Error('connect ECONNREFUSED (test SMTP outage)');
    outbox.push({ ...mail, smtpUrl });
    return { messageId: `<${outbox.length}@test>` };
  };
  const { app, services } = await buildApp({
    config: database.config,
    db: database.db,
    engine: database.engine,
    sendMail,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  await app.ready();
  return {
    app,
    services,
    db: database.db,
    config: database.config,
    engine: database.engine,
    outbox,
    failMail(on) {
      failing = on;
    },
    drainJobs: () => services.worker.drain(),
    async close() {
      await app.close();
      await database.cleanup();
    },
  };
}
