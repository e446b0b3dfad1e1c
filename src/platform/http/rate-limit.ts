// Fixed-window rate limits kept in process memory. A deployment with several web processes needs a
// shared store; that is a later change (REDIS_URL), and the interface is the seam for it.
import type { Clock } from '../clock.ts';
import { RateLimitedError } from '../errors.ts';

export interface RateLimiter {
  /** Counts one hit on `key`; throws RateLimitedError past `limit` hits in `windowMs`. */
  hit(key: string, limit: number, windowMs: number): void;
  /** Throws RateLimitedError when `key` already has `limit` hits in its window; counts nothing. */
  check(key: string, limit: number): void;
  /** Counts one hit on `key` without a limit: a failure to remember for a later `check`. */
  record(key: string, windowMs: number): void;
  /** The hits on `key` in its current window. */
  count(key: string): number;
  reset(key: string): void;
}

interface Window {
  startedAt: number;
  count: number;
  windowMs: number;
}

export function createMemoryRateLimiter(clock: Clock): RateLimiter {
  const windows = new Map<string, Window>();
  let lastSweep = clock.now();

  function sweep(now: number): void {
    if (now - lastSweep < 60_000) return;
    lastSweep = now;
    for (const [key, window] of windows) {
      if (now - window.startedAt >= window.windowMs) windows.delete(key);
    }
  }

  /** The live window of `key`, if any. */
  function current(key: string, now: number): Window | undefined {
    const window = windows.get(key);
    return window && now - window.startedAt < window.windowMs ? window : undefined;
  }

  function add(key: string, windowMs: number, now: number): Window {
    sweep(now);
    let window = current(key, now);
    if (!window) {
      window = { startedAt: now, count: 0, windowMs };
      windows.set(key, window);
    }
    window.count += 1;
    return window;
  }

  function refuse(window: Window, now: number): never {
    throw new RateLimitedError(Math.ceil((window.startedAt + window.windowMs - now) / 1000));
  }

  return {
    hit(key, limit, windowMs) {
      const now = clock.now();
      const window = add(key, windowMs, now);
      if (window.count > limit) refuse(window, now);
    },
    check(key, limit) {
      const now = clock.now();
      const window = current(key, now);
      if (window && window.count >= limit) refuse(window, now);
    },
    record(key, windowMs) {
      add(key, windowMs, clock.now());
    },
    count(key) {
      return current(key, clock.now())?.count ?? 0;
    },
    reset(key) {
      windows.delete(key);
    },
  };
}
