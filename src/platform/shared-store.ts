// Rate-limit counters shared by every process that serves the same people: in Redis (REDIS_URL), or in
// the database when there is no Redis. One process needs neither (src/platform/http/rate-limit.ts keeps
// its counters in memory).
import { sql } from 'kysely';
import type { Config } from '../config.ts';
import type { Database } from './db/database.ts';
import { createMemoryRateLimitStore, type RateLimitStore, type RateWindow } from './http/rate-limit.ts';
import type { Logger } from './logger.ts';

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

/**
 * A store that counts in `fallback` while `primary` fails (Redis down or still connecting): limits stay
 * counted, and shared, instead of every limited request failing.
 */
export function withFallback(
  primary: RateLimitStore,
  fallback: RateLimitStore,
  onError: (error: Error) => void,
): RateLimitStore {
  const attempt =
    <A extends unknown[], R>(call: (store: RateLimitStore, ...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await call(primary, ...args);
      } catch (error) {
        onError(error instanceof Error ? error : new Error(String(error)));
        return call(fallback, ...args);
      }
    };
  return {
    add: attempt((store, key: string, windowMs: number, now: number) => store.add(key, windowMs, now)),
    get: attempt((store, key: string, now: number) => store.get(key, now)),
    delete: attempt((store, key: string) => store.delete(key)),
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
  logger?: Pick<Logger, 'warn'>,
): SharedRateLimits {
  const { redisUrl } = config;
  let lastWarning = 0;
  // Said at most once a minute: an outage would otherwise write a line per request.
  const onError = (error: Error) => {
    if (Date.now() - lastWarning < 60_000) return;
    lastWarning = Date.now();
    logger?.warn({ err: error }, 'Redis is unreachable: rate limits are counted in the database meanwhile');
  };
  if (redisUrl) {
    let client: Promise<import('ioredis').Redis> | null = null;
    const connect = () => {
      client ??= import('ioredis').then((module) => {
        // Bundled (npm run build), the package is its CommonJS export: the class is the default.
        const Redis = module.Redis ?? (module as unknown as { default: typeof module.Redis }).default;
        const redis = new Redis(redisUrl, {
          // While Redis is unreachable a command gives up within half a second (the database counts
          // instead); while it connects, commands wait for it.
          maxRetriesPerRequest: 1,
          commandTimeout: 500,
          connectTimeout: 2_000,
        });
        redis.on('error', (error: Error) => onError(error));
        return redis;
      });
      return client;
    };
    return {
      kind: 'redis',
      store: withFallback(
        createRedisRateLimitStore({
          eval: async (script, keys, ...args) => (await connect()).eval(script, keys, ...args),
          del: async (key) => (await connect()).del(key),
        }),
        createDatabaseRateLimitStore(db),
        onError,
      ),
      async close() {
        if (!client) return;
        const redis = await client;
        // quit() waits for replies; a client that never connected has nothing to wait for.
        if (redis.status === 'ready') await redis.quit();
        else redis.disconnect();
      },
    };
  }
  if (config.database.kind === 'postgres' || (config.processes ?? 1) > 1) {
    return { kind: 'database', store: createDatabaseRateLimitStore(db), close: async () => {} };
  }
  return { kind: 'memory', store: createMemoryRateLimitStore(), close: async () => {} };
}
