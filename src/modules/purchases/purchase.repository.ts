import { type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import { type Executor, locksRows } from '../../platform/db/executor.ts';
import { prepared } from '../../platform/db/prepared.ts';
import type { PaymentsTable, PurchaseStatus, PurchasesTable } from '../../platform/db/schema.ts';
import { stillThere } from '../../platform/errors.ts';
import type { Cursor } from '../../platform/pagination.ts';

export type PurchaseRow = Selectable<PurchasesTable>;
export type PaymentRow = Selectable<PaymentsTable>;

export async function insertPurchase(db: Executor, row: Insertable<PurchasesTable>): Promise<PurchaseRow> {
  return db.insertInto('purchases').values(row).returningAll().executeTakeFirstOrThrow();
}

/** The purchase a Checkout Session was opened for, by the session's id (indexed). */
export async function findPurchaseBySession(
  db: Executor,
  sessionId: string,
): Promise<PurchaseRow | undefined> {
  return db
    .selectFrom('purchases')
    .selectAll()
    .where('stripeCheckoutSessionId', '=', sessionId)
    .executeTakeFirst();
}

const purchaseById = prepared((db: Executor, id: string) =>
  db.selectFrom('purchases').selectAll().where('id', '=', id),
);

export async function findPurchase(db: Executor, id: string): Promise<PurchaseRow | undefined> {
  return (await purchaseById(db, id))[0];
}

export async function updatePurchase(
  db: Executor,
  id: string,
  patch: Updateable<PurchasesTable>,
): Promise<PurchaseRow> {
  return stillThere(await updatePurchaseIfAny(db, id, patch), 'purchase');
}

/** Changes a purchase if there is one by that id, and answers it as it is now. */
export async function updatePurchaseIfAny(
  db: Executor,
  id: string,
  patch: Updateable<PurchasesTable>,
): Promise<PurchaseRow | undefined> {
  return db.updateTable('purchases').set(patch).where('id', '=', id).returningAll().executeTakeFirst();
}

/** Adds a refund to a purchase's total in one statement (two payments of it refunded at once both count). */
export async function addPurchaseRefund(db: Executor, id: string, deltaMinor: number): Promise<void> {
  await db
    .updateTable('purchases')
    .set((eb) => ({ refundedMinor: eb('refundedMinor', '+', deltaMinor) }))
    .where('id', '=', id)
    .execute();
}

/**
 * Claims a purchase for its one fulfilment: the row moves to `fulfilled` only if it was waiting and
 * has its buyer. On PostgreSQL a second transaction waits on the row and then finds nothing to claim,
 * so two fulfilments at once grant once. Answers the claimed row, or nothing.
 */
export async function claimForFulfilment(
  db: Executor,
  id: string,
  now: number,
): Promise<PurchaseRow | undefined> {
  return db
    .updateTable('purchases')
    .set({ status: 'fulfilled', fulfilledAt: now })
    .where('id', '=', id)
    .where('status', 'in', ['pending', 'awaiting_confirmation'])
    .where('userId', 'is not', null)
    .returningAll()
    .executeTakeFirst();
}

/** The free join waiting for this account's confirmation, if one is (at most one; a unique index). */
export async function findWaitingFreeJoin(
  db: Executor,
  offerId: string,
  userId: string,
): Promise<PurchaseRow | undefined> {
  return db
    .selectFrom('purchases')
    .selectAll()
    .where('offerId', '=', offerId)
    .where('userId', '=', userId)
    .where('status', '=', 'awaiting_confirmation')
    .where('stripeCheckoutSessionId', 'is', null)
    .executeTakeFirst();
}

/**
 * Writes a free join waiting for its account's confirmation, unless one is already waiting for this
 * account and offer (then answers nothing): of many joins at once, one writes and sends the link.
 */
export async function insertWaitingJoin(
  db: Executor,
  row: Insertable<PurchasesTable>,
): Promise<PurchaseRow | undefined> {
  return db
    .insertInto('purchases')
    .values(row)
    .onConflict((conflict) =>
      conflict
        .columns(['offerId', 'userId'])
        // A literal, as in the index's predicate: a bound parameter would not match it.
        .where('status', '=', sql.lit('awaiting_confirmation'))
        .where('stripeCheckoutSessionId', 'is', null)
        .doNothing(),
    )
    .returningAll()
    .executeTakeFirst();
}

/** Dates a waiting join anew, once: of two requests at once, only the first gets the row back. */
export async function renewWaitingJoin(
  db: Executor,
  purchase: PurchaseRow,
  now: number,
): Promise<PurchaseRow | undefined> {
  return db
    .updateTable('purchases')
    .set({ createdAt: now })
    .where('id', '=', purchase.id)
    .where('createdAt', '=', purchase.createdAt)
    .returningAll()
    .executeTakeFirst();
}

/** Moves a purchase between waiting states (pending → awaiting_confirmation, pending → canceled). */
export async function movePurchase(
  db: Executor,
  id: string,
  from: PurchaseStatus[],
  patch: Updateable<PurchasesTable> & { status: PurchaseStatus },
): Promise<PurchaseRow | undefined> {
  return db
    .updateTable('purchases')
    .set(patch)
    .where('id', '=', id)
    .where('status', 'in', from)
    .returningAll()
    .executeTakeFirst();
}

/** Marks the purchase's conversion as reported; answers whether this call did it (it happens once). */
export async function markConversionReported(db: Executor, id: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('purchases')
    .set({ conversionReportedAt: now })
    .where('id', '=', id)
    .where('conversionReportedAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** A checkout of this offer for this address still open on Stripe: a second click goes back to it. */
export async function findOpenCheckout(db: Executor, offerId: string, email: string, openUntil: number) {
  return db
    .selectFrom('purchases')
    .selectAll()
    .where('offerId', '=', offerId)
    .where('email', '=', email)
    .where('status', '=', 'pending')
    .where('checkoutUrl', 'is not', null)
    .where('checkoutExpiresAt', '>', openUntil)
    .orderBy('createdAt', 'desc')
    .executeTakeFirst();
}

export async function isOurCustomer(db: Executor, customerId: string): Promise<boolean> {
  const found = await db
    .selectFrom('purchases')
    .select('id')
    .where('stripeCustomerId', '=', customerId)
    .limit(1)
    .executeTakeFirst();
  return found !== undefined;
}

// --- payments ---

/** Records a payment once: answers the row when this call wrote it, nothing when it was known. */
export async function insertPaymentOnce(
  db: Executor,
  row: Insertable<PaymentsTable>,
): Promise<PaymentRow | undefined> {
  return db
    .insertInto('payments')
    .values(row)
    .onConflict((oc) => oc.column('stripePaymentIntentId').doNothing())
    .returningAll()
    .executeTakeFirst();
}

const paymentById = prepared((db: Executor, id: string) =>
  db.selectFrom('payments').selectAll().where('id', '=', id),
);
const paymentByIntent = prepared((db: Executor, paymentIntentId: string) =>
  db.selectFrom('payments').selectAll().where('stripePaymentIntentId', '=', paymentIntentId),
);

export async function findPayment(db: Executor, id: string) {
  return (await paymentById(db, id))[0];
}

export async function findPaymentByIntent(db: Executor, paymentIntentId: string) {
  return (await paymentByIntent(db, paymentIntentId))[0];
}

/**
 * A payment read to be changed in the caller's transaction (a refund, a dispute): locked until it ends
 * on PostgreSQL, so two events of one charge at once take turns and the second sees what the first did.
 */
export async function findPaymentByIntentForChange(db: Executor, paymentIntentId: string) {
  const query = db.selectFrom('payments').selectAll().where('stripePaymentIntentId', '=', paymentIntentId);
  return (locksRows(db) ? query.forUpdate() : query).executeTakeFirst();
}

/** When the latest payment of a purchase that was refunded (in part or whole) was made, or null. */
const latestRefunded = prepared((db: Executor, purchaseId: string) =>
  db
    .selectFrom('payments')
    .select((eb) => eb.fn.max('paidAt').as('at'))
    .where('purchaseId', '=', purchaseId)
    .where('refundedMinor', '>', 0),
);

export async function latestRefundedPaymentAt(db: Executor, purchaseId: string): Promise<number | null> {
  const [row] = await latestRefunded(db, purchaseId);
  return row?.at === null || row?.at === undefined ? null : Number(row.at);
}

export async function updatePayment(db: Executor, id: string, patch: Updateable<PaymentsTable>) {
  return db.updateTable('payments').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function listPaymentsOfPurchases(db: Executor, purchaseIds: string[]) {
  if (purchaseIds.length === 0) return [];
  return db
    .selectFrom('payments')
    .selectAll()
    .where('purchaseId', 'in', purchaseIds)
    .orderBy('paidAt', 'desc')
    .execute();
}

// --- the webhook inbox ---
// Deliveries wait in `stripe_inbox` (on SQLite a file of its own: pass `inboxOf(db)`); the events
// applied are recorded in `stripe_events`, in the transaction of their effects.

/** A delivery as the inbox keeps it: what the handlers need to read the event's objects again. */
export interface InboxEntry {
  id: string;
  type: string;
  kind: 'account' | 'connect';
  account: string | null;
  objectId: string | null;
  relatedId: string | null;
}

/** An entry claimed for applying. */
export interface ClaimedEvent extends InboxEntry {
  receivedAt: number;
  attempts: number;
}

/**
 * Takes deliveries into the inbox, due at once (one statement for all; an event delivered twice among
 * them is taken once). A delivery of an event applied changes nothing.
 */
export async function receiveStripeEvents(db: Executor, entries: InboxEntry[], now: number): Promise<void> {
  const taken = [...new Map(entries.map((entry) => [entry.id, entry])).values()];
  // At most RECEIVED_AT_ONCE rows a statement (8 values each: far below SQLite's limit of 32 766).
  for (let from = 0; from < taken.length; from += RECEIVED_AT_ONCE)
    await receiveEvents(db, taken.slice(from, from + RECEIVED_AT_ONCE), now);
}

const RECEIVED_AT_ONCE = 500;

async function receiveEvents(db: Executor, entries: InboxEntry[], now: number): Promise<void> {
  await db
    .insertInto('stripeInbox')
    .values(
      entries.map(({ id, type, kind, account, objectId, relatedId }) => ({
        id,
        type,
        kind,
        account,
        objectId,
        relatedId,
        receivedAt: now,
        dueAt: now,
      })),
    )
    // Delivered again before it was applied (Stripe's "Resend", even of one given up): it is due at
    // once, with its three days of retries anew.
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet({ dueAt: now, claimedUntil: null, attempts: 0, receivedAt: now })
        .where('stripeInbox.appliedAt', 'is', null),
    )
    .execute();
}

const anyDueEvent = prepared((db: Executor, now: number) =>
  db
    .selectFrom('stripeInbox')
    .select('id')
    .where('dueAt', '<=', now)
    .where((eb) => eb.or([eb('claimedUntil', 'is', null), eb('claimedUntil', '<', now)]))
    .limit(1),
);

/** Whether an event is due and not claimed by another process (the drainer's periodic look). */
export async function stripeEventDue(db: Executor, now: number): Promise<boolean> {
  return (await anyDueEvent(db, now)).length > 0;
}

/**
 * Claims up to `limit` due events until `until`, oldest due first: no other process takes them
 * meanwhile (PostgreSQL skips rows another claim is locking).
 */
export async function claimStripeEvents(
  db: Executor,
  now: number,
  until: number,
  limit: number,
): Promise<ClaimedEvent[]> {
  const rows = await db
    .updateTable('stripeInbox')
    .set({ claimedUntil: until })
    .where('id', 'in', (eb) => {
      const due = eb
        .selectFrom('stripeInbox')
        .select('id')
        .where('dueAt', '<=', now)
        .where((w) => w.or([w('claimedUntil', 'is', null), w('claimedUntil', '<', now)]))
        .orderBy('dueAt')
        .orderBy('receivedAt')
        .limit(limit);
      return locksRows(db) ? due.forUpdate().skipLocked() : due;
    })
    .returning(['id', 'type', 'kind', 'account', 'objectId', 'relatedId', 'receivedAt', 'attempts'])
    .execute();
  return rows
    .map((row) => ({
      ...row,
      kind: row.kind === 'connect' ? ('connect' as const) : ('account' as const),
      receivedAt: Number(row.receivedAt),
      attempts: Number(row.attempts),
    }))
    .sort((a, b) => a.receivedAt - b.receivedAt || (a.id < b.id ? -1 : 1));
}

/** Keeps a batch claimed while it is being applied. */
export async function renewStripeClaims(db: Executor, ids: string[], until: number): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('stripeInbox')
    .set({ claimedUntil: until })
    .where('id', 'in', ids)
    .where('dueAt', 'is not', null)
    .execute();
}

/** Lets go of every claim (a process that just took the drainer's role: the claims are a dead one's). */
export async function releaseStripeClaims(db: Executor): Promise<void> {
  await db
    .updateTable('stripeInbox')
    .set({ claimedUntil: null })
    .where('dueAt', 'is not', null)
    .where('claimedUntil', 'is not', null)
    .execute();
}

/** Which of `ids` were applied already, read in the transaction that would apply them. */
export async function appliedStripeEvents(db: Executor, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('stripeEvents').select('id').where('id', 'in', ids).execute();
  return new Set(rows.map((row) => row.id));
}

/**
 * Records events applied, in the transaction that writes their effects; answers those recorded now
 * (an event recorded already stays as it was: applied before, or by another process whose
 * transaction this one then waits for).
 */
export async function recordStripeEvents(
  db: Executor,
  events: { id: string; type: string }[],
  now: number,
): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  const rows = await db
    .insertInto('stripeEvents')
    .values(events.map((event) => ({ id: event.id, type: event.type, receivedAt: now })))
    .onConflict((oc) => oc.column('id').doNothing())
    .returning('id')
    .execute();
  return new Set(rows.map((row) => row.id));
}

/** Events applied (now, or before by another process) leave the inbox's pending ones. */
export async function markInboxApplied(db: Executor, ids: string[], now: number): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('stripeInbox')
    .set({ appliedAt: now, dueAt: null, claimedUntil: null, lastError: null })
    .where('id', 'in', ids)
    .execute();
}

