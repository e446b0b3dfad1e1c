import type { Kysely } from 'kysely';
import { addColumns } from './helpers.ts';

// Who may write in a group: everyone who may enter it, or only the owner and admins (an announcement
// group: who_may_post = 'staff'); and whether members may comment (comments_on: 1 or 0).
export async function up(db: Kysely<unknown>): Promise<void> {
  await addColumns(db, 'hub_groups', [
    ['who_may_post', 'text', (c) => c.notNull().defaultTo('members')],
    ['comments_on', 'integer', (c) => c.notNull().defaultTo(1)],
  ]);
}
