// What a repository function runs on: the database, or the transaction a service opened.
import { type Kysely, PostgresAdapter, type Transaction } from 'kysely';
import type { DB } from './schema.ts';

export type Executor = Kysely<DB> | Transaction<DB>;

/**
 * True on PostgreSQL, where concurrent transactions must lock the rows they read to change (`for
 * update`). SQLite has one writer at a time and no such clause.
 */
export function locksRows(executor: Executor): boolean {
  return executor.getExecutor().adapter instanceof PostgresAdapter;
}
