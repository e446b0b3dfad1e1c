// Set-based seeding for benchmarks: one INSERT … SELECT per batch over a generated series of integers,
// so 100 000 users or 1 000 000 rows take seconds, not a round trip per row. PostgreSQL generates the
// series with generate_series; SQLite with a recursive CTE. Column names are the camelCase ones of
// `DB`; CamelCasePlugin turns them into snake_case as it does for every other query.
import { PostgresAdapter, type RawBuilder, sql } from 'kysely';
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
  /**
   * The id `uuid(tag)` gives row number `of` (an SQL integer expression over `n`): how a row refers to
   * a row of another seeded table, e.g. `row.uuidOf('b0000001', sql\`(${row.n} - 1) % 1000 + 1\`)`.
   */
  uuidOf(tag: string, of: RawBuilder<number>): RawBuilder<string>;
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
  /** Keeps only the row numbers this SQL condition holds for (the count is of numbers, not rows). */
  where?: (row: SeriesRow) => RawBuilder<unknown>;
}

function seriesRow(engine: Engine): SeriesRow {
  const n = sql<number>`series.n`;
  const text = engine === 'postgres' ? sql<string>`series.n::text` : sql<string>`cast(series.n as text)`;
  const paddedOf = (of: RawBuilder<number>, width: number) =>
    engine === 'postgres'
      ? sql<string>`lpad((${of})::text, ${sql.lit(width)}, '0')`
      : sql<string>`printf(${sql.lit(`%0${width}d`)}, ${of})`;
  const uuidOf = (tag: string, of: RawBuilder<number>) => {
    if (!/^[0-9a-f]{8}$/.test(tag)) throw new Error(`uuid tag must be eight lower-case hex digits: ${tag}`);
    return sql<string>`${sql.lit(`${tag}-0000-4000-8000-`)} || ${paddedOf(of, 12)}`;
  };
  return {
    n,
    text,
    padded: (width) => paddedOf(n, width),
    uuid: (tag) => uuidOf(tag, n),
    uuidOf,
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
  const where = options.where ? sql`where ${options.where(seriesRow(engine))}` : sql``;
  for (let from = first; from <= last; from += batchSize) {
    const to = Math.min(from + batchSize - 1, last);
    await sql`${seriesClause(engine, from, to)}
      insert into ${sql.table(options.table)} (${names})
      select ${values} from series ${where}`.execute(db);
  }
  return options.count;
}

/**
 * Refreshes the planner's statistics after a bulk load, as autovacuum or a DBA would. On PostgreSQL the
 * tables are vacuumed too: otherwise autovacuum starts on the million fresh rows while the scenarios
 * run and takes a core from them (a database in service is not one bulk load old). On SQLite the value
 * samples are then dropped, as Guildhall does when it opens the database (keepStatisticsPerIndexOnly in
 * src/platform/db/database.ts), so the plans explained here are the server's.
 */
export async function analyze(db: Database): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`vacuum (analyze)`.execute(db);
  } else {
    await sql`analyze`.execute(db);
    await sql`delete from sqlite_stat4`.execute(db);
    await sql`analyze sqlite_schema`.execute(db);
  }
}

/** The uuid tag of seeded members: member n has id `row.uuidOf(MEMBER_TAG, n)`. */
export const MEMBER_TAG = 'b0000001';

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
      id: row.uuid(MEMBER_TAG),
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

/**
 * Runs `load` (bulk inserts into `tables`) the way PostgreSQL's manual advises for populating a
 * database: the tables' foreign keys and secondary indexes are dropped first and put back after, so
 * each key is checked and each index built once over the whole table instead of per row (1 000 000
 * entitlements: about 40 s row by row, about 10 s this way). They are put back from their own
 * definitions (`pg_get_constraintdef`, `pg_get_indexdef`), so the schema ends exactly as migrated, and
 * re-adding a foreign key checks every row against it. On SQLite the load runs as it is: the checks
 * and index updates per row cost it little.
 */
export async function bulkLoad<T>(
  db: Database,
  engine: Engine,
  tables: (keyof DB & string)[],
  load: () => Promise<T>,
): Promise<T> {
  if (engine !== 'postgres') return load();
  const names = tables.map((table) => table.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
  const ofTables = sql`(select oid from pg_class where relname in (${sql.join(names)}) and relnamespace = current_schema()::regnamespace)`;
  const schemaNow = async () => {
    const { rows: keys } = await sql<{ table: string; name: string; definition: string }>`
      select conrelid::regclass::text as table, conname as name, pg_get_constraintdef(oid) as definition
      from pg_constraint where contype = 'f' and conrelid in ${ofTables} order by conname`.execute(db);
    const { rows: indexes } = await sql<{ name: string; definition: string }>`
      select c.relname as name, pg_get_indexdef(i.indexrelid) as definition
      from pg_index i join pg_class c on c.oid = i.indexrelid
      where i.indrelid in ${ofTables} and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid)
      order by c.relname`.execute(db);
    return { keys, indexes };
  };
  const { keys, indexes } = await schemaNow();
  for (const key of keys) {
    await sql`alter table ${sql.raw(key.table)} drop constraint ${sql.id(key.name)}`.execute(db);
  }
  for (const index of indexes) await sql`drop index ${sql.id(index.name)}`.execute(db);
  const result = await load();
  for (const index of indexes) await sql.raw(index.definition).execute(db);
  for (const key of keys) {
    await sql`alter table ${sql.raw(key.table)} add constraint ${sql.id(key.name)} ${sql.raw(key.definition)}`.execute(
      db,
    );
  }
  if (JSON.stringify(await schemaNow()) !== JSON.stringify({ keys, indexes })) {
    throw new Error(`bulkLoad(${tables.join(', ')}): the keys and indexes did not come back as they were`);
  }
  return result;
}
