import SQLite from 'better-sqlite3';
import { CamelCasePlugin, Kysely, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { prepared } from './prepared.ts';
import type { DB } from './schema.ts';

function memoryDb(log?: (sql: string) => void) {
  const sqlite = new SQLite(':memory:');
  sqlite.exec(
    "create table settings (key text primary key, value text, updated_at integer); insert into settings values ('a', '1', 10), ('b', '2', 20), ('c', '3', 30)",
  );
  return new Kysely<DB>({
    dialect: new SqliteDialect({ database: sqlite }),
    plugins: [new CamelCasePlugin()],
    ...(log ? { log: (event) => log(event.query.sql) } : {}),
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

  it('write a limit that ends the query into its SQL, one statement per page size', async () => {
    const statements: string[] = [];
    const db = memoryDb((sql) => statements.push(sql));
    const firstKeys = prepared((executor: typeof db, after: string, take: number) =>
      executor.selectFrom('settings').select('key').where('key', '>', after).orderBy('key').limit(take),
    );
    expect(await firstKeys(db, '', 2)).toEqual([{ key: 'a' }, { key: 'b' }]);
    expect(await firstKeys(db, 'a', 1)).toEqual([{ key: 'b' }]);
    expect(await firstKeys(db, '', 2)).toEqual([{ key: 'a' }, { key: 'b' }]);
    // Beyond any page size (or not a whole number): bound as a value, as before.
    expect(await firstKeys(db, '', 10_000)).toHaveLength(3);
    expect(statements.map((sql) => sql.slice(sql.indexOf('limit')))).toEqual([
      'limit 2',
      'limit 1',
      'limit 2',
      'limit ?',
    ]);
    await db.destroy();
  });
});
