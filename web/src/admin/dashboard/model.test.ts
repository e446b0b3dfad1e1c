import { describe, expect, it } from 'vitest';
import type { Dashboard } from '../../api.ts';
import { amountsText, chartPoints, isRange, leadingCurrency, niceMax, percent } from './model.ts';

function view(overrides: Partial<Dashboard> = {}): Dashboard {
  return {
    range: '7d',
    from: '2026-11-21',
    to: '2026-11-27',
    byMonth: false,
    defaultCurrency: 'usd',
    totals: {
      members: 0,
      newMembersThisWeek: 0,
      activeSubscriptions: 0,
      canceling: 0,
      trials: 0,
      pastDue: 0,
      mrr: [],
      churn30d: null,
    },
    period: { newMembers: 0, joins: 0, sales: 0, cancellations: 0, revenue: [] },
    series: [],
    topOffers: [],
    activity: [],
    checklist: { done: true, steps: [] },
    ...overrides,
  };
}

describe('the dashboard model', () => {
  it('leads with the currency that brought in most, then MRR’s', () => {
    const revenue = [
      { currency: 'eur', grossMinor: 100, refundedMinor: 0, netMinor: 100 },
      { currency: 'usd', grossMinor: 900, refundedMinor: 800, netMinor: 100 },
    ];
    expect(leadingCurrency(view({ period: { ...view().period, revenue } }))).toBe('usd');
    expect(
      leadingCurrency(view({ totals: { ...view().totals, mrr: [{ currency: 'gbp', amountMinor: 5 }] } })),
    ).toBe('gbp');
    expect(leadingCurrency(view({ defaultCurrency: 'eur' }))).toBe('eur');
  });

  it('charts net revenue in one currency, days and months labelled in UTC', () => {
    const series = [
      {
        date: '2026-11-27',
        joins: 2,
        sales: 1,
        newMembers: 2,
        netRevenue: [{ currency: 'usd', amountMinor: 900 }],
      },
    ];
    const [point] = chartPoints(view({ series }), 'usd');
    expect(point).toMatchObject({ date: '2026-11-27', joins: 2, sales: 1, revenueMinor: 900 });
    expect(point?.label).toMatch(/27/);
    expect(chartPoints(view({ series }), 'eur')[0]?.revenueMinor).toBe(0);
    const [month] = chartPoints(
      view({ byMonth: true, series: [{ ...series[0], date: '2026-01' } as never] }),
      'usd',
    );
    expect(month?.label).toMatch(/2026/);
  });

  it('writes amounts in several currencies as one text, and none as zero in the fallback', () => {
    expect(amountsText([], 'usd')).toMatch(/0\.00/);
    const both = amountsText(
      [
        { amountMinor: 900, currency: 'usd' },
        { amountMinor: 400, currency: 'eur' },
      ],
      'usd',
    );
    expect(both).toMatch(/9\.00.* · .*4\.00/);
  });

  it('rounds an axis up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 1, 3, 7, 12, 180, 999, 1001].map(niceMax)).toEqual([1, 1, 5, 10, 20, 200, 1000, 2000]);
  });

  it('reads ranges and shares as people do', () => {
    expect(isRange('30d')).toBe(true);
    expect(isRange('1y')).toBe(false);
    expect(isRange(null)).toBe(false);
    expect(isRange('toString')).toBe(false);
    expect(percent(0.042)).toBe('4.2 %');
    expect(percent(0.25)).toBe('25 %');
    expect(percent(null)).toBe('—');
  });
});
