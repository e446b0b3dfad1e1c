import type { Kysely } from 'kysely';
import { addColumns } from './helpers.ts';

// Moderation: a member reports a post or a comment (reports); staff hide it (hidden_at: gone for
// members at once — feeds, home, search, notifications — but kept, and can be shown again), remove it
// (deleted), or dismiss the report. Open reports, newest first, are the staff's queue.
export async function up(db: Kysely<unknown>): Promise<void> {
  await addColumns(db, 'posts', [['hidden_at', 'bigint']]);
  await addColumns(db, 'comments', [['hidden_at', 'bigint']]);
  await db.schema
    .createTable('reports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('reporter_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('post_id', 'text', (c) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('comment_id', 'text', (c) => c.references('comments.id').onDelete('cascade'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('resolved_at', 'bigint')
    .addColumn('resolved_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('resolution', 'text')
    .execute();
  await db.schema
    .createIndex('reports_queue')
    .on('reports')
    .columns(['resolved_at', 'created_at', 'id'])
    .execute();
  await db.schema.createIndex('reports_post').on('reports').column('post_id').execute();
  await db.schema.createIndex('reports_comment').on('reports').column('comment_id').execute();
}
