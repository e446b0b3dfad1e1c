// Kysely over better-sqlite3 (the embedded default) or pg, and forward-only migrations kept as code.
import SQLite from 'better-sqlite3';
import {
  CamelCasePlugin,
  Kysely,
  type Migration,
  Migrator,
  PostgresAdapter,
  PostgresDialect,
  sql,
} from 'kysely';
import type pg from 'pg';
import type { Config } from '../../config.ts';
import { attachChanges, changesOf, noticeTopic, postgresChanges, sqliteChanges } from './changes.ts';
import { inboxFileOf, makePrivateFile, roleFileOf } from './files.ts';
import * as foundation from './migrations/0001-foundation.ts';
import * as hub from './migrations/0002-hub.ts';
import * as offers from './migrations/0003-offers.ts';
import * as likeIndexes from './migrations/0004-like-indexes.ts';
import * as accountSafety from './migrations/0005-account-safety.ts';
import * as paidCheckout from './migrations/0006-paid-checkout.ts';
import * as affiliates from './migrations/0007-affiliates.ts';
import * as onePendingConfirmation from './migrations/0008-one-pending-confirmation.ts';
import * as rateLimits from './migrations/0009-rate-limits.ts';
import * as feedVersion from './migrations/0010-feed-version.ts';
import * as metrics from './migrations/0011-metrics.ts';
import * as offerDescription from './migrations/0012-offer-description.ts';
import * as groupVersion from './migrations/0013-group-version.ts';
import * as homeFeed from './migrations/0014-home-feed.ts';
import * as search from './migrations/0015-search.ts';
import * as notifications from './migrations/0016-notifications.ts';
import * as notificationEmail from './migrations/0017-notification-email.ts';
import * as groupConversation from './migrations/0018-group-conversation.ts';
import * as moderation from './migrations/0019-moderation.ts';
import * as profiles from './migrations/0020-profiles.ts';
import * as followsAndDirectories from './migrations/0021-follows-and-directories.ts';
import * as countsAndFollowerLookups from './migrations/0022-counts-and-follower-lookups.ts';
import * as oneOpenReport from './migrations/0023-one-open-report.ts';
import * as changeTopics from './migrations/0024-change-topics.ts';
import * as userChanges from './migrations/0025-user-changes.ts';
import * as offerCounters from './migrations/0026-offer-counters-not-catalog.ts';
import * as usersLastVisit from './migrations/0027-users-last-visit-not-a-change.ts';
import * as webhookInboxQueue from './migrations/0028-webhook-inbox-queue.ts';
import { createInboxTable } from './migrations/0028-webhook-inbox-queue.ts';
import * as inboxUnappliedIndex from './migrations/0029-inbox-unapplied-index.ts';
import { NAMED_BY_USE, namingByUse, statementName } from './prepared.ts';
import { everyProcess, postgresRole, type Role, sqliteRole } from './role.ts';
import type { DB } from './schema.ts';
import { isBusy, WaitingSqliteDialect } from './sqlite-driver.ts';

export type Database = Kysely<DB>;
export type Engine = 'sqlite' | 'postgres';

const migrations: Record<string, Migration> = {
  '0001-foundation': foundation,
  '0002-hub': hub,
  '0003-offers': offers,
  '0004-like-indexes': likeIndexes,
  '0005-account-safety': accountSafety,
  '0006-paid-checkout': paidCheckout,
  '0007-affiliates': affiliates,
  '0008-one-pending-confirmation': onePendingConfirmation,
  '0009-rate-limits': rateLimits,
  '0010-feed-version': feedVersion,
  '0011-metrics': metrics,
  '0012-offer-description': offerDescription,
  '0013-group-version': groupVersion,
  '0014-home-feed': homeFeed,
  '0015-search': search,
  '0016-notifications': notifications,
  '0017-notification-email': notificationEmail,
  '0018-group-conversation': groupConversation,
  '0019-moderation': moderation,
  '0020-profiles': profiles,
  '0021-follows-and-directories': followsAndDirectories,
  '0022-counts-and-follower-lookups': countsAndFollowerLookups,
  '0023-one-open-report': oneOpenReport,
  '0024-change-topics': changeTopics,
  '0025-user-changes': userChanges,
  '0026-offer-counters-not-catalog': offerCounters,
  '0027-users-last-visit-not-a-change': usersLastVisit,
  '0028-webhook-inbox-queue': webhookInboxQueue,
  '0029-inbox-unapplied-index': inboxUnappliedIndex,
};

