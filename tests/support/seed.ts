// Bench-sized data for tests, written with set-based SQL (one statement per table, never a loop).
import { sql } from 'kysely';
import type { Database } from '../../src/platform/db/database.ts';

function numbers(engine: 'sqlite' | 'postgres', count: number) {
  return engine === 'postgres'
    ? sql`select i from generate_series(1, ${count}) as s(i)`
    : sql`with recursive s(i) as (select 1 union all select i + 1 from s where i < ${count}) select i from s`;
}

/** `count` members, each with a live entitlement to the offer; answers nothing (ids are `${prefix}-<n>`). */
export async function seedBuyers(
  db: Database,
  engine: 'sqlite' | 'postgres',
  offerId: string,
  count: number,
  prefix: string,
): Promise<void> {
  const now = Date.now();
  await sql`
    insert into users (id, email, name, name_search, role, status, password_hash, email_verified_at, total_spent_minor, created_at, updated_at, last_seen_at)
    select ${prefix} || '-' || i, ${prefix} || '-' || i || '@seed.test', 'Buyer ' || i, 'buyer ' || i, 'member', 'active', null, ${now}, 0, ${now}, ${now}, null
    from (${numbers(engine, count)}) n`.execute(db);
  await sql`
    insert into entitlements (id, user_id, offer_id, state, access_until, source, created_at, updated_at)
    select ${prefix} || '-e-' || i, ${prefix} || '-' || i, ${offerId}, 'active', null, 'seed', ${now}, ${now}
    from (${numbers(engine, count)}) n`.execute(db);
  await sql`update offers set buyer_count = buyer_count + ${count} where id = ${offerId}`.execute(db);
}
