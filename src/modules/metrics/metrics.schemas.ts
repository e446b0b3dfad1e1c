// The dashboard's API shapes.
import { Type } from 'typebox';
import { Timestamp } from '../../platform/http/schemas.ts';
import { RANGES } from './metrics.rules.ts';

export const RangeQuery = Type.Object({
  range: Type.Optional(
    Type.Enum([...RANGES], {
      description: 'The last 7, 30 or 90 days (by day), or the last 12 months (by month); 30d by default',
    }),
  ),
});

const Amount = Type.Object({ amountMinor: Type.Integer(), currency: Type.String() });

export const Dashboard = Type.Object({
  range: Type.Enum([...RANGES]),
  from: Type.String({ format: 'date', description: 'The first day shown (UTC)' }),
  to: Type.String({ format: 'date', description: 'The last day shown: today (UTC)' }),
  byMonth: Type.Boolean({ description: 'Whether each point of the series is a month rather than a day' }),
  defaultCurrency: Type.String({ description: "The platform's default currency (an empty figure's)" }),
  totals: Type.Object({
    members: Type.Integer(),
    newMembersThisWeek: Type.Integer({ description: 'Members who joined in the last 7 days' }),
    activeSubscriptions: Type.Integer(),
    canceling: Type.Integer({ description: 'Subscriptions canceled at period end, running until then' }),
    trials: Type.Integer(),
    pastDue: Type.Integer(),
    mrr: Type.Array(Amount, {
      description: 'Monthly recurring revenue of active and past-due subscriptions, per currency',
    }),
    churn30d: Type.Union([Type.Number(), Type.Null()], {
      description: 'Subscriptions that ended in the last 30 days over those running 30 days ago (0–1)',
    }),
  }),
  period: Type.Object({
    newMembers: Type.Integer(),
    joins: Type.Integer({ description: 'Entitlements granted: free joins and purchases' }),
    sales: Type.Integer({ description: 'Paid purchases completed' }),
    cancellations: Type.Integer(),
    revenue: Type.Array(
      Type.Object({
        currency: Type.String(),
        grossMinor: Type.Integer(),
        refundedMinor: Type.Integer(),
        netMinor: Type.Integer(),
      }),
    ),
  }),
  series: Type.Array(
    Type.Object({
      date: Type.String({ description: 'YYYY-MM-DD, or YYYY-MM by month' }),
      newMembers: Type.Integer(),
      joins: Type.Integer(),
      sales: Type.Integer(),
      netRevenue: Type.Array(Amount),
    }),
  ),
  topOffers: Type.Array(
    Type.Object({
      id: Type.String(),
      title: Type.String(),
      status: Type.String(),
      buyerCount: Type.Integer(),
      revenue: Amount,
    }),
    { description: 'All time, by revenue net of refunds, then buyers; offers with buyers only' },
  ),
  activity: Type.Array(
    Type.Object({
      id: Type.String(),
      at: Timestamp,
      kind: Type.Enum(['join', 'payment', 'cancellation', 'refund', 'ended']),
      user: Type.Union([
        Type.Object({ id: Type.String(), name: Type.String(), email: Type.String() }),
        Type.Null(),
      ]),
      offer: Type.Union([Type.Object({ id: Type.String(), title: Type.String() }), Type.Null()]),
      amount: Type.Union([Amount, Type.Null()]),
    }),
  ),
  checklist: Type.Object({
    done: Type.Boolean({ description: 'Every getting-started step is done' }),
    steps: Type.Array(
      Type.Object({ key: Type.String(), label: Type.String(), done: Type.Boolean(), href: Type.String() }),
    ),
  }),
});
