// The query plans of the Hub's read path, on the seeded data: the exact SQL the app's repository
// functions build (captured by running them against a Kysely that compiles but does not execute),
// explained on the benchmark database with the benchmark member's values. A plan that reads a table
// that grows with the platform (entitlements, posts, likes, grants…) by scanning it is reported.
import type { CompiledQuery, Kysely } from 'kysely';
import { findGroupWithEntry, listGroupEntries } from '../../src/modules/access/access.repository.ts';
import {
  listFeedPosts,
  listHomePosts,
  listPinnedPosts,
  searchPosts,
} from '../../src/modules/hub/hub.repository.ts';
import type { Engine } from '../../src/platform/db/database.ts';
import type { DB } from '../../src/platform/db/schema.ts';
import { capturingDb } from '../support/sql-capture.ts';
import type { Fixture } from './dataset.ts';

export interface QueryPlan {
  /** Which query: e.g. `access: findGroupWithEntry`. */
  name: string;
  sql: string;
  /** The plan, one line per node (SQLite: `EXPLAIN QUERY PLAN` details; PostgreSQL: `EXPLAIN`). */
  plan: string[];
  /** Plan lines that read a large table (entitlements, posts, likes, grants, users…) without an index. */
  scans: string[];
}

async function compiled(engine: Engine, run: (db: Kysely<DB>) => Promise<unknown>): Promise<CompiledQuery> {
  let query: CompiledQuery | null = null;
  await run(
    capturingDb(engine, (q) => {
      query ??= q;
    }),
  );
  if (!query) throw new Error('the repository function ran no query');
  return query;
}

/** Tables that grow with members and activity; hub_groups, offers and offer_hub_groups stay small. */
const LARGE = 'entitlements|posts|post_likes|access_grants|users|comments|comment_likes';

const SCAN = {
  // SQLite says `SCAN t` for a full pass (`SCAN t USING INDEX i` walks a whole index); `SEARCH` is a probe.
  sqlite: new RegExp(`^\\s*SCAN (${LARGE})\\b`),
  postgres: new RegExp(`\\b(Seq Scan|Parallel Seq Scan) on (${LARGE})\\b`),
} satisfies Record<Engine, RegExp>;

async function explain(fixture: Fixture, query: CompiledQuery): Promise<string[]> {
  const { db, engine } = fixture;
  if (engine === 'postgres') {
    const result = await db.executeQuery<Record<string, string>>({
      ...query,
      sql: `explain ${query.sql}`,
    } as CompiledQuery<Record<string, string>>);
    // One column, "QUERY PLAN", one row per line.
    return result.rows.map((row) => String(Object.values(row)[0]));
  }
  const result = await db.executeQuery<{ id: number; parent: number; detail: string }>({
    ...query,
    sql: `explain query plan ${query.sql}`,
  } as CompiledQuery<{ id: number; parent: number; detail: string }>);
  // Indent each node under its parent, as the sqlite3 shell does.
  const depth = new Map<number, number>([[0, 0]]);
  return result.rows.map((row) => {
    const level = (depth.get(row.parent) ?? 0) + 1;
    depth.set(row.id, level);
    return `${'  '.repeat(level - 1)}${row.detail}`;
  });
}

/** Explains the queries behind the feed and the group list as the benchmark member runs them. */
export async function hubPlans(fixture: Fixture): Promise<QueryPlan[]> {
  const hub = fixture.hub;
  if (!hub) return [];
  const { engine } = fixture;
  const now = Date.now();
  const userId = hub.member.id;
  const groupId = hub.feedGroup.id;
  // The feed's second page starts after a post halfway down the group.
  const middle = await fixture.db
    .selectFrom('posts')
    .select(['id', 'createdAt'])
    .where('hubGroupId', '=', groupId)
    .where('pinnedAt', 'is', null)
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .offset(Math.floor(hub.size.posts / 40))
    .limit(1)
    .executeTakeFirst();
  // The groups the member may enter, as a search is given them.
  const entered = (await listGroupEntries(fixture.db, userId, now))
    .filter((entry) => entry.mayEnter)
    .map((entry) => entry.id);
  // [name, run, the index a query may walk in order from its top, stopping at the page's end]
  const queries: [string, (db: Kysely<DB>) => Promise<unknown>, string?][] = [
    [
      'access rule: findGroupWithEntry (can the member enter the group?)',
      (db) => findGroupWithEntry(db, groupId, userId, now),
    ],
    ['feed: listPinnedPosts', (db) => listPinnedPosts(db, groupId, userId)],
    ['feed: listFeedPosts (first page)', (db) => listFeedPosts(db, groupId, userId, null, 20)],
    [
      'feed: listFeedPosts (a later page, by cursor)',
      (db) => listFeedPosts(db, groupId, userId, middle ? { at: middle.createdAt, id: middle.id } : null, 20),
    ],
    ['group list: listGroupEntries', (db) => listGroupEntries(db, userId, now)],
    ...(['latest', 'active'] as const).map(
      (order): [string, (db: Kysely<DB>) => Promise<unknown>, string] => [
        `home: listHomePosts (first page, ${order})`,
        (db) =>
          listHomePosts(db, { order, everyGroup: false, viewerId: userId, now, after: null, limit: 20 }),
        order === 'latest' ? 'posts_newest' : 'posts_active',
      ],
    ),
    [
      'search: searchPosts (one rare word)',
      (db) => searchPosts(db, { terms: ['12343'], groupIds: entered, after: null, limit: 20 }),
    ],
  ];
  const plans: QueryPlan[] = [];
  for (const [name, run, walks] of queries) {
    const query = await compiled(engine, run);
    const plan = await explain(fixture, query);
    // SQLite says SCAN for a walk of an index in its order too; under a LIMIT it stops at the page's end.
    const walk = walks && `SCAN posts USING INDEX ${walks}`;
    const scans = plan.filter((line) => SCAN[engine].test(line) && line.trim() !== walk);
    plans.push({ name, sql: query.sql, plan, scans });
  }
  return plans;
}
