// Set-based seeding for benchmarks: one INSERT … SELECT per batch over a generated series of integers,
// so 100 000 users or 1 000 000 rows take seconds, not a round trip per row. PostgreSQL generates the
// series with generate_series; SQLite with a recursive CTE. Column names are the camelCase ones of
// `DB`; CamelCasePlugin turns them into snake_case as it does for every other query.
import { type RawBuilder, sql } from 'kysely';
import type { Database, Engine } from '../../src/platform/db/database.ts';
import type { DB } from '../../src/platform/db/schema.ts';

/** SQL expressions over the current row number `n` (1-based, unique across batches). */
export interface SeriesRow {
  /** The row number, an integer (bigint on PostgreSQL, so `n * 1000` cannot overflow). */
  n: RawBuilder<number>;
  /** The row number as text. */
  text: RawBuilder<string>;
  /** The row number as text, left-padded with zeros to `width` digits. */
  padded(width: number): RawBuilder<string>;
  /**
   * A UUID-shaped id (version 4 layout) made from `n`: `<tag>-0000-4000-8000-<n, 12 digits>`. `tag` is
   * eight hex digits, different per table or per seeding call, so ids never collide with each other;
   * they never collide with randomUUID() ids either in practice.
   */
  uuid(tag: string): RawBuilder<string>;
}

export type ColumnValue = RawBuilder<unknown> | string | number | null;

export interface InsertSeriesOptions<T extends keyof DB & string> {
  table: T;
  count: number;
  /** Rows per INSERT statement; each batch is its own statement (and, on SQLite, its own commit). */
  batchSize?: number;
  /** First row number (defaults to 1); lets a second call continue a series. */
  from?: number;
  /** What each column gets, as SQL over the row number or a constant. */
  columns: (row: SeriesRow) => { [K in keyof DB[T] & string]?: ColumnValue };
}

function seriesRow(engine: Engine): SeriesRow {
  const n = sql<number>`series.n`;
  const text = engine === 'postgres' ? sql<string>`series.n::text` : sql<string>`cast(series.n as text)`;
  const padded = (width: number) =>
    engine === 'postgres'
      ? sql<string>`lpad(series.n::text, ${sql.lit(width)}, '0')`
      : sql<string>`printf(${sql.lit(`%0${width}d`)}, series.n)`;
  return {
    n,
    text,
    padded,
    uuid(tag) {
      if (!/^[0-9a-f]{8}$/.test(tag)) throw new Error(`uuid tag must be eight lower-case hex digits: ${tag}`);
      return sql<string>`${sql.lit(`${tag}-0000-4000-8000-`)} || ${padded(12)}`;
    },
  };
}

/** A `WITH` clause naming `series(n)`: the integers from..to, inclusive. */
function seriesClause(engine: Engine, from: number, to: number): RawBuilder<unknown> {
  if (engine === 'postgres') {
    return sql`with series(n) as (select generate_series(${sql.lit(from)}::bigint, ${sql.lit(to)}::bigint))`;
  }
  return sql`with recursive series(n) as (select ${sql.lit(from)} union all select n + 1 from series where n < ${sql.lit(to)})`;
}

function toSql(value: ColumnValue): RawBuilder<unknown> {
  // Literals, not parameters: PostgreSQL types a parameter in INSERT … SELECT from the expression
  // around it (an int4 next to `n`), which would overflow epoch milliseconds.
  if (value === null || typeof value === 'string' || typeof value === 'number') return sql.lit(value);
  return value;
}

/** Inserts `count` rows into `table`, computed in SQL from a generated series; answers the row count. */
export async function insertSeries<T extends keyof DB & string>(
  db: Database,
  engine: Engine,
  options: InsertSeriesOptions<T>,
): Promise<number> {
  const batchSize = options.batchSize ?? 100_000;
  const first = options.from ?? 1;
  const last = first + options.count - 1;
  const columns = Object.entries(options.columns(seriesRow(engine))) as [string, ColumnValue][];
  if (columns.length === 0) throw new Error(`insertSeries(${options.table}): no columns`);
  const names = sql.join(columns.map(([name]) => sql.ref(name)));
  const values = sql.join(columns.map(([, value]) => toSql(value)));
  for (let from = first; from <= last; from += batchSize) {
    const to = Math.min(from + batchSize - 1, last);
    await sql`${seriesClause(engine, from, to)}
      insert into ${sql.table(options.table)} (${names})
      select ${values} from series`.execute(db);
  }
  return options.count;
}

/** Refreshes the planner's statistics after a bulk load, as autovacuum or a DBA would. */
export async function analyze(db: Database): Promise<void> {
  await sql`analyze`.execute(db);
}

/**
 * `count` active, verified members without a password (they would sign in by link), created one second
 * apart going back from `now`, with emails `bench-user-<n>@example.test`.
 */
export async function seedMembers(
  db: Database,
  engine: Engine,
  options: { count: number; now?: number; from?: number },
): Promise<number> {
  const now = options.now ?? Date.now();
  return insertSeries(db, engine, {
    table: 'users',
    count: options.count,
    ...(options.from === undefined ? {} : { from: options.from }),
    columns: (row) => ({
      id: row.uuid('b0000001'),
      email: sql<string>`'bench-user-' || ${row.text} || '@example.test'`,
      name: sql<string>`'Bench User ' || ${row.text}`,
      nameSearch: sql<string>`'bench user ' || ${row.text}`,
      role: 'member',
      status: 'active',
      passwordHash: null,
      emailVerifiedAt: now,
      createdAt: sql<number>`${sql.lit(now)} - ${row.n} * 1000`,
      updatedAt: sql<number>`${sql.lit(now)} - ${row.n} * 1000`,
      lastSeenAt: null,
    }),
  });
}
