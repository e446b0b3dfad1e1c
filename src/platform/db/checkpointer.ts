// SQLite in WAL mode appends each commit to the log and copies the log back into the database file — a
// checkpoint — once it passes 1 000 pages, inside whichever commit passes it: that commit copies some
// hundreds of pages and waits for two fsyncs (12–20 ms on this project's VM, the event loop stopped),
// and on average every commit paid 270–300 µs where appending alone costs about 110 (a benchmark of 12
// random pages a commit).
//
// A serving process that writes hands the copying to a thread of its own: every CHECKPOINT_EVERY_MS the
// thread copies what the log holds into the database file and syncs it (PASSIVE: it never holds up a
// reader or a writer). The log can only start over after a checkpoint that ended with nothing appended
// meanwhile, which under steady writes the thread's never does; so once the log passes RESTART_AT_PAGES
// the thread asks the process, which between two of its transactions finishes the checkpoint itself
// (RESTART: a few pages left to copy and the syncs) and the next commit writes the log from its start.
// The thread starts with the process's first writes (an idle server keeps its memory). Should it fail
// or fall behind, SQLite's own checkpoint takes over at BACKSTOP_PAGES; a thread that stops sets it back
// to SQLite's default.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

/** Commits this process makes before it starts the thread. */
export const START_AFTER_COMMITS = 50;
const CHECKPOINT_EVERY_MS = 20;
/** A log this long is started over by the process, between two of its transactions. */
const RESTART_AT_PAGES = 2_000;
/** The log length at which SQLite checkpoints in the committing connection anyway. */
const BACKSTOP_PAGES = 10_000;
const SQLITE_DEFAULT_PAGES = 1_000;

// The thread's code, CommonJS: it opens its own connection to the same file. It asks for a restart once
// the log is long, and again only when the log has grown since: after a restart the log keeps its
// length until the next write starts it over, and an idle server must not be asked every turn.
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.driver);
const db = new SQLite(workerData.file);
db.pragma('busy_timeout = 0');
let waiting = false;
let askedAt = 0;
// A checkpoint another connection holds up answers busy in its row, never as an error: an error ends
// the thread, and the process's commits checkpoint as before.
const timer = setInterval(() => {
  const [{ log }] = db.pragma('wal_checkpoint(PASSIVE)');
  if (log < askedAt) askedAt = 0;
  if (log >= workerData.restartAt && log > askedAt && !waiting) {
    waiting = true;
    askedAt = log;
    parentPort.postMessage('restart');
  }
}, workerData.everyMs);
parentPort.on('message', (message) => {
  if (message === 'restarted') {
    waiting = false;
    return;
  }
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  /** A transaction of this process's connection committed. */
  committed(): void;
  /** A transaction of this process's connection rolled back (a restart asked meanwhile runs now). */
  rolledBack(): void;
  close(): Promise<void>;
}

/**
 * `processes`: how many processes serve the database, each with such a thread; they checkpoint
 * `processes` times less often, so the disk sees as many syncs as from one.
 */
export function backgroundCheckpoints(sqlite: SQLite.Database, options: { processes: number }): Checkpointer {
  const warn = (message: string) => process.emitWarning(message);
  let commits = 0;
  let running: { worker: Worker; exited: Promise<unknown> } | null = null;
  let closed = false;
  /** The thread asked while a transaction was open: done when it ends (commit or rollback). */
  let restartAfterTransaction = false;

  /**
   * Finishes the thread's checkpoint between two transactions (asked while one is open, once it
   * ends), so the log starts over (another process writing or reading the log makes it answer busy:
   * the thread asks again when the log grew).
   */
  function restart(worker: Worker) {
    if (closed || !sqlite.open) return;
    if (sqlite.inTransaction) {
      restartAfterTransaction = true;
      return;
    }
    restartAfterTransaction = false;
    try {
      sqlite.pragma('wal_checkpoint(RESTART)');
    } catch (error) {
      warn(`SQLite could not start its log over: ${(error as Error).message}`);
    }
    worker.postMessage('restarted');
  }

  function start() {
    const worker = new Worker(THREAD, {
      eval: true,
      workerData: {
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        file: sqlite.name,
        everyMs: CHECKPOINT_EVERY_MS * Math.max(1, options.processes),
        restartAt: RESTART_AT_PAGES,
      },
    });
    worker.unref();
    running = { worker, exited: new Promise((resolve) => worker.once('exit', resolve)) };
    worker.once('online', () => {
      if (!closed) sqlite.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
    });
    worker.on('message', () => restart(worker));
    worker.once('error', (error) => {
      warn(`SQLite checkpoints are back in the committing connection: ${error.message}`);
    });
    worker.once('exit', () => {
      if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_PAGES}`);
    });
  }

  return {
    rolledBack() {
      if (!closed && running && restartAfterTransaction) restart(running.worker);
    },
    committed() {
      if (closed) return;
      if (running) {
        if (restartAfterTransaction) restart(running.worker);
        return;
      }
      commits += 1;
      if (commits !== START_AFTER_COMMITS) return;
      // Called after a COMMIT: nothing here may fail the transaction that committed.
      try {
        start();
      } catch (error) {
        warn(`SQLite checkpoints stay in the committing connection: ${(error as Error).message}`);
      }
    },
    async close() {
      closed = true;
      if (!running) return;
      // Unreferenced while it runs (it never keeps a process alive), referenced while it closes: the
      // process waits for it.
      running.worker.ref();
      running.worker.postMessage('stop');
      await running.exited;
    },
  };
}
