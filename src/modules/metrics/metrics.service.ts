// The dashboard's numbers: counted as the events happen, in the transaction of the change they count
// (a join, a payment, a refund, a subscription's change), and read back per view from the counters, the
// offers' own counters and the latest activity — never by scanning members, purchases or entitlements.
import { type Actor, requireStaff } from '../../platform/actor.ts';
import type { Clock } from '../../platform/clock.ts';
import { newId } from '../../platform/crypto.ts';
import type { Database } from '../../platform/db/database.ts';
import type { Executor } from '../../platform/db/executor.ts';
import type { EntitlementState } from '../../platform/db/schema.ts';
import {
  addToDays,
  addToTotals,
  type DayCount,
  findSetupFacts,
  findSubscriptionPrice,
  insertActivity,
  listActivity,
  listDays,
  listTopOffers,
  listTotals,
  type TotalCount,
} from './metrics.repository.ts';
import {
  activityOfChange,
  addsToMrr,
  checklistOf,
  churnRate,
  DAY_MS,
  dayOf,
  endsSubscription,
  type Interval,
  monthlyMinor,
  type Range,
  rangeOf,
  restartsSubscription,
  runningSubscriptions,
  subscriptionTotal,
  summarizeDays,
} from './metrics.rules.ts';

/** What the counters need of an entitlement, before and after a change. */
export interface CountedEntitlement {
  userId: string;
  offerId: string;
  state: EntitlementState;
  purchaseId: string | null;
  stripeSubscriptionId: string | null;
  mrrMinor: number;
}

export interface MetricsDeps {
  db: Database;
  clock: Clock;
  /** Whether the platform has its name, support email and Stripe (the checklist's first steps), and
   * its default currency (what an empty figure is shown in). */
  setupSettings: () => Promise<{
    platformNamed: boolean;
    supportEmail: boolean;
    stripeConnected: boolean;
    defaultCurrency: string;
  }>;
}

const ACTIVITY_SHOWN = 15;
const TOP_OFFERS = 5;

