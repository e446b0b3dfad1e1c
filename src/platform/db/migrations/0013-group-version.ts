import type { Kysely } from 'kysely';
import { addColumns } from './helpers.ts';

// A group's own version: bumped by every change to what a member's group list shows of it (its details,
// its post count), and by nothing else. Each process keeps the list's rows under it; the feed's version
// (feed_version) also moves with every like and comment, which would make every process read the whole
// list again after any activity.
export async function up(db: Kysely<unknown>): Promise<void> {
  await addColumns(db, 'hub_groups', [['version', 'integer', (c) => c.notNull().defaultTo(0)]]);
}
