import SQLite from 'better-sqlite3';
import { CamelCasePlugin, Kysely, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { namingByUse, prepared } from './prepared.ts';
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

describe('statements named by use', () => {
  it('are named the second time they are seen, up to a number; a transaction’s own statements never', () => {
    const name = namingByUse(2, 3);
    const a = 'select "id" from "purchases" where "id" = $1';
    expect(name(a, 1)).toBeUndefined();
    const named = name(a, 1);
    expect(named).toMatch(/^gh_[0-9a-f]{20}$/);
    expect(name(a, 1)).toBe(named);
    for (const own of ['begin', 'commit', 'rollback', 'set local lock_timeout = 100']) {
      name(own, 0);
      expect(name(own, 0)).toBeUndefined();
    }
    const b = 'update "offers" set "title" = $1 where "id" = $2';
    name(b, 2);
    expect(name(b, 2)).toMatch(/^gh_/);
    // The limit: a third statement seen twice stays unnamed; the named ones keep their names.
    const c = 'delete from "sessions" where "id" = $1';
    name(c, 1);
    expect(name(c, 1)).toBeUndefined();
    expect(name(a, 1)).toBe(named);
  });

  it('leave a statement with a long list of values unnamed (each length is a shape of its own)', () => {
    const name = namingByUse(10);
    const places = Array.from({ length: 21 }, (_, index) => `$${index + 1}`).join(', ');
    const list = `select "id" from "purchases" where "id" in (${places})`;
    name(list, 21);
    expect(name(list, 21)).toBeUndefined();
  });

  it('forget what they saw once when too much was, so a statement seen again after that starts over', () => {
    const name = namingByUse(10, 2);
    const [a, b, c] = ['select 1 ', 'select 2 ', 'select 3 '].map((sql) => `${sql}from "x"`);
    name(a as string, 0);
    name(b as string, 0);
    name(c as string, 0); // a and b forgotten
    expect(name(a as string, 0)).toBeUndefined();
    expect(name(a as string, 0)).toMatch(/^gh_/);
  });
});
