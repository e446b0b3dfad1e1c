// What lets a process keep a value in memory and still never show it once it is stale: every write to
// a table behind a topic moves the topic on (triggers, migrations 0024–0027), and each process hears of it.
//
// - SQLite: a topic's version is a row of `change_topics`. Before answering a version, the process asks
//   its connection whether anything was written since it last looked — its own writes
//   (`total_changes()`, at every look) or another process's (`PRAGMA data_version`, at most every
//   millisecond) — and reads the versions again only then.
// - PostgreSQL: the triggers NOTIFY every listening process at commit, and send the connection that
//   wrote a notice, so its own process moves the topic on as soon as that COMMIT returns (before the
//   request that wrote answers; with notices silenced by client_min_messages, when its own
//   notification arrives). Another process hears within the notification's delivery, well under a
//   millisecond here. While the listening connection is down, or until it has heard the pool's test
//   notification (every 5 s), nothing is kept (`version` answers null).
//
// The rule for a cache: take `version(topic)` *before* reading what you keep, keep the value under it,
// and use a kept value only while `version(topic)` still answers the same. A version is a number of
// this process's alone, never reused, so nothing kept under an older one can match again.
import type SQLite from 'better-sqlite3';
import type pg from 'pg';
import { lru } from '../lru.ts';

export type Topic = 'catalog' | 'actors' | 'access' | 'users';

export interface Changes {
  /** This process's version of `topic`, or null when nothing may be kept now. */
  version(topic: Topic): number | null;
  /** Resolves once versions can be trusted (at once on SQLite; PostgreSQL: its listener heard itself). */
  ready(): Promise<boolean>;
  /** Looks again at which topics the database has triggers for (after migrating). */
  refresh(): Promise<void>;
  /**
   * Resolves once every change committed before the call has been heard (PostgreSQL: a notification
   * sent now comes back after theirs, which arrive in commit order; SQLite: at once).
   */
  settled(): Promise<void>;
  close(): Promise<void>;
}

const changesOfDatabase = new WeakMap<object, Changes>();
const NOTHING_KEPT: Changes = {
  version: () => null,
  ready: async () => false,
  refresh: async () => {},
  settled: async () => {},
  close: async () => {},
};

/** The changes of a database opened by `openDatabase` (any other: nothing may be kept). */
export function changesOf(db: object): Changes {
  return changesOfDatabase.get(db) ?? NOTHING_KEPT;
}

export function attachChanges(db: object, changes: Changes): void {
  changesOfDatabase.set(db, changes);
}

/** Values kept per key under one topic, by the rule above. */
export interface KeptValues<V> {
  /**
   * The value kept for `key` while the topic has not moved (and `usable` holds for it); otherwise what
   * `read` gives, kept unless it is undefined (a miss is never kept) or nothing may be kept now.
   */
  get(key: string, read: () => Promise<V>, usable?: (value: V) => boolean): Promise<V>;
  get(
    key: string,
    read: () => Promise<V | undefined>,
    usable?: (value: V) => boolean,
  ): Promise<V | undefined>;
}

/** At most `max` values kept under `topic` (the least recently used go first). */
export function keptValues<V>(changes: Changes, topic: Topic, max: number): KeptValues<V> {
  const entries = lru<{ version: number; value: V }>(max);
  return {
    async get(key: string, read: () => Promise<V | undefined>, usable: (value: V) => boolean = () => true) {
      const version = changes.version(topic);
      const kept = version === null ? undefined : entries.get(key);
      if (kept && kept.version === version && usable(kept.value)) return kept.value;
      const value = await read();
      if (value !== undefined && version !== null) entries.set(key, { version, value });
      return value;
    },
  } as KeptValues<V>;
}

/** Versions of this process, moved on whenever the source says a topic changed. */
function localVersions() {
  let next = 1;
  const versions = new Map<string, number>();
  return {
    get: (topic: string) => {
      let version = versions.get(topic);
      if (version === undefined) {
        version = next++;
        versions.set(topic, version);
      }
      return version;
    },
    move: (topic: string) => versions.set(topic, next++),
    moveAll: () => {
      for (const topic of versions.keys()) versions.set(topic, next++);
    },
  };
}

