// The dashboard's figures as a creator reads them: which currency leads, the chart's points and scale,
// and the labels of a range — pure, with unit tests beside it.
import type { Dashboard } from '../../api.ts';
import { formatMoney } from '../../format.ts';

export const RANGE_LABELS = {
  '7d': '7 days',
  '30d': '30 days',
  '90d': '90 days',
  '12m': '12 months',
} as const;
export type RangeKey = keyof typeof RANGE_LABELS;

export function isRange(value: string | null): value is RangeKey {
  return value !== null && Object.hasOwn(RANGE_LABELS, value);
}

/** The currency most was paid in over the range (gross), else MRR's, else the platform's default. */
export function leadingCurrency(view: Dashboard): string {
  const byGross = [...view.period.revenue].sort((a, b) => b.grossMinor - a.grossMinor)[0];
  return byGross?.currency ?? view.totals.mrr[0]?.currency ?? view.defaultCurrency;
}

export interface ChartPoint {
  date: string;
  label: string;
  joins: number;
  sales: number;
  revenueMinor: number;
}

const dayLabel = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
const monthLabel = new Intl.DateTimeFormat(undefined, { month: 'short', year: 'numeric', timeZone: 'UTC' });

/** The series as chart points, with net revenue in one currency. */
export function chartPoints(view: Dashboard, currency: string): ChartPoint[] {
  return view.series.map((point) => ({
    date: point.date,
    label: (view.byMonth ? monthLabel : dayLabel).format(
      new Date(view.byMonth ? `${point.date}-01T00:00:00Z` : `${point.date}T00:00:00Z`),
    ),
    joins: point.joins,
    sales: point.sales,
    revenueMinor: point.netRevenue.find((amount) => amount.currency === currency)?.amountMinor ?? 0,
  }));
}

/** A round top for a chart's axis: 1, 2 or 5 times a power of ten, at least the largest value. */
export function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

/** Churn as people read it: "4.2 %", or a dash when nothing was running. */
export function percent(share: number | null): string {
  if (share === null) return '—';
  return `${(share * 100).toFixed(share < 0.1 ? 1 : 0)} %`;
}

/** Amounts in several currencies as one text ("$9.00 · €4.00"); none is zero in `fallback`. */
export function amountsText(amounts: { amountMinor: number; currency: string }[], fallback: string): string {
  if (amounts.length === 0) return formatMoney(0, fallback);
  return amounts.map((amount) => formatMoney(amount.amountMinor, amount.currency)).join(' · ');
}