/**
 * Whether a write failed on a unique index: two requests raced to create the same thing. On PostgreSQL
 * the transaction is then aborted, so the caller retries it (the retry finds the winner's row).
 */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * Runs `work` (a whole transaction) again when the database aborted it for another transaction's sake
 * — a deadlock or a serialization failure (PostgreSQL), a busy database (SQLite with several processes)
 * — up to `attempts` times. Its effects were rolled back, so running it again is safe.
 */
export async function retryingConflicts<T>(work: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      // 0A000: a named statement a migration made stale, inside the transaction (openDatabase's pool
      // sends it unnamed from then on).
      const conflict = code === '40P01' || code === '40001' || code === '0A000' || isBusy(error);
      if (!conflict || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10 * attempt + Math.random() * 20));
    }
  }
}

/**
 * The column a unique violation was on, in the API's camelCase, when the engine says: PostgreSQL's
 * detail reads `Key (lower(email))=(…) already exists`, SQLite's message `UNIQUE constraint failed:
 * users.email`.
 */
export function uniqueViolationField(error: unknown): string | null {
  const { detail, message } = (error ?? {}) as { detail?: unknown; message?: unknown };
  const pg = typeof detail === 'string' ? /^Key \((.+?)\)=/.exec(detail)?.[1] : undefined;
  const sqlite = typeof message === 'string' ? /constraint failed: ([\w.]+)/.exec(message)?.[1] : undefined;
  const raw = pg ?? sqlite;
  if (!raw) return null;
  // `lower(email::text)`, `users.email` or `offer_id, email`: the last name in the first part.
  const names = (raw.split(',')[0] ?? '').replace(/::\w+/g, '').match(/[a-z_]+/gi) ?? [];
  const column = names.at(-1);
  if (!column) return null;
  return column.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase());
}

export interface OpenDatabaseOptions {
  /** PostgreSQL only: the schema to use (tests give each run its own). */
  searchPath?: string;
  /** PostgreSQL only: pool size. */
  poolSize?: number;
  /** Called with every query's SQL (tests count queries with it). */
  onQuery?: (sql: string) => void;
  /**
   * Hear of changes for in-process caches (changes.ts; a server's, a test's): on PostgreSQL a listening
   * connection of its own. Off unless asked, and off when the configuration says so.
   */
  caches?: boolean;
  /**
   * SQLite only: checkpoints made by a thread beside the process (a server's, one of `processes`;
   * checkpointer.ts).
   */
  checkpointsInBackground?: { processes: number };
}

/**
 * The pool as Kysely sees it. With `naming`, its connections send each hot query and each statement the
 * pool sends again (prepared.ts, `namingByUse`) by name: the server parses and plans it on a connection's first
 * use and reuses the plan after; everything else goes as before (unnamed statements). With `committed`, the topics a connection's writes changed (the
 * triggers' notices, changes.ts) are handed over once its transaction commits, or at once for a write
 * outside one; a rollback forgets them.
 */
