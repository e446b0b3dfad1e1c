// What the dashboard's numbers mean, as pure functions: which entitlement change counts as what, what a
// subscription adds to MRR, how days are grouped for a range, and churn. The counters are written from
// these (metrics.service.ts) and read back through them.
import type { EntitlementState } from '../../platform/db/schema.ts';

export const DAY_MS = 86_400_000;

/** The start (epoch ms, UTC) of the day `at` falls on. */
export function dayOf(at: number): number {
  return Math.floor(at / DAY_MS) * DAY_MS;
}

export type Interval = 'week' | 'month' | 'year';

/**
 * What a subscription of `amountMinor` every `intervalCount` `interval`s brings in a month, rounded half
 * up to a whole minor unit (a year is 12 months, a week 12/52 of one). The migration that counted the
 * subscriptions already there says the same in SQL (0011-metrics.ts).
 */
export function monthlyMinor(amountMinor: number, interval: Interval, intervalCount: number): number {
  const [numerator, denominator] =
    interval === 'year'
      ? [amountMinor, 12 * intervalCount]
      : interval === 'week'
        ? [52 * amountMinor, 12 * intervalCount]
        : [amountMinor, intervalCount];
  return Math.floor((2 * numerator + denominator) / (2 * denominator));
}

/**
 * Subscription states counted on the dashboard, each its own total: those that run (canceled means
 * canceled at period end, still running until then).
 */
export const COUNTED_SUBSCRIPTION_STATES = ['active', 'trialing', 'past_due', 'canceled'] as const;
type CountedState = (typeof COUNTED_SUBSCRIPTION_STATES)[number];

export function subscriptionTotal(state: EntitlementState): `subscriptions_${CountedState}` | null {
  return (COUNTED_SUBSCRIPTION_STATES as readonly string[]).includes(state)
    ? (`subscriptions_${state}` as `subscriptions_${CountedState}`)
    : null;
}

/** Subscriptions running now, from the totals: every counted state, canceled at period end included. */
export function runningSubscriptions(total: (metric: string) => number): number {
  return COUNTED_SUBSCRIPTION_STATES.reduce((sum, state) => sum + total(`subscriptions_${state}`), 0);
}

/** A subscription adds to MRR while it is paid for: active, or past due while Stripe retries. */
export function addsToMrr(state: EntitlementState): boolean {
  return state === 'active' || state === 'past_due';
}

const RUNNING: readonly EntitlementState[] = COUNTED_SUBSCRIPTION_STATES;
const OVER: readonly EntitlementState[] = ['ended', 'refunded', 'disputed', 'revoked'];

export type ActivityOfChange = 'join' | 'cancellation' | 'ended' | null;

/** What the dashboard's recent activity says of an entitlement's change (nothing for most). */
export function activityOfChange(from: EntitlementState | null, to: EntitlementState): ActivityOfChange {
  if (from === null) return 'join';
  if (to === 'canceled' && from !== 'canceled') return 'cancellation';
  if (OVER.includes(to) && !OVER.includes(from)) return 'ended';
  return null;
}

/** A subscription that stopped running with this change: one churned subscription. */
export function endsSubscription(from: EntitlementState | null, to: EntitlementState): boolean {
  return from !== null && RUNNING.includes(from) && OVER.includes(to);
}

/** A subscription that runs again after an end (a dispute won): started once more. */
export function restartsSubscription(from: EntitlementState | null, to: EntitlementState): boolean {
  return from !== null && OVER.includes(from) && RUNNING.includes(to);
}

export const RANGES = ['7d', '30d', '90d', '12m'] as const;
export type Range = (typeof RANGES)[number];

/** The days a range covers, ending with today's (`now`): the first day and the number of buckets. */
export function rangeOf(range: Range, now: number): { from: number; to: number; byMonth: boolean } {
  const today = dayOf(now);
  if (range === '12m') {
    const date = new Date(today);
    const from = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - 11, 1);
    return { from, to: today, byMonth: true };
  }
  const days = range === '7d' ? 7 : range === '30d' ? 30 : 90;
  return { from: today - (days - 1) * DAY_MS, to: today, byMonth: false };
}

