// Affiliates, clicks, commissions and their ledger, payouts: SQL only. Balances are sums over the
// ledger of one affiliate (indexed by affiliate), never over every affiliate's rows.
import { type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import type { Executor } from '../../platform/db/executor.ts';
import type {
  AffiliatesTable,
  CommissionEntriesTable,
  CommissionsTable,
  PayoutsTable,
} from '../../platform/db/schema.ts';
import type { Cursor } from '../../platform/pagination.ts';

export type AffiliateRow = Selectable<AffiliatesTable>;
export type CommissionRow = Selectable<CommissionsTable>;
export type PayoutRow = Selectable<PayoutsTable>;

export async function findAffiliateByUser(db: Executor, userId: string) {
  return db.selectFrom('affiliates').selectAll().where('userId', '=', userId).executeTakeFirst();
}

export async function findAffiliateByCode(db: Executor, code: string) {
  return db
    .selectFrom('affiliates')
    .innerJoin('users', 'users.id', 'affiliates.userId')
    .selectAll('affiliates')
    .select(['users.email', 'users.name', 'users.role', 'users.status'])
    .where('affiliates.code', '=', code)
    .executeTakeFirst();
}

export async function findAffiliate(db: Executor, id: string) {
  return db
    .selectFrom('affiliates')
    .innerJoin('users', 'users.id', 'affiliates.userId')
    .selectAll('affiliates')
    .select(['users.email', 'users.name', 'users.role'])
    .where('affiliates.id', '=', id)
    .executeTakeFirst();
}

export async function findAffiliateByStripeAccount(db: Executor, accountId: string) {
  return db.selectFrom('affiliates').selectAll().where('stripeAccountId', '=', accountId).executeTakeFirst();
}

/** Makes the user's affiliate record unless it exists; answers it either way. */
export async function ensureAffiliateRow(
  db: Executor,
  row: Insertable<AffiliatesTable>,
): Promise<AffiliateRow> {
  await db
    .insertInto('affiliates')
    .values(row)
    .onConflict((oc) => oc.column('userId').doNothing())
    .execute();
  return (await findAffiliateByUser(db, row.userId as string)) as AffiliateRow;
}

export async function updateAffiliate(db: Executor, id: string, patch: Updateable<AffiliatesTable>) {
  await db.updateTable('affiliates').set(patch).where('id', '=', id).execute();
}

export async function countClick(db: Executor, affiliateId: string, offerId: string, day: number) {
  await db
    .insertInto('affiliateClicks')
    .values({ affiliateId, offerId, day, clicks: 1 })
    .onConflict((oc) =>
      oc
        .columns(['affiliateId', 'offerId', 'day'])
        .doUpdateSet((eb) => ({ clicks: eb('affiliateClicks.clicks', '+', 1) })),
    )
    .execute();
}

/** Clicks per offer (all time) and per day since `since`, for one affiliate. */
export async function clicksOf(db: Executor, affiliateId: string, since: number) {
  const [byOffer, byDay] = await Promise.all([
    db
      .selectFrom('affiliateClicks')
      .select(['offerId', (eb) => eb.fn.sum<number>('clicks').as('clicks')])
      .where('affiliateId', '=', affiliateId)
      .groupBy('offerId')
      .execute(),
    db
      .selectFrom('affiliateClicks')
      .select(['day', (eb) => eb.fn.sum<number>('clicks').as('clicks')])
      .where('affiliateId', '=', affiliateId)
      .where('day', '>=', since)
      .groupBy('day')
      .execute(),
  ]);
  return { byOffer, byDay };
}

// --- commissions ---

export async function insertCommission(db: Executor, row: Insertable<CommissionsTable>) {
  return db
    .insertInto('commissions')
    .values(row)
    .onConflict((oc) => oc.column('paymentId').doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function findCommissionOfPayment(db: Executor, paymentId: string) {
  return db.selectFrom('commissions').selectAll().where('paymentId', '=', paymentId).executeTakeFirst();
}

/** Writes a ledger entry once (by its dedupe key); answers whether this call wrote it. */
export async function insertEntryOnce(
  db: Executor,
  row: Insertable<CommissionEntriesTable>,
): Promise<boolean> {
  const written = await db
    .insertInto('commissionEntries')
    .values(row)
    .onConflict((oc) => oc.columns(['commissionId', 'dedupeKey']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return written !== undefined;
}

export async function worthOfCommission(db: Executor, commissionId: string): Promise<number> {
  const row = await db
    .selectFrom('commissionEntries')
    .select((eb) => eb.fn.sum<number>('amountMinor').as('worth'))
    .where('commissionId', '=', commissionId)
    .executeTakeFirst();
  return Number(row?.worth ?? 0);
}

/** The payments of a purchase so far, oldest first (which renewal is this). */
export async function paymentsOfPurchase(db: Executor, purchaseId: string) {
  return db
    .selectFrom('payments')
    .select(['id', 'paidAt'])
    .where('purchaseId', '=', purchaseId)
    .orderBy('paidAt')
    .orderBy('id')
    .execute();
}

export async function cardFingerprintsOfUser(db: Executor, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('payments')
    .select('cardFingerprint')
    .distinct()
    .where('userId', '=', userId)
    .where('cardFingerprint', 'is not', null)
    .limit(50)
    .execute();
  return rows.map((row) => row.cardFingerprint as string);
}

export interface CommissionFilter {
  affiliateId: string | null;
  offerId: string | null;
  flaggedOnly: boolean;
  /** Where the commission stands now (the same rule as `commissionState`). */
  state?: { is: 'pending' | 'payable' | 'paid' | 'reversed'; now: number } | null;
  after: Cursor | null;
  limit: number;
}

/** Commissions with their sale and what they are worth now, newest first. */
export async function listCommissionRows(db: Executor, filter: CommissionFilter) {
  let query = db
    .selectFrom('commissions')
    .innerJoin('purchases', 'purchases.id', 'commissions.purchaseId')
    .innerJoin('offers', 'offers.id', 'commissions.offerId')
    .innerJoin('affiliates', 'affiliates.id', 'commissions.affiliateId')
    .innerJoin('users', 'users.id', 'affiliates.userId')
    .leftJoin('payouts', 'payouts.id', 'commissions.payoutId')
    .selectAll('commissions')
    .select((eb) => [
      'purchases.email as buyerEmail',
      'offers.title as offerTitle',
      'users.email as affiliateEmail',
      'users.name as affiliateName',
      'payouts.status as payoutStatus',
      eb
        .selectFrom('commissionEntries')
        .select((inner) => inner.fn.coalesce(inner.fn.sum<number>('amountMinor'), sql.lit(0)).as('w'))
        .whereRef('commissionEntries.commissionId', '=', 'commissions.id')
        .as('worthMinor'),
    ])
    .orderBy('commissions.createdAt', 'desc')
    .orderBy('commissions.id', 'desc')
    .limit(filter.limit + 1);
  if (filter.affiliateId) query = query.where('commissions.affiliateId', '=', filter.affiliateId);
  if (filter.offerId) query = query.where('commissions.offerId', '=', filter.offerId);
  if (filter.flaggedOnly) query = query.where('commissions.flagged', 'is not', null);
  const state = filter.state;
  if (state) {
    query = query.where((eb) => {
      const worth = eb
        .selectFrom('commissionEntries')
        .select((inner) => inner.fn.coalesce(inner.fn.sum<number>('amountMinor'), sql.lit(0)).as('w'))
        .whereRef('commissionEntries.commissionId', '=', 'commissions.id');
      const paidOut = eb('payouts.status', '=', 'paid');
      const notPaidOut = eb.or([eb('payouts.status', 'is', null), eb('payouts.status', '!=', 'paid')]);
      if (state.is === 'reversed') return eb(worth, '<=', 0);
      if (state.is === 'paid') return eb.and([eb(worth, '>', 0), paidOut]);
      return eb.and([
        eb(worth, '>', 0),
        notPaidOut,
        eb('commissions.payableAt', state.is === 'payable' ? '<=' : '>', state.now),
      ]);
    });
  }
  const after = filter.after;
  if (after) {
    query = query.where((eb) =>
      eb(eb.refTuple('commissions.createdAt', 'commissions.id'), '<', eb.tuple(after.at, after.id)),
    );
  }
  return query.execute();
}

/**
 * One affiliate's money, per currency: what the ledger says of commissions still held, of those
 * payable, and what payouts took (pending or paid).
 */
export async function balancesOf(db: Executor, affiliateId: string, now: number) {
  const [earned, paidOut] = await Promise.all([
    db
      .selectFrom('commissionEntries')
      .innerJoin('commissions', 'commissions.id', 'commissionEntries.commissionId')
      .select((eb) => [
        'commissionEntries.currency',
        eb.fn
          .sum<number>(
            eb
              .case()
              .when('commissions.payableAt', '>', now)
              .then(eb.ref('commissionEntries.amountMinor'))
              .else(0)
              .end(),
          )
          .as('held'),
        eb.fn
          .sum<number>(
            eb
              .case()
              .when('commissions.payableAt', '<=', now)
              .then(eb.ref('commissionEntries.amountMinor'))
              .else(0)
              .end(),
          )
          .as('due'),
        eb.fn
          .sum<number>(
            eb
              .case()
              .when('commissionEntries.amountMinor', '<', 0)
              .then(eb.ref('commissionEntries.amountMinor'))
              .else(0)
              .end(),
          )
          .as('reversed'),
      ])
      .where('commissionEntries.affiliateId', '=', affiliateId)
      .groupBy('commissionEntries.currency')
      .execute(),
    db
      .selectFrom('payouts')
      .select((eb) => [
        'currency',
        eb.fn
          .sum<number>(eb.case().when('status', '=', 'paid').then(eb.ref('amountMinor')).else(0).end())
          .as('paid'),
        eb.fn
          .sum<number>(eb.case().when('status', '=', 'pending').then(eb.ref('amountMinor')).else(0).end())
          .as('inFlight'),
      ])
      .where('affiliateId', '=', affiliateId)
      .where('status', 'in', ['paid', 'pending'])
      .groupBy('currency')
      .execute(),
  ]);
  const currencies = new Set([...earned.map((row) => row.currency), ...paidOut.map((row) => row.currency)]);
  return [...currencies].map((currency) => {
    const e = earned.find((row) => row.currency === currency);
    const p = paidOut.find((row) => row.currency === currency);
    const paid = Number(p?.paid ?? 0);
    const inFlight = Number(p?.inFlight ?? 0);
    return {
      currency,
      pendingMinor: Number(e?.held ?? 0),
      // What is owed now: due commissions minus every payout made or on its way (negative after a
      // reversal of something already paid: later commissions absorb it).
      payableMinor: Number(e?.due ?? 0) - paid - inFlight,
      paidMinor: paid,
      inFlightMinor: inFlight,
      reversedMinor: -Number(e?.reversed ?? 0),
    };
  });
}

/** One affiliate's commissions per program (offer) and state, from the ledger. */
export async function stateTotalsByOffer(db: Executor, affiliateId: string, now: number) {
  return db
    .selectFrom('commissionEntries')
    .innerJoin('commissions', 'commissions.id', 'commissionEntries.commissionId')
    .leftJoin('payouts', 'payouts.id', 'commissions.payoutId')
    .select((eb) => {
      const amount = eb.ref('commissionEntries.amountMinor');
      const paid = eb('payouts.status', '=', 'paid');
      return [
        'commissions.offerId',
        'commissionEntries.currency',
        eb.fn.sum<number>(eb.case().when(paid).then(amount).else(0).end()).as('paid'),
        eb.fn
          .sum<number>(
            eb.case().when(paid).then(0).when('commissions.payableAt', '>', now).then(amount).else(0).end(),
          )
          .as('pending'),
        eb.fn
          .sum<number>(
            eb.case().when(paid).then(0).when('commissions.payableAt', '<=', now).then(amount).else(0).end(),
          )
          .as('payable'),
        eb.fn
          .sum<number>(eb.case().when('commissionEntries.amountMinor', '<', 0).then(amount).else(0).end())
          .as('reversed'),
      ];
    })
    .where('commissionEntries.affiliateId', '=', affiliateId)
    .groupBy(['commissions.offerId', 'commissionEntries.currency'])
    .execute();
}

/** Sales and revenue each affiliate brought (their commissions' payments). */
export async function salesOf(db: Executor, affiliateId: string) {
  return db
    .selectFrom('commissions')
    .select((eb) => [
      'offerId',
      'currency',
      eb.fn.count<number>('id').as('sales'),
      eb.fn.sum<number>('paidMinor').as('revenue'),
    ])
    .where('affiliateId', '=', affiliateId)
    .groupBy(['offerId', 'currency'])
    .execute();
}

/** Commissions earned per day since `since` (the member's 90-day chart). */
export async function earnedByDay(db: Executor, affiliateId: string, since: number) {
  return db
    .selectFrom('commissions')
    .select((eb) => [
      sql<number>`(${eb.ref('createdAt')} / 86400000) * 86400000`.as('day'),
      eb.fn.sum<number>('amountMinor').as('earned'),
      eb.fn.count<number>('id').as('sales'),
    ])
    .where('affiliateId', '=', affiliateId)
    .where('createdAt', '>=', since)
    .groupBy(sql`(${sql.ref('createdAt')} / 86400000) * 86400000`)
    .execute();
}

export async function listAffiliateRows(db: Executor, after: Cursor | null, limit: number) {
  let query = db
    .selectFrom('affiliates')
    .innerJoin('users', 'users.id', 'affiliates.userId')
    .selectAll('affiliates')
    .select(['users.email', 'users.name'])
    .orderBy('affiliates.createdAt', 'desc')
    .orderBy('affiliates.id', 'desc')
    .limit(limit + 1);
  if (after) {
    query = query.where((eb) =>
      eb(eb.refTuple('affiliates.createdAt', 'affiliates.id'), '<', eb.tuple(after.at, after.id)),
    );
  }
  return query.execute();
}

// --- payouts ---

export async function insertPayout(db: Executor, row: Insertable<PayoutsTable>): Promise<PayoutRow> {
  return db.insertInto('payouts').values(row).returningAll().executeTakeFirstOrThrow();
}

/** A payout not finished (on its way, or failed and waiting for a retry). */
export async function findOpenPayout(db: Executor, affiliateId: string) {
  return db
    .selectFrom('payouts')
    .select('id')
    .where('affiliateId', '=', affiliateId)
    .where('status', 'in', ['failed', 'pending'])
    .executeTakeFirst();
}

export async function findPayout(db: Executor, id: string) {
  return db.selectFrom('payouts').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Moves a payout to its next attempt if it is still as the caller read it (status and attempt): of
 * several senders at once one moves it, the others find nothing and use the attempt it moved to.
 */
export async function advancePayoutAttempt(
  db: Executor,
  id: string,
  from: { status: PayoutsTable['status']; attempts: number },
) {
  return db
    .updateTable('payouts')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), status: 'pending', error: null }))
    .where('id', '=', id)
    .where('status', '=', from.status)
    .where('attempts', '=', from.attempts)
    .returningAll()
    .executeTakeFirst();
}

/** Records the transfer of a payout, unless it is recorded already; answers the row it changed. */
export async function markPayoutPaid(db: Executor, id: string, transferId: string, paidAt: number) {
  return db
    .updateTable('payouts')
    .set({ status: 'paid', stripeTransferId: transferId, paidAt, error: null })
    .where('id', '=', id)
    .where('status', '!=', 'paid')
    .returningAll()
    .executeTakeFirst();
}

/** Records that one attempt failed, unless the payout has moved on (paid, or a later attempt). */
export async function failPayoutAttempt(db: Executor, id: string, attempt: number, error: string) {
  return db
    .updateTable('payouts')
    .set({ status: 'failed', error })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where('attempts', '=', attempt)
    .returningAll()
    .executeTakeFirst();
}

/** Marks the due, unpaid commissions of an affiliate as covered by a payout. */
/**
 * Holds the affiliate's row until the transaction ends: two payouts of one balance at once (a double
 * click, the daily job) queue here on PostgreSQL, and the second sees the first's payout. SQLite runs
 * one transaction at a time already.
 */
export async function lockAffiliate(db: Executor, affiliateId: string): Promise<void> {
  await db
    .updateTable('affiliates')
    .set((eb) => ({ code: eb.ref('code') }))
    .where('id', '=', affiliateId)
    .execute();
}

export async function attachCommissions(
  db: Executor,
  affiliateId: string,
  payoutId: string,
  currency: string,
  now: number,
) {
  await db
    .updateTable('commissions')
    .set({ payoutId })
    .where('affiliateId', '=', affiliateId)
    .where('currency', '=', currency)
    .where('payoutId', 'is', null)
    .where('payableAt', '<=', now)
    .execute();
}

export async function listPayoutRows(
  db: Executor,
  affiliateId: string | null,
  after: Cursor | null,
  limit: number,
) {
  let query = db
    .selectFrom('payouts')
    .innerJoin('affiliates', 'affiliates.id', 'payouts.affiliateId')
    .innerJoin('users', 'users.id', 'affiliates.userId')
    .selectAll('payouts')
    .select(['users.email as affiliateEmail', 'users.name as affiliateName'])
    .orderBy('payouts.createdAt', 'desc')
    .orderBy('payouts.id', 'desc')
    .limit(limit + 1);
  if (affiliateId) query = query.where('payouts.affiliateId', '=', affiliateId);
  if (after) {
    query = query.where((eb) =>
      eb(eb.refTuple('payouts.createdAt', 'payouts.id'), '<', eb.tuple(after.at, after.id)),
    );
  }
  return query.execute();
}

export async function lastPayoutOf(db: Executor, affiliateId: string) {
  return db
    .selectFrom('payouts')
    .selectAll()
    .where('affiliateId', '=', affiliateId)
    .orderBy('createdAt', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Affiliates with something due, a page at a time (the payout job). */
export async function affiliatesWithDue(db: Executor, now: number, after: string | null, limit: number) {
  let query = db
    .selectFrom('commissions')
    .select('affiliateId')
    .distinct()
    .where('payoutId', 'is', null)
    .where('payableAt', '<=', now)
    .orderBy('affiliateId')
    .limit(limit);
  if (after) query = query.where('affiliateId', '>', after);
  return (await query.execute()).map((row) => row.affiliateId);
}
