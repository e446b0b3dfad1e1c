import { describe, expect, it } from 'vitest';
import type { EntitlementState } from '../../platform/db/schema.ts';
import { accessUntilAt, ENTITLEMENT_CASES } from './access.cases.ts';
import { canEnter, isEntitlementLive, isGrantLive } from './access.rules.ts';

const NOW = 1_800_000_000_000;
const LATER = NOW + 1;
const EARLIER = NOW - 1;

describe('entitlement liveness', () => {
  it.each(ENTITLEMENT_CASES)('$state with access ending $accessUntil is live: $live', (row) => {
    expect(
      isEntitlementLive({ state: row.state, accessUntil: accessUntilAt(row.accessUntil, NOW) }, NOW),
    ).toBe(row.live);
  });

  it('covers every state', () => {
    const states: EntitlementState[] = [
      'active',
      'trialing',
      'past_due',
      'canceled',
      'ended',
      'refunded',
      'disputed',
      'revoked',
    ];
    expect(new Set(ENTITLEMENT_CASES.map((row) => row.state))).toEqual(new Set(states));
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
