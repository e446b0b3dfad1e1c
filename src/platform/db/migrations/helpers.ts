import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter, sql } from 'kysely';

/** A column to add: name, type, and how it is defined (not null, default). */
export type Column = [
  string,
  'text' | 'integer' | 'bigint',
  ((c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder)?,
];

/** Adds columns one statement each (SQLite adds one column per ALTER TABLE). */
export async function addColumns(db: Kysely<unknown>, table: string, columns: Column[]): Promise<void> {
  for (const [name, type, build] of columns) {
    await db.schema
      .alterTable(table)
      .addColumn(name, type, build ?? ((c) => c))
      .execute();
  }
}

/**
 * Makes the trigger that moves `topic` on an update of `table` (migration 0024's, or 0025's) watch
 * `columns` alone. On PostgreSQL the one trigger also keeps `otherEvents` (and TRUNCATE). SQLite runs a
 * migration without a transaction: one cut off between the drop and the create runs again from the top.
 */
export async function watchUpdatesOf(
  db: Kysely<unknown>,
  table: string,
  topic: string,
  columns: readonly string[],
  otherEvents: readonly ('insert' | 'delete')[],
): Promise<void> {
  const watched = columns.join(', ');
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    const events = [...otherEvents, `update of ${watched}`, 'truncate'].join(' or ');
    await sql.raw(`drop trigger if exists ${table}_${topic}_changed on ${table}`).execute(db);
    await sql
      .raw(
        `create trigger ${table}_${topic}_changed after ${events} on ${table} for each statement execute function guildhall_changed('${topic}')`,
      )
      .execute(db);
    return;
  }
  await sql.raw(`drop trigger if exists ${table}_${topic}_changed_update`).execute(db);
  await sql
    .raw(
      `create trigger ${table}_${topic}_changed_update after update of ${watched} on ${table} begin update change_topics set version = version + 1 where topic = '${topic}'; end`,
    )
    .execute(db);
}
