// Hot reads compiled once. Kysely builds and compiles every query anew — on the member feed about a
// sixth of a request's CPU — while a hot path's queries keep one shape and only their values change.
// `prepared(build)` builds the query once per engine with a placeholder for each argument, keeps the
// compiled SQL, and afterwards only puts the arguments where their placeholders were. `build` may use an
// argument only as a value (not in arithmetic, not to choose the query's shape, not a list): a different
// shape needs a different prepared query. The compiled SQL is kept per engine, so every database handed
// in must be the app's Kysely (or a transaction of it) with the same plugins.
//
// On PostgreSQL the same shapes are also prepared by the server: each is given a name, and a connection
// that has run it once sends only its name and values (openDatabase's pool, `preparedStatements`), so
// PostgreSQL plans it once per connection instead of at every request (2–4 ms of the hub's reads).
import { createHash } from 'node:crypto';
import { type CompiledQuery, PostgresAdapter } from 'kysely';
import type { Executor } from './executor.ts';

/** The SQL of every prepared query compiled for PostgreSQL, and the name the server knows it by. */
const statementNames = new Map<string, string>();

/** The name of a prepared query's statement on PostgreSQL, if `sql` is one. */
export function statementName(sql: string): string | undefined {
  return statementNames.get(sql);
}

class Placeholder {
  constructor(readonly index: number) {}
}

type Engine = 'postgres' | 'sqlite';

function engineOf(db: Executor): Engine {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** A query whose SQL is compiled once per engine; each call runs it with its own values. */
export function prepared<Args extends readonly unknown[], Row>(
  build: (db: Executor, ...args: Args) => { compile(): CompiledQuery<Row> },
): (db: Executor, ...args: Args) => Promise<Row[]> {
  const compiled = new Map<Engine, CompiledQuery<Row>>();
  return async (db, ...args) => {
    const engine = engineOf(db);
    let query = compiled.get(engine);
    if (!query) {
      const placeholders = args.map((_, index) => new Placeholder(index)) as unknown as Args;
      query = build(db, ...placeholders).compile();
      const used = new Set(
        query.parameters.flatMap((value) => (value instanceof Placeholder ? [value.index] : [])),
      );
      if (used.size !== args.length)
        throw new Error('prepared: every argument must be used as a value in the query, and only so');
      compiled.set(engine, query);
      if (engine === 'postgres')
        statementNames.set(
          query.sql,
          `gh_${createHash('sha1').update(query.sql).digest('hex').slice(0, 20)}`,
        );
    }
    // A list would fill one placeholder: an `in (…)` of varying length is a different shape.
    if (args.some((arg) => Array.isArray(arg))) throw new Error('prepared: arguments must be single values');
    const parameters = query.parameters.map((value) =>
      value instanceof Placeholder ? args[value.index] : value,
    );
    const result = await db.executeQuery<Row>({ ...query, parameters });
    return result.rows;
  };
}
