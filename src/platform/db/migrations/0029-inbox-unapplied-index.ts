import { type Kysely, PostgresAdapter } from 'kysely';
import { indexUnapplied } from './0028-webhook-inbox-queue.ts';

// Settings → Stripe counts the inbox's events not applied (pending or given up); without an index of
// them it read the whole of the 30 days kept. On SQLite the inbox is a file of its own, indexed when it
// is opened (database.ts).
export async function up(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) await indexUnapplied(db);
}
