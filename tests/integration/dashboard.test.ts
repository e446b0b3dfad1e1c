// The dashboard's numbers through the whole paid path: a subscription and a one-time sale bought through
// the Stripe emulator, a partial refund, a cancellation at period end — each seen in the totals, the
// range's figures, the series, the CSV and the recent activity. Then the counters kept as events happened
// are checked against a count from scratch of the same tables (the migration's backfill), so no hook
// counts twice or misses a change.
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfillMetrics } from '../../src/platform/db/migrations/0011-metrics.ts';
import {
  type Client,
  client,
  createAdmin,
  createApiKey,
  createGroup,
  createMember,
  createOwner,
  publishOffer,
  signIn,
  type TestGroup,
} from '../support/factories.ts';
import {
  buyAsVisitor,
  connectThroughSettings,
  createStripeTestContext,
  type StripeTestContext,
} from '../support/stripe.ts';
import { createTestContext } from '../support/test-app.ts';

let ctx: StripeTestContext;
let owner: Client;
let group: TestGroup;
let ownerUser: Awaited<ReturnType<typeof createOwner>>;

type View = {
  totals: {
    members: number;
    newMembersThisWeek: number;
    activeSubscriptions: number;
    trials: number;
    pastDue: number;
    mrr: { amountMinor: number; currency: string }[];
    churn30d: number | null;
  };
  period: {
    newMembers: number;
    joins: number;
    sales: number;
    cancellations: number;
    revenue: { currency: string; grossMinor: number; refundedMinor: number; netMinor: number }[];
  };
  series: { date: string; joins: number; sales: number; newMembers: number }[];
  activity: {
    kind: string;
    user: { email: string } | null;
    offer: { title: string } | null;
    amount: unknown;
  }[];
  topOffers: { title: string; buyerCount: number; revenue: { amountMinor: number } }[];
  checklist: { done: boolean; steps: { key: string; done: boolean }[] };
  byMonth: boolean;
};

async function dashboard(range = '30d'): Promise<View> {
  const response = await owner.get(`/api/v1/dashboard?range=${range}`);
  expect(response.statusCode).toBe(200);
  return response.json() as View;
}

beforeAll(async () => {
  ctx = await createStripeTestContext();
  ownerUser = await createOwner(ctx);
  owner = client(ctx, { apiKey: await createApiKey(ctx, ownerUser) });
});
afterAll(async () => ctx.close());

const buy = (slug: string, email: string) => buyAsVisitor(ctx, slug, email);

