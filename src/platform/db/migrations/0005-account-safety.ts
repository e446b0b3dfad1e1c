import type { Kysely } from 'kysely';

// Closing account-takeover paths: the links the server put in each email (the Emails log lists only
// these, never links a typed name smuggled into the text), and when a purchase's conversion was
// reported to the creator's code (once, not on every reload of the completion page).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('emails')
    .addColumn('links', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  await db.schema.alterTable('purchases').addColumn('conversion_reported_at', 'bigint').execute();
}
