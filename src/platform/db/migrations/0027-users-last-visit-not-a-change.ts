import type { Kysely } from 'kysely';
import { watchUpdatesOf } from './helpers.ts';

// A signed-in visit writes the person's last visit every few minutes (auth.service.ts, touchSession);
// under migration 0025 each such write moved the `users` topic, so every kept `/api/v1/me` row of every
// person was thrown away several times a second on a busy platform (and, on PostgreSQL, every process
// was told each time). The topic now moves for every column but that one; the kept row is used for at
// most as long as a visit goes unwritten (auth.service.ts), so the last visit it shows is as recent as
// the column itself.
//
// A column added to `users` later must be added here by a migration of its own:
// tests/integration/changes.test.ts fails until every column but the last visit is watched.
export const USERS_UNWATCHED = ['last_seen_at'] as const;
const WATCHED = [
  'id',
  'email',
  'name',
  'name_search',
  'role',
  'status',
  'password_hash',
  'email_verified_at',
  'total_spent_minor',
  'created_at',
  'updated_at',
  'stripe_customer_id',
  'notify_email',
  'email_replies',
  'email_mentions',
  'email_posts',
  'bio',
  'links',
  'avatar_path',
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await watchUpdatesOf(db, 'users', 'users', WATCHED, ['delete']);
}