/** An event that could not be applied: tried again at `dueAt`, or given up when that is null. */
export async function deferStripeEvent(
  db: Executor,
  id: string,
  change: { attempts: number; dueAt: number | null; error: string },
): Promise<void> {
  await db
    .updateTable('stripeInbox')
    .set({ attempts: change.attempts, dueAt: change.dueAt, claimedUntil: null, lastError: change.error })
    .where('id', '=', id)
    .where('appliedAt', 'is', null)
    .execute();
}

/**
 * Forgets events applied or given up that arrived before `before`: what keeps an event from applying
 * twice is its record in `stripe_events`, not the inbox, and Stripe gives up its own retries after
 * three days.
 */
export async function pruneStripeInbox(db: Executor, before: number): Promise<number> {
  const result = await db
    .deleteFrom('stripeInbox')
    .where('receivedAt', '<', before)
    .where('dueAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The inbox at a glance: events waiting (and when the oldest came), given up. */
export async function stripeInboxCounts(db: Executor) {
  const row = await db
    .selectFrom('stripeInbox')
    .select((eb) => [
      eb.fn.countAll<number>().filterWhere('dueAt', 'is not', null).as('pending'),
      eb.fn.countAll<number>().filterWhere('dueAt', 'is', null).as('givenUp'),
      eb.fn.min('receivedAt').filterWhere('dueAt', 'is not', null).as('oldestPendingAt'),
    ])
    .where('appliedAt', 'is', null)
    .executeTakeFirstOrThrow();
  return {
    pending: Number(row.pending),
    givenUp: Number(row.givenUp),
    oldestPendingAt: row.oldestPendingAt === null ? null : Number(row.oldestPendingAt),
  };
}

// --- lists ---

export interface SalesFilter {
  offerId: string | null;
  status: PurchaseStatus | null;
  /** A prefix of the buyer's address. */
  search: string | null;
  after: Cursor | null;
  limit: number;
}

/** Sales, newest first, joined with the offer's title. */
export async function listSaleRows(db: Executor, filter: SalesFilter) {
  let query = db
    .selectFrom('purchases')
    .innerJoin('offers', 'offers.id', 'purchases.offerId')
    .selectAll('purchases')
    .select(['offers.title as offerTitle', 'offers.pricingModel'])
    .orderBy('purchases.createdAt', 'desc')
    .orderBy('purchases.id', 'desc')
    .limit(filter.limit + 1);
  if (filter.offerId) query = query.where('purchases.offerId', '=', filter.offerId);
  if (filter.status) query = query.where('purchases.status', '=', filter.status);
  else query = query.where('purchases.status', 'in', ['fulfilled', 'awaiting_confirmation']);
  if (filter.search) {
    query = query
      .where('purchases.email', '>=', filter.search)
      .where('purchases.email', '<', `${filter.search}\uffff`);
  }
  const after = filter.after;
  if (after) {
    query = query.where((eb) =>
      eb(eb.refTuple('purchases.createdAt', 'purchases.id'), '<', eb.tuple(after.at, after.id)),
    );
  }
  return query.execute();
}

/** A person's purchases (paid and free), newest first, with their entitlement. */
export async function listPurchasesOfUser(db: Executor, userId: string, limit: number) {
  return db
    .selectFrom('purchases')
    .innerJoin('offers', 'offers.id', 'purchases.offerId')
    .leftJoin('entitlements', 'entitlements.id', 'purchases.entitlementId')
    .selectAll('purchases')
    .select([
      'offers.title as offerTitle',
      'offers.slug as offerSlug',
      'offers.pricingModel',
      'offers.interval',
      'offers.intervalCount',
      'entitlements.state as entitlementState',
      'entitlements.accessUntil',
      'entitlements.stripeStatus',
      'entitlements.currentPeriodEnd',
      'entitlements.cancelAtPeriodEnd',
    ])
    .where('purchases.userId', '=', userId)
    .where('purchases.status', 'in', ['fulfilled', 'awaiting_confirmation'])
    .orderBy('purchases.createdAt', 'desc')
    .orderBy('purchases.id', 'desc')
    .limit(limit)
    .execute();
}

/** Purchases that have something at Stripe to compare with, a page at a time (the reconciliation). */
export async function listPurchasesWithStripe(db: Executor, after: Cursor | null, limit: number) {
  let query = db
    .selectFrom('purchases')
    .selectAll()
    .where('stripeCheckoutSessionId', 'is not', null)
    .where('status', 'in', ['pending', 'fulfilled', 'awaiting_confirmation'])
    .orderBy('createdAt')
    .orderBy('id')
    .limit(limit);
  if (after)
    query = query.where((eb) => eb(eb.refTuple('createdAt', 'id'), '>', eb.tuple(after.at, after.id)));
  return query.execute();
}
