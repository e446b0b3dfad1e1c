// SQLite lets one connection write at a time. With several processes on one database (`start
// --processes N`, a `guildhall` command beside the server) a writer often finds another's lock, and
// SQLite's own busy handler waits for it by sleeping — 1, 2, 5, 10 ms and longer — inside the call;
// better-sqlite3 is synchronous, so the whole process slept with it: no request parsed, no response
// written, its core idle. Here a busy database is waited for between turns of the event loop instead,
// and a transaction takes the write lock as it begins (BEGIN IMMEDIATE), where waiting is safe: a
// deferred one that read first could find, at its first write, that another process wrote since
// (SQLITE_BUSY_SNAPSHOT), and would have to start over.
import type SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from 'kysely';
import { backgroundCheckpoints, type Checkpointer } from './checkpointer.ts';

/** How long a statement waits for another connection's lock before it fails with SQLITE_BUSY. */
const LOCK_WAIT_MS = 5_000;
/** Tries on the next turn of the event loop before waiting a millisecond between tries. */
const QUICK_TRIES = 8;

/** SQLITE_BUSY and its extended codes (another connection holds the lock). */
export function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/**
 * `attempt` until it does not find the database busy, for up to `waitMs`; between tries the event loop
 * turns (the other connection's transaction is usually over within a millisecond).
 */
export async function whileBusy<T>(attempt: () => Promise<T> | T, waitMs = LOCK_WAIT_MS): Promise<T> {
  const started = performance.now();
  for (let tries = 1; ; tries += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (!isBusy(error) || performance.now() - started >= waitMs) throw error;
    }
    await new Promise((resolve) => (tries < QUICK_TRIES ? setImmediate(resolve) : setTimeout(resolve, 1)));
  }
}

/** The one connection, waiting for the lock outside a transaction (inside one it is held already). */
class WaitingConnection implements DatabaseConnection {
  constructor(
    private readonly inner: DatabaseConnection,
    private readonly sqlite: SQLite.Database,
  ) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.sqlite.inTransaction) return this.inner.executeQuery<R>(query);
    return whileBusy(() => this.inner.executeQuery<R>(query));
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

class WaitingSqliteDriver extends SqliteDriver {
  #connection: WaitingConnection | null = null;

  constructor(
    config: SqliteDialectConfig,
    private readonly sqlite: SQLite.Database,
    private readonly checkpointer: Checkpointer | null,
    private readonly onDestroy?: () => Promise<void>,
  ) {
    super(config);
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const inner = await super.acquireConnection();
    this.#connection ??= new WaitingConnection(inner, this.sqlite);
    return this.#connection;
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  override async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await super.commitTransaction(connection);
    this.checkpointer?.committed();
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await super.rollbackTransaction(connection);
    this.checkpointer?.rolledBack();
  }

  override async destroy(): Promise<void> {
    await this.checkpointer?.close();
    await super.destroy();
    await this.onDestroy?.();
  }
}

/**
 * Kysely's SQLite dialect over `sqlite`, whose busy timeout it sets to 0: waiting for a lock is done
 * here, without blocking the process. With `checkpointsInBackground` (a serving process, one of
 * `processes`), checkpoints are made by a thread beside it (checkpointer.ts).
 */
export class WaitingSqliteDialect extends SqliteDialect {
  readonly #checkpointer: Checkpointer | null;

  constructor(
    private readonly dialectConfig: SqliteDialectConfig,
    private readonly sqlite: SQLite.Database,
    private readonly options: {
      checkpointsInBackground?: { processes: number };
      /** Runs when the database is destroyed (what was opened with it). */
      onDestroy?: () => Promise<void>;
    } = {},
  ) {
    super(dialectConfig);
    sqlite.pragma('busy_timeout = 0');
    this.#checkpointer = options.checkpointsInBackground
      ? backgroundCheckpoints(sqlite, options.checkpointsInBackground)
      : null;
  }

  override createDriver(): Driver {
    return new WaitingSqliteDriver(
      this.dialectConfig,
      this.sqlite,
      this.#checkpointer,
      this.options.onDestroy,
    );
  }
}
