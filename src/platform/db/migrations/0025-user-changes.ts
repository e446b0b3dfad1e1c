import { type Kysely, PostgresAdapter, sql } from 'kysely';

// The `users` topic (src/platform/db/changes.ts): a person's row changed or went — any column, total
// spent included (their last visit no longer: migration 0027) — so a kept copy of the whole row (what
// `/me` shows, auth.service.ts) is never older than the row. A new person changes no kept row (misses are never
// kept): inserts are not changes.
export async function up(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`create trigger users_users_changed after update or delete or truncate on users
      for each statement execute function guildhall_changed('users')`.execute(db);
    return;
  }
  // SQLite runs a migration without a transaction: one cut off half-way runs again from the top.
  await sql`insert into change_topics (topic, version) values ('users', 1) on conflict (topic) do nothing`.execute(
    db,
  );
  for (const event of ['update', 'delete']) {
    await sql
      .raw(
        `create trigger if not exists users_users_changed_${event} after ${event} on users begin update change_topics set version = version + 1 where topic = 'users'; end`,
      )
      .execute(db);
  }
}
