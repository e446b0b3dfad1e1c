import { type Kysely, PostgresAdapter, sql } from 'kysely';

// Stripe's deliveries are taken into an inbox and answered at once; a drainer applies them afterwards
// in batches (src/modules/purchases/billing.inbox.ts). The
// events applied are still recorded in `stripe_events`, in the transaction that writes their effects:
// that record, not the inbox, is what keeps an event from being applied twice.
//
// On PostgreSQL the inbox is this table in the database. On SQLite it is the same table in a file of
// its own beside the database (database.ts, `inboxOf`): SQLite has one writer per file, and taking a
// delivery in must not wait while another process applies a batch.
//
// An event is pending while `due_at` is set: it is tried at that time. Applied, `applied_at` is set
// and `due_at` cleared; given up (billing.inbox.ts), both are null. `attempts` counts failed tries
// and `last_error` says why the last failed. `claimed_until` keeps two processes from taking the same
// event at once; a claim that runs out (its process was killed) leaves the event to the others. What
// the handlers need of the event is kept (its endpoint, the connected account, the object's id), not
// the payload: every handler reads the object from Stripe again.
export async function createInboxTable(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('stripe_inbox')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('account', 'text')
    .addColumn('object_id', 'text')
    .addColumn('related_id', 'text')
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('due_at', 'bigint')
    .addColumn('applied_at', 'bigint')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('claimed_until', 'bigint')
    .addColumn('last_error', 'text')
    .execute();
  // Only pending events are in the index: the drainer's look for due events stays small however long
  // the inbox's history grows.
  await db.schema
    .createIndex('stripe_inbox_due')
    .ifNotExists()
    .on('stripe_inbox')
    .columns(['due_at', 'received_at'])
    .where(sql.ref('due_at'), 'is not', null)
    .execute();
  await indexUnapplied(db);
}

/**
 * The events not applied (pending or given up), which Settings → Stripe counts: a small index however
 * long the applied history kept for 30 days grows (migration 0029 adds it to an existing database).
 */
export async function indexUnapplied(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('stripe_inbox_unapplied')
    .ifNotExists()
    .on('stripe_inbox')
    .column('received_at')
    .where(sql.ref('applied_at'), 'is', null)
    .execute();
}

export async function up(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) await createInboxTable(db);
}
