// PostgreSQL's side of the kept values (src/platform/db/changes.ts): what only PostgreSQL has — TRUNCATE,
// notices, a listening connection that can land elsewhere — and each case's answer.
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changesOf } from '../../src/platform/db/changes.ts';
import { openDatabase } from '../../src/platform/db/database.ts';
import { eventually } from '../support/eventually.ts';
import { createGroup } from '../support/factories.ts';
import { createTestDatabase } from '../support/test-app.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.cleanup());

function postgresConfig() {
  const config = database.config.database;
  if (config.kind !== 'postgres') throw new Error('PostgreSQL only');
  return config;
}

describe('kept values on PostgreSQL', () => {
  it('move on for a TRUNCATE (signing everyone out) from anywhere', async () => {
    const { db } = await openDatabase(postgresConfig(), { poolSize: 2, caches: true });
    try {
      expect(await changesOf(db).ready()).toBe(true);
      const before = changesOf(db).version('actors');
      const other = new pg.Client({ connectionString: postgresConfig().url });
      await other.connect();
      await other.query('truncate sessions cascade');
      await other.end();
      expect(await eventually(() => changesOf(db).version('actors') !== before)).toBe(true);
    } finally {
      await db.destroy();
    }
  });

  it('move on for this process’s own commit even when notices are silenced', async () => {
    const url = new URL(postgresConfig().url);
    const options = url.searchParams.get('options') ?? '';
    url.searchParams.set('options', `${options} -c client_min_messages=warning`.trim());
    const { db } = await openDatabase(
      { ...postgresConfig(), url: url.toString() },
      { poolSize: 2, caches: true },
    );
    try {
      expect(await changesOf(db).ready()).toBe(true);
      const silenced = await sql<{
        level: string;
      }>`select current_setting('client_min_messages') as level`.execute(db);
      expect(silenced.rows[0]?.level).toBe('warning');
      const group = await createGroup({ db });
      await changesOf(db).settled();
      const before = changesOf(db).version('catalog');
      await db.updateTable('hubGroups').set({ name: 'Silenced' }).where('id', '=', group.id).execute();
      // Its own notification comes back instead of the notice.
      expect(await eventually(() => changesOf(db).version('catalog') !== before)).toBe(true);
    } finally {
      await db.destroy();
    }
  });

  it('keep nothing when the listening connection reaches another database than the pool', async () => {
    const elsewhere = new URL(postgresConfig().url);
    elsewhere.pathname = '/postgres';
    const { db } = await openDatabase(
      { ...postgresConfig(), listenUrl: elsewhere.toString() },
      { poolSize: 2, caches: true },
    );
    try {
      // The pool's test notification never reaches it: nothing is kept, every request reads.
      expect(await changesOf(db).ready()).toBe(false);
      expect(changesOf(db).version('catalog')).toBeNull();
    } finally {
      await db.destroy();
    }
  });

  it('keep nothing under a topic whose triggers are missing (a database migrated before them)', async () => {
    const older = await createTestDatabase();
    const config = older.config.database;
    if (config.kind !== 'postgres') throw new Error('PostgreSQL only');
    for (const table of ['entitlements', 'access_grants', 'offer_hub_groups', 'hub_groups'])
      await sql.raw(`drop trigger ${table}_access_changed on ${table}`).execute(older.db);
    const { db } = await openDatabase(config, { poolSize: 2, caches: true });
    try {
      expect(await changesOf(db).ready()).toBe(true);
      expect(changesOf(db).version('access')).toBeNull();
      expect(changesOf(db).version('catalog')).not.toBeNull();
    } finally {
      await db.destroy();
      await older.cleanup();
    }
  });
});
