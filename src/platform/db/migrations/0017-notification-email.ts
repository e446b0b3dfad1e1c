import type { Kysely } from 'kysely';
import { addColumns } from './helpers.ts';

// Notifications by email: each member says how (users.notify_email: 'instant', 'daily' or 'off'); a
// notification once emailed (at once, or in a digest) is marked (notifications.emailed_at), so no digest
// repeats it; an email that can be unsubscribed from in one click keeps its link until it is sent
// (emails.unsubscribe_url, for the List-Unsubscribe header).
export async function up(db: Kysely<unknown>): Promise<void> {
  await addColumns(db, 'users', [['notify_email', 'text', (c) => c.notNull().defaultTo('instant')]]);
  await addColumns(db, 'notifications', [['emailed_at', 'bigint']]);
  await addColumns(db, 'emails', [['unsubscribe_url', 'text']]);
}
