import SQLite from 'better-sqlite3';
import { CamelCasePlugin, Kysely, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { prepared } from './prepared.ts';
import type { DB } from './schema.ts';

function memoryDb() {
  const sqlite = new SQLite(':memory:');
  sqlite.exec(
    "create table settings (key text primary key, value text, updated_at integer); insert into settings values ('a', '1', 10), ('b', '2', 20), ('c', '3', 30)",
  );
  return new Kysely<DB>({
    dialect: new SqliteDialect({ database: sqlite }),
    plugins: [new CamelCasePlugin()],
  });
}

describe('prepared queries', () => {
  it('compile once and run with each call’s values, rows mapped as usual', async () => {
    const db = memoryDb();
    let builds = 0;
    const newerThan = prepared((executor: typeof db, since: number, except: string) => {
      builds += 1;
      return executor
        .selectFrom('settings')
        .select(['key', 'updatedAt'])
        .where('updatedAt', '>', since)
        .where('key', '!=', except)
        .orderBy('key');
    });
    expect(await newerThan(db, 10, 'c')).toEqual([{ key: 'b', updatedAt: 20 }]);
    expect(await newerThan(db, 0, 'b')).toEqual([
      { key: 'a', updatedAt: 10 },
      { key: 'c', updatedAt: 30 },
    ]);
    expect(builds).toBe(1);
    // Inside a transaction too.
    expect(await db.transaction().execute((trx) => newerThan(trx, 25, 'x'))).toEqual([
      { key: 'c', updatedAt: 30 },
    ]);
    await db.destroy();
  });

  it('refuses a query that uses its arguments for anything but values', async () => {
    const db = memoryDb();
    const shaped = prepared((executor: typeof db, _unused: string) =>
      executor.selectFrom('settings').select('key'),
    );
    await expect(shaped(db, 'x')).rejects.toThrow('every argument must be used');
    await db.destroy();
  });
});
