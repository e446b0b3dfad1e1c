import { type Kysely, sql } from 'kysely';

// One open report per reporter and item: a second click, or two at once, changes nothing (the unique
// index alone decides). A database that took reports before it may hold such twins: the first of each
// stays open, the others go.
export async function up(db: Kysely<unknown>): Promise<void> {
  // (A report whose reporter's account is gone has no reporter: those are never twins.)
  await sql`delete from reports where resolved_at is null and reporter_id is not null and id not in (
    select min(id) from reports where resolved_at is null and reporter_id is not null
    group by reporter_id, post_id, coalesce(comment_id, ''))`.execute(db);
  // `if not exists`: 0019 itself created this index for a while (42c7f09 to 619b310).
  await sql`create unique index if not exists reports_open_once on reports (reporter_id, post_id, coalesce(comment_id, ''))
    where resolved_at is null`.execute(db);
}
