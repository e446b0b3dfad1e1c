import { type Kysely, sql } from 'kysely';
import { addColumns } from './helpers.ts';

// A member's home: the latest posts across every group they may enter, newest first or by latest
// activity (a post's own time, or its newest comment's). Each order is one range read from the top of
// its index, the access rule filtering as it goes (hub.repository.ts, listHomePosts).
export async function up(db: Kysely<unknown>): Promise<void> {
  await addColumns(db, 'posts', [['activity_at', 'bigint', (c) => c.notNull().defaultTo(0)]]);
  await sql`update posts set activity_at = coalesce(
      (select max(comments.created_at) from comments where comments.post_id = posts.id), posts.created_at)`.execute(
    db,
  );
  await db.schema.createIndex('posts_newest').on('posts').columns(['created_at', 'id']).execute();
  await db.schema.createIndex('posts_active').on('posts').columns(['activity_at', 'id']).execute();
}
