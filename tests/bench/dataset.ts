// The database each Guildhall run is measured against: a throwaway SQLite data directory or PostgreSQL
// database, migrated and seeded by the parent before the server starts, so requests find the row
// counts of a real platform rather than an empty table.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../../src/config.ts';
import { type Database, type Engine, migrateToLatest, openDatabase } from '../../src/platform/db/database.ts';
import { backfillMetrics } from '../../src/platform/db/migrations/0011-metrics.ts';
import { createApiKey, createOwner, type TestUser } from '../support/factories.ts';
import { type HubFixture, type HubSize, seedHub } from './hub-data.ts';
import { type OffersFixture, seedOffers } from './offers-data.ts';
import { analyze, seedMembers } from './seed.ts';

export interface DatasetSize {
  /** Members besides the owner. */
  members: number;
  /** The Hub's groups, offers, entitlements and posts (hub-data.ts), or null to seed none. */
  hub: HubSize | null;
  /** Buyers of the large offer whose Community Permissions change is timed. */
  offerBuyers: number;
}

/** What scenarios may use: the seeded rows they can refer to, and a handle to write more. */
export interface Fixture {
  engine: Engine;
  db: Database;
  owner: TestUser;
  /** An API key acting as the owner. */
  ownerApiKey: string;
  size: DatasetSize;
  /** The Hub data set and its benchmark member, when seeded. */
  hub: HubFixture | null;
  /** The public offer page and the offers whose permission change is timed. */
  offers: OffersFixture;
  /** Milliseconds each seeding step took, in order. */
  seedTimings: Record<string, number>;
}

export interface BenchDatabase {
  engine: Engine;
  /** The environment the Guildhall child is started with. */
  env: Record<string, string>;
  fixture: Fixture;
  /** Closes the parent's handle and deletes the data (call after the server has stopped). */
  drop(): Promise<void>;
}

function guildhallEnv(dataDir: string, databaseUrl: string | null): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    PORT: '0',
    PUBLIC_URL: 'http://127.0.0.1',
    DATA_DIR: dataDir,
    APP_SECRET: 'bench-secret-bench-secret-bench-secret-01',
    LOG_LEVEL: 'silent',
    RUN_WORKER: 'false',
    PASSWORD_HASH_COST: '8',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    // DATABASE_PREPARED_STATEMENTS=false measures PostgreSQL planning every query (as before issue 13's
    // named statements).
    ...(process.env.DATABASE_PREPARED_STATEMENTS
      ? { DATABASE_PREPARED_STATEMENTS: process.env.DATABASE_PREPARED_STATEMENTS }
      : {}),
    // IN_PROCESS_CACHE=false measures every request reading the session and the offer page's rows.
    ...(process.env.IN_PROCESS_CACHE ? { IN_PROCESS_CACHE: process.env.IN_PROCESS_CACHE } : {}),
  };
}

async function seed(db: Database, engine: Engine, size: DatasetSize): Promise<Fixture> {
  const timings: Record<string, number> = {};
  const timed = async <T>(label: string, step: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    const result = await step();
    timings[label] = Date.now() - started;
    return result;
  };
  const now = Date.now();
  await timed('migrations', () => migrateToLatest(db));
  await timed('members', () => seedMembers(db, engine, { count: size.members, now }));
  const owner = await createOwner({ db }, { email: 'owner@bench.test', name: 'Bench Owner' });
  const ownerApiKey = await createApiKey({ db }, owner);
  const hub = size.hub
    ? await seedHub(db, engine, { members: size.members, size: size.hub, now, timings })
    : null;
  const offers = await seedOffers(db, engine, {
    members: size.members,
    largeBuyers: size.offerBuyers,
    now,
    timings,
  });
  // The dashboard's counters, counted from what was seeded as the migration counts a database's history.
  await timed('dashboard counters', () => backfillMetrics(db as unknown as Kysely<unknown>));
  await timed('analyze', () => analyze(db));
  return { engine, db, owner, ownerApiKey, size, hub, offers, seedTimings: timings };
}

/** Maintenance operations run on the database named in `baseUrl` (it is never written to). */
async function onServer(baseUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * A throwaway data directory and, on PostgreSQL, a throwaway database `<prefix>_<time>` on the server
 * at `postgresUrl`; `drop` deletes both (FORCE ends connections a killed server left behind).
 */
export async function throwawayDatabase(engine: Engine, postgresUrl: string | null, prefix: string) {
  const dataDir = mkdtempSync(join(tmpdir(), `${prefix.replace(/_/g, '-')}-`));
  let databaseUrl: string | null = null;
  let dropDatabase = async () => {};
  if (engine === 'postgres') {
    if (!postgresUrl) throw new Error('PostgreSQL needs BENCH_DATABASE_URL or TEST_DATABASE_URL');
    const name = `${prefix}_${Date.now()}`;
    await onServer(postgresUrl, `create database ${name}`);
    const url = new URL(postgresUrl);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    dropDatabase = () => onServer(postgresUrl, `drop database if exists ${name} with (force)`);
  }
  return {
    dataDir,
    databaseUrl,
    async drop() {
      await dropDatabase();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function prepareDatabase(
  engine: Engine,
  size: DatasetSize,
  postgresUrl: string | null,
): Promise<BenchDatabase> {
  const place = await throwawayDatabase(engine, postgresUrl, 'guildhall_bench');
  const { dataDir, databaseUrl } = place;
  const env = guildhallEnv(dataDir, databaseUrl);
  const { db } = await openDatabase(loadConfig(env).database, { poolSize: 2 });
  const drop = async () => {
    await db.destroy();
    await place.drop();
  };
  try {
    return { engine, env, fixture: await seed(db, engine, size), drop };
  } catch (error) {
    await drop();
    throw error;
  }
}
