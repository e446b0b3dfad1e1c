import { type Kysely, sql } from 'kysely';

// A member's notifications: someone commented on their post, or replied to their comment. Written in
// the transaction that writes the comment, so a comment never exists without its notifications nor
// the other way round; deleting the post, the comment or either person takes them along. What a member
// is shown is decided when they read (hub.repository.ts, listNotifications): only those about groups
// they may enter then.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('post_id', 'text', (c) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('comment_id', 'text', (c) => c.references('comments.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('read_at', 'bigint')
    .execute();
  // A member's list, newest first, and their unread ones (the bell's count).
  await db.schema
    .createIndex('notifications_user')
    .on('notifications')
    .columns(['user_id', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('notifications_unread')
    .on('notifications')
    .column('user_id')
    .where(sql.ref('read_at'), 'is', null)
    .execute();
  // Deleting a post or comment finds its notifications by index.
  await db.schema.createIndex('notifications_post').on('notifications').column('post_id').execute();
  await db.schema.createIndex('notifications_comment').on('notifications').column('comment_id').execute();
}
