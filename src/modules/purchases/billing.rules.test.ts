import { describe, expect, it } from 'vitest';
import { isEntitlementLive } from '../access/index.ts';
import {
  accessForSubscription,
  DAY_MS,
  graceMsOf,
  refundEndsAccess,
  type SubscriptionStatus,
} from './billing.rules.ts';

const NOW = 1_800_000_000_000;
const GRACE = 7 * DAY_MS;
const PERIOD_END = NOW + 20 * DAY_MS;

function live(
  status: SubscriptionStatus,
  cancelAtPeriodEnd = false,
  current = null as Parameters<typeof accessForSubscription>[1],
) {
  const access = accessForSubscription(
    { status, cancelAtPeriodEnd, currentPeriodEnd: PERIOD_END },
    current,
    NOW,
    GRACE,
  );
  return { access, live: isEntitlementLive(access, NOW) };
}

describe('the access a subscription gives', () => {
  it.each([
    ['trialing', true],
    ['active', true],
    ['past_due', true],
    ['unpaid', false],
    ['paused', false],
    ['incomplete', false],
    ['incomplete_expired', false],
    ['canceled', false],
  ] as const)('%s → live: %s', (status, expected) => {
    expect(live(status).live).toBe(expected);
  });

  it('cancel at period end stays live until the period ends, then not', () => {
    const { access } = live('active', true);
    expect(access).toEqual({ state: 'canceled', accessUntil: PERIOD_END });
    expect(isEntitlementLive(access, PERIOD_END - 1)).toBe(true);
    expect(isEntitlementLive(access, PERIOD_END)).toBe(false);
  });

  it('past_due keeps the grace deadline from the first failure, and locks after it', () => {
    const first = live('past_due').access;
    expect(first).toEqual({ state: 'past_due', accessUntil: NOW + GRACE });
    const later = accessForSubscription(
      { status: 'past_due', cancelAtPeriodEnd: false, currentPeriodEnd: PERIOD_END },
      first,
      NOW + 3 * DAY_MS,
      GRACE,
    );
    expect(later.accessUntil).toBe(NOW + GRACE);
    expect(isEntitlementLive(later, NOW + GRACE + 1)).toBe(false);
  });

  it('a retry that succeeds unlocks by itself', () => {
    const locked = { state: 'past_due' as const, accessUntil: NOW - 1 };
    expect(live('active', false, locked).access).toEqual({ state: 'active', accessUntil: null });
  });

  it('unpaid after a grace locks at once, never later than the grace', () => {
    const grace = { state: 'past_due' as const, accessUntil: NOW + DAY_MS };
    expect(live('unpaid', false, grace).access).toEqual({ state: 'past_due', accessUntil: NOW });
  });
});

describe('refund policy', () => {
  it.each([
    ['full', 1000, 1000, true],
    ['full', 400, 1000, false],
    ['any', 1, 1000, true],
    ['any', 0, 1000, false],
    ['never', 1000, 1000, false],
  ] as const)('%s: %i of %i ends access: %s', (policy, refunded, amount, expected) => {
    expect(refundEndsAccess(policy, refunded, amount)).toBe(expected);
  });
});

describe('grace period', () => {
  it('is whole days from 0 to 60', () => {
    expect(graceMsOf(7)).toBe(7 * DAY_MS);
    expect(graceMsOf(-3)).toBe(0);
    expect(graceMsOf(400)).toBe(60 * DAY_MS);
  });
});