function trackingPool(
  pool: pg.Pool,
  options: {
    naming: boolean;
    committed?: (topics: Set<string>) => void;
    topicOf?: (notice: string) => string | null;
    /** Runs when the pool ends (the database is destroyed). */
    close?: () => Promise<void>;
  },
) {
  // One wrapper per connection, kept as long as the connection (Kysely keys its own state by it).
  const wrapped = new WeakMap<pg.PoolClient, pg.PoolClient>();
  const byUse = options.naming ? namingByUse(NAMED_BY_USE) : null;
  const track = (client: pg.PoolClient) => {
    // Statements this connection can no longer run by name (below): sent unnamed from then on.
    const stale = new Set<string>();
    // Kysely opens and ends transactions with these statements, through this same query().
    let inTransaction = false;
    const changed = new Set<string>();
    const { committed, topicOf } = options;
    if (committed && topicOf) {
      client.on('notice', (notice) => {
        const topic = topicOf(notice.message ?? '');
        if (topic) changed.add(topic);
      });
    }
    // Forgotten at a ROLLBACK; handed over once no transaction is open — after a COMMIT or a statement
    // of its own, even one that failed (a COMMIT cut off as it answered may have committed: moving a
    // topic for nothing costs a kept value, never a stale one).
    const settle = (ended: 'commit' | 'rollback' | null) => {
      if (changed.size === 0) return;
      if (ended === 'rollback') changed.clear();
      else if (!inTransaction) {
        committed?.(new Set(changed));
        changed.clear();
      }
    };
    const run = async (text: unknown, values?: unknown[]) => {
      const name =
        byUse && typeof text === 'string'
          ? (statementName(text) ?? byUse(text, values?.length ?? 0))
          : undefined;
      if (!name || stale.has(name)) return client.query(text as string, values);
      try {
        return await client.query({ name, text: text as string, values });
      } catch (error) {
        // "cached plan must not change result type": a migration changed a table under a statement
        // this connection prepared (a newer version migrated while this one still runs). Outside a
        // transaction it runs again unnamed; inside one, the transaction is aborted already: the
        // error goes up, and retryingConflicts runs the whole transaction again.
        if ((error as { code?: string }).code !== '0A000') throw error;
        stale.add(name);
        if (inTransaction) throw error;
        return client.query(text as string, values);
      }
    };
    const query = async (text: unknown, values?: unknown[]) => {
      let ended: 'commit' | 'rollback' | null = null;
      if (typeof text === 'string') {
        if (/^(begin|start transaction)/i.test(text)) inTransaction = true;
        else if (/^commit$/i.test(text)) [inTransaction, ended] = [false, 'commit'];
        else if (/^rollback$/i.test(text)) [inTransaction, ended] = [false, 'rollback'];
      }
      try {
        return await run(text, values);
      } finally {
        settle(ended);
      }
    };
    return new Proxy(client, {
      get(target, key, receiver) {
        return key === 'query' ? query : Reflect.get(target, key, receiver);
      },
    });
  };
  return {
    connect: async () => {
      const client = await pool.connect();
      let proxy = wrapped.get(client);
      if (!proxy) {
        proxy = track(client);
        wrapped.set(client, proxy);
      }
      return proxy;
    },
    end: async () => {
      await options.close?.();
      await pool.end();
    },
  } as unknown as pg.Pool;
}

