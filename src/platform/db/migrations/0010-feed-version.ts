import { type Kysely, sql } from 'kysely';

// A group's feed version: bumped in the same transaction as every change to what the first page of its
// feed shows (a post written, edited, pinned or deleted; a comment or a like counted; an author renamed).
// Every process caches that page under the version it read with the access check, so a change made
// anywhere is seen at once everywhere, with no message between processes.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('hub_groups')
    .addColumn('feed_version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // A rename bumps the groups its author wrote in.
  await sql`create index posts_author_group on posts (author_id, hub_group_id)`.execute(db);
}
