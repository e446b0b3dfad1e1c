import { describe, expect, it } from 'vitest';
import type { EntitlementState } from '../../platform/db/schema.ts';
import { canEnter, isEntitlementLive, isGrantLive } from './access.rules.ts';

const NOW = 1_800_000_000_000;
const LATER = NOW + 1;
const EARLIER = NOW - 1;

describe('entitlement liveness', () => {
  it.each<[EntitlementState, number | null, boolean]>([
    ['active', null, true],
    ['active', EARLIER, true],
    ['trialing', null, true],
    ['past_due', LATER, true],
    ['past_due', EARLIER, false],
    ['past_due', null, false],
    ['canceled', LATER, true],
    ['canceled', NOW, false],
    ['ended', LATER, false],
    ['refunded', LATER, false],
    ['disputed', LATER, false],
    ['revoked', null, false],
  ])('%s with access until %s is live: %s', (state, accessUntil, live) => {
    expect(isEntitlementLive({ state, accessUntil }, NOW)).toBe(live);
  });
});

describe('grant liveness', () => {
  it('is live with no end or an end ahead', () => {
    expect(isGrantLive({ endsAt: null }, NOW)).toBe(true);
    expect(isGrantLive({ endsAt: LATER }, NOW)).toBe(true);
    expect(isGrantLive({ endsAt: NOW }, NOW)).toBe(false);
  });
});

describe('can_enter', () => {
  const none = { grants: [], entitlements: [] };
  it('lets everyone into public groups and staff into every group', () => {
    expect(canEnter({ role: 'member' }, { visibility: 'public' }, none, NOW)).toBe(true);
    expect(canEnter({ role: 'admin' }, { visibility: 'hidden' }, none, NOW)).toBe(true);
    expect(canEnter({ role: 'owner' }, { visibility: 'private' }, none, NOW)).toBe(true);
  });

  it('lets a member into private and hidden groups only with a live grant or entitlement', () => {
    for (const visibility of ['private', 'hidden'] as const) {
      expect(canEnter({ role: 'member' }, { visibility }, none, NOW)).toBe(false);
      expect(
        canEnter(
          { role: 'member' },
          { visibility },
          { grants: [{ endsAt: EARLIER }], entitlements: [] },
          NOW,
        ),
      ).toBe(false);
      expect(
        canEnter({ role: 'member' }, { visibility }, { grants: [{ endsAt: LATER }], entitlements: [] }, NOW),
      ).toBe(true);
      expect(
        canEnter(
          { role: 'member' },
          { visibility },
          { grants: [], entitlements: [{ state: 'ended', accessUntil: null }] },
          NOW,
        ),
      ).toBe(false);
      expect(
        canEnter(
          { role: 'member' },
          { visibility },
          { grants: [], entitlements: [{ state: 'trialing', accessUntil: null }] },
          NOW,
        ),
      ).toBe(true);
    }
  });
});
