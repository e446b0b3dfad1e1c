import { describe, expect, it } from 'vitest';
import { GIVE_UP_MS, nextAttemptAt, RETRY_DELAYS_MS } from './billing.inbox.ts';

describe('the retry schedule of an event that could not be applied', () => {
  it('waits longer after each failure, then an hour each time', () => {
    const received = 0;
    expect(nextAttemptAt(1, received, 1_000)).toBe(1_250);
    expect(nextAttemptAt(2, received, 2_000)).toBe(3_000);
    expect(nextAttemptAt(3, received, 3_000)).toBe(8_000);
    expect(nextAttemptAt(RETRY_DELAYS_MS.length + 5, received, 10_000)).toBe(10_000 + 3_600_000);
  });

  it('gives up once the next try would come more than three days after the event arrived', () => {
    expect(nextAttemptAt(40, 0, GIVE_UP_MS - 3_600_000)).toBe(GIVE_UP_MS);
    expect(nextAttemptAt(41, 0, GIVE_UP_MS - 3_599_999)).toBeNull();
  });
});
