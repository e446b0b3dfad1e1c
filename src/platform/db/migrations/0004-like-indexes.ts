import type { Kysely } from 'kysely';

// "Liked by me" on a feed page: PostgreSQL answers it by hashing the member's likes, which without
// these indexes meant scanning every like of every member on each request.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('post_likes_user_post')
    .on('post_likes')
    .columns(['user_id', 'post_id'])
    .execute();
  await db.schema
    .createIndex('comment_likes_user_comment')
    .on('comment_likes')
    .columns(['user_id', 'comment_id'])
    .execute();
}
