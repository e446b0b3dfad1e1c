import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Executor } from './executor.ts';
import type { DB } from './schema.ts';
import { addTo, forgetTalliesAfter, inTransaction, type TallyKind, tallyMark } from './tallies.ts';

function memoryDb(log: string[]) {
  const sqlite = new SQLite(':memory:');
  sqlite.exec('create table counters (kind text, key text, a integer, b integer, primary key (kind, key))');
  return new Kysely<DB>({
    dialect: new SqliteDialect({ database: sqlite }),
    log: (event) => {
      log.push(`${event.query.sql} ${JSON.stringify(event.query.parameters)}`);
    },
  });
}

/** A kind whose rows are (name, key) with two counters, written one statement per row. */
function kind(name: string, order: number): TallyKind<string> {
  return {
    order,
    keyOf: (key) => key,
    async write(db, rows) {
      for (const { key, deltas } of rows)
        await sql`insert into counters values (${name}, ${key}, ${deltas[0] ?? 0}, ${deltas[1] ?? 0})
          on conflict (kind, key) do update set a = a + excluded.a, b = b + excluded.b`.execute(db);
    },
  };
}

async function counters(db: Executor) {
  const { rows } = await sql<{ kind: string; key: string; a: number; b: number }>`
    select kind, key, a, b from counters order by kind, key`.execute(db);
  return rows;
}

const writes = (log: string[]) => log.filter((statement) => statement.startsWith('insert into counters'));

describe('tallies', () => {
  it('write a transaction’s additions at its end, merged, rows that add nothing left out, in one order', async () => {
    const log: string[] = [];
    const db = memoryDb(log);
    const offers = kind('offers', 2);
    const days = kind('days', 1);
    await inTransaction(db, async (trx) => {
      await addTo(trx, offers, [{ key: 'o2', deltas: [1, 500] }]);
      await addTo(trx, days, [{ key: 'd1', deltas: [1] }]);
      await addTo(trx, offers, [
        { key: 'o1', deltas: [1, 100] },
        { key: 'o2', deltas: [0, 250] },
        { key: 'o3', deltas: [1, 0] },
        { key: 'o3', deltas: [-1, 0] },
      ]);
      // Nothing is written while the transaction works.
      expect(writes(log)).toEqual([]);
      expect(await counters(trx)).toEqual([]);
    });
    expect(await counters(db)).toEqual([
      { kind: 'days', key: 'd1', a: 1, b: 0 },
      { kind: 'offers', key: 'o1', a: 1, b: 100 },
      { kind: 'offers', key: 'o2', a: 1, b: 750 },
    ]);
    // One statement a row: kinds in their order, rows by key; o3 added nothing.
    expect(writes(log).map((statement) => JSON.parse(statement.slice(statement.indexOf(' [') + 1)))).toEqual([
      ['days', 'd1', 1, 0],
      ['offers', 'o1', 1, 100],
      ['offers', 'o2', 1, 750],
    ]);
    await db.destroy();
  });

  it('are written at once outside a transaction that waits for them', async () => {
    const log: string[] = [];
    const db = memoryDb(log);
    await addTo(db, kind('offers', 2), [
      { key: 'o1', deltas: [1, 100] },
      { key: 'o1', deltas: [1, 100] },
    ]);
    expect(await counters(db)).toEqual([{ kind: 'offers', key: 'o1', a: 2, b: 200 }]);
    expect(writes(log)).toHaveLength(1);
    await db.destroy();
  });

  it('forget what a rolled-back savepoint added, and are lost with a transaction that fails', async () => {
    const db = memoryDb([]);
    const offers = kind('offers', 2);
    await inTransaction(db, async (trx) => {
      await addTo(trx, offers, [{ key: 'o1', deltas: [1, 100] }]);
      const mark = tallyMark(trx);
      await addTo(trx, offers, [{ key: 'o1', deltas: [5, 5] }]);
      forgetTalliesAfter(trx, mark);
    });
    expect(await counters(db)).toEqual([{ kind: 'offers', key: 'o1', a: 1, b: 100 }]);
    await expect(
      inTransaction(db, async (trx) => {
        await addTo(trx, offers, [{ key: 'o1', deltas: [1, 1] }]);
        throw new Error('the purchase failed');
      }),
    ).rejects.toThrow('the purchase failed');
    expect(await counters(db)).toEqual([{ kind: 'offers', key: 'o1', a: 1, b: 100 }]);
    await db.destroy();
  });
});