export async function openDatabase(
  database: Config['database'],
  options: OpenDatabaseOptions = {},
): Promise<{ db: Database; engine: Engine }> {
  const plugins = [new CamelCasePlugin()];
  const onQuery = options.onQuery;
  const log = onQuery ? { log: (event: { query: { sql: string } }) => onQuery(event.query.sql) } : {};
  if (database.kind === 'postgres') {
    // Loaded here, so that a SQLite platform never loads PostgreSQL's driver.
    const { default: pg } = await import('pg');
    // Epoch milliseconds live in bigint columns; they fit a JS number for the next 285 000 years.
    pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
    const connection = {
      max: options.poolSize ?? 10,
      ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
    };
    const pool = new pg.Pool({ connectionString: database.url, ...connection });
    // DATABASE_PREPARED_STATEMENTS=false says PgBouncer in transaction mode, where LISTEN goes astray:
    // nothing is kept then unless DATABASE_LISTEN_URL leads past it.
    const listens = database.preparedStatements !== false || database.listenUrl !== undefined;
    const heard =
      options.caches && database.inProcessCache !== false && listens
        ? postgresChanges(
            pg.Client,
            { connectionString: database.listenUrl ?? database.url, ...connection },
            (text, values) => pool.query(text, values),
            (message) => process.emitWarning(message),
          )
        : null;
    const dialectPool = trackingPool(pool, {
      naming: database.preparedStatements !== false,
      ...(heard ? { committed: heard.committed, topicOf: noticeTopic, close: heard.changes.close } : {}),
    });
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: dialectPool }), plugins, ...log });
    if (heard) attachChanges(db, heard.changes);
    // A connection of its own holds a role's lock (role.ts), through a pooler or not.
    // Time limits: a connection that hangs must not hold up the drainer's looks, or a process stopping.
    const { max: _pooled, ...session } = connection;
    const limits = { keepAlive: true, connectionTimeoutMillis: 5_000, query_timeout: 5_000 };
    postgresSessions.set(db, () => new pg.Client({ connectionString: database.url, ...session, ...limits }));
    return { db, engine: 'postgres' };
  }
  const inbox = await openSqliteInbox(inboxFileOf(database.file), plugins);
  const sqlite = openSqliteFile(database.file);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  keepStatisticsPerIndexOnly(sqlite);
  const db = new Kysely<DB>({
    // Waits for another process's write lock without blocking this one (sqlite-driver.ts).
    dialect: new WaitingSqliteDialect({ database: withStatementCache(sqlite) }, sqlite, {
      ...(options.checkpointsInBackground
        ? { checkpointsInBackground: options.checkpointsInBackground }
        : {}),
      onDestroy: () => inbox.destroy(),
    }),
    plugins,
    ...log,
  });
  if (options.caches && database.inProcessCache !== false) attachChanges(db, sqliteChanges(sqlite));
  sqliteSides.set(db, { inbox, file: database.file });
  return { db, engine: 'sqlite' };
}

/** A SQLite file opened as Guildhall keeps them: private to its owner, write-ahead log, NORMAL sync. */
function openSqliteFile(file: string): SQLite.Database {
  if (file !== ':memory:') makePrivateFile(file);
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  return sqlite;
}

/** What a SQLite database opened by `openDatabase` has beside it: its file, and the inbox's. */
const sqliteSides = new WeakMap<object, { inbox: Database; file: string }>();

/** The role `name` among the processes sharing this database (role.ts). */
export function processRole(db: Database, name: string): Role {
  const file = sqliteSides.get(db)?.file;
  if (file) return file === ':memory:' ? everyProcess : sqliteRole(roleFileOf(file, name));
  const session = postgresSessions.get(db);
  return session ? postgresRole(session, name) : everyProcess;
}

/** How a PostgreSQL database opened by `openDatabase` opens a connection of its own (a role's lock). */
const postgresSessions = new WeakMap<object, () => pg.Client>();

/**
 * Where Stripe's deliveries wait to be applied (the `stripe_inbox` table, billing.inbox.ts): on
 * PostgreSQL the database itself; on SQLite a file of its own beside the database, opened and closed
 * with it. SQLite lets one process write a file at a time, and a process applying a batch of events
 * holds that lock for tens of milliseconds: taking a delivery in (and answering Stripe) must not wait
 * for it.
 */
export function inboxOf(db: Database): Database {
  return sqliteSides.get(db)?.inbox ?? db;
}

async function openSqliteInbox(file: string, plugins: CamelCasePlugin[]): Promise<Database> {
  const sqlite = openSqliteFile(file);
  const inbox = new Kysely<DB>({
    dialect: new WaitingSqliteDialect({ database: withStatementCache(sqlite) }, sqlite),
    plugins,
  });
  await createInboxTable(inbox as unknown as Kysely<unknown>);
  return inbox;
}

