import { type Kysely, sql } from 'kysely';
import { addColumns } from './helpers.ts';

// Following a group: a member who follows one hears of every new post in it (notifications.kind
// 'post', written by a job after the post, at most one per member and post: the partial unique index
// makes a retried job write none twice). What each kind of notification sends by email: the how stays
// users.notify_email (at once, daily, off); users.email_replies, email_mentions and email_posts (1 or
// 0) say which kinds go out, so one click in an email stops that kind alone. A group's member
// directory: shown to those who may enter it unless the creator turns it off (directory_on).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('group_follows')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('hub_group_id', 'text', (c) => c.notNull().references('hub_groups.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('group_follows_pk', ['user_id', 'hub_group_id'])
    .execute();
  // A new post's followers, in pages by member.
  await db.schema
    .createIndex('group_follows_group')
    .on('group_follows')
    .columns(['hub_group_id', 'user_id'])
    .execute();
  await db.schema
    .createIndex('notifications_post_once')
    .on('notifications')
    .columns(['user_id', 'post_id'])
    .unique()
    .where(sql.ref('kind'), '=', 'post')
    .execute();
  await addColumns(db, 'users', [
    ['email_replies', 'integer', (c) => c.notNull().defaultTo(1)],
    ['email_mentions', 'integer', (c) => c.notNull().defaultTo(1)],
    ['email_posts', 'integer', (c) => c.notNull().defaultTo(1)],
  ]);
  await addColumns(db, 'hub_groups', [['directory_on', 'integer', (c) => c.notNull().defaultTo(1)]]);
}
