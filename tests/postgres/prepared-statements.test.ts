// On PostgreSQL the hot queries (prepared.ts) go as named statements, and so does any other statement
// the second time the process sends it (up to a number): a connection parses and plans each once,
// then sends its name and values. DATABASE_PREPARED_STATEMENTS=false sends them unnamed
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

let shapes = 0;

/**
 * Runs a hot query once and a statement of a shape this process never sent before once, then twice,
 * on a pool of one connection; answers the names that connection prepared after each step.
 */
async function preparedOn(preparedStatements: boolean) {
  const config = database.config.database;
  if (config.kind !== 'postgres') throw new Error('PostgreSQL only');
  const { db } = await openDatabase({ ...config, preparedStatements }, { poolSize: 1 });
  // In capitals: never named itself (only statements starting with a lower-case select, insert, … are).
  const names = async () =>
    (await sql<{ name: string }>`SELECT name FROM pg_prepared_statements`.execute(db)).rows.map(
      (row) => row.name,
    );
  try {
    const group = await createGroup({ db });
    await listFeedPosts(db, group.id, 'nobody', null, 20);
    const hot = await names();
    shapes += 1;
    const repeated = () =>
      db
        .selectFrom('hubGroups')
        .select(sql<number>`1`.as(`shape_${shapes}`))
        .where('id', '=', group.id)
        .execute();
    await repeated();
    const once = await names();
    await repeated();
    return { hot, once, twice: await names() };
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

  it('name the hot queries at once, other statements the second time, and only when they are on', async () => {
    const on = await preparedOn(true);
    expect(on.hot.length).toBeGreaterThan(0);
    for (const name of on.twice) expect(name).toMatch(/^gh_[0-9a-f]{20}$/);
    // The repeated statement: unnamed the first time, named (and prepared) the second.
    expect(on.once).toEqual(on.hot);
    expect(on.twice.filter((name) => !on.once.includes(name))).toHaveLength(1);
    expect(await preparedOn(false)).toEqual({ hot: [], once: [], twice: [] });
  });
});
