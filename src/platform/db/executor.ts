// What a repository function runs on: the database, or the transaction a service opened.
import type { Kysely, Transaction } from 'kysely';
import type { DB } from './schema.ts';

export type Executor = Kysely<DB> | Transaction<DB>;
