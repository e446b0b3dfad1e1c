import { type Kysely, sql } from 'kysely';

// Hub groups, discussion, and what the access rule reads: hand grants, entitlements and the groups
// each offer opens. `offers` starts minimal here so those tables can reference it; the Digital Offers
// migration adds the rest of its columns.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('hub_groups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('emoji', 'text')
    .addColumn('image_path', 'text')
    .addColumn('visibility', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('paywall_cta', 'text')
    .addColumn('paywall_description', 'text')
    .addColumn('paywall_url', 'text')
    .addColumn('post_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('hub_groups_position').on('hub_groups').column('position').execute();

  await db.schema
    .createTable('offers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('offer_hub_groups')
    .addColumn('offer_id', 'text', (c) => c.notNull().references('offers.id').onDelete('cascade'))
    .addColumn('hub_group_id', 'text', (c) => c.notNull().references('hub_groups.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('offer_hub_groups_pk', ['offer_id', 'hub_group_id'])
    .execute();
  await db.schema
    .createIndex('offer_hub_groups_group')
    .on('offer_hub_groups')
    .columns(['hub_group_id', 'offer_id'])
    .execute();

  await db.schema
    .createTable('entitlements')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('offer_id', 'text', (c) => c.notNull().references('offers.id'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('access_until', 'bigint')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // The access rule probes (user, offer); listing an offer's buyers probes (offer, created_at).
  await db.schema
    .createIndex('entitlements_user_offer')
    .on('entitlements')
    .columns(['user_id', 'offer_id'])
    .execute();
  await db.schema
    .createIndex('entitlements_offer_created')
    .on('entitlements')
    .columns(['offer_id', 'created_at', 'id'])
    .execute();

  await db.schema
    .createTable('access_grants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('hub_group_id', 'text', (c) => c.notNull().references('hub_groups.id').onDelete('cascade'))
    .addColumn('ends_at', 'bigint')
    .addColumn('note', 'text')
    .addColumn('granted_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('access_grants_user_group')
    .on('access_grants')
    .columns(['user_id', 'hub_group_id'])
    .unique()
    .execute();
  await db.schema
    .createIndex('access_grants_group_created')
    .on('access_grants')
    .columns(['hub_group_id', 'created_at', 'id'])
    .execute();

  await db.schema
    .createTable('posts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('hub_group_id', 'text', (c) => c.notNull().references('hub_groups.id').onDelete('cascade'))
    .addColumn('author_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('title', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('body_html', 'text', (c) => c.notNull())
    .addColumn('pinned_at', 'bigint')
    .addColumn('like_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('comment_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('edited_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('posts_group_feed')
    .on('posts')
    .columns(['hub_group_id', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('posts_group_pinned')
    .on('posts')
    .columns(['hub_group_id', 'pinned_at'])
    .where(sql.ref('pinned_at'), 'is not', null)
    .execute();

  await db.schema
    .createTable('comments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('post_id', 'text', (c) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('parent_id', 'text', (c) => c.references('comments.id').onDelete('cascade'))
    .addColumn('author_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('body_html', 'text', (c) => c.notNull())
    .addColumn('like_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('edited_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('comments_post_created')
    .on('comments')
    .columns(['post_id', 'created_at', 'id'])
    .execute();

  await db.schema
    .createTable('post_likes')
    .addColumn('post_id', 'text', (c) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('post_likes_pk', ['post_id', 'user_id'])
    .execute();
  await db.schema
    .createTable('comment_likes')
    .addColumn('comment_id', 'text', (c) => c.notNull().references('comments.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('comment_likes_pk', ['comment_id', 'user_id'])
    .execute();
}