/** How long another process's commit may go unseen on SQLite (PostgreSQL: its notification's trip). */
const OTHERS_CHECKED_EVERY_MS = 1;

export function sqliteChanges(sqlite: SQLite.Database): Changes {
  const local = localVersions();
  // Prepared on first use: the table comes with a migration, after the database is opened.
  let own: SQLite.Statement | null = null;
  let others: SQLite.Statement | null = null;
  let read: SQLite.Statement | null = null;
  let ownSeen = -1;
  let othersSeen = -1;
  let othersCheckedAt = Number.NEGATIVE_INFINITY;
  const stored = new Map<string, number>();
  return {
    version(topic) {
      // Inside a transaction this connection would read versions not yet committed (or never to be).
      if (sqlite.inTransaction) return null;
      try {
        // This process's own writes: a counter of the connection's, about 0.1 µs to read.
        own ??= sqlite.prepare('select total_changes()').pluck();
        const ownNow = own.get() as number;
        // Another process's: data_version needs a read transaction (3–12 µs), so at most every
        // millisecond — about as long as a notification takes to cross processes on PostgreSQL.
        const at = performance.now();
        let othersNow = othersSeen;
        if (at - othersCheckedAt >= OTHERS_CHECKED_EVERY_MS) {
          others ??= sqlite.prepare('select data_version from pragma_data_version').pluck();
          othersNow = others.get() as number;
          othersCheckedAt = at;
        }
        if (ownNow !== ownSeen || othersNow !== othersSeen) {
          read ??= sqlite.prepare('select topic, version from change_topics').raw();
          for (const [name, version] of read.all() as [string, number][]) {
            if (stored.get(name) !== version) {
              stored.set(name, version);
              local.move(name);
            }
          }
          ownSeen = ownNow;
          othersSeen = othersNow;
        }
      } catch {
        return null; // not migrated yet
      }
      return stored.has(topic) ? local.get(topic) : null;
    },
    ready: async () => true,
    refresh: async () => {},
    settled: async () => {},
    close: async () => {},
  };
}

export const CHANGES_CHANNEL = 'guildhall_changes';
const NOTICE_PREFIX = 'guildhall_changed:';

/** The topic a trigger's notice names, if the notice is one. */
export function noticeTopic(message: string): string | null {
  return message.startsWith(NOTICE_PREFIX) ? message.slice(NOTICE_PREFIX.length) : null;
}

/** How often a listening connection checks that notifications still reach it. */
const HEARTBEAT_MS = 5_000;
/** After a failed check at start, how long before the listening connection tries again. */
const RETRY_AFTER_FAILED_CHECK_MS = 30_000;