/** The buckets of a range, oldest first: each day's start, or each month's first day's. */
export function bucketsOf(range: { from: number; to: number; byMonth: boolean }): number[] {
  const buckets: number[] = [];
  if (range.byMonth) {
    const date = new Date(range.from);
    for (let month = 0; ; month++) {
      const start = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + month, 1);
      if (start > range.to) break;
      buckets.push(start);
    }
  } else {
    for (let day = range.from; day <= range.to; day += DAY_MS) buckets.push(day);
  }
  return buckets;
}

/** The bucket a day falls in. */
export function bucketOf(day: number, byMonth: boolean): number {
  if (!byMonth) return day;
  const date = new Date(day);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

/**
 * Subscriptions that ended over the last 30 days, as a share of those running at its start (running now
 * — active, trialing, past due or canceled at period end — plus those that ended, less those that
 * started or started again meanwhile); null when none were running.
 */
export function churnRate(input: { runningNow: number; started: number; ended: number }): number | null {
  const atStart = input.runningNow + input.ended - input.started;
  if (atStart <= 0) return null;
  return Math.min(1, input.ended / atStart);
}

export interface SetupFacts {
  platformNamed: boolean;
  supportEmail: boolean;
  stripeConnected: boolean;
  hasGroup: boolean;
  hasOffer: boolean;
  hasPublishedOffer: boolean;
  hasSale: boolean;
}

export interface ChecklistStep {
  key: keyof SetupFacts;
  label: string;
  done: boolean;
  href: string;
}

/** The getting-started steps, in the order a new creator takes them. */
export function checklistOf(facts: SetupFacts): ChecklistStep[] {
  return [
    { key: 'platformNamed', label: 'Name your platform', href: '/admin/settings' },
    { key: 'supportEmail', label: 'Add a support email members can write to', href: '/admin/settings' },
    { key: 'stripeConnected', label: 'Connect Stripe to take payments', href: '/admin/settings#stripe' },
    { key: 'hasGroup', label: 'Create a hub group', href: '/admin/hub' },
    { key: 'hasOffer', label: 'Create an offer', href: '/admin/offers/new' },
    { key: 'hasPublishedOffer', label: 'Publish it', href: '/admin/offers' },
    {
      key: 'hasSale',
      label: 'Try the checkout yourself with a separate email',
      href: '/admin/offers',
    },
  ].map((step) => ({
    ...step,
    key: step.key as keyof SetupFacts,
    done: facts[step.key as keyof SetupFacts],
  }));
}

export interface DayRow {
  day: number;
  metric: string;
  currency: string;
  value: number;
}

/**
 * A range's days as its series (one point per day or month: new members, joins, sales, net revenue per
 * currency) and its totals; days before the range are left out.
 */
export function summarizeDays(days: DayRow[], span: { from: number; to: number; byMonth: boolean }) {
  const points = new Map(
    bucketsOf(span).map((start) => [
      start,
      { start, joins: 0, sales: 0, members: 0, revenue: new Map<string, number>() },
    ]),
  );
  const period = { joins: 0, sales: 0, members: 0, cancellations: 0 };
  const money = new Map<string, { gross: number; refunded: number }>();
  for (const row of days) {
    if (row.day < span.from) continue;
    const point = points.get(bucketOf(row.day, span.byMonth));
    if (!point) continue;
    if (row.metric === 'joins' || row.metric === 'sales' || row.metric === 'members') {
      point[row.metric] += row.value;
      period[row.metric] += row.value;
    } else if (row.metric === 'cancellations') period.cancellations += row.value;
    else if (row.metric === 'revenue' || row.metric === 'refunds') {
      const sign = row.metric === 'revenue' ? 1 : -1;
      point.revenue.set(row.currency, (point.revenue.get(row.currency) ?? 0) + sign * row.value);
      const sums = money.get(row.currency) ?? { gross: 0, refunded: 0 };
      if (sign > 0) sums.gross += row.value;
      else sums.refunded += row.value;
      money.set(row.currency, sums);
    }
  }
  return { series: [...points.values()], period, money };
}
