import type { Kysely } from 'kysely';
import { addColumns } from './helpers.ts';

// Notifications by email: each member says how (users.notify_email: 'instant', 'daily' or 'off'); a
// daily digest covers what arrived after users.digested_until; an email that can be unsubscribed from
// in one click keeps its link (emails.unsubscribe_url) for the List-Unsubscribe header.
export async function up(db: Kysely<unknown>): Promise<void> {
  await addColumns(db, 'users', [
    ['notify_email', 'text', (c) => c.notNull().defaultTo('instant')],
    ['digested_until', 'bigint', (c) => c.notNull().defaultTo(0)],
  ]);
  await addColumns(db, 'emails', [['unsubscribe_url', 'text']]);
}
