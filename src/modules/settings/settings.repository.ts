import type { Executor } from '../../platform/db/executor.ts';
import { prepared } from '../../platform/db/prepared.ts';

// Settings are read on most requests (the platform's name, the Stripe key on every delivery), always in
// a few fixed sets of keys: one prepared query per number of keys.
const readers = new Map<
  number,
  (db: Executor, ...keys: string[]) => Promise<{ key: string; value: string }[]>
>();

function readerOf(count: number) {
  let reader = readers.get(count);
  if (!reader) {
    reader = prepared((db: Executor, ...keys: string[]) =>
      db.selectFrom('settings').select(['key', 'value']).where('key', 'in', keys),
    );
    readers.set(count, reader);
  }
  return reader;
}

export async function readSettingRows(db: Executor, keys: readonly string[]): Promise<Map<string, unknown>> {
  if (keys.length === 0) return new Map();
  const rows = await readerOf(keys.length)(db, ...keys);
  return new Map(rows.map((row) => [row.key, JSON.parse(row.value) as unknown]));
}

export async function writeSettingRow(db: Executor, key: string, value: unknown, now: number): Promise<void> {
  const json = JSON.stringify(value);
  await db
    .insertInto('settings')
    .values({ key, value: json, updatedAt: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: json, updatedAt: now }))
    .execute();
}

export async function deleteSettingRow(db: Executor, key: string): Promise<void> {
  await db.deleteFrom('settings').where('key', '=', key).execute();
}
