// The dashboard as the API shows it, and its series as CSV.
import type { Static } from 'typebox';
import { toIso } from '../../platform/clock.ts';
import { csvAmount, csvLine } from '../../platform/csv.ts';
import type { Dashboard as DashboardSchema } from './metrics.schemas.ts';
import type { Dashboard } from './metrics.service.ts';

const dateOf = (ms: number, byMonth: boolean) => new Date(ms).toISOString().slice(0, byMonth ? 7 : 10);

const amounts = (byCurrency: Map<string, number>) =>
  [...byCurrency.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, amountMinor]) => ({ currency, amountMinor }));

export function presentDashboard(view: Dashboard): Static<typeof DashboardSchema> {
  return {
    range: view.range,
    from: dateOf(view.from, false),
    to: dateOf(view.to, false),
    byMonth: view.byMonth,
    defaultCurrency: view.defaultCurrency,
    totals: { ...view.totals, mrr: amounts(view.totals.mrr) },
    period: {
      newMembers: view.period.members,
      joins: view.period.joins,
      sales: view.period.sales,
      cancellations: view.period.cancellations,
      revenue: [...view.period.money.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([currency, { gross, refunded }]) => ({
          currency,
          grossMinor: gross,
          refundedMinor: refunded,
          netMinor: gross - refunded,
        })),
    },
    series: view.series.map((point) => ({
      date: dateOf(point.start, view.byMonth),
      newMembers: point.members,
      joins: point.joins,
      sales: point.sales,
      netRevenue: amounts(point.revenue),
    })),
    topOffers: view.topOffers.map((offer) => ({
      id: offer.id,
      title: offer.title,
      status: offer.status,
      buyerCount: Number(offer.buyerCount),
      revenue: { amountMinor: Number(offer.revenueMinor), currency: offer.currency },
    })),
    activity: view.activity.map((row) => ({
      id: row.id,
      at: toIso(Number(row.at)),
      kind: row.kind,
      user: row.userId ? { id: row.userId, name: row.userName ?? '', email: row.userEmail ?? '' } : null,
      offer: row.offerId ? { id: row.offerId, title: row.offerTitle ?? '' } : null,
      amount:
        row.amountMinor === null || row.currency === null
          ? null
          : { amountMinor: Number(row.amountMinor), currency: row.currency },
    })),
    checklist: { done: view.checklist.every((step) => step.done), steps: view.checklist },
  };
}

/** The range's series: one line per day (or month), counts and net revenue per currency. */
export function dashboardCsv(view: Pick<Dashboard, 'byMonth' | 'series'>): string {
  const currencies = [...new Set(view.series.flatMap((point) => [...point.revenue.keys()]))].sort();
  const lines = [
    csvLine([
      view.byMonth ? 'month' : 'date',
      'new_members',
      'joins',
      'sales',
      ...currencies.map((currency) => `net_revenue_${currency}`),
    ]),
    ...view.series.map((point) =>
      csvLine([
        dateOf(point.start, view.byMonth),
        String(point.members),
        String(point.joins),
        String(point.sales),
        ...currencies.map((currency) => csvAmount(point.revenue.get(currency) ?? 0, currency)),
      ]),
    ),
  ];
  return `${lines.join('\n')}\n`;
}
