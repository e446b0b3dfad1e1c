// The dashboard's counters and recent activity as SQL: counters are added to in the caller's
// transaction, at its end (platform/db/tallies.ts; one upsert per statement, each on a slot picked at
// random so that concurrent writers rarely share a row), and read back summed over their slots.
import type { Insertable } from 'kysely';
import type { Executor } from '../../platform/db/executor.ts';
import type { ActivityTable } from '../../platform/db/schema.ts';
import { addTo, type TallyKind } from '../../platform/db/tallies.ts';

/** How many rows each counter is split over. */
export const SLOTS = 8;

export interface DayCount {
  day: number;
  metric: string;
  currency: string;
  delta: number;
}

export interface TotalCount {
  metric: string;
  currency: string;
  delta: number;
}

function slot(): number {
  return Math.floor(Math.random() * SLOTS);
}

/** What happened on each day, per metric and currency (at the end of a `withTallies` transaction). */
const DAYS: TallyKind<Omit<DayCount, 'delta'>> = {
  order: 1,
  keyOf: ({ day, metric, currency }) => `${day}|${metric}|${currency}`,
  async write(db, rows) {
    const at = slot();
    await db
      .insertInto('metricDays')
      .values(
        rows.map(({ key: { day, metric, currency }, deltas }) => ({
          day,
          metric,
          currency,
          slot: at,
          value: deltas[0] as number,
        })),
      )
      .onConflict((oc) =>
        oc
          .columns(['day', 'metric', 'currency', 'slot'])
          .doUpdateSet((eb) => ({ value: eb('metricDays.value', '+', eb.ref('excluded.value')) })),
      )
      .execute();
  },
};

/** What is true now, per metric and currency. */
const TOTALS: TallyKind<Omit<TotalCount, 'delta'>> = {
  order: 2,
  keyOf: ({ metric, currency }) => `${metric}|${currency}`,
  async write(db, rows) {
    const at = slot();
    await db
      .insertInto('metricTotals')
      .values(
        rows.map(({ key: { metric, currency }, deltas }) => ({
          metric,
          currency,
          slot: at,
          value: deltas[0] as number,
        })),
      )
      .onConflict((oc) =>
        oc
          .columns(['metric', 'currency', 'slot'])
          .doUpdateSet((eb) => ({ value: eb('metricTotals.value', '+', eb.ref('excluded.value')) })),
      )
      .execute();
  },
};

/** Adds to what happened on each day (entries with the same key merged: one row each). */
export async function addToDays(db: Executor, counts: DayCount[]): Promise<void> {
  await addTo(
    db,
    DAYS,
    counts.map(({ delta, ...key }) => ({ key, deltas: [delta] })),
  );
}

/** Adds to what is true now (entries with the same key merged). */
export async function addToTotals(db: Executor, counts: TotalCount[]): Promise<void> {
  await addTo(
    db,
    TOTALS,
    counts.map(({ delta, ...key }) => ({ key, deltas: [delta] })),
  );
}

export async function insertActivity(db: Executor, row: Insertable<ActivityTable>): Promise<void> {
  await db.insertInto('activity').values(row).execute();
}

/** Every day's counters from `firstDay` to `lastDay` (day starts, both included), summed over slots. */
export async function listDays(db: Executor, firstDay: number, lastDay: number) {
  const rows = await db
    .selectFrom('metricDays')
    .select(['day', 'metric', 'currency', (eb) => eb.fn.sum<number | string>('value').as('value')])
    .where('day', '>=', firstDay)
    .where('day', '<=', lastDay)
    .groupBy(['day', 'metric', 'currency'])
    .execute();
  return rows.map((row) => ({ ...row, day: Number(row.day), value: Number(row.value) }));
}

/** Every total, summed over slots. */
export async function listTotals(db: Executor) {
  const rows = await db
    .selectFrom('metricTotals')
    .select(['metric', 'currency', (eb) => eb.fn.sum<number | string>('value').as('value')])
    .groupBy(['metric', 'currency'])
    .execute();
  return rows.map((row) => ({ ...row, value: Number(row.value) }));
}

/** The latest activity, newest first, with who and which offer (by index on `at`). */
export async function listActivity(db: Executor, limit: number) {
  return db
    .selectFrom('activity')
    .leftJoin('users', 'users.id', 'activity.userId')
    .leftJoin('offers', 'offers.id', 'activity.offerId')
    .select([
      'activity.id',
      'activity.at',
      'activity.kind',
      'activity.amountMinor',
      'activity.currency',
      'users.id as userId',
      'users.name as userName',
      'users.email as userEmail',
      'offers.id as offerId',
      'offers.title as offerTitle',
    ])
    .orderBy('activity.at', 'desc')
    .orderBy('activity.id', 'desc')
    .limit(limit)
    .execute();
}

/** The offers that brought in most (their own counters), then the most buyers; only offers with buyers. */
export async function listTopOffers(db: Executor, limit: number) {
  return db
    .selectFrom('offers')
    .select(['id', 'title', 'slug', 'status', 'buyerCount', 'revenueMinor', 'currency'])
    .where('buyerCount', '>', 0)
    .orderBy('revenueMinor', 'desc')
    .orderBy('buyerCount', 'desc')
    .orderBy('title')
    .limit(limit)
    .execute();
}

/** The price a subscription's purchase pays, and how often, as sold: what it adds to MRR. */
export async function findSubscriptionPrice(db: Executor, purchaseId: string) {
  return db
    .selectFrom('purchases')
    .select(['amountMinor', 'currency', 'interval', 'intervalCount'])
    .where('id', '=', purchaseId)
    .executeTakeFirst();
}

/** Whether each getting-started step that lives in a table has happened (one indexed probe each). */
export async function findSetupFacts(db: Executor) {
  const exists = async (query: { executeTakeFirst(): Promise<unknown> }) =>
    (await query.executeTakeFirst()) !== undefined;
  const [hasGroup, hasOffer, hasPublishedOffer, hasSale] = await Promise.all([
    exists(db.selectFrom('hubGroups').select('id').limit(1)),
    exists(db.selectFrom('offers').select('id').limit(1)),
    exists(db.selectFrom('offers').select('id').where('status', '=', 'published').limit(1)),
    exists(db.selectFrom('purchases').select('id').where('status', '=', 'fulfilled').limit(1)),
  ]);
  return { hasGroup, hasOffer, hasPublishedOffer, hasSale };
}
