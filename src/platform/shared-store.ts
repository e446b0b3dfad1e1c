// Rate-limit counters shared by every process that serves the same people: in Redis (REDIS_URL), or in
// the database when there is no Redis. One process needs neither (src/platform/http/rate-limit.ts keeps
// its counters in memory).
import { sql } from 'kysely';
import type { Config } from '../config.ts';
import type { Database } from './db/database.ts';
import { createMemoryRateLimitStore, type RateLimitStore, type RateWindow } from './http/rate-limit.ts';

/** Counters in the `rate_limits` table: one upsert a hit, atomic on both engines. */
export function createDatabaseRateLimitStore(db: Database): RateLimitStore {
  let lastSweep = 0;
  return {
    async add(key, windowMs, now) {
      if (now - lastSweep >= 60_000) {
        lastSweep = now;
        await sweepRateLimits(db, now);
      }
      return addRateLimitHit(db, key, windowMs, now);
    },
    get: (key, now) => openRateLimitWindow(db, key, now),
    delete: (key) => deleteRateLimit(db, key),
  };
}

/** Counts one hit on `key`: a new window when none is open, else one more in the open one. */
export async function addRateLimitHit(
  db: Database,
  key: string,
  windowMs: number,
  now: number,
): Promise<RateWindow> {
  return db
    .insertInto('rateLimits')
    .values({ key, count: 1, endsAt: now + windowMs })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        count: sql<number>`case when rate_limits.ends_at <= ${now} then 1 else rate_limits.count + 1 end`,
        endsAt: sql<number>`case when rate_limits.ends_at <= ${now} then excluded.ends_at else rate_limits.ends_at end`,
      }),
    )
    .returning(['count', 'endsAt'])
    .executeTakeFirstOrThrow();
}

export async function openRateLimitWindow(
  db: Database,
  key: string,
  now: number,
): Promise<RateWindow | null> {
  const row = await db
    .selectFrom('rateLimits')
    .select(['count', 'endsAt'])
    .where('key', '=', key)
    .where('endsAt', '>', now)
    .executeTakeFirst();
  return row ?? null;
}

export async function deleteRateLimit(db: Database, key: string): Promise<void> {
  await db.deleteFrom('rateLimits').where('key', '=', key).execute();
}

export async function sweepRateLimits(db: Database, now: number): Promise<void> {
  await db.deleteFrom('rateLimits').where('endsAt', '<=', now).execute();
}

/** The part of a Redis client the store uses (ioredis's). */
export interface RedisLike {
  eval(script: string, keys: number, ...args: (string | number)[]): Promise<unknown>;
  del(key: string): Promise<number>;
}

// Redis keeps the window by expiry; its own clock, so every process agrees on when a window closes.
const ADD = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local left = redis.call('PTTL', KEYS[1])
if left < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); left = tonumber(ARGV[1]) end
return {count, left}`;
const GET = `
local count = redis.call('GET', KEYS[1])
if not count then return nil end
return {tonumber(count), redis.call('PTTL', KEYS[1])}`;

/** Counters in Redis under `prefix`: INCR and PEXPIRE in one script, so a hit is atomic. */
export function createRedisRateLimitStore(redis: RedisLike, prefix = 'guildhall:rate:'): RateLimitStore {
  const window = (reply: unknown, now: number): RateWindow | null => {
    if (!Array.isArray(reply)) return null;
    const [count, left] = reply as [number, number];
    return { count: Number(count), endsAt: now + Math.max(0, Number(left)) };
  };
  return {
    async add(key, windowMs, now) {
      return (
        window(await redis.eval(ADD, 1, prefix + key, windowMs), now) ?? { count: 1, endsAt: now + windowMs }
      );
    },
    async get(key, now) {
      return window(await redis.eval(GET, 1, prefix + key), now);
    },
    async delete(key) {
      await redis.del(prefix + key);
    },
  };
}

export interface SharedRateLimits {
  store: RateLimitStore;
  /** Where the counters live, for the start-up log. */
  kind: 'memory' | 'database' | 'redis';
  close(): Promise<void>;
}

/**
 * The store a process counts in: Redis when REDIS_URL is set; otherwise the database on PostgreSQL (where
 * other processes and machines may serve the same people) and on SQLite with several processes; this
 * process's memory for one process on SQLite. The Redis client is loaded and connected on first use.
 */
export function openRateLimitStore(
  config: Pick<Config, 'redisUrl' | 'processes' | 'database'>,
  db: Database,
): SharedRateLimits {
  const { redisUrl } = config;
  if (redisUrl) {
    let client: Promise<import('ioredis').Redis> | null = null;
    const connect = () => {
      client ??= import('ioredis').then(
        ({ Redis }) => new Redis(redisUrl, { maxRetriesPerRequest: 2, connectTimeout: 5_000 }),
      );
      return client;
    };
    return {
      kind: 'redis',
      store: createRedisRateLimitStore({
        eval: async (script, keys, ...args) => (await connect()).eval(script, keys, ...args),
        del: async (key) => (await connect()).del(key),
      }),
      async close() {
        if (client) await (await client).quit();
      },
    };
  }
  if (config.database.kind === 'postgres' || (config.processes ?? 1) > 1) {
    return { kind: 'database', store: createDatabaseRateLimitStore(db), close: async () => {} };
  }
  return { kind: 'memory', store: createMemoryRateLimitStore(), close: async () => {} };
}
