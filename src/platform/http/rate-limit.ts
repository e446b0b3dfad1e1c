// Fixed-window rate limits over a store of counters. One process keeps them in its memory; several
// processes (`guildhall start --processes N`, or several machines) share them: in Redis when REDIS_URL
// is set, otherwise in the database (src/platform/shared-store.ts), so a limit is counted across every
// process that serves the same people.
import { createHmac } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { RateLimitedError } from '../errors.ts';

export interface RateLimiter {
  /**
   * Counts one hit on `key`; throws RateLimitedError past `limit` hits in `windowMs`, saying "Too many
   * <what>" (attempts by default).
   */
  hit(key: string, limit: number, windowMs: number, what?: string): Promise<void>;
  /** Throws RateLimitedError when `key` already has `limit` hits in its window; counts nothing. */
  check(key: string, limit: number): Promise<void>;
  /** Counts one hit on `key` without a limit: a failure to remember for a later `check`. */
  record(key: string, windowMs: number): Promise<void>;
  /** The hits on `key` in its current window. */
  count(key: string): Promise<number>;
  reset(key: string): Promise<void>;
}

/** A key's open window: its hits and when it closes (epoch ms, by the store's clock). */
export interface RateWindow {
  count: number;
  endsAt: number;
}

/** Where counters live. `add` must be atomic: two processes counting at once both count. */
export interface RateLimitStore {
  /** Counts one hit on `key`, opening a window of `windowMs` from `now` when none is open. */
  add(key: string, windowMs: number, now: number): Promise<RateWindow>;
  /** The open window of `key` at `now`, if any. */
  get(key: string, now: number): Promise<RateWindow | null>;
  delete(key: string): Promise<void>;
}

/**
 * A limiter over `store`. Keys name people (an address, an IP): with `secret` the store only ever sees a
 * keyed hash of each, so the counters kept in the database or Redis (and their backups) name no one.
 */
export function createRateLimiter(store: RateLimitStore, clock: Clock, secret?: string): RateLimiter {
  const keyOf = secret
    ? (key: string) => createHmac('sha256', secret).update(key).digest('base64url').slice(0, 32)
    : (key: string) => key;

  function refuse(window: RateWindow, what?: string): never {
    throw new RateLimitedError(Math.max(1, Math.ceil((window.endsAt - clock.now()) / 1000)), what);
  }

  return {
    async hit(key, limit, windowMs, what) {
      const window = await store.add(keyOf(key), windowMs, clock.now());
      if (window.count > limit) refuse(window, what);
    },
    async check(key, limit) {
      const window = await store.get(keyOf(key), clock.now());
      if (window && window.count >= limit) refuse(window);
    },
    async record(key, windowMs) {
      await store.add(keyOf(key), windowMs, clock.now());
    },
    async count(key) {
      return (await store.get(keyOf(key), clock.now()))?.count ?? 0;
    },
    reset(key) {
      return store.delete(keyOf(key));
    },
  };
}

/** Counters in this process's memory: right for one process, and the default. */
export function createMemoryRateLimitStore(): RateLimitStore {
  const windows = new Map<string, RateWindow>();
  let lastSweep = 0;

  function sweep(now: number): void {
    if (now - lastSweep < 60_000) return;
    lastSweep = now;
    for (const [key, window] of windows) if (window.endsAt <= now) windows.delete(key);
  }

  function open(key: string, now: number): RateWindow | null {
    const window = windows.get(key);
    return window && window.endsAt > now ? window : null;
  }

  return {
    async add(key, windowMs, now) {
      sweep(now);
      let window = open(key, now);
      if (!window) {
        window = { count: 0, endsAt: now + windowMs };
        windows.set(key, window);
      }
      window.count += 1;
      return { ...window };
    },
    async get(key, now) {
      const window = open(key, now);
      return window ? { ...window } : null;
    },
    async delete(key) {
      windows.delete(key);
    },
  };
}

export function createMemoryRateLimiter(clock: Clock): RateLimiter {
  return createRateLimiter(createMemoryRateLimitStore(), clock);
}
