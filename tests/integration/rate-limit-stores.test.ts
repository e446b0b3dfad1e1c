// The stores that share rate-limit counters between processes: the database (both engines) and Redis
// (TEST_REDIS_URL; CI sets it). Each counts concurrent hits exactly, closes a window on time, and a
// limiter over it refuses past the limit.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/platform/clock.ts';
import { RateLimitedError } from '../../src/platform/errors.ts';
import { createRateLimiter, type RateLimitStore } from '../../src/platform/http/rate-limit.ts';
import {
  createDatabaseRateLimitStore,
  createRedisRateLimitStore,
  openRateLimitStore,
} from '../../src/platform/shared-store.ts';
import { createTestDatabase } from '../support/test-app.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.cleanup();
});

function storeContract(name: string, open: () => RateLimitStore, realClock = false) {
  describe(name, () => {
    it('counts fifty concurrent hits exactly, each seeing its own count', async () => {
      const store = open();
      const now = Date.now();
      const key = `burst:${randomUUID()}`;
      const windows = await Promise.all(Array.from({ length: 50 }, () => store.add(key, 60_000, now)));
      expect(windows.map((w) => w.count).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 50 }, (_, i) => i + 1),
      );
      expect((await store.get(key, now))?.count).toBe(50);
      await store.delete(key);
      expect(await store.get(key, now)).toBeNull();
    });

    it('opens a new window once the last one has closed', { timeout: 10_000 }, async () => {
      const store = open();
      const key = `window:${randomUUID()}`;
      const clock = manualClock();
      // Redis closes windows by its own clock: a short real window there.
      const windowMs = realClock ? 300 : 60_000;
      await store.add(key, windowMs, clock.now());
      await store.add(key, windowMs, clock.now());
      if (realClock) await new Promise((resolve) => setTimeout(resolve, windowMs + 100));
      else clock.advance(windowMs);
      expect(await store.get(key, clock.now())).toBeNull();
      expect((await store.add(key, windowMs, clock.now())).count).toBe(1);
    });

    it('lets a limiter refuse past the limit with the wait', async () => {
      const clock = manualClock();
      const limiter = createRateLimiter(open(), clock);
      const key = `limit:${randomUUID()}`;
      for (let i = 0; i < 3; i += 1) await limiter.hit(key, 3, 60_000);
      const refused = await limiter.hit(key, 3, 60_000).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(RateLimitedError);
      expect((refused as RateLimitedError).retryAfterSeconds).toBeGreaterThan(50);
      await limiter.reset(key);
      expect(await limiter.count(key)).toBe(0);
    });
  });
}

storeContract('the database store', () => createDatabaseRateLimitStore(database.db));

describe('which store a process counts in', () => {
  it('memory for one process on SQLite; the database on PostgreSQL or with several processes; Redis when given', async () => {
    const sqlite = { kind: 'sqlite', file: ':memory:' } as const;
    const postgres = { kind: 'postgres', url: 'postgres://x' } as const;
    const kind = (config: Parameters<typeof openRateLimitStore>[0]) =>
      openRateLimitStore(config, database.db).kind;
    expect(kind({ database: sqlite, processes: null, redisUrl: null })).toBe('memory');
    expect(kind({ database: sqlite, processes: 2, redisUrl: null })).toBe('database');
    expect(kind({ database: postgres, processes: null, redisUrl: null })).toBe('database');
    const redis = openRateLimitStore(
      { database: sqlite, processes: null, redisUrl: 'redis://127.0.0.1:1' },
      database.db,
    );
    expect(redis.kind).toBe('redis');
    await redis.close(); // never connected: nothing to close
  });
});

describe('Redis out of reach', () => {
  it('counts in the database instead, at once, and says so once', async () => {
    const warnings: unknown[] = [];
    const shared = openRateLimitStore(
      { database: { kind: 'sqlite', file: ':memory:' }, processes: null, redisUrl: 'redis://127.0.0.1:1' },
      database.db,
      { warn: (...args: unknown[]) => warnings.push(args) },
    );
    const limiter = createRateLimiter(shared.store, manualClock(), 'a-secret');
    const key = `outage:${randomUUID()}`;
    const started = Date.now();
    for (let i = 0; i < 3; i += 1) await limiter.hit(key, 3, 60_000);
    await expect(limiter.hit(key, 3, 60_000)).rejects.toThrow(RateLimitedError);
    expect(Date.now() - started).toBeLessThan(5_000);
    // Counted in the database, under a keyed hash that names no one.
    const rows = await database.db.selectFrom('rateLimits').select(['key', 'count']).execute();
    expect(rows.find((row) => row.count === 4)?.key).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(rows.some((row) => row.key.includes('outage'))).toBe(false);
    expect(warnings).toHaveLength(1);
    await shared.close();
  });
});

const redisUrl = process.env.TEST_REDIS_URL;
describe.runIf(redisUrl)('Redis (TEST_REDIS_URL)', () => {
  let redis: Redis;
  const prefix = `guildhall-test:${randomUUID()}:`;
  beforeAll(() => {
    redis = new Redis(redisUrl as string);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });
  storeContract('the Redis store', () => createRedisRateLimitStore(redis, prefix), true);
});
