import { describe, expect, it } from 'vitest';
import {
  activityOfChange,
  addsToMrr,
  bucketsOf,
  checklistOf,
  churnRate,
  DAY_MS,
  dayOf,
  endsSubscription,
  monthlyMinor,
  rangeOf,
  restartsSubscription,
  runningSubscriptions,
  subscriptionTotal,
  summarizeDays,
} from './metrics.rules.ts';

describe('monthlyMinor', () => {
  it.each([
    [900, 'month', 1, 900],
    [900, 'month', 3, 300],
    [1000, 'month', 3, 333],
    [12_000, 'year', 1, 1000],
    [9999, 'year', 1, 833],
    [100, 'week', 1, 433],
    [500, 'week', 2, 1083],
    [1, 'month', 2, 1],
    [0, 'month', 1, 0],
  ] as const)('%i per %s × %i is %i a month', (amount, interval, count, monthly) => {
    expect(monthlyMinor(amount, interval, count)).toBe(monthly);
  });
});

describe('what an entitlement change counts as', () => {
  it.each([
    [null, 'active', 'join'],
    [null, 'trialing', 'join'],
    ['active', 'canceled', 'cancellation'],
    ['canceled', 'canceled', null],
    ['canceled', 'active', null],
    ['active', 'past_due', null],
    ['past_due', 'ended', 'ended'],
    ['active', 'refunded', 'ended'],
    ['refunded', 'revoked', null],
  ] as const)('%s → %s is %s', (from, to, kind) => {
    expect(activityOfChange(from, to)).toBe(kind);
  });

  it('restarts a subscription only when an ended one runs again', () => {
    expect(restartsSubscription('disputed', 'active')).toBe(true);
    expect(restartsSubscription('active', 'past_due')).toBe(false);
    expect(restartsSubscription(null, 'active')).toBe(false);
  });

  it('ends a subscription only when a running one stops', () => {
    expect(endsSubscription('active', 'ended')).toBe(true);
    expect(endsSubscription('canceled', 'ended')).toBe(true);
    expect(endsSubscription('trialing', 'revoked')).toBe(true);
    expect(endsSubscription('active', 'canceled')).toBe(false);
    expect(endsSubscription(null, 'ended')).toBe(false);
    expect(endsSubscription('refunded', 'revoked')).toBe(false);
  });

  it('counts active, trialing and past-due subscriptions apart, and MRR from active and past due', () => {
    expect(subscriptionTotal('active')).toBe('subscriptions_active');
    expect(subscriptionTotal('trialing')).toBe('subscriptions_trialing');
    expect(subscriptionTotal('past_due')).toBe('subscriptions_past_due');
    expect(subscriptionTotal('canceled')).toBe('subscriptions_canceled');
    expect(subscriptionTotal('ended')).toBeNull();
    expect(['active', 'past_due', 'trialing', 'canceled'].map((s) => addsToMrr(s as never))).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });
});

describe('ranges', () => {
  const now = Date.UTC(2026, 10, 27, 19, 30);

  it('ends on today and counts back whole days', () => {
    const week = rangeOf('7d', now);
    expect(week).toEqual({ from: Date.UTC(2026, 10, 21), to: Date.UTC(2026, 10, 27), byMonth: false });
    expect(bucketsOf(week)).toHaveLength(7);
    expect(bucketsOf(rangeOf('30d', now))).toHaveLength(30);
    expect(bucketsOf(rangeOf('90d', now))).toHaveLength(90);
    expect(dayOf(now)).toBe(Date.UTC(2026, 10, 27));
    expect(dayOf(Date.UTC(2026, 10, 27) - 1)).toBe(Date.UTC(2026, 10, 27) - DAY_MS);
  });

  it('gives twelve months for 12m, this one last, across a new year', () => {
    const year = rangeOf('12m', now);
    const buckets = bucketsOf(year);
    expect(buckets).toHaveLength(12);
    expect(buckets[0]).toBe(Date.UTC(2025, 11, 1));
    expect(buckets.at(-1)).toBe(Date.UTC(2026, 10, 1));
  });
});

describe('churn over 30 days', () => {
  it('counts a subscription canceled at period end as still running', () => {
    const totals: Record<string, number> = {
      subscriptions_active: 5,
      subscriptions_trialing: 2,
      subscriptions_past_due: 1,
      subscriptions_canceled: 2,
    };
    expect(runningSubscriptions((metric) => totals[metric] ?? 0)).toBe(10);
  });

  it('divides what ended by what ran at the start', () => {
    expect(churnRate({ runningNow: 90, started: 0, ended: 10 })).toBe(0.1);
    expect(churnRate({ runningNow: 110, started: 20, ended: 10 })).toBe(0.1);
    expect(churnRate({ runningNow: 0, started: 0, ended: 0 })).toBeNull();
    expect(churnRate({ runningNow: 5, started: 5, ended: 0 })).toBeNull();
  });
});

describe('the getting-started checklist', () => {
  it('lists every step in order, each done or not', () => {
    const steps = checklistOf({
      platformNamed: true,
      supportEmail: false,
      stripeConnected: true,
      hasGroup: true,
      hasOffer: false,
      hasPublishedOffer: false,
      hasSale: false,
    });
    expect(steps.map((step) => [step.key, step.done])).toEqual([
      ['platformNamed', true],
      ['supportEmail', false],
      ['stripeConnected', true],
      ['hasGroup', true],
      ['hasOffer', false],
      ['hasPublishedOffer', false],
      ['hasSale', false],
    ]);
    expect(steps.every((step) => step.href.startsWith('/admin'))).toBe(true);
  });
});

describe("a range's days", () => {
  it('sums each day into its point and the range, net of refunds per currency, leaving out days before', () => {
    const span = { from: Date.UTC(2026, 10, 26), to: Date.UTC(2026, 10, 27), byMonth: false };
    const day = (d: number) => Date.UTC(2026, 10, d);
    const { series, period, money } = summarizeDays(
      [
        { day: day(25), metric: 'joins', currency: '', value: 9 },
        { day: day(26), metric: 'joins', currency: '', value: 2 },
        { day: day(27), metric: 'sales', currency: '', value: 1 },
        { day: day(27), metric: 'revenue', currency: 'usd', value: 900 },
        { day: day(27), metric: 'refunds', currency: 'usd', value: 300 },
        { day: day(27), metric: 'cancellations', currency: '', value: 1 },
      ],
      span,
    );
    expect(series.map((point) => [point.joins, point.sales, point.revenue.get('usd') ?? 0])).toEqual([
      [2, 0, 0],
      [0, 1, 600],
    ]);
    expect(period).toEqual({ joins: 2, sales: 1, members: 0, cancellations: 1 });
    expect(money.get('usd')).toEqual({ gross: 900, refunded: 300 });
  });
});
