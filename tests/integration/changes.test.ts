// The versions in-process caches are kept under (src/platform/db/changes.ts): a topic moves on when a
// write to one of its tables commits — never before, never for a rollback, never for a write that
// changes no one's cached value — whatever wrote it.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changesOf } from '../../src/platform/db/changes.ts';
import { openDatabase, tablesOfThisDatabase } from '../../src/platform/db/database.ts';
import { OFFER_COUNTERS } from '../../src/platform/db/migrations/0026-offer-counters-not-catalog.ts';
import { USERS_UNWATCHED } from '../../src/platform/db/migrations/0027-users-last-visit-not-a-change.ts';
import { eventually } from '../support/eventually.ts';
import { createGroup, createMember, createOffer } from '../support/factories.ts';
import { createTestContext, type TestContext } from '../support/test-app.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
  expect(await changesOf(ctx.db).ready()).toBe(true);
});
afterAll(async () => ctx.close());

const catalog = () => changesOf(ctx.db).version('catalog');
/** PostgreSQL: a commit's own notification comes back after it (moving the topic again); wait for it. */
const quiet = () => changesOf(ctx.db).settled();

describe('topic versions', () => {
  it('move when a write commits, not before, and not for a rollback', async () => {
    const group = await createGroup(ctx);
    await quiet();
    const before = catalog();
    expect(before).not.toBeNull();
    await ctx.db.transaction().execute(async (trx) => {
      await trx.updateTable('hubGroups').set({ name: 'Renamed' }).where('id', '=', group.id).execute();
      // Not committed: the same version (PostgreSQL), or nothing may be kept now (SQLite's own connection).
      expect(catalog()).toBe(ctx.engine === 'sqlite' ? null : before);
    });
    expect(catalog()).not.toBe(before);
    await quiet();
    const after = catalog();
    await expect(
      ctx.db.transaction().execute(async (trx) => {
        await trx.updateTable('hubGroups').set({ name: 'Never' }).where('id', '=', group.id).execute();
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await quiet();
    expect(catalog()).toBe(after);
  });

  it('keep still for writes that change no cached value', async () => {
    const member = await createMember(ctx);
    await quiet();
    const actors = changesOf(ctx.db).version('actors');
    const users = changesOf(ctx.db).version('users');
    expect(actors).not.toBeNull();
    expect(users).not.toBeNull();
    await ctx.db.updateTable('users').set({ lastSeenAt: Date.now() }).where('id', '=', member.id).execute();
    await quiet();
    expect(changesOf(ctx.db).version('actors')).toBe(actors);
    expect(changesOf(ctx.db).version('users')).toBe(users);
    await ctx.db.updateTable('users').set({ name: 'New Name' }).where('id', '=', member.id).execute();
    expect(changesOf(ctx.db).version('actors')).not.toBe(actors);
  });

  it('move for a write made through another connection (another process, the CLI)', async () => {
    const { db: elsewhere } = await openDatabase(ctx.config.database, { poolSize: 1 });
    try {
      const group = await createGroup({ db: elsewhere });
      await quiet();
      const before = catalog();
      await elsewhere
        .updateTable('hubGroups')
        .set({ name: 'From Elsewhere' })
        .where('id', '=', group.id)
        .execute();
      // PostgreSQL: the notification arrives within a moment; SQLite: a look within a millisecond sees it.
      expect(await eventually(() => catalog() !== before)).toBe(true);
    } finally {
      await elsewhere.destroy();
    }
  });

  it('are never given to a database opened without caches', async () => {
    const { db: plain } = await openDatabase(ctx.config.database, { poolSize: 1 });
    try {
      expect(changesOf(plain).version('catalog')).toBeNull();
    } finally {
      await plain.destroy();
    }
  });

  it("keep still for a sale's counters on its offer, and move for anything a page shows", async () => {
    const offer = await createOffer(ctx, [await createGroup(ctx)]);
    await quiet();
    const before = catalog();
    await ctx.db
      .updateTable('offers')
      .set((eb) => ({ buyerCount: eb('buyerCount', '+', 1), revenueMinor: eb('revenueMinor', '+', 500) }))
      .where('id', '=', offer.id)
      .execute();
    await quiet();
    expect(catalog()).toBe(before);
    await ctx.db.updateTable('offers').set({ title: 'Renamed offer' }).where('id', '=', offer.id).execute();
    expect(await eventually(() => catalog() !== before)).toBe(true);
  });

  it.each([
    { table: 'offers', topic: 'catalog', unwatched: OFFER_COUNTERS },
    { table: 'users', topic: 'users', unwatched: USERS_UNWATCHED },
  ])(
    'watch every column of $table but $unwatched (a column added later must be added to the trigger)',
    async ({ table, topic, unwatched }) => {
      const definition =
        ctx.engine === 'sqlite'
          ? (
              await sql<{
                sql: string;
              }>`select sql from sqlite_schema where name = ${`${table}_${topic}_changed_update`}`.execute(
                ctx.db,
              )
            ).rows[0]?.sql
          : (
              await sql<{ definition: string }>`
              select pg_get_triggerdef(t.oid) as definition from pg_trigger t
              where t.tgname = ${`${table}_${topic}_changed`} and t.tgrelid = ${table}::regclass`.execute(
                ctx.db,
              )
            ).rows[0]?.definition;
      // PostgreSQL: `… OR UPDATE OF a, "interval", … OR TRUNCATE ON offers …`; SQLite as created.
      const list = /update of (.+?) (?:or|on) /i.exec(String(definition))?.[1] ?? '';
      const watched = list.split(/,\s*/).map((name) => name.replaceAll('"', ''));
      const found = (await tablesOfThisDatabase(ctx.db)).find((t) => t.name === table);
      const columns = (found?.columns ?? []).map((column) => column.name);
      expect(columns.length).toBeGreaterThan(10);
      expect(watched.sort()).toEqual(
        columns.filter((name) => !(unwatched as readonly string[]).includes(name)).sort(),
      );
    },
  );
});
