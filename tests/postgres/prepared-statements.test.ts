// On PostgreSQL the hot queries (prepared.ts) go as named statements: a connection parses and plans
// each once, then sends its name and values. DATABASE_PREPARED_STATEMENTS=false sends them unnamed
// (for PgBouncer before 1.21 in transaction mode).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFeedPosts } from '../../src/modules/hub/hub.repository.ts';
import { findPayment, findPurchase } from '../../src/modules/purchases/purchase.repository.ts';
import { openDatabase, retryingConflicts } from '../../src/platform/db/database.ts';
import { createGroup } from '../support/factories.ts';
import { createTestDatabase } from '../support/test-app.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.cleanup());

/** Runs a hot query twice on a pool of one connection, and lists what that connection has prepared. */
async function preparedOn(preparedStatements: boolean): Promise<string[]> {
  const config = database.config.database;
  if (config.kind !== 'postgres') throw new Error('PostgreSQL only');
  const { db } = await openDatabase({ ...config, preparedStatements }, { poolSize: 1 });
  try {
    const group = await createGroup({ db });
    for (let i = 0; i < 2; i += 1) await listFeedPosts(db, group.id, 'nobody', null, 20);
    const rows = await sql<{ name: string }>`select name from pg_prepared_statements`.execute(db);
    return rows.rows.map((row) => row.name);
  } finally {
    await db.destroy();
  }
}

describe('prepared statements on PostgreSQL', () => {
  it('go unnamed once a migration changed the table under them, inside a transaction or not', async () => {
    const config = database.config.database;
    if (config.kind !== 'postgres') throw new Error('PostgreSQL only');
    const { db } = await openDatabase(config, { poolSize: 1 });
    try {
      // Prepared on this connection, then a newer version adds a column (a rolling upgrade).
      expect(await findPurchase(db, 'none')).toBeUndefined();
      expect(await findPurchase(db, 'none')).toBeUndefined();
      const named = await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements`.execute(
        db,
      );
      expect(named.rows[0]?.n).toBeGreaterThan(0);
      await sql`alter table purchases add column upgrade_note text`.execute(db);
      expect(await findPurchase(db, 'none')).toBeUndefined();
      // Inside a transaction the error aborts it: retryingConflicts runs it again, unnamed.
      expect(await findPayment(db, 'none')).toBeUndefined();
      await sql`alter table payments add column upgrade_flag integer`.execute(db);
      let attempts = 0;
      const inside = await retryingConflicts(() => {
        attempts += 1;
        return db.transaction().execute((trx) => findPayment(trx, 'none'));
      });
      expect(inside).toBeUndefined();
      expect(attempts).toBe(2);
    } finally {
      await sql`alter table purchases drop column if exists upgrade_note`.execute(db);
      await sql`alter table payments drop column if exists upgrade_flag`.execute(db);
      await db.destroy();
    }
  });

  it('name the hot queries, and only when they are on', async () => {
    const named = await preparedOn(true);
    expect(named.length).toBe(1);
    expect(named[0]).toMatch(/^gh_[0-9a-f]{20}$/);
    expect(await preparedOn(false)).toEqual([]);
  });
});
