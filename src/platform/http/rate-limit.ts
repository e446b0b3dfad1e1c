// Fixed-window rate limits kept in process memory. A deployment with several web processes needs a
// shared store; that is a later change (REDIS_URL), and the interface is the seam for it.
import type { Clock } from '../clock.ts';
import { RateLimitedError } from '../errors.ts';

export interface RateLimiter {
  /** Counts one hit on `key`; throws RateLimitedError past `limit` hits in `windowMs`. */
  hit(key: string, limit: number, windowMs: number): void;
  reset(key: string): void;
}

export function createMemoryRateLimiter(clock: Clock): RateLimiter {
  const windows = new Map<string, { startedAt: number; count: number; windowMs: number }>();
  let lastSweep = clock.now();

  function sweep(now: number): void {
    if (now - lastSweep < 60_000) return;
    lastSweep = now;
    for (const [key, window] of windows) {
      if (now - window.startedAt >= window.windowMs) windows.delete(key);
    }
  }

  return {
    hit(key, limit, windowMs) {
      const now = clock.now();
      sweep(now);
      let window = windows.get(key);
      if (!window || now - window.startedAt >= windowMs) {
        window = { startedAt: now, count: 0, windowMs };
        windows.set(key, window);
      }
      window.count += 1;
      if (window.count > limit) {
        throw new RateLimitedError(Math.ceil((window.startedAt + windowMs - now) / 1000));
      }
    },
    reset(key) {
      windows.delete(key);
    },
  };
}
