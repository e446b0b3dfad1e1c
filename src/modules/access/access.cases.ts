// The access rule's state table: every entitlement state, with its access ending ahead, behind, exactly
// now or never, and whether that opens the offer's groups. The JS rule (access.rules.test.ts) and its SQL
// form on both engines (tests/integration/access-parity.test.ts) are both held to these rows.
import type { EntitlementState } from '../../platform/db/schema.ts';

export type AccessEnd = 'ahead' | 'behind' | 'now' | 'never';

export const ENTITLEMENT_CASES: readonly {
  state: EntitlementState;
  accessUntil: AccessEnd;
  live: boolean;
}[] = [
  { state: 'active', accessUntil: 'never', live: true },
  { state: 'active', accessUntil: 'behind', live: true },
  { state: 'trialing', accessUntil: 'never', live: true },
  { state: 'trialing', accessUntil: 'ahead', live: true },
  { state: 'past_due', accessUntil: 'ahead', live: true },
  { state: 'past_due', accessUntil: 'behind', live: false },
  { state: 'past_due', accessUntil: 'never', live: false },
  { state: 'canceled', accessUntil: 'ahead', live: true },
  { state: 'canceled', accessUntil: 'now', live: false },
  { state: 'canceled', accessUntil: 'behind', live: false },
  { state: 'ended', accessUntil: 'ahead', live: false },
  { state: 'refunded', accessUntil: 'ahead', live: false },
  { state: 'refunded', accessUntil: 'never', live: false },
  { state: 'disputed', accessUntil: 'ahead', live: false },
  { state: 'disputed', accessUntil: 'never', live: false },
  { state: 'revoked', accessUntil: 'ahead', live: false },
  { state: 'revoked', accessUntil: 'never', live: false },
];

/** The row's `accessUntil` as a time, around `now`. */
export function accessUntilAt(end: AccessEnd, now: number, step = 3_600_000): number | null {
  if (end === 'never') return null;
  return end === 'ahead' ? now + step : end === 'behind' ? now - step : now;
}
