import { type Kysely, PostgresAdapter, sql } from 'kysely';

// What in-process caches are told of (src/platform/db/changes.ts): every write to a table behind a
// topic moves that topic on, from a trigger, so no write path — the app's, the CLI's, an operator's
// SQL — can change what a cache shows without its processes hearing of it.
//
// - `catalog`: what a public offer page shows — offers, the groups they open, the groups themselves,
//   the settings.
// - `actors`: who a session or an API key acts as — sessions and keys ended or moved, people's role,
//   status, address or name changed. (A session's or key's last use is not a change of who it is.)
//   A new session, key or person changes no one's cached actor (misses are never kept), so inserts
//   into those tables are not changes.
// - `access`: what a member may enter — entitlements (state, paid-up date), hand grants, the groups an
//   offer opens, a group's visibility. (What the clock alone changes, a paid-up date or a grant's end
//   passing, the kept value knows by itself: access.service.ts.)
const TOPIC_TRIGGERS: { table: string; topic: string; events: string[] }[] = [
  { table: 'offers', topic: 'catalog', events: ['insert', 'update', 'delete'] },
  { table: 'offer_hub_groups', topic: 'catalog', events: ['insert', 'update', 'delete'] },
  { table: 'hub_groups', topic: 'catalog', events: ['insert', 'update', 'delete'] },
  { table: 'settings', topic: 'catalog', events: ['insert', 'update', 'delete'] },
  { table: 'sessions', topic: 'actors', events: ['update of token_hash, user_id, expires_at', 'delete'] },
  { table: 'api_keys', topic: 'actors', events: ['update of key_hash, user_id, revoked_at', 'delete'] },
  { table: 'users', topic: 'actors', events: ['update of role, status, email, name', 'delete'] },
  {
    table: 'entitlements',
    topic: 'access',
    events: ['insert', 'update of state, access_until, user_id, offer_id', 'delete'],
  },
  { table: 'access_grants', topic: 'access', events: ['insert', 'update', 'delete'] },
  { table: 'offer_hub_groups', topic: 'access', events: ['insert', 'update', 'delete'] },
  { table: 'hub_groups', topic: 'access', events: ['insert', 'update of visibility', 'delete'] },
];

export async function up(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    // PostgreSQL tells every listening process at commit (and not at all on rollback); the notice tells
    // the connection that made the change, so its own process moves on when that commit returns. A
    // TRUNCATE ("sign everyone out") is a change too; SQLite has none (its DELETE fires the triggers).
    await sql`create function guildhall_changed() returns trigger language plpgsql as $$
      begin
        perform pg_notify('guildhall_changes', tg_table_schema || ':' || tg_argv[0]);
        raise notice using message = 'guildhall_changed:' || tg_argv[0];
        return null;
      end $$`.execute(db);
    for (const { table, topic, events } of TOPIC_TRIGGERS) {
      await sql
        .raw(
          `create trigger ${table}_${topic}_changed after ${[...events, 'truncate'].join(' or ')} on ${table} for each statement execute function guildhall_changed('${topic}')`,
        )
        .execute(db);
    }
    return;
  }
  // SQLite has no notifications: each topic's version is a row, read by a process when its connection
  // sees that the database changed (PRAGMA data_version, or its own writes).
  await sql`create table change_topics (topic text primary key, version integer not null)`.execute(db);
  for (const topic of new Set(TOPIC_TRIGGERS.map((t) => t.topic))) {
    await sql`insert into change_topics (topic, version) values (${topic}, 1)`.execute(db);
  }
  for (const { table, topic, events } of TOPIC_TRIGGERS) {
    for (const event of events) {
      const name = `${table}_${topic}_changed_${event.split(' ')[0]}`;
      await sql
        .raw(
          `create trigger ${name} after ${event} on ${table} begin update change_topics set version = version + 1 where topic = '${topic}'; end`,
        )
        .execute(db);
    }
  }
}
