import { type Kysely, sql } from 'kysely';

// Counts of what members see: a group's post count and a post's comment count leave hidden items out
// from migration 0021's code on, so those hidden before it are taken out once here. And a new post's
// followers job asks, page after page, whether each follower was already told of the post: an index on
// (post_id, user_id) answers that by probe (it also serves what notifications_post did).
export async function up(db: Kysely<unknown>): Promise<void> {
  // The versions move with the counts: a process still running the older version reads them again.
  await sql`update hub_groups set post_count = (select count(*) from posts p where p.hub_group_id = hub_groups.id and p.hidden_at is null), version = version + 1, feed_version = feed_version + 1`.execute(
    db,
  );
  await sql`update posts set comment_count = (select count(*) from comments c where c.post_id = posts.id and c.hidden_at is null)`.execute(
    db,
  );
  await db.schema
    .createIndex('notifications_post_user')
    .on('notifications')
    .columns(['post_id', 'user_id'])
    .execute();
  await db.schema.dropIndex('notifications_post').execute();
}
