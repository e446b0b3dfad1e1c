// A Kysely that compiles every query for one engine and hands it over instead of running it: the exact
// SQL the app's repository functions build, with no database. The bench explains it (plans.ts); the SQL
// snapshots commit it (tests/sql/).
import {
  CamelCasePlugin,
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import type { Engine } from '../../src/platform/db/database.ts';
import type { DB } from '../../src/platform/db/schema.ts';

/** A Kysely that compiles each query for `engine` and hands it to `capture` instead of running it. */
export function capturingDb(engine: Engine, capture: (query: CompiledQuery) => void): Kysely<DB> {
  const connection: DatabaseConnection = {
    async executeQuery(query) {
      capture(query);
      return { rows: [] };
    },
    // biome-ignore lint/correctness/useYield: never streamed
    async *streamQuery() {
      throw new Error('not supported');
    },
  };
  const driver: Driver = {
    async init() {},
    async acquireConnection() {
      return connection;
    },
    async beginTransaction() {},
    async commitTransaction() {},
    async rollbackTransaction() {},
    async releaseConnection() {},
    async destroy() {},
  };
  const dialect: Dialect =
    engine === 'postgres'
      ? {
          createAdapter: () => new PostgresAdapter(),
          createDriver: () => driver,
          createIntrospector: (db) => new PostgresIntrospector(db),
          createQueryCompiler: () => new PostgresQueryCompiler(),
        }
      : {
          createAdapter: () => new SqliteAdapter(),
          createDriver: () => driver,
          createIntrospector: (db) => new SqliteIntrospector(db),
          createQueryCompiler: () => new SqliteQueryCompiler(),
        };
  return new Kysely<DB>({ dialect, plugins: [new CamelCasePlugin()] });
}