export function createMetricsService(deps: MetricsDeps) {
  const { db, clock, setupSettings } = deps;

  // --- counting (inside the caller's transaction) ---------------------------------------------

  /** A member account was made (a sign-up, a checkout's new buyer, an admin adding one). */
  async function memberAdded(trx: Executor): Promise<void> {
    const now = clock.now();
    await addToTotals(trx, [{ metric: 'members', currency: '', delta: 1 }]);
    await addToDays(trx, [{ day: dayOf(now), metric: 'members', currency: '', delta: 1 }]);
  }

  /**
   * A user's role changed: members are counted by their role now, and on the day their account was made
   * (as counting from scratch would count them).
   */
  async function roleChanged(
    trx: Executor,
    user: { createdAt: number },
    from: string,
    to: string,
  ): Promise<void> {
    if (from === to || (from !== 'member' && to !== 'member')) return;
    const delta = to === 'member' ? 1 : -1;
    await addToTotals(trx, [{ metric: 'members', currency: '', delta }]);
    await addToDays(trx, [{ day: dayOf(Number(user.createdAt)), metric: 'members', currency: '', delta }]);
  }

  /**
   * An entitlement is about to be written as `after` (from `before`, or new): counts the join, the
   * cancellation or the end, the subscription totals and MRR. Answers what the subscription adds to
   * MRR from now on, for the caller to write on the row (what the next change subtracts).
   */
  async function entitlementChanged(
    trx: Executor,
    before: CountedEntitlement | null,
    after: Omit<CountedEntitlement, 'mrrMinor'>,
  ): Promise<number> {
    const now = clock.now();
    const day = dayOf(now);
    const days: DayCount[] = [];
    const totals: TotalCount[] = [];
    const fromState = before?.state ?? null;
    const wasSubscription = before?.stripeSubscriptionId != null;
    const isSubscription = after.stripeSubscriptionId !== null;

    if (fromState !== after.state || wasSubscription !== isSubscription) {
      const previous = wasSubscription && before ? subscriptionTotal(before.state) : null;
      const next = isSubscription ? subscriptionTotal(after.state) : null;
      if (previous) totals.push({ metric: previous, currency: '', delta: -1 });
      if (next) totals.push({ metric: next, currency: '', delta: 1 });
    }
    if (before === null) {
      days.push({ day, metric: 'joins', currency: '', delta: 1 });
      if (isSubscription) days.push({ day, metric: 'subscriptions_started', currency: '', delta: 1 });
    } else if (!wasSubscription && isSubscription) {
      days.push({ day, metric: 'subscriptions_started', currency: '', delta: 1 });
    }
    if (fromState !== 'canceled' && after.state === 'canceled')
      days.push({ day, metric: 'cancellations', currency: '', delta: 1 });
    if (isSubscription && endsSubscription(fromState, after.state))
      days.push({ day, metric: 'subscriptions_ended', currency: '', delta: 1 });
    if (isSubscription && restartsSubscription(fromState, after.state))
      days.push({ day, metric: 'subscriptions_restarted', currency: '', delta: 1 });

    // MRR: what this subscription added until now comes out, what it adds from now on goes in.
    const added = before?.mrrMinor ?? 0;
    let adds = 0;
    let currency: string | null = null;
    if (isSubscription && addsToMrr(after.state) && after.purchaseId) {
      if (added > 0) adds = added;
      else {
        const price = await findSubscriptionPrice(trx, after.purchaseId);
        if (price?.interval) {
          adds = monthlyMinor(
            Number(price.amountMinor),
            price.interval as Interval,
            price.intervalCount ?? 1,
          );
          currency = price.currency;
        }
      }
    }
    if (adds !== added) {
      const purchaseId = after.purchaseId ?? before?.purchaseId ?? null;
      currency ??= purchaseId ? ((await findSubscriptionPrice(trx, purchaseId))?.currency ?? null) : null;
      if (currency) totals.push({ metric: 'mrr', currency, delta: adds - added });
    }

    await addToTotals(trx, totals);
    await addToDays(trx, days);
    const kind = activityOfChange(fromState, after.state);
    if (kind) {
      await insertActivity(trx, {
        id: newId(),
        at: now,
        kind,
        userId: after.userId,
        offerId: after.offerId,
        amountMinor: null,
        currency: null,
      });
    }
    return adds;
  }

  /** A paid purchase was fulfilled: one sale. */
  async function saleMade(trx: Executor): Promise<void> {
    await addToDays(trx, [{ day: dayOf(clock.now()), metric: 'sales', currency: '', delta: 1 }]);
  }

  /** Stripe took a payment (a first one or a renewal). */
  async function paymentTaken(
    trx: Executor,
    payment: {
      userId: string | null;
      offerId: string;
      amountMinor: number;
      currency: string;
      paidAt: number;
    },
  ): Promise<void> {
    await addToDays(trx, [
      {
        day: dayOf(payment.paidAt),
        metric: 'revenue',
        currency: payment.currency,
        delta: payment.amountMinor,
      },
    ]);
    // Listed when Guildhall learned of it, like the rest of the activity (Stripe's times are its own).
    await insertActivity(trx, {
      id: newId(),
      at: clock.now(),
      kind: 'payment',
      userId: payment.userId,
      offerId: payment.offerId,
      amountMinor: payment.amountMinor,
      currency: payment.currency,
    });
  }

  /** Money went back to a buyer (a refund, in whole or in part). */
  async function refundMade(
    trx: Executor,
    refund: { userId: string | null; offerId: string; amountMinor: number; currency: string },
  ): Promise<void> {
    const now = clock.now();
    await addToDays(trx, [
      { day: dayOf(now), metric: 'refunds', currency: refund.currency, delta: refund.amountMinor },
    ]);
    await insertActivity(trx, {
      id: newId(),
      at: now,
      kind: 'refund',
      userId: refund.userId,
      offerId: refund.offerId,
      amountMinor: refund.amountMinor,
      currency: refund.currency,
    });
  }

  // --- reading ---------------------------------------------------------------------------------

  /** The dashboard for a range: totals now, the range's figures and series, top offers, activity. */
  /** The range's series alone (the CSV export): its days' counters, nothing else read. */
  async function rangeSeries(actor: Actor, range: Range) {
    requireStaff(actor);
    const span = rangeOf(range, clock.now());
    const { series } = summarizeDays(await listDays(db, span.from, span.to), span);
    return { byMonth: span.byMonth, series };
  }

  async function dashboard(actor: Actor, range: Range) {
    requireStaff(actor);
    const now = clock.now();
    const span = rangeOf(range, now);
    // The range's days, and the last 30 for churn and the last 7 for new members, in one read.
    const earliest = Math.min(span.from, dayOf(now) - 29 * DAY_MS);
    const [days, totals, activity, topOffers, facts, settings] = await Promise.all([
      listDays(db, earliest, span.to),
      listTotals(db),
      listActivity(db, ACTIVITY_SHOWN),
      listTopOffers(db, TOP_OFFERS),
      findSetupFacts(db),
      setupSettings(),
    ]);
    const total = (metric: string) =>
      totals.filter((row) => row.metric === metric).reduce((sum, row) => sum + row.value, 0);
    const sinceDay = (metric: string, from: number) =>
      days.filter((row) => row.metric === metric && row.day >= from).reduce((sum, row) => sum + row.value, 0);

    const { series, period, money } = summarizeDays(days, span);
    const thirtyDaysAgo = dayOf(now) - 29 * DAY_MS;
    const running = runningSubscriptions(total);
    return {
      range,
      from: span.from,
      to: span.to,
      byMonth: span.byMonth,
      totals: {
        members: total('members'),
        newMembersThisWeek: sinceDay('members', dayOf(now) - 6 * DAY_MS),
        activeSubscriptions: total('subscriptions_active'),
        canceling: total('subscriptions_canceled'),
        trials: total('subscriptions_trialing'),
        pastDue: total('subscriptions_past_due'),
        mrr: totals
          .filter((row) => row.metric === 'mrr' && row.value !== 0)
          .reduce(
            (byCurrency, row) =>
              byCurrency.set(row.currency, (byCurrency.get(row.currency) ?? 0) + row.value),
            new Map<string, number>(),
          ),
        churn30d: churnRate({
          runningNow: running,
          started:
            sinceDay('subscriptions_started', thirtyDaysAgo) +
            sinceDay('subscriptions_restarted', thirtyDaysAgo),
          ended: sinceDay('subscriptions_ended', thirtyDaysAgo),
        }),
      },
      period: { ...period, money },
      series,
      topOffers,
      activity,
      defaultCurrency: settings.defaultCurrency,
      checklist: checklistOf({ ...facts, ...settings }),
    };
  }

  return {
    memberAdded,
    roleChanged,
    entitlementChanged,
    saleMade,
    paymentTaken,
    refundMade,
    dashboard,
    rangeSeries,
  };
}

export type MetricsService = ReturnType<typeof createMetricsService>;
export type Dashboard = Awaited<ReturnType<MetricsService['dashboard']>>;
