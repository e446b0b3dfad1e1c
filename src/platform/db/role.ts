// A role one process of several holds at a time (the webhook inbox's drainer, billing.inbox.ts). It is
// a lock the operating system or PostgreSQL lets go of when its holder dies — SIGKILLed, out of memory,
// its machine gone — so another process takes the role at its next try, without waiting for a lease
// to run out.
//
// On SQLite: an exclusive lock on a small file of its own beside the database (an empty SQLite file
// held in an open `BEGIN EXCLUSIVE`; the kernel drops the lock with its process). On PostgreSQL: a
// session advisory lock on a connection the holder keeps. A role is only ever an economy: whatever
// holds it must still be safe when two processes act at once (a PostgreSQL connection that breaks lets
// the lock go while its process goes on).
import { closeSync, openSync } from 'node:fs';
import SQLite from 'better-sqlite3';
import { type Kysely, PostgresAdapter, sql } from 'kysely';

export interface Role {
  /** Takes the role if no live process holds it; true while this process holds it. */
  tryTake(): Promise<boolean>;
  /** Lets the role go (a process stopping). */
  release(): Promise<void>;
}

/** The role `name` among the processes sharing `db` (a SQLite `file`, or PostgreSQL). */
export function roleOf(db: Kysely<unknown>, name: string, file: string | null): Role {
  if (db.getExecutor().adapter instanceof PostgresAdapter) return postgresRole(db, name);
  if (!file || file === ':memory:') return alwaysHeld;
  return sqliteRole(`${file.replace(/\.sqlite$/, '')}.${name}.lock`);
}

const alwaysHeld: Role = { tryTake: async () => true, release: async () => {} };

function sqliteRole(lockFile: string): Role {
  let lock: SQLite.Database | null = null;
  return {
    async tryTake() {
      if (lock) return true;
      // Readable by its owner only, as the database (created before SQLite opens it).
      closeSync(openSync(lockFile, 'a', 0o600));
      const candidate = new SQLite(lockFile);
      candidate.pragma('busy_timeout = 0');
      try {
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

/** A 32-bit key for an advisory lock, from the role's name. */
function keyOf(name: string): number {
  let hash = 0;
  for (const char of `guildhall:${name}`) hash = (Math.imul(hash, 31) + (char.codePointAt(0) ?? 0)) | 0;
  return hash;
}

function postgresRole(db: Kysely<unknown>, name: string): Role {
  const key = keyOf(name);
  let held: { release: () => void; done: Promise<void> } | null = null;
  return {
    async tryTake() {
      if (held) return true;
      let answer: (taken: boolean) => void = () => {};
      const taken = new Promise<boolean>((resolve) => {
        answer = resolve;
      });
      let release: () => void = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      // The connection stays checked out of the pool for as long as the role is held.
      const done = db
        .connection()
        .execute(async (connection) => {
          const { rows } = await sql<{
            taken: boolean;
          }>`select pg_try_advisory_lock(${key}) as taken`.execute(connection);
          const got = rows[0]?.taken === true;
          answer(got);
          if (!got) return;
          await released;
          await sql`select pg_advisory_unlock(${key})`.execute(connection);
        })
        .catch(() => {
          answer(false);
          held = null;
        });
      const got = await taken;
      if (got) held = { release, done };
      return got;
    },
    async release() {
      const holding = held;
      held = null;
      if (!holding) return;
      holding.release();
      await holding.done;
    },
  };
}
