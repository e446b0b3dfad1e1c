// A role one process of several holds at a time (the webhook inbox's drainer, billing.inbox.ts). Two
// processes applying events side by side each apply half of a buyer's events and wait on the other's
// locks (and, on SQLite, on its one write lock, throwing away each other's page cache): one process
// applying them all, several transactions at once on PostgreSQL, goes faster. Whoever holds a role
// lets it go the moment its process dies — SIGKILLed, out of memory — and another process takes it
// at its next try, without waiting for a lease to run out.
//
// - SQLite: an exclusive lock on a small file of its own beside the database (an empty SQLite file
//   held in an open `BEGIN EXCLUSIVE`), which the kernel lets go of with the process.
// - PostgreSQL: an advisory lock in a transaction kept open on a connection of its own, which the
//   server lets go of when the connection ends (a dead process's socket is closed by its kernel).
// - An in-memory database: its one process holds it.
//
// A role is only ever an economy: whatever holds it must still be safe when two processes act at once
// (a lost connection lets the role go while its process still believes it holds it).
import SQLite from 'better-sqlite3';
import type pg from 'pg';
import { makePrivateFile } from './files.ts';

export interface Role {
  /** Whether one process at a time holds it, or every process. */
  exclusive: boolean;
  /**
   * Takes the role if no live process holds it; true while this process holds it. Throws when what
   * holds it cannot be reached (PostgreSQL refused the connection).
   */
  tryTake(): Promise<boolean>;
  /** Lets the role go (a process stopping). */
  release(): Promise<void>;
}

/** Every process holds it (one process, or nothing to lock with). */
export const everyProcess: Role = { exclusive: false, tryTake: async () => true, release: async () => {} };

/** A role held through `lockFile` (files.ts `roleFileOf`). */
export function sqliteRole(lockFile: string): Role {
  let lock: SQLite.Database | null = null;
  return {
    exclusive: true,
    async tryTake() {
      if (lock) return true;
      // Readable by its owner only, as the database (created before SQLite opens it).
      makePrivateFile(lockFile);
      const candidate = new SQLite(lockFile);
      try {
        candidate.pragma('busy_timeout = 0');
        candidate.exec('begin exclusive');
        lock = candidate;
        return true;
      } catch {
        candidate.close();
        return false;
      }
    },
    async release() {
      lock?.close();
      lock = null;
    },
  };
}

/**
 * How long PostgreSQL keeps the lock's transaction once nothing comes from it: the holder sends a
 * statement at every look (every 250 ms), so only a holder whose machine is gone, or whose network is
 * cut, without its connection closing, lets the role go this way.
 */
const LOCK_IDLE_MS = 10_000;

/**
 * The role `name` held through an advisory lock taken in a transaction kept open on a connection of
 * its own (one per role and process, kept while it waits for the role, so a try is two statements).
 * A transaction's lock, not a session's: through a pooler in transaction mode (PgBouncer) the open
 * transaction keeps its server connection, and the pooler drops that connection when its client goes,
 * so the lock goes with it. The transaction (read committed, whatever the database's default) writes
 * nothing and holds no snapshot between statements: it keeps nothing from VACUUM. The lock is named by
 * the schema too: two deployments on one database, each in its schema, do not share it. A try throws
 * when the lock cannot be reached (the connection refused, a statement failed).
 */
export function postgresRole(connect: () => pg.Client, name: string): Role {
  let session: pg.Client | null = null;
  let held = false;
  let trying: Promise<boolean> | null = null;

  function forget(client: pg.Client) {
    if (session !== client) return;
    // Lost (the server restarted, the network, the transaction's idle timeout): the lock went with
    // it; the next try starts anew.
    session = null;
    held = false;
    client.end().catch(() => {});
  }

  async function attempt(): Promise<boolean> {
    if (!session) {
      const client = connect();
      client.on('error', () => forget(client));
      client.on('end', () => forget(client));
      session = client;
      try {
        await client.connect();
      } catch (error) {
        forget(client);
        throw error;
      }
    }
    const client = session;
    try {
      if (held) {
        // Still there, and kept alive for another LOCK_IDLE_MS.
        await client.query('select 1');
        held = session === client;
        return held;
      }
      await client.query(
        `begin isolation level read committed; set local idle_in_transaction_session_timeout = ${LOCK_IDLE_MS}`,
      );
      const { rows } = await client.query<{ taken: boolean }>(
        `select pg_try_advisory_xact_lock(hashtextextended(current_schema() || '/' || $1::text, 0)) as taken`,
        [`guildhall:${name}`],
      );
      held = rows[0]?.taken === true && session === client;
      if (!held) await client.query('rollback');
      return held;
    } catch (error) {
      forget(client);
      throw error;
    }
  }

  return {
    exclusive: true,
    tryTake() {
      trying ??= attempt().finally(() => {
        trying = null;
      });
      return trying;
    },
    async release() {
      await trying?.catch(() => false);
      const client = session;
      session = null;
      held = false;
      if (!client) return;
      // A connection whose network is gone may not close for minutes: a process stopping does not
      // wait for it (the server ends the lock's transaction 10 s after its last statement).
      let waited: NodeJS.Timeout | undefined;
      await Promise.race([
        client.end().catch(() => {}),
        new Promise<void>((resolve) => {
          waited = setTimeout(resolve, 1_000);
        }),
      ]);
      clearTimeout(waited);
    },
  };
}
