// Two connections on one SQLite file, as two web processes have: a writer waits for the other's lock
// without stopping its own process, and a transaction holds the lock from its start.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { START_AFTER_COMMITS } from './checkpointer.ts';
import { type Database, migrateToLatest, openDatabase } from './database.ts';
import { whileBusy } from './sqlite-driver.ts';

const file = join(mkdtempSync(join(tmpdir(), 'guildhall-locks-')), 'guildhall.db');
let db: Database;
/** The other process: a plain connection that never waits. */
let other: SQLite.Database;

beforeAll(async () => {
  ({ db } = await openDatabase({ kind: 'sqlite', file }));
  await migrateToLatest(db);
  await sql`create table lock_test (key text primary key, value text not null)`.execute(db);
  other = new SQLite(file);
  other.pragma('busy_timeout = 0');
});
afterAll(async () => {
  other.close();
  await db.destroy();
});

const put = (executor: Database, key: string) =>
  sql`insert into lock_test (key, value) values (${key}, 'x')`.execute(executor);
const keys = () => other.prepare('select key from lock_test order by key').pluck().all();

/** Counts turns of the event loop while `work` runs: a blocking wait would count none. */
async function turnsDuring<T>(work: Promise<T>): Promise<{ result: T; turns: number }> {
  let turns = 0;
  const timer = setInterval(() => {
    turns += 1;
  }, 1);
  try {
    return { result: await work, turns };
  } finally {
    clearInterval(timer);
  }
}

describe('SQLite shared by processes', () => {
  /** Runs `write` while the other connection holds the write lock for 40 ms. */
  async function whileTheOtherWrites<T>(key: string, write: () => Promise<T>) {
    other.exec('begin immediate');
    let waited: Promise<{ turns: number }>;
    try {
      other.prepare('insert into lock_test (key, value) values (?, ?)').run(key, 'x');
      waited = turnsDuring(write());
      await new Promise((resolve) => setTimeout(resolve, 40));
    } finally {
      other.exec('commit');
    }
    return waited;
  }

  it('a transaction waits for the other connection to commit, while this process goes on', async () => {
    const transaction = await whileTheOtherWrites('held', () =>
      db.transaction().execute((trx) => put(trx, 'in a transaction')),
    );
    expect(transaction.turns).toBeGreaterThan(5);
    expect(keys()).toEqual(expect.arrayContaining(['held', 'in a transaction']));
  });

  it('a write outside a transaction waits the same way (it meets the lock itself)', async () => {
    const alone = await whileTheOtherWrites('held too', () => put(db, 'alone'));
    expect(alone.turns).toBeGreaterThan(5);
    expect(keys()).toEqual(expect.arrayContaining(['alone', 'held too']));
  });

  it('a transaction holds the write lock from its start, so a read-then-write one cannot lose it', async () => {
    await db.transaction().execute(async (trx) => {
      await sql`select count(*) from lock_test`.execute(trx);
      // Before this transaction writes anything, the other connection cannot.
      expect(() => other.prepare("insert into lock_test (key, value) values ('cut in', 'x')").run()).toThrow(
        expect.objectContaining({ code: 'SQLITE_BUSY' }),
      );
      await put(trx, 'read then wrote');
    });
    expect(keys()).toContain('read then wrote');
    expect(keys()).not.toContain('cut in');
  });

  it('gives up with SQLITE_BUSY after its wait, and never retries another error', async () => {
    const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    let tries = 0;
    const started = performance.now();
    await expect(
      whileBusy(() => {
        tries += 1;
        throw busy;
      }, 20),
    ).rejects.toBe(busy);
    // Tried again until its wait was over (how many times depends on how busy the machine is).
    expect(performance.now() - started).toBeGreaterThanOrEqual(20);
    expect(tries).toBeGreaterThan(1);
    tries = 0;
    const other = Object.assign(new Error('constraint'), { code: 'SQLITE_CONSTRAINT' });
    await expect(
      whileBusy(() => {
        tries += 1;
        throw other;
      }),
    ).rejects.toBe(other);
    expect(tries).toBe(1);
  });
});

describe('checkpoints in the background (a serving process)', () => {
  it("copy the log into the database file beside the process's commits", async () => {
    const served = join(mkdtempSync(join(tmpdir(), 'guildhall-checkpoints-')), 'guildhall.db');
    const { db: server } = await openDatabase(
      { kind: 'sqlite', file: served },
      { checkpointsInBackground: { processes: 1 } },
    );
    await sql`create table pages (id integer primary key, body text not null)`.execute(server);
    const fileSize = () => statSync(served).size;
    const before = fileSize();
    // Enough commits of 8 kB to start the thread and more: about 200 pages in the log, far below
    // SQLite's own checkpoint at 1 000.
    const commits = START_AFTER_COMMITS + 50;
    for (let i = 0; i < commits; i += 1) {
      await server
        .transaction()
        .execute((trx) => sql`insert into pages (body) values (${'x'.repeat(8000)})`.execute(trx));
    }
    const started = Date.now();
    while (fileSize() < before + commits * 8000 && Date.now() - started < 3000) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(fileSize()).toBeGreaterThanOrEqual(before + commits * 8000);
    // Closing waits for the thread to close its connection.
    await server.destroy();
  });

  it('keep a process alive until its database is closed, and never past it', () => {
    // A process whose last work is closing the database: an unreferenced thread would let it end
    // before the close did.
    const dir = mkdtempSync(join(tmpdir(), 'guildhall-checkpoints-exit-'));
    const script = join(dir, 'close.mjs');
    writeFileSync(
      script,
      `import { openDatabase } from ${JSON.stringify(join(import.meta.dirname, 'database.ts'))};
      const { db } = await openDatabase({ kind: 'sqlite', file: ${JSON.stringify(join(dir, 'g.db'))} }, { checkpointsInBackground: { processes: 1 } });
      await db.schema.createTable('t').addColumn('id', 'integer', (c) => c.primaryKey()).execute();
      for (let i = 0; i < ${START_AFTER_COMMITS + 10}; i += 1) await db.transaction().execute((trx) => trx.insertInto('t').values({ id: i }).execute());
      await new Promise((resolve) => setTimeout(resolve, 100));
      await db.destroy();
      console.log('closed');`,
    );
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('closed');
    expect(run.status).toBe(0);
  });
});
