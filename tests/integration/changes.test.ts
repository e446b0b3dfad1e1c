// The versions in-process caches are kept under (src/platform/db/changes.ts): a topic moves on when a
// write to one of its tables commits — never before, never for a rollback, never for a write that
// changes no one's cached value — whatever wrote it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changesOf } from '../../src/platform/db/changes.ts';
import { openDatabase } from '../../src/platform/db/database.ts';
import { createGroup, createMember } from '../support/factories.ts';
import { createTestContext, type TestContext } from '../support/test-app.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
  expect(await changesOf(ctx.db).ready()).toBe(true);
});
afterAll(async () => ctx.close());

const catalog = () => changesOf(ctx.db).version('catalog');
/** PostgreSQL: a commit's own notification comes back a moment after it (moving the topic again). */
const quiet = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('topic versions', () => {
  it('move when a write commits, not before, and not for a rollback', async () => {
    const group = await createGroup(ctx);
    await quiet();
    const before = catalog();
    expect(before).not.toBeNull();
    await ctx.db.transaction().execute(async (trx) => {
      await trx.updateTable('hubGroups').set({ name: 'Renamed' }).where('id', '=', group.id).execute();
      // Not committed: the same version (PostgreSQL), or nothing may be kept now (SQLite's own connection).
      expect([before, null]).toContain(catalog());
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
    await ctx.db.updateTable('users').set({ lastSeenAt: Date.now() }).where('id', '=', member.id).execute();
    await quiet();
    expect(changesOf(ctx.db).version('actors')).toBe(actors);
    await ctx.db.updateTable('users').set({ name: 'New Name' }).where('id', '=', member.id).execute();
    expect(changesOf(ctx.db).version('actors')).not.toBe(actors);
  });

  it('move for a write made through another connection (another process, the CLI)', async () => {
    const { db: elsewhere } = openDatabase(ctx.config.database, { poolSize: 1 });
    try {
      const group = await createGroup({ db: elsewhere });
      const before = catalog();
      await elsewhere
        .updateTable('hubGroups')
        .set({ name: 'From Elsewhere' })
        .where('id', '=', group.id)
        .execute();
      // PostgreSQL: the notification arrives within a moment; SQLite: the next look sees it.
      const deadline = Date.now() + 1000;
      while (catalog() === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      expect(catalog()).not.toBe(before);
    } finally {
      await elsewhere.destroy();
    }
  });

  it('are never given to a database opened without caches', async () => {
    const { db: plain } = openDatabase(ctx.config.database, { poolSize: 1 });
    try {
      expect(changesOf(plain).version('catalog')).toBeNull();
    } finally {
      await plain.destroy();
    }
  });
});