describe("the dashboard through a creator's first sales", { shuffle: false }, () => {
  it('starts with a getting-started checklist that follows the creator’s steps', async () => {
    const first = await dashboard();
    expect(first.checklist.done).toBe(false);
    const done = () => dashboard().then((view) => new Map(view.checklist.steps.map((s) => [s.key, s.done])));
    expect(Object.fromEntries(await done())).toMatchObject({ stripeConnected: false, hasGroup: false });
    await connectThroughSettings(await signIn(ctx, ownerUser));
    group = await createGroup(ctx, { name: 'Studio', visibility: 'private' });
    const now = await done();
    expect(now.get('stripeConnected')).toBe(true);
    expect(now.get('hasGroup')).toBe(true);
    expect(now.get('hasPublishedOffer')).toBe(false);
    const settings = await owner.request('PATCH', '/api/v1/settings', {
      platformName: 'Studio Club',
      supportEmail: 'help@studio.test',
    });
    expect(settings.statusCode).toBe(200);
    expect((await done()).get('supportEmail')).toBe(true);
  });

  it('counts a subscription, a one-time sale, a partial refund and a cancellation', async () => {
    const monthly = await publishOffer(owner, {
      title: 'Monthly Studio',
      hubGroupIds: [group.id],
      pricing: { model: 'recurring', amountMinor: 900, currency: 'usd', interval: 'month', intervalCount: 1 },
    });
    const yearly = await publishOffer(owner, {
      title: 'Yearly Studio',
      hubGroupIds: [group.id],
      pricing: {
        model: 'recurring',
        amountMinor: 12_000,
        currency: 'usd',
        interval: 'year',
        intervalCount: 1,
      },
    });
    const once = await publishOffer(owner, {
      title: 'Lifetime Studio',
      hubGroupIds: [group.id],
      pricing: { model: 'one_time', amountMinor: 5000, currency: 'usd' },
    });
    const before = await dashboard();
    await buy(monthly.slug, 'monthly@example.test');
    await buy(yearly.slug, 'yearly@example.test');
    await buy(once.slug, 'once@example.test');

    const bought = await dashboard();
    expect(bought.totals.members).toBe(before.totals.members + 3);
    expect(bought.totals.newMembersThisWeek).toBe(before.totals.newMembersThisWeek + 3);
    expect(bought.totals.activeSubscriptions).toBe(2);
    // 9.00 a month, and 120.00 a year as 10.00 a month.
    expect(bought.totals.mrr).toEqual([{ currency: 'usd', amountMinor: 1900 }]);
    expect(bought.period.sales).toBe(3);
    expect(bought.period.joins).toBe(before.period.joins + 3);
    expect(bought.period.revenue).toEqual([
      { currency: 'usd', grossMinor: 17_900, refundedMinor: 0, netMinor: 17_900 },
    ]);
    expect(bought.checklist.done).toBe(true);
    const today = bought.series.at(-1);
    expect(today).toMatchObject({ sales: 3, newMembers: 3 });
    expect(bought.series).toHaveLength(30);
    const kinds = bought.activity.map((item) => `${item.kind}:${item.user?.email}`);
    expect(kinds).toContain('payment:once@example.test');
    expect(kinds).toContain('join:monthly@example.test');
    expect(bought.topOffers[0]).toMatchObject({ title: 'Yearly Studio', buyerCount: 1 });

    // A partial refund of the one-time sale: net revenue follows, access and MRR do not.
    const payment = await ctx.db
      .selectFrom('payments')
      .select('id')
      .where('amountMinor', '=', 5000)
      .executeTakeFirstOrThrow();
    expect(
      (await owner.post(`/api/v1/payments/${payment.id}/refund`, { amountMinor: 2000 })).statusCode,
    ).toBe(200);
    await ctx.deliver();
    const refunded = await dashboard();
    expect(refunded.period.revenue).toEqual([
      { currency: 'usd', grossMinor: 17_900, refundedMinor: 2000, netMinor: 15_900 },
    ]);
    expect(refunded.totals.mrr).toEqual([{ currency: 'usd', amountMinor: 1900 }]);
    expect(refunded.activity.find((item) => item.kind === 'refund')).toMatchObject({
      kind: 'refund',
      amount: { amountMinor: 2000, currency: 'usd' },
    });

    // The monthly subscription is canceled at period end: in until then, out of MRR and active now.
    const purchase = await ctx.db
      .selectFrom('purchases')
      .select('id')
      .where('email', '=', 'monthly@example.test')
      .executeTakeFirstOrThrow();
    const canceled = await owner.post(`/api/v1/purchases/${purchase.id}/cancel`, { when: 'period_end' });
    expect(canceled.statusCode).toBe(204);
    await ctx.deliver();
    const after = await dashboard();
    expect(after.period.cancellations).toBe(1);
    expect(after.totals.activeSubscriptions).toBe(1);
    // Both started within the 30 days: none ran at its start, so there is no churn to show.
    expect(after.totals).toMatchObject({ canceling: 1, churn30d: null });
    expect(after.totals.mrr).toEqual([{ currency: 'usd', amountMinor: 1000 }]);
    expect(after.activity.map((item) => item.kind)).toContain('cancellation');
  });

  it('counts members by role: an admin made from a member is no longer one, and back', async () => {
    const before = (await dashboard()).totals.members;
    const created = await owner.post('/api/v1/users', { email: 'rosa@example.test', name: 'Rosa' });
    expect(created.statusCode).toBe(201);
    expect((await dashboard()).totals.members).toBe(before + 1);
    const promoted = await owner.request('PATCH', `/api/v1/users/${created.json().id}`, { role: 'admin' });
    expect(promoted.statusCode).toBe(200);
    const asAdmin = await dashboard();
    expect(asAdmin.totals.members).toBe(before);
    expect(asAdmin.period.newMembers).toBe(asAdmin.series.reduce((sum, point) => sum + point.newMembers, 0));
    await owner.request('PATCH', `/api/v1/users/${created.json().id}`, { role: 'member' });
    expect((await dashboard()).totals.members).toBe(before + 1);
  });

  it('exports the range as CSV and shows twelve months by month', async () => {
    const csv = await owner.get('/api/v1/dashboard/export?range=7d');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    const lines = csv.body.trim().split('\n');
    expect(lines[0]).toBe('"date","new_members","joins","sales","net_revenue_usd"');
    expect(lines).toHaveLength(8);
    expect(lines.at(-1)).toMatch(/^"\d{4}-\d{2}-\d{2}","\d+","\d+","3","159\.00"$/);
    const year = await dashboard('12m');
    expect(year.byMonth).toBe(true);
    expect(year.series).toHaveLength(12);
    expect(year.series.at(-1)?.sales).toBe(3);
    const refused = await owner.get('/api/v1/dashboard?range=forever');
    expect(refused.statusCode).toBe(400);
    expect(JSON.stringify(refused.json())).toContain('range');
  });

  it('kept the same counts as counting every table from scratch', async () => {
    const read = async () => ({
      totals: await ctx.db
        .selectFrom('metricTotals')
        .select(['metric', 'currency', (eb) => eb.fn.sum<number>('value').as('value')])
        .groupBy(['metric', 'currency'])
        .orderBy('metric')
        .orderBy('currency')
        .execute(),
      days: await ctx.db
        .selectFrom('metricDays')
        .select(['day', 'metric', 'currency', (eb) => eb.fn.sum<number>('value').as('value')])
        .groupBy(['day', 'metric', 'currency'])
        .orderBy('day')
        .orderBy('metric')
        .orderBy('currency')
        .execute(),
    });
    const normalize = (rows: { value: number | string }[]) =>
      rows.map((row) => ({ ...row, value: Number(row.value) })).filter((row) => row.value !== 0);
    const kept = await read();
    await backfillMetrics(ctx.db as unknown as Kysely<unknown>);
    const counted = await read();
    expect(normalize(kept.totals)).toEqual(normalize(counted.totals));
    expect(normalize(kept.days)).toEqual(normalize(counted.days));
  });
});

describe('who may see the dashboard', () => {
  it('is for staff only', async () => {
    const other = await createTestContext();
    try {
      const member = await signIn(other, await createMember(other));
      expect((await member.get('/api/v1/dashboard')).statusCode).toBe(403);
      expect((await client(other).get('/api/v1/dashboard')).statusCode).toBe(401);
      const staff = await signIn(other, await createAdmin(other));
      expect((await staff.get('/api/v1/dashboard')).statusCode).toBe(200);
    } finally {
      await other.close();
    }
  });
});