/**
 * better-sqlite3 builds SQLite with STAT4: after an ANALYZE, a statement whose plan looked at the sampled
 * values of an index is re-prepared every time one of its parameters is bound (SQLite's rule for STAT4,
 * whatever the value), which undoes the statement cache below and cost a hot read 20–60 % of its time.
 * Guildhall's queries are planned from their indexes, for which the per-index statistics of
 * sqlite_stat1 are enough: the samples an ANALYZE (by an operator, or a benchmark) left are dropped when
 * the database is opened, and the planner reloads what remains.
 */
function keepStatisticsPerIndexOnly(sqlite: SQLite.Database): void {
  const sampled = sqlite.prepare("select 1 from sqlite_schema where name = 'sqlite_stat4'").get();
  if (!sampled) return;
  if (sqlite.prepare('delete from sqlite_stat4').run().changes > 0) sqlite.exec('analyze sqlite_schema');
}

/**
 * Kysely prepares every query afresh; on SQLite preparing is a good part of a query's cost. Our queries
 * come from a bounded set of shapes, so one statement is kept per SQL text (better-sqlite3 statements are
 * reusable, and its API is synchronous, so no two callers ever use one at once).
 */
function withStatementCache(sqlite: SQLite.Database, max = 2000) {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(source: string): SQLite.Statement {
      let statement = statements.get(source);
      if (!statement) {
        statement = sqlite.prepare(source);
        if (statements.size >= max) statements.delete(statements.keys().next().value as string);
        statements.set(source, statement);
      }
      return statement;
    },
  };
}

/** Applies every migration not yet applied; forward-only. */
export async function migrateToLatest(db: Database): Promise<string[]> {
  const schema = await currentPostgresSchema(db);
  const migrator = new Migrator({
    db: schema ? lookingInOnly(db, schema) : db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
    // Kysely looks for its tables by name across schemas unless told which one is ours.
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  // A migration may have added the triggers a topic needs (kept values, changes.ts).
  await changesOf(db).refresh();
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * The database as the migrator sees it, finding its tables in our own schema alone. Kysely's
 * introspection reads the catalog of every schema, and on PostgreSQL fails ("column … does not exist")
 * when another schema is being altered meanwhile — another deployment's migration on the same server,
 * or another test file's.
 */
function lookingInOnly(db: Database, schema: string): Database {
  const introspection = {
    // Our schema exists: search_path named it, and current_schema() answered it.
    getSchemas: async () => [{ name: schema }],
    getTables: async () =>
      (await tablesOfThisDatabase(db)).map((table) => ({ ...table, isView: false, columns: [] })),
  };
  return new Proxy(db, {
    get(target, key) {
      if (key === 'introspection') return introspection;
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * The tables of this database with their columns, in order: on PostgreSQL those of our schema alone
 * (current_schema()), read from the catalog without touching other schemas' objects.
 */
export async function tablesOfThisDatabase(
  db: Database,
): Promise<{ name: string; schema?: string; columns: { name: string }[] }[]> {
  const schema = await currentPostgresSchema(db);
  if (!schema) {
    const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
    return tables.map((table) => ({
      name: table.name,
      columns: table.columns.map(({ name }) => ({ name })),
    }));
  }
  const { rows } = await sql<{ tableName: string; columnName: string | null }>`
    select c.relname as table_name, a.attname as column_name
    from pg_catalog.pg_class c
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    left join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
    where n.nspname = ${schema} and c.relkind in ('r', 'p')
    order by c.relname, a.attnum`.execute(db);
  const tables = new Map<string, { name: string; schema: string; columns: { name: string }[] }>();
  for (const row of rows) {
    const table = tables.get(row.tableName) ?? { name: row.tableName, schema, columns: [] };
    if (row.columnName) table.columns.push({ name: row.columnName });
    tables.set(row.tableName, table);
  }
  return [...tables.values()];
}

/** The schema new tables go to on PostgreSQL (search_path decides); null on SQLite. */
async function currentPostgresSchema(db: Database): Promise<string | null> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return null;
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema ?? null;
}

/** Answers whether the database answers a trivial query. */
export async function pingDatabase(db: Database): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    // A failed ping is the answer, not an error: /healthz reports 503.
    return false;
  }
}
