// What access a payment situation gives: Guildhall's rule, not Stripe's dunning settings (DESIGN.md §4).
// Pure functions, table-tested in billing.rules.test.ts.
import type { EntitlementState, RefundPolicy } from '../../platform/db/schema.ts';

export const DAY_MS = 24 * 3600_000;

/** Stripe's subscription statuses for this API version. */
export type SubscriptionStatus =
  | 'incomplete'
  | 'incomplete_expired'
  | 'trialing'
  | 'active'
  | 'past_due'
  | 'canceled'
  | 'unpaid'
  | 'paused';

export interface SubscriptionView {
  /** A status this version does not know is taken as ended. */
  status: SubscriptionStatus | (string & {});
  cancelAtPeriodEnd: boolean;
  /** Epoch ms; null when Stripe gives none. */
  currentPeriodEnd: number | null;
}

export interface Access {
  state: EntitlementState;
  accessUntil: number | null;
}

/**
 * States a subscription update never lifts: a revoked entitlement is the creator's decision, a
 * disputed one waits for the dispute, a refunded one for a newer payment.
 */
export const STICKY_STATES: readonly EntitlementState[] = ['revoked', 'disputed', 'refunded'];

/**
 * The access a subscription gives now. `trialing`/`active` are live; cancel at period end keeps it
 * live until the period ends; `past_due` is live for the grace period counted from when it first
 * failed (kept across updates), and unlocked by itself when a retry succeeds; `unpaid`, `paused` and
 * `incomplete` never grant; a deleted or expired subscription has ended.
 */
export function accessForSubscription(
  subscription: SubscriptionView,
  current: Access | null,
  now: number,
  graceMs: number,
): Access {
  const { status, cancelAtPeriodEnd, currentPeriodEnd } = subscription;
  if (status === 'trialing' || status === 'active') {
    if (cancelAtPeriodEnd && currentPeriodEnd !== null)
      return { state: 'canceled', accessUntil: currentPeriodEnd };
    return { state: status === 'trialing' ? 'trialing' : 'active', accessUntil: null };
  }
  if (status === 'past_due') {
    const graceRunning = current?.state === 'past_due' && current.accessUntil !== null;
    return { state: 'past_due', accessUntil: graceRunning ? current.accessUntil : now + graceMs };
  }
  if (status === 'unpaid' || status === 'paused' || status === 'incomplete') {
    // Locked now; the row remembers Stripe's word, and a paid invoice makes it active again.
    const until = current?.state === 'past_due' && current.accessUntil !== null ? current.accessUntil : now;
    return { state: 'past_due', accessUntil: Math.min(until, now) };
  }
  return { state: 'ended', accessUntil: null };
}

/** Whether a refund of `refunded` out of `amount` ends access under the offer's policy. */
export function refundEndsAccess(policy: RefundPolicy, refunded: number, amount: number): boolean {
  if (refunded <= 0) return false;
  if (policy === 'never') return false;
  if (policy === 'any') return true;
  return refunded >= amount;
}

/** Grace period of the platform setting, in ms; at most 60 days. */
export function graceMsOf(days: number): number {
  return Math.max(0, Math.min(60, Math.floor(days))) * DAY_MS;
}
