import type { Insertable, Updateable } from 'kysely';
import type { Executor } from '../../platform/db/executor.ts';
import type { EmailsTable } from '../../platform/db/schema.ts';
import type { Cursor } from '../../platform/pagination.ts';

export async function insertEmail(db: Executor, row: Insertable<EmailsTable>): Promise<void> {
  await db.insertInto('emails').values(row).execute();
}

export async function findEmail(db: Executor, id: string) {
  return db
    .selectFrom('emails')
    .leftJoin('users', 'users.id', 'emails.recipientUserId')
    .selectAll('emails')
    .select('users.role as recipientRole')
    .where('emails.id', '=', id)
    .executeTakeFirst();
}

export async function updateEmail(db: Executor, id: string, patch: Updateable<EmailsTable>): Promise<void> {
  await db.updateTable('emails').set(patch).where('id', '=', id).execute();
}

export async function listEmailRows(
  db: Executor,
  options: { search: string | null; after: Cursor | null; limit: number },
) {
  let query = db
    .selectFrom('emails')
    .select(['id', 'toAddress', 'subject', 'kind', 'status', 'error', 'createdAt', 'sentAt'])
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit + 1);
  if (options.search) {
    // Prefix match on the recipient: an indexed range, never a scan of the log.
    query = query.where('toAddress', '>=', options.search).where('toAddress', '<', `${options.search}\uffff`);
  }
  const after = options.after;
  if (after) {
    query = query.where((eb) => eb(eb.refTuple('createdAt', 'id'), '<', eb.tuple(after.at, after.id)));
  }
  return query.execute();
}
