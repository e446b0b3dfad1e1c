// SQLite in WAL mode appends each commit to the log and copies the log back into the database file — a
// checkpoint — once it passes 1 000 pages, inside whichever commit passes it: that commit writes some
// hundreds of pages and waits for two fsyncs (12–16 ms on this project's VM, the event loop stopped),
// and on average every commit paid 270 µs where appending alone costs 110 (a benchmark of 12 random
// pages a commit). A serving process that writes hands checkpoints to a thread of its own instead: its
// commits only append, and the copying and the fsyncs happen beside them. The thread starts with the
// process's first writes (an idle server keeps its memory), checkpoints whatever the log holds every
// CHECKPOINT_EVERY_MS without holding up readers or writers (PASSIVE), and once the log is long lets
// the next writer start it over (RESTART, which writers wait out between turns of the event loop:
// sqlite-driver.ts). Should the thread fail or fall behind, SQLite's own checkpoint takes over at
// BACKSTOP_PAGES; a thread that stops sets it back to SQLite's default.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

/** Commits this process makes before it starts the thread. */
const START_AFTER_COMMITS = 50;
const CHECKPOINT_EVERY_MS = 100;
/** A log this long is started over (once all of it is in the database file). */
const RESTART_AT_PAGES = 4_000;
/** The log length at which SQLite checkpoints in the committing connection anyway. */
const BACKSTOP_PAGES = 20_000;
const SQLITE_DEFAULT_PAGES = 1_000;

// The thread's code, CommonJS: it opens its own connection to the same file.
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.driver);
const db = new SQLite(workerData.file);
// RESTART waits this long for readers to leave the log; PASSIVE never waits.
db.pragma('busy_timeout = 20');
const timer = setInterval(() => {
  try {
    const [{ log, checkpointed }] = db.pragma('wal_checkpoint(PASSIVE)');
    if (log >= workerData.restartAt && checkpointed === log) db.pragma('wal_checkpoint(RESTART)');
  } catch (error) {
    // SQLITE_BUSY: another process's checkpoint is running, or readers stayed; the next turn tries again.
    if (!String(error && error.code).startsWith('SQLITE_BUSY')) throw error;
  }
}, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  /** A transaction of this process's connection committed. */
  committed(): void;
  close(): Promise<void>;
}

export function backgroundCheckpoints(
  sqlite: SQLite.Database,
  warn: (message: string) => void = (message) => process.emitWarning(message),
): Checkpointer {
  let commits = 0;
  let running: { worker: Worker; exited: Promise<unknown> } | null = null;
  let closed = false;

  function start() {
    const started = new Worker(THREAD, {
      eval: true,
      workerData: {
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        file: sqlite.name,
        everyMs: CHECKPOINT_EVERY_MS,
        restartAt: RESTART_AT_PAGES,
      },
    });
    started.unref();
    running = { worker: started, exited: new Promise((resolve) => started.once('exit', resolve)) };
    started.once('online', () => {
      if (!closed) sqlite.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
    });
    started.once('error', (error) => {
      warn(`SQLite checkpoints are back in the committing connection: ${error.message}`);
    });
    started.once('exit', () => {
      if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_PAGES}`);
    });
  }

  return {
    committed() {
      commits += 1;
      if (commits === START_AFTER_COMMITS && !closed) start();
    },
    async close() {
      closed = true;
      if (!running) return;
      running.worker.postMessage('stop');
      await running.exited;
    },
  };
}
