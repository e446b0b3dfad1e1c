import type { ColumnDefinitionBuilder, Kysely } from 'kysely';

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
