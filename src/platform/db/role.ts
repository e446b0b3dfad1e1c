// A role one process of several holds at a time on SQLite (the webhook inbox's drainer,
// billing.inbox.ts): SQLite has one writer, and two processes writing in turn each throw away the
// other's page cache and wait on its lock. The role is an exclusive lock on a small file of its own
// beside the database (an empty SQLite file held in an open `BEGIN EXCLUSIVE`), which the kernel lets
// go of the moment its process dies — SIGKILLed, out of memory — so another process takes the role at
// its next try, without waiting for a lease to run out.
//
// On PostgreSQL every process holds it: transactions run side by side there. A role is only ever an
// economy: whatever holds it must still be safe when two processes act at once.
import SQLite from 'better-sqlite3';
import { makePrivateFile } from './files.ts';

export interface Role {
  /** Whether one process at a time holds it (SQLite), or every process (PostgreSQL, one process). */
  exclusive: boolean;
  /** Takes the role if no live process holds it; true while this process holds it. */
  tryTake(): Promise<boolean>;
  /** Lets the role go (a process stopping). */
  release(): Promise<void>;
}

/** A role held through `lockFile` (SQLite, files.ts `roleFileOf`); with none, every process holds it. */
export function roleOf(lockFile: string | null): Role {
  return lockFile ? sqliteRole(lockFile) : alwaysHeld;
}

const alwaysHeld: Role = { exclusive: false, tryTake: async () => true, release: async () => {} };

function sqliteRole(lockFile: string): Role {
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
