import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from './database.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A database file with an indexed table, analyzed: sqlite_stat4 holds samples of the index's values. */
function analyzedFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'guildhall-db-'));
  dirs.push(dir);
  const file = join(dir, 'test.sqlite');
  const sqlite = new SQLite(file);
  sqlite.exec('create table t (id integer primary key, k integer); create index t_k on t (k)');
  const insert = sqlite.prepare('insert into t (k) values (?)');
  for (let i = 0; i < 2000; i++) insert.run(i % 37);
  sqlite.exec('analyze');
  sqlite.close();
  return file;
}

function statistics(file: string) {
  const sqlite = new SQLite(file, { readonly: true });
  const counts = {
    perIndex: (sqlite.prepare('select count(*) as n from sqlite_stat1').get() as { n: number }).n,
    samples: (sqlite.prepare('select count(*) as n from sqlite_stat4').get() as { n: number }).n,
  };
  sqlite.close();
  return counts;
}

describe('opening a SQLite database', () => {
  it('drops the value samples an ANALYZE left and keeps the per-index statistics', async () => {
    const file = analyzedFile();
    expect(statistics(file).samples).toBeGreaterThan(0);
    const { db } = await openDatabase({ kind: 'sqlite', file });
    await db.destroy();
    expect(statistics(file)).toEqual({ perIndex: 1, samples: 0 });
  });
});
