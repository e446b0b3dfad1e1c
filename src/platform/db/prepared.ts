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
// Other statements that repeat are named too, up to a number (`namingByUse`).
import { createHash } from 'node:crypto';
import { type CompiledQuery, PostgresAdapter } from 'kysely';
import type { Executor } from './executor.ts';

/** The SQL of every prepared query compiled for PostgreSQL, and the name the server knows it by. */
const statementNames = new Map<string, string>();

/**
 * Beyond the prepared queries, openDatabase's pool names statements by use: one whose SQL it sends a
 * second time is named from then on, up to NAMED_BY_USE of them (a fulfilment's inserts and updates, the
 * webhook's reads: a named statement saves the server its parse and plan; the webhook chaos run on
 * PostgreSQL went from 397–424 to 450–507 events a second). The cap bounds what each connection keeps on
 * the server (about 30 KB a statement once planned: 4.5 MB a connection at most); SQL seen once is
 * remembered among SEEN_ONCE at most.
 */
export const NAMED_BY_USE = 150;
const SEEN_ONCE = 1_000;
/** What may be named: reads and writes (never a transaction's own statements, a SET or DDL). */
const NAMEABLE = /^(select|insert|update|delete|with) /;
/**
 * Statements with more values than this are not named: a list (`in (…)`, rows inserted together) makes
 * a shape per length, and would take the places of the statements that repeat as they are.
 */
const MOST_VALUES_NAMED = 20;

/** Names statements the second time they are seen, `limit` of them at most. */
export function namingByUse(
  limit: number,
  seenOnceAtMost = SEEN_ONCE,
): (sql: string, values: number) => string | undefined {
  const named = new Map<string, string>();
  const seenOnce = new Set<string>();
  return (sql, values) => {
    const name = named.get(sql);
    if (name || named.size >= limit || values > MOST_VALUES_NAMED || !NAMEABLE.test(sql)) return name;
    if (!seenOnce.delete(sql)) {
      if (seenOnce.size >= seenOnceAtMost) seenOnce.clear();
      seenOnce.add(sql);
      return undefined;
    }
    const given = nameFor(sql);
    named.set(sql, given);
    return given;
  };
}

/** The name of a prepared query's statement on PostgreSQL, if `sql` is one. */
export function statementName(sql: string): string | undefined {
  return statementNames.get(sql);
}

function nameFor(sql: string): string {
  return `gh_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
}

class Placeholder {
  constructor(readonly index: number) {}
}

type Engine = 'postgres' | 'sqlite';

function engineOf(db: Executor): Engine {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** A page's size written into the SQL, up to this; larger ones stay a parameter. */
const MAX_LITERAL_LIMIT = 500;
const LIMIT_AT_END = /\blimit (\?|\$\d+)$/;

/**
 * A query whose SQL is compiled once per engine; each call runs it with its own values. A limit that
 * ends the query is written into the SQL as a number (one statement per page size): SQLite sorts the
 * first n rows in a small in-memory index only when n is in the statement (a bound limit opens its
 * general sorter, 15–25 µs more a query here), and PostgreSQL plans for the limit it sees.
 */
export function prepared<Args extends readonly unknown[], Row>(
  build: (db: Executor, ...args: Args) => { compile(): CompiledQuery<Row> },
): (db: Executor, ...args: Args) => Promise<Row[]> {
  const compiled = new Map<Engine, CompiledQuery<Row>>();
  // By engine and page size: the query with its limit written in (`limitArg` is the argument).
  const paged = new Map<string, CompiledQuery<Row>>();
  const limitArgs = new Map<Engine, number>();
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
      name(engine, query.sql);
      const last = query.parameters[query.parameters.length - 1];
      const onlyThere = query.parameters.filter((value) => value === last).length === 1;
      if (LIMIT_AT_END.test(query.sql) && last instanceof Placeholder && onlyThere)
        limitArgs.set(engine, last.index);
    }
    // A list would fill one placeholder: an `in (…)` of varying length is a different shape.
    if (args.some((arg) => Array.isArray(arg))) throw new Error('prepared: arguments must be single values');
    const limitArg = limitArgs.get(engine);
    const limit = limitArg === undefined ? undefined : args[limitArg];
    if (typeof limit === 'number' && Number.isInteger(limit) && limit >= 0 && limit <= MAX_LITERAL_LIMIT) {
      const key = `${engine}:${limit}`;
      let withLimit = paged.get(key);
      if (!withLimit) {
        withLimit = {
          ...query,
          sql: query.sql.replace(LIMIT_AT_END, `limit ${limit}`),
          parameters: query.parameters.slice(0, -1),
        };
        paged.set(key, withLimit);
        name(engine, withLimit.sql);
      }
      query = withLimit;
    }
    const parameters = query.parameters.map((value) =>
      value instanceof Placeholder ? args[value.index] : value,
    );
    const result = await db.executeQuery<Row>({ ...query, parameters });
    return result.rows;
  };
}

/** On PostgreSQL, the name the server will know a prepared query's statement by. */
function name(engine: Engine, sql: string): void {
  if (engine === 'postgres') statementNames.set(sql, nameFor(sql));
}
