// The access rule of DESIGN.md §1, as pure functions. The SQL in access.repository.ts says the same
// thing as `isEntitlementLive`; the unit tests hold both to it.

import { isStaffRole } from '../../platform/actor.ts';
import type { EntitlementState, HubVisibility, UserRole } from '../../platform/db/schema.ts';

/** States that open an offer's groups with no end. */
export const ALWAYS_LIVE_STATES: readonly EntitlementState[] = ['active', 'trialing'];
/** States that open them until `accessUntil` (the grace period, the paid-up period). */
export const LIVE_UNTIL_STATES: readonly EntitlementState[] = ['past_due', 'canceled'];

export function isEntitlementLive(
  entitlement: { state: EntitlementState; accessUntil: number | null },
  now: number,
): boolean {
  if (ALWAYS_LIVE_STATES.includes(entitlement.state)) return true;
  return (
    LIVE_UNTIL_STATES.includes(entitlement.state) &&
    entitlement.accessUntil !== null &&
    entitlement.accessUntil > now
  );
}

export function isGrantLive(grant: { endsAt: number | null }, now: number): boolean {
  return grant.endsAt === null || grant.endsAt > now;
}

export { isStaffRole };

/**
 * can_enter(user, group), given what the database knows about this user and group: whether any hand
 * grant or entitlement to an offer granting the group is live.
 */
export function canEnter(
  user: { role: UserRole },
  group: { visibility: HubVisibility },
  facts: {
    grants: { endsAt: number | null }[];
    entitlements: { state: EntitlementState; accessUntil: number | null }[];
  },
  now: number,
): boolean {
  return (
    group.visibility === 'public' ||
    isStaffRole(user.role) ||
    facts.grants.some((grant) => isGrantLive(grant, now)) ||
    facts.entitlements.some((entitlement) => isEntitlementLive(entitlement, now))
  );
}