/** The pool's own `query`, for the checks below (never inside a transaction). */
type PoolQuery = (text: string, values?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;

/**
 * PostgreSQL: a listening connection of its own. LISTEN needs a session of its own: through PgBouncer
 * in transaction mode notifications go astray, and a listening connection that reaches another
 * database or schema (another role's search_path, DATABASE_LISTEN_URL elsewhere) would hear nothing of
 * the pool's tables. So the pool sends a test notification naming its own schema when the connection
 * starts and every 5 s, and nothing is kept while one has not come back within 2 s.
 * `committed` is for the pool's connections: the topics their own transactions changed (the triggers'
 * notices), once committed; their notifications come as well, and move the topics once more.
 */
export function postgresChanges(
  Client: typeof pg.Client,
  connection: pg.ClientConfig,
  poolQuery: PoolQuery,
  log: (message: string) => void = () => {},
) {
  const local = localVersions();
  let schema: string | null = null;
  /** The topics this database has triggers for: any other is never answered (nothing moves it). */
  let watched = new Set<string>();
  let listening = false;
  let closed = false;
  let listener: pg.Client | null = null;
  let retry: NodeJS.Timeout | null = null;
  let heartbeat: NodeJS.Timeout | null = null;
  const waiting = new Map<string, () => void>();

  /** Whether a notification the pool sends, naming the pool's schema, reaches the listener in 2 s. */
  async function hearsThePool(): Promise<boolean> {
    const token = Math.random().toString(36).slice(2);
    const heard = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 2000);
      waiting.set(`${schema}::${token}`, () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    try {
      await poolQuery(`select pg_notify('${CHANGES_CHANNEL}', current_schema() || '::' || $1::text)`, [
        token,
      ]);
      return await heard;
    } catch {
      return false;
    } finally {
      waiting.delete(`${schema}::${token}`);
    }
  }

  /** The topics this schema has triggers for (migration 0024 and later), read through the pool. */
  let refreshes = 0;
  let refreshApplied = 0;
  async function refreshWatched(): Promise<void> {
    // Looks started later win over earlier ones that answer later (the one at start, before migrating).
    const mine = ++refreshes;
    const triggers = await poolQuery(
      `select distinct substring(t.tgname from '_([a-z]+)_changed$') as topic from pg_trigger t
         join pg_class c on c.oid = t.tgrelid where c.relnamespace = current_schema()::regnamespace
         and t.tgname like '%\\_changed'`,
    );
    if (mine < refreshApplied) return;
    refreshApplied = mine;
    watched = new Set(triggers.rows.map((row) => String(row.topic)));
  }

  function tryAgainIn(ms: number) {
    if (closed) return;
    retry = setTimeout(() => void listen(), ms);
    retry.unref();
  }

  async function listen(): Promise<boolean> {
    const client = new Client({ ...connection, keepAlive: true });
    listener = client;
    const down = () => {
      if (listener !== client) return;
      listening = false;
      listener = null;
      local.moveAll();
      tryAgainIn(1000);
    };
    client.on('error', down);
    client.on('end', down);
    client.on('notification', (message) => {
      const payload = message.payload ?? '';
      waiting.get(payload)?.();
      const [from, topic] = payload.split(':');
      if (from === schema && topic) local.move(topic);
    });
    try {
      schema = (await poolQuery('select current_schema() as schema')).rows[0]?.schema as string;
      await refreshWatched();
      await client.connect();
      await client.query(`listen ${CHANGES_CHANNEL}`);
      if (!(await hearsThePool())) {
        listener = null;
        log(
          'PostgreSQL notifications from the pool do not reach the listening connection (PgBouncer in transaction mode, or DATABASE_LISTEN_URL elsewhere?): nothing is kept in process; trying again in 30 s',
        );
        await client.end().catch(() => {});
        tryAgainIn(RETRY_AFTER_FAILED_CHECK_MS);
        return false;
      }
      local.moveAll();
      listening = true;
      return true;
    } catch {
      down();
      return false;
    }
  }

  const started = listen();
  heartbeat = setInterval(() => {
    const client = listener;
    if (!listening || !client) return;
    void refreshWatched().catch(() => {});
    void hearsThePool().then((ok) => {
      if (ok || listener !== client) return;
      log('PostgreSQL notifications stopped coming back: nothing is kept in process until they do');
      listening = false;
      local.moveAll();
      void client.end().catch(() => {});
    });
  }, HEARTBEAT_MS);
  heartbeat.unref();

  const changes: Changes = {
    version: (topic) => (listening && watched.has(topic) ? local.get(topic) : null),
    ready: () => started,
    refresh: () => refreshWatched().catch(() => {}),
    settled: async () => {
      if (listening) await hearsThePool();
    },
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      if (heartbeat) clearInterval(heartbeat);
      const client = listener;
      listener = null;
      listening = false;
      await client?.end().catch(() => {});
    },
  };
  return {
    changes,
    /** The topics a pool connection's notices named, now committed (or perhaps: a COMMIT cut off). */
    committed(topics: Iterable<string>) {
      for (const topic of topics) local.move(topic);
    },
  };
}
