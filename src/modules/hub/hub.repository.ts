import {
  type CompiledQuery,
  type ExpressionBuilder,
  type Insertable,
  type SelectQueryBuilder,
  sql,
  type Updateable,
} from 'kysely';
import { type Executor, locksRows } from '../../platform/db/executor.ts';
import { prepared } from '../../platform/db/prepared.ts';
import type {
  CommentsTable,
  DB,
  HubGroupsTable,
  NotificationKind,
  NotificationsTable,
  PostsTable,
  ReportsTable,
} from '../../platform/db/schema.ts';
import type { Cursor, TextCursor } from '../../platform/pagination.ts';
import { groupCandidates, groupsEnteredBy, userMayEnterGroup } from '../access/index.ts';
import { HIT_END, HIT_START, SEARCH } from './hub.rules.ts';

// --- groups ---

export async function insertGroup(db: Executor, row: Insertable<HubGroupsTable>): Promise<void> {
  await db.insertInto('hubGroups').values(row).execute();
}

/**
 * Every change to a group goes through here and bumps its version (`version`): the version is what
 * the kept copies of a group and of its feed are checked against (access.service.ts, feed-cache.ts).
 */
export async function updateGroupRow(
  db: Executor,
  id: string,
  patch: Omit<Updateable<HubGroupsTable>, 'feedVersion' | 'version'>,
): Promise<void> {
  await db
    .updateTable('hubGroups')
    .set((eb) => ({ ...patch, version: eb('version', '+', 1) }))
    .where('id', '=', id)
    .execute();
}

export async function deleteGroupRow(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('hubGroups').where('id', '=', id).execute();
}

export async function slugTaken(db: Executor, slug: string, exceptId: string | null): Promise<boolean> {
  let query = db.selectFrom('hubGroups').select('id').where('slug', '=', slug);
  if (exceptId) query = query.where('id', '!=', exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

export async function nextGroupPosition(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('hubGroups')
    .select((eb) => eb.fn.max('position').as('max'))
    .executeTakeFirst();
  return Number(row?.max ?? -1) + 1;
}

export async function listGroupIds(db: Executor): Promise<string[]> {
  return (await db.selectFrom('hubGroups').select('id').execute()).map((row) => row.id);
}

// --- posts ---

/** The group a row belongs to, as lists name it beside the row (id, name, slug, emoji). */
const GROUP_REF = [
  'hubGroups.id as groupId',
  'hubGroups.name as groupName',
  'hubGroups.slug as groupSlug',
  'hubGroups.emoji as groupEmoji',
] as const;

/** People whose lower-cased name starts with `prefix`: one range of the name index. */
function nameStartsWith(eb: ExpressionBuilder<DB, 'users'>, prefix: string) {
  return eb.and([eb('users.nameSearch', '>=', prefix), eb('users.nameSearch', '<', `${prefix}\u{10FFFF}`)]);
}

const postColumns = [
  'posts.id',
  'posts.hubGroupId',
  'posts.authorId',
  'posts.title',
  'posts.body',
  'posts.bodyHtml',
  'posts.pinnedAt',
  'posts.likeCount',
  'posts.commentCount',
  'posts.createdAt',
  'posts.updatedAt',
  'posts.editedAt',
  'posts.hiddenAt',
  'users.name as authorName',
  'users.avatarPath as authorAvatarPath',
] as const;

function likedByExpression(userId: string) {
  return sql<number>`exists (select 1 from post_likes pl where pl.post_id = posts.id and pl.user_id = ${userId})`;
}

export async function insertPost(
  db: Executor,
  row: Omit<Insertable<PostsTable>, 'activityAt'>,
): Promise<void> {
  // The author's name shows on the post: a rename committing meanwhile must wait for this post, so its
  // bump of the feeds the author wrote in sees it (PostgreSQL; SQLite has one writer at a time).
  if (locksRows(db) && row.authorId) {
    await db.selectFrom('users').select('id').where('id', '=', row.authorId).forShare().execute();
  }
  await db
    .insertInto('posts')
    .values({ ...row, activityAt: row.createdAt })
    .execute();
  await db
    .updateTable('hubGroups')
    .set((eb) => ({
      postCount: eb('postCount', '+', 1),
      feedVersion: eb('feedVersion', '+', 1),
      version: eb('version', '+', 1),
    }))
    .where('id', '=', row.hubGroupId)
    .execute();
}

/**
 * Says that what the first page of the feed of a post's group shows has changed (a count, an edit, a
 * pin): every process's cached copy of that page is stale from the commit on.
 */
export async function bumpFeedOfPost(db: Executor, postId: string): Promise<void> {
  await db
    .updateTable('hubGroups')
    .set((eb) => ({ feedVersion: eb('feedVersion', '+', 1) }))
    .where('id', '=', (eb) =>
      eb.selectFrom('posts').select('posts.hubGroupId').where('posts.id', '=', postId),
    )
    .execute();
}

/** An author's name is on their posts: the feeds of the groups they wrote in are stale. */
export async function bumpFeedsOfAuthor(db: Executor, authorId: string): Promise<void> {
  await db
    .updateTable('hubGroups')
    .set((eb) => ({ feedVersion: eb('feedVersion', '+', 1) }))
    .where('id', 'in', (eb) =>
      eb.selectFrom('posts').select('posts.hubGroupId').where('posts.authorId', '=', authorId),
    )
    .execute();
}

/** Which of these posts the viewer likes (the viewer's part of a cached feed page). */
export async function likedPostIds(db: Executor, viewerId: string, postIds: string[]): Promise<string[]> {
  if (postIds.length === 0) return [];
  const rows = await db
    .selectFrom('postLikes')
    .select('postId')
    .where('userId', '=', viewerId)
    .where('postId', 'in', postIds)
    .execute();
  return rows.map((row) => row.postId);
}

/** A post with its author's name, and whether the viewer likes it. */
export async function findPost(db: Executor, id: string, viewerId: string) {
  return db
    .selectFrom('posts')
    .leftJoin('users', 'users.id', 'posts.authorId')
    .select(postColumns)
    .select(likedByExpression(viewerId).as('likedByMe'))
    .where('posts.id', '=', id)
    .executeTakeFirst();
}

export type PostRow = NonNullable<Awaited<ReturnType<typeof findPost>>>;

/** A group's posts with their authors and whether the viewer likes each. */
function postsOfGroup(db: Executor, groupId: string, viewerId: string) {
  return (
    db
      .selectFrom('posts')
      .leftJoin('users', 'users.id', 'posts.authorId')
      .select(postColumns)
      .select(likedByExpression(viewerId).as('likedByMe'))
      .where('posts.hubGroupId', '=', groupId)
      // A post staff hid is gone from every feed (staff find it in Reports).
      .where('posts.hiddenAt', 'is', null)
  );
}

const pinnedPosts = prepared((db: Executor, groupId: string, viewerId: string) =>
  postsOfGroup(db, groupId, viewerId)
    .where('posts.pinnedAt', 'is not', null)
    .orderBy('posts.pinnedAt', 'desc'),
);

/** A group's pinned posts, newest pin first (every first page of a feed: compiled once). */
export async function listPinnedPosts(db: Executor, groupId: string, viewerId: string) {
  return pinnedPosts(db, groupId, viewerId);
}

function feedQuery(db: Executor, groupId: string, viewerId: string, take: number) {
  return postsOfGroup(db, groupId, viewerId)
    .where('posts.pinnedAt', 'is', null)
    .orderBy('posts.createdAt', 'desc')
    .orderBy('posts.id', 'desc')
    .limit(take);
}

// The first page and the pages after it are two shapes, each compiled once.
const firstFeedPage = prepared(feedQuery);
const laterFeedPage = prepared(
  (db: Executor, groupId: string, viewerId: string, take: number, afterAt: number, afterId: string) =>
    feedQuery(db, groupId, viewerId, take).where((eb) =>
      eb(eb.refTuple('posts.createdAt', 'posts.id'), '<', eb.tuple(afterAt, afterId)),
    ),
);

/** Unpinned posts, newest first: one range read on (hub_group_id, created_at, id). */
export async function listFeedPosts(
  db: Executor,
  groupId: string,
  viewerId: string,
  after: Cursor | null,
  limit: number,
) {
  return after
    ? laterFeedPage(db, groupId, viewerId, limit + 1, after.at, after.id)
    : firstFeedPage(db, groupId, viewerId, limit + 1);
}

// --- the home feed: posts across groups ---

/** The home feed's two orders: newest posts first, or the posts with the newest activity first. */
export type HomeOrder = 'latest' | 'active';

const HOME_ORDER = { latest: 'posts.createdAt', active: 'posts.activityAt' } as const;

/**
 * Posts across groups with each one's group: every group (staff), or those the member may enter —
 * the access rule as one condition on the joined group (its grant and entitlement lists read once),
 * never a check per post. Newest first in the order's column: a range read from the top of its index.
 */
function homeQuery(db: Executor, order: HomeOrder, viewerId: string) {
  return db
    .selectFrom('posts')
    .innerJoin('hubGroups', 'hubGroups.id', 'posts.hubGroupId')
    .leftJoin('users', 'users.id', 'posts.authorId')
    .select(postColumns)
    .select(['posts.activityAt', 'hubGroups.name as groupName', 'hubGroups.slug as groupSlug'])
    .select('hubGroups.emoji as groupEmoji')
    .select(likedByExpression(viewerId).as('likedByMe'))
    .where('posts.hiddenAt', 'is', null)
    .orderBy(HOME_ORDER[order], 'desc')
    .orderBy('posts.id', 'desc');
}

type HomeQuery = ReturnType<typeof homeQuery>;

/** A member's posts: those of the groups they may enter (the grant and entitlement lists read once). */
function entered(query: HomeQuery, viewerId: string, now: number): HomeQuery {
  return query.where((eb) => groupsEnteredBy(eb, viewerId, now));
}

function pastCursor(query: HomeQuery, order: HomeOrder, at: number, id: string): HomeQuery {
  return query.where((eb) => eb(eb.refTuple(HOME_ORDER[order], 'posts.id'), '<', eb.tuple(at, id)));
}

// Each order for staff (every group) and for members, first page and later pages: eight shapes, each
// compiled once.
function homePages(order: HomeOrder) {
  return {
    staff: {
      first: prepared((db: Executor, viewerId: string, take: number) =>
        homeQuery(db, order, viewerId).limit(take),
      ),
      later: prepared((db: Executor, viewerId: string, take: number, at: number, id: string) =>
        pastCursor(homeQuery(db, order, viewerId), order, at, id).limit(take),
      ),
    },
    member: {
      first: prepared((db: Executor, viewerId: string, take: number, now: number) =>
        entered(homeQuery(db, order, viewerId), viewerId, now).limit(take),
      ),
      later: prepared((db: Executor, viewerId: string, take: number, at: number, id: string, now: number) =>
        pastCursor(entered(homeQuery(db, order, viewerId), viewerId, now), order, at, id).limit(take),
      ),
    },
  };
}

const HOME_PAGES = { latest: homePages('latest'), active: homePages('active') };

/**
 * A page of the home feed: posts across groups, each with its group, newest first in the order's
 * column — a range read from the top of that column's index. Staff see every group; a member, those
 * they may enter, decided in the same query as one condition on the joined group, never per post.
 */
export async function listHomePosts(
  db: Executor,
  options: {
    order: HomeOrder;
    everyGroup: boolean;
    viewerId: string;
    now: number;
    after: Cursor | null;
    limit: number;
  },
) {
  const { order, everyGroup, viewerId, now, after: cursor, limit } = options;
  const pages = HOME_PAGES[order];
  if (everyGroup) {
    return cursor
      ? pages.staff.later(db, viewerId, limit + 1, cursor.at, cursor.id)
      : pages.staff.first(db, viewerId, limit + 1);
  }
  return cursor
    ? pages.member.later(db, viewerId, limit + 1, cursor.at, cursor.id, now)
    : pages.member.first(db, viewerId, limit + 1, now);
}

export type HomePostRow = Awaited<ReturnType<typeof listHomePosts>>[number];

// --- search: posts and comments through each engine's full-text index (migration 0015) ---

export interface SearchOptions {
  /** The search's words (hub.rules.ts, searchTerms): letters and digits only. */
  terms: string[];
  /** The groups searched: those the viewer may enter (access.enteredGroups; staff: every group). */
  groupIds: readonly string[];
  after: Cursor | null;
  limit: number;
}

/**
 * The words as each engine's query: every word must appear, the last one as a prefix (a search typed
 * as far as "yog" finds "yoga"). The words hold only letters and digits (searchTerms), and the query
 * is a bound value.
 */
function matchQuery(db: Executor, terms: string[]): string {
  // The last word is a prefix, and so is a word cut at the longest a search word may be.
  const prefix = (term: string, i: number) =>
    (i === terms.length - 1 && term.length >= SEARCH.minPrefixLength) || term.length >= SEARCH.maxTermLength;
  if (locksRows(db)) return terms.map((term, i) => (prefix(term, i) ? `${term}:*` : term)).join(' & ');
  return terms.map((term, i) => `"${term}"${prefix(term, i) ? '*' : ''}`).join(' ');
}

const START = sql.lit(HIT_START);
const END = sql.lit(HIT_END);
/** PostgreSQL's ts_headline options: the hits marked, about thirty words around the first. */
const HEADLINE = sql.lit(`StartSel=${HIT_START}, StopSel=${HIT_END}, MaxWords=30, MinWords=12, ShortWord=1`);
const WHOLE = sql.lit(`StartSel=${HIT_START}, StopSel=${HIT_END}, HighlightAll=true`);

/**
 * The order of hits. PostgreSQL cannot tell how many rows a prefix search matches, guesses many, and
 * would walk posts_newest backwards testing every post until the page fills (a scan when the words
 * are rare): ordering by an expression leaves it the GIN index and a sort of the matches, as SQLite's
 * FTS5 does.
 */
function newestFirst(db: Executor, table: 'posts' | 'comments') {
  return locksRows(db)
    ? sql<number>`${sql.ref(`${table}.createdAt`)} + 0`
    : sql<number>`${sql.ref(`${table}.createdAt`)}`;
}

/** Posts matching the query, with the hits marked in the title and in a snippet of the body. */
function postHits(db: Executor, match: string) {
  return (
    (
      locksRows(db)
        ? db
            .selectFrom('posts')
            .select(
              sql<string>`ts_headline('simple', coalesce(posts.title, ''), to_tsquery('simple', ${match}), ${WHOLE})`.as(
                'titleHit',
              ),
            )
            .select(
              sql<string>`ts_headline('simple', posts.body, to_tsquery('simple', ${match}), ${HEADLINE})`.as(
                'bodyHit',
              ),
            )
            .where(sql<boolean>`posts.search_vector @@ to_tsquery('simple', ${match})`)
        : db
            .selectFrom('searchFts')
            .innerJoin('searchDocs', 'searchDocs.doc', 'searchFts.rowid')
            .innerJoin('posts', 'posts.id', 'searchDocs.postId')
            .select(sql<string>`coalesce(highlight(search_fts, 0, ${START}, ${END}), '')`.as('titleHit'))
            .select(sql<string>`snippet(search_fts, 1, ${START}, ${END}, '…', 32)`.as('bodyHit'))
            .where(sql<boolean>`search_fts match ${match}`)
    )
      .innerJoin('hubGroups', 'hubGroups.id', 'posts.hubGroupId')
      .where('posts.hiddenAt', 'is', null)
      // The author's name by a probe per hit: PostgreSQL guesses thousands of hits for a prefix search
      // and, joining, would read every user.
      .select((eb) =>
        eb
          .selectFrom('users')
          .select('users.name')
          .whereRef('users.id', '=', 'posts.authorId')
          .as('authorName'),
      )
      .select([
        'posts.id',
        'posts.title',
        'posts.commentCount',
        'posts.likeCount',
        'posts.createdAt',
        'posts.authorId',
        ...GROUP_REF,
      ])
      .orderBy(newestFirst(db, 'posts'), 'desc')
      .orderBy('posts.id', 'desc')
  );
}

/** Comments matching the query, with the hits marked in a snippet. */
function commentHits(db: Executor, match: string) {
  return (
    locksRows(db)
      ? db
          .selectFrom('comments')
          .select(
            sql<string>`ts_headline('simple', comments.body, to_tsquery('simple', ${match}), ${HEADLINE})`.as(
              'bodyHit',
            ),
          )
          .where(sql<boolean>`comments.search_vector @@ to_tsquery('simple', ${match})`)
      : db
          .selectFrom('searchFts')
          .innerJoin('searchDocs', 'searchDocs.doc', 'searchFts.rowid')
          .innerJoin('comments', 'comments.id', 'searchDocs.commentId')
          .select(sql<string>`snippet(search_fts, 1, ${START}, ${END}, '…', 32)`.as('bodyHit'))
          .where(sql<boolean>`search_fts match ${match}`)
  )
    .innerJoin('posts', 'posts.id', 'comments.postId')
    .innerJoin('hubGroups', 'hubGroups.id', 'posts.hubGroupId')
    .where('posts.hiddenAt', 'is', null)
    .where('comments.hiddenAt', 'is', null)
    .select((eb) =>
      eb
        .selectFrom('users')
        .select('users.name')
        .whereRef('users.id', '=', 'comments.authorId')
        .as('authorName'),
    )
    .select([
      'comments.id',
      'comments.postId',
      'posts.title as postTitle',
      'comments.createdAt',
      'comments.authorId',
      ...GROUP_REF,
    ])
    .orderBy(newestFirst(db, 'comments'), 'desc')
    .orderBy('comments.id', 'desc');
}

/**
 * Only the posts of these groups (a JSON array of ids: one value, so one compiled shape for any number
 * of groups): the groups a member may enter, as the access rule gave them (access.enteredGroups, kept
 * in memory while nothing that decides it has changed), a condition of the search query itself.
 */
function inGroups(db: Executor, groups: string) {
  return locksRows(db)
    ? sql<boolean>`posts.hub_group_id in (select jsonb_array_elements_text(${groups}::jsonb))`
    : sql<boolean>`posts.hub_group_id in (select value from json_each(${groups}))`;
}

/**
 * A search's two shapes (first page or later), each compiled once per engine: the hits of `base` in the
 * groups searched, newest first after the cursor.
 */
function searchShapes<Row>(
  base: (db: Executor, match: string) => { compile(): CompiledQuery<Row> },
  table: 'posts' | 'comments',
) {
  // The hit queries join posts and hub_groups (and more): seen here through that part of their shape.
  type Q = SelectQueryBuilder<DB, 'posts' | 'hubGroups', Row>;
  const start = (db: Executor, match: string) => base(db, match) as unknown as Q;
  const entered = (db: Executor, query: Q, groups: string) => query.where(inGroups(db, groups));
  const later = (query: Q, at: number, id: string) =>
    query.where(sql<boolean>`(${sql.ref(`${table}.createdAt`)}, ${sql.ref(`${table}.id`)}) < (${at}, ${id})`);
  return {
    first: prepared((db: Executor, match: string, take: number, groups: string) =>
      entered(db, start(db, match), groups).limit(take),
    ),
    later: prepared((db: Executor, match: string, take: number, at: number, id: string, groups: string) =>
      later(entered(db, start(db, match), groups), at, id).limit(take),
    ),
  };
}

const POST_SEARCH = searchShapes(postHits, 'posts');
const COMMENT_SEARCH = searchShapes(commentHits, 'comments');

/**
 * Posts matching every word, in the groups the viewer may enter, newest first, with the hits marked in
 * the title and in a snippet of the body. SQLite reads the FTS5 index, PostgreSQL the posts' tsvector
 * index: never a scan.
 */
export async function searchPosts(db: Executor, options: SearchOptions) {
  return runSearch(db, POST_SEARCH, options);
}

export type PostHitRow = Awaited<ReturnType<typeof searchPosts>>[number];

/** Comments matching every word, as searchPosts. */
export async function searchComments(db: Executor, options: SearchOptions) {
  return runSearch(db, COMMENT_SEARCH, options);
}

export type CommentHitRow = Awaited<ReturnType<typeof searchComments>>[number];

/**
 * People whose name starts with the prefix (lower-cased), among those the viewer can already see by
 * name: the authors of posts in the groups they may enter (staff: of any post). One indexed range on
 * the names, each probed by the posts' (author, group) index; alphabetical.
 */
export async function searchPeople(
  db: Executor,
  options: { prefix: string; everyGroup: boolean; viewerId: string; now: number; limit: number },
) {
  const { prefix, everyGroup, viewerId, now, limit } = options;
  return db
    .selectFrom('users')
    .select(['users.id', 'users.name'])
    .where((eb) => nameStartsWith(eb, prefix))
    .where('users.status', '=', 'active')
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('posts')
          .innerJoin('hubGroups', 'hubGroups.id', 'posts.hubGroupId')
          .select(sql.lit(1).as('one'))
          .whereRef('posts.authorId', '=', 'users.id')
          .where('posts.hiddenAt', 'is', null)
          .$if(!everyGroup, (query) => query.where((inner) => groupsEnteredBy(inner, viewerId, now))),
      ),
    )
    .orderBy('users.nameSearch')
    .orderBy('users.id')
    .limit(limit)
    .execute();
}

async function runSearch<Row>(
  db: Executor,
  shapes: ReturnType<typeof searchShapes<Row>>,
  options: SearchOptions,
) {
  const { terms, groupIds, after, limit } = options;
  if (groupIds.length === 0) return [];
  const match = matchQuery(db, terms);
  const groups = JSON.stringify(groupIds);
  return after
    ? shapes.later(db, match, limit + 1, after.at, after.id, groups)
    : shapes.first(db, match, limit + 1, groups);
}

export async function countPinned(db: Executor, groupId: string): Promise<number> {
  const row = await db
    .selectFrom('posts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('hubGroupId', '=', groupId)
    .where('pinnedAt', 'is not', null)
    .where('hiddenAt', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function updatePostRow(db: Executor, id: string, patch: Updateable<PostsTable>): Promise<void> {
  await db.updateTable('posts').set(patch).where('id', '=', id).execute();
  await bumpFeedOfPost(db, id);
}

/** A group's post count moved by `by` (members see it in their group list): both its caches are stale. */
async function movePostCount(db: Executor, groupId: string, by: number): Promise<void> {
  await db
    .updateTable('hubGroups')
    .set((eb) => ({
      postCount: eb('postCount', '+', by),
      feedVersion: eb('feedVersion', '+', 1),
      version: eb('version', '+', 1),
    }))
    .where('id', '=', groupId)
    .execute();
}

/** Deletes a post; a hidden one was no longer counted in its group's posts. */
export async function deletePostRow(db: Executor, post: { id: string; hubGroupId: string }): Promise<void> {
  const gone = await db
    .deleteFrom('posts')
    .where('id', '=', post.id)
    .returning('hiddenAt')
    .executeTakeFirst();
  await movePostCount(db, post.hubGroupId, gone && gone.hiddenAt === null ? -1 : 0);
}

/**
 * Hides a post from members (`hiddenAt`), or shows it again (null): a group counts only the posts its
 * members see, so the count moves when the post does — once, however often it is asked.
 */
export async function setPostHidden(
  db: Executor,
  post: { id: string; hubGroupId: string },
  hiddenAt: number | null,
): Promise<void> {
  const changed = await db
    .updateTable('posts')
    .set({ hiddenAt })
    .where('id', '=', post.id)
    .where('hiddenAt', hiddenAt === null ? 'is not' : 'is', null)
    .executeTakeFirst();
  const moved = Number(changed.numUpdatedRows) === 1;
  await movePostCount(db, post.hubGroupId, moved ? (hiddenAt === null ? 1 : -1) : 0);
}

// --- comments ---

const commentColumns = [
  'comments.id',
  'comments.postId',
  'comments.parentId',
  'comments.authorId',
  'comments.body',
  'comments.bodyHtml',
  'comments.likeCount',
  'comments.createdAt',
  'comments.updatedAt',
  'comments.editedAt',
  'comments.hiddenAt',
  'users.name as authorName',
  'users.avatarPath as authorAvatarPath',
] as const;

function commentLikedBy(userId: string) {
  return sql<number>`exists (select 1 from comment_likes cl where cl.comment_id = comments.id and cl.user_id = ${userId})`;
}

export async function insertComment(db: Executor, row: Insertable<CommentsTable>): Promise<void> {
  await db.insertInto('comments').values(row).execute();
  await db
    .updateTable('posts')
    .set((eb) => ({
      commentCount: eb('commentCount', '+', 1),
      // Only ever later: two comments committing out of order leave the newer time.
      activityAt: sql<number>`${sql.raw(locksRows(db) ? 'greatest' : 'max')}(activity_at, ${row.createdAt})`,
    }))
    .where('id', '=', row.postId)
    .execute();
  await bumpFeedOfPost(db, row.postId);
}

export async function findComment(db: Executor, id: string, viewerId: string) {
  return db
    .selectFrom('comments')
    .innerJoin('posts', 'posts.id', 'comments.postId')
    .leftJoin('users', 'users.id', 'comments.authorId')
    .select(commentColumns)
    .select(['posts.hubGroupId', 'posts.title as postTitle', 'posts.hiddenAt as postHiddenAt'])
    .select(commentLikedBy(viewerId).as('likedByMe'))
    .where('comments.id', '=', id)
    .executeTakeFirst();
}

export type CommentRow = NonNullable<Awaited<ReturnType<typeof findComment>>>;

/** A post's comments, oldest first (conversation order), a page at a time. */
export async function listComments(
  db: Executor,
  postId: string,
  viewerId: string,
  after: Cursor | null,
  limit: number,
) {
  let query = db
    .selectFrom('comments')
    .innerJoin('posts', 'posts.id', 'comments.postId')
    .leftJoin('users', 'users.id', 'comments.authorId')
    .select(commentColumns)
    .select(['posts.hubGroupId', 'posts.hiddenAt as postHiddenAt'])
    .select(commentLikedBy(viewerId).as('likedByMe'))
    .where('comments.postId', '=', postId)
    .where('comments.hiddenAt', 'is', null)
    .orderBy('comments.createdAt', 'asc')
    .orderBy('comments.id', 'asc')
    .limit(limit + 1);
  if (after) {
    query = query.where((eb) =>
      eb(eb.refTuple('comments.createdAt', 'comments.id'), '>', eb.tuple(after.at, after.id)),
    );
  }
  return query.execute();
}

export async function updateCommentRow(
  db: Executor,
  id: string,
  patch: Updateable<CommentsTable>,
): Promise<void> {
  await db.updateTable('comments').set(patch).where('id', '=', id).execute();
}

/**
 * A post's comment count is of the comments its members see: counted again (by the post's index) after
 * a comment goes, or is hidden or shown again.
 */
async function recountComments(db: Executor, postId: string): Promise<void> {
  // PostgreSQL: the post's row locked first, so the count below sees every comment committed before
  // (a comment written meanwhile waits, then adds its one to the fresh count).
  if (locksRows(db)) await db.selectFrom('posts').select('id').where('id', '=', postId).forUpdate().execute();
  await db
    .updateTable('posts')
    .set({
      commentCount: sql<number>`(select count(*) from comments c where c.post_id = posts.id and c.hidden_at is null)`,
      // The newest comment left, or the post's own time.
      activityAt: sql<number>`coalesce((select max(c.created_at) from comments c where c.post_id = posts.id and c.hidden_at is null), posts.created_at)`,
    })
    .where('id', '=', postId)
    .execute();
  await bumpFeedOfPost(db, postId);
}

/** Deletes a comment and its replies, keeping the post's count right. */
export async function deleteCommentRow(db: Executor, comment: { id: string; postId: string }): Promise<void> {
  await db.deleteFrom('comments').where('id', '=', comment.id).execute();
  await recountComments(db, comment.postId);
}

// --- mentions ---

/** People whose name starts with the prefix who may enter the group (a mention's completion). */
export async function listMentionable(
  db: Executor,
  options: { groupId: string; prefix: string; now: number; limit: number },
) {
  const { groupId, prefix, now, limit } = options;
  return db
    .selectFrom('users')
    .select(['users.id', 'users.name'])
    .where((eb) => nameStartsWith(eb, prefix))
    .where('users.status', '=', 'active')
    .where((eb) => userMayEnterGroup(eb, groupId, now))
    .orderBy('users.nameSearch')
    .orderBy('users.id')
    .limit(limit)
    .execute();
}

/**
 * Whether a group has fewer than `cap` people it could let in (someone with a grant and a purchase
 * counts twice: the count stops at the cap instead of reading every buyer to tell them apart).
 */
export async function fewCandidates(db: Executor, groupId: string, cap: number): Promise<boolean> {
  const row = await db
    .selectFrom(groupCandidates(db, groupId).limit(cap).as('candidates'))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n) < cap;
}

/**
 * A page of a group's member directory: active people who may enter it (the access rule, in the
 * query), by name, optionally those whose name starts with `prefix`. A large group is read by walking
 * the accounts by name (a page is found within a few of them); a small one (`fromGroup`) from its own
 * grants and buyers, so a small group in a large community never walks every account.
 */
export async function listDirectory(
  db: Executor,
  options: {
    groupId: string;
    prefix: string;
    after: TextCursor | null;
    now: number;
    limit: number;
    fromGroup: boolean;
  },
) {
  const { groupId, prefix, after, now, limit, fromGroup } = options;
  let query = db
    .selectFrom('users')
    .select(['users.id', 'users.name', 'users.nameSearch', 'users.avatarPath', 'users.bio', 'users.role'])
    .where('users.status', '=', 'active')
    .where((eb) => userMayEnterGroup(eb, groupId, now))
    .orderBy('users.nameSearch')
    .orderBy('users.id')
    .limit(limit + 1);
  if (prefix) query = query.where((eb) => nameStartsWith(eb, prefix));
  if (after)
    query = query.where((eb) =>
      eb(eb.refTuple('users.nameSearch', 'users.id'), '>', eb.tuple(after.key, after.id)),
    );
  if (fromGroup) query = query.where('users.id', 'in', groupCandidates(db, groupId));
  return query.execute();
}

/**
 * Whether a viewer and a person are both in a private or hidden group whose member directory is on
 * (the access rule for each, in one query over the groups); staff are in every group.
 */
export async function shareDirectory(
  db: Executor,
  options: { viewerId: string; personId: string; personIsStaff: boolean; now: number },
): Promise<boolean> {
  const { viewerId, personId, personIsStaff, now } = options;
  let query = db
    .selectFrom('hubGroups')
    .select('hubGroups.id')
    .where('hubGroups.directoryOn', '=', 1)
    .where('hubGroups.visibility', '!=', 'public')
    .where((eb) => groupsEnteredBy(eb, viewerId, now))
    .limit(1);
  if (!personIsStaff) query = query.where((eb) => groupsEnteredBy(eb, personId, now));
  return (await query.executeTakeFirst()) !== undefined;
}

export type DirectoryRow = Awaited<ReturnType<typeof listDirectory>>[number];

/** Of these people, the active ones who may enter the group: whom a mention there may tell. */
export async function whoMayEnter(db: Executor, groupId: string, userIds: string[], now: number) {
  if (userIds.length === 0) return [];
  const rows = await db
    .selectFrom('users')
    .select('users.id')
    .where('users.id', 'in', userIds)
    .where('users.status', '=', 'active')
    .where((eb) => userMayEnterGroup(eb, groupId, now))
    .execute();
  return rows.map((row) => row.id);
}

// --- following ---

/** Starts or stops a member following a group (either twice is the same as once). */
export async function setFollowing(
  db: Executor,
  options: { userId: string; groupId: string; following: boolean; now: number },
): Promise<void> {
  const { userId, groupId, following, now } = options;
  if (following) {
    await db
      .insertInto('groupFollows')
      .values({ userId, hubGroupId: groupId, createdAt: now })
      .onConflict((oc) => oc.columns(['userId', 'hubGroupId']).doNothing())
      .execute();
  } else {
    // Stopping needs no access, so the group may be named by its id or its slug.
    await db
      .deleteFrom('groupFollows')
      .where('userId', '=', userId)
      .where('hubGroupId', 'in', (eb) =>
        eb
          .selectFrom('hubGroups')
          .select('hubGroups.id')
          .where((inner) =>
            inner.or([inner('hubGroups.id', '=', groupId), inner('hubGroups.slug', '=', groupId)]),
          ),
      )
      .execute();
  }
}

export async function isFollowing(db: Executor, userId: string, groupId: string): Promise<boolean> {
  const row = await db
    .selectFrom('groupFollows')
    .select('userId')
    .where('userId', '=', userId)
    .where('hubGroupId', '=', groupId)
    .executeTakeFirst();
  return row !== undefined;
}

export async function groupNameOf(db: Executor, groupId: string): Promise<string | null> {
  const row = await db.selectFrom('hubGroups').select('name').where('id', '=', groupId).executeTakeFirst();
  return row?.name ?? null;
}

export async function hasFollowers(db: Executor, groupId: string): Promise<boolean> {
  const row = await db
    .selectFrom('groupFollows')
    .select('userId')
    .where('hubGroupId', '=', groupId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * A page of a group's followers to tell of a new post, by id after `afterId`: active, still allowed in
 * (the access rule, in the query), not its author, and not yet told of this post in any way (a
 * mention of them in it told them already).
 */
export async function listFollowersToTell(
  db: Executor,
  options: {
    groupId: string;
    postId: string;
    authorId: string | null;
    afterId: string;
    limit: number;
    now: number;
  },
): Promise<string[]> {
  const { groupId, postId, authorId, afterId, limit, now } = options;
  let query = db
    .selectFrom('groupFollows')
    .innerJoin('users', 'users.id', 'groupFollows.userId')
    // A post hidden (or deleted) while the job runs tells nobody more.
    .innerJoin('posts', (join) => join.on('posts.id', '=', postId).on('posts.hiddenAt', 'is', null))
    .select('users.id')
    .where('groupFollows.hubGroupId', '=', groupId)
    .where('groupFollows.userId', '>', afterId)
    .where('users.status', '=', 'active')
    .where((eb) => userMayEnterGroup(eb, groupId, now))
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('notifications')
            .select(sql.lit(1).as('one'))
            .whereRef('notifications.userId', '=', 'users.id')
            .where('notifications.postId', '=', postId),
        ),
      ),
    )
    .orderBy('groupFollows.userId')
    .limit(limit);
  if (authorId) query = query.where('groupFollows.userId', '!=', authorId);
  return (await query.execute()).map((row) => row.id);
}

// --- notifications ---

/** Who is told, for their notification emails: address, name, how and of what they want them. */
export async function findRecipients(db: Executor, userIds: string[]) {
  if (userIds.length === 0) return [];
  return db
    .selectFrom('users')
    .select(['id', 'email', 'name', 'notifyEmail', 'emailReplies', 'emailMentions', 'emailPosts'])
    .where('id', 'in', userIds)
    .where('status', '=', 'active')
    .execute();
}

/** The notification kinds a member's email switches let through (users.email_*). */
function kindEmailed(eb: ExpressionBuilder<DB, 'users' | 'notifications'>) {
  return eb.or([
    eb.and([eb('notifications.kind', 'in', ['comment', 'reply']), eb('users.emailReplies', '=', 1)]),
    eb.and([eb('notifications.kind', '=', 'mention'), eb('users.emailMentions', '=', 1)]),
    eb.and([eb('notifications.kind', '=', 'post'), eb('users.emailPosts', '=', 1)]),
  ]);
}

/**
 * Of these people, those already told they were mentioned in this post (null), or told anything of
 * this comment (a reply to them, a comment on their post, a mention).
 */
export async function alreadyMentioned(
  db: Executor,
  options: { postId: string; commentId: string | null; userIds: string[] },
): Promise<string[]> {
  const { postId, commentId, userIds } = options;
  if (userIds.length === 0) return [];
  const rows = await db
    .selectFrom('notifications')
    .select('userId')
    .where('postId', '=', postId)
    .where('commentId', commentId === null ? 'is' : '=', commentId)
    .where('kind', 'in', commentId === null ? ['mention'] : ['mention', 'reply', 'comment'])
    .where('userId', 'in', userIds)
    .execute();
  return rows.map((row) => row.userId);
}

/** Members on the daily digest with notifications no email has carried yet (unread, of kinds they get). */
export async function listDigestRecipients(db: Executor, afterId: string, limit: number) {
  return db
    .selectFrom('users')
    .select([
      'users.id',
      'users.email',
      'users.name',
      'users.role',
      'users.emailReplies',
      'users.emailMentions',
      'users.emailPosts',
    ])
    .where('users.notifyEmail', '=', 'daily')
    .where('users.status', '=', 'active')
    .where('users.id', '>', afterId)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('notifications')
          .select(sql.lit(1).as('one'))
          .whereRef('notifications.userId', '=', 'users.id')
          .where('notifications.readAt', 'is', null)
          .where('notifications.emailedAt', 'is', null)
          .where(kindEmailed),
      ),
    )
    .orderBy('users.id')
    .limit(limit)
    .execute();
}

/** Marks notifications as carried by an email (at once, or in a digest). */
export async function markNotificationsEmailed(db: Executor, ids: string[], now: number): Promise<void> {
  if (ids.length > 0)
    await db.updateTable('notifications').set({ emailedAt: now }).where('id', 'in', ids).execute();
}

/**
 * Writes notifications; a "new post" one at most once per member and post (a retried followers job
 * writes none twice). Answers whom this call told.
 */
export async function insertNotifications(
  db: Executor,
  rows: Insertable<NotificationsTable>[],
): Promise<string[]> {
  if (rows.length === 0) return [];
  const told = await db
    .insertInto('notifications')
    .values(rows)
    // The conflict target names the partial index by its predicate, as a literal (a bound value matches no index).
    .onConflict((oc) => oc.columns(['userId', 'postId']).where('kind', '=', sql.lit('post')).doNothing())
    .returning('userId')
    .execute();
  return told.map((row) => row.userId);
}

/** A member's notifications about groups they may enter now (staff: any), newest first. */
export async function listNotifications(
  db: Executor,
  options: {
    userId: string;
    everyGroup: boolean;
    now: number;
    after: Cursor | null;
    limit: number;
    /** Only the unread ones of these kinds no email has carried yet (the daily digest's). */
    forDigest?: NotificationKind[];
  },
) {
  const { userId, everyGroup, now, after, limit, forDigest } = options;
  let query = db
    .selectFrom('notifications')
    .innerJoin('posts', 'posts.id', 'notifications.postId')
    .innerJoin('hubGroups', 'hubGroups.id', 'posts.hubGroupId')
    .leftJoin('users', 'users.id', 'notifications.actorId')
    .leftJoin('comments', 'comments.id', 'notifications.commentId')
    .select([
      'notifications.id',
      'notifications.kind',
      'notifications.createdAt',
      'notifications.readAt',
      'notifications.actorId',
      'users.name as actorName',
      'posts.id as postId',
      'posts.title as postTitle',
      'comments.id as commentId',
      'comments.body as commentBody',
      ...GROUP_REF,
    ])
    .where('notifications.userId', '=', userId)
    .where('posts.hiddenAt', 'is', null)
    .where('comments.hiddenAt', 'is', null)
    .orderBy('notifications.createdAt', 'desc')
    .orderBy('notifications.id', 'desc')
    .limit(limit + 1);
  if (forDigest?.length === 0) return [];
  if (forDigest)
    query = query
      .where('notifications.readAt', 'is', null)
      .where('notifications.emailedAt', 'is', null)
      .where('notifications.kind', 'in', forDigest);
  if (!everyGroup) query = query.where((eb) => groupsEnteredBy(eb, userId, now));
  if (after)
    query = query.where((eb) =>
      eb(eb.refTuple('notifications.createdAt', 'notifications.id'), '<', eb.tuple(after.at, after.id)),
    );
  return query.execute();
}

export type NotificationRow = Awaited<ReturnType<typeof listNotifications>>[number];

/** The most unread notifications the bell counts. */
export const UNREAD_COUNTED = 100;

/** How many of a member's notifications are unread, of those they are shown (listNotifications). */
export async function countUnreadNotifications(
  db: Executor,
  options: { userId: string; everyGroup: boolean; now: number },
): Promise<number> {
  const { userId, everyGroup, now } = options;
  let unread = db
    .selectFrom('notifications')
    .innerJoin('posts', 'posts.id', 'notifications.postId')
    .innerJoin('hubGroups', 'hubGroups.id', 'posts.hubGroupId')
    .select('notifications.id')
    .leftJoin('comments', 'comments.id', 'notifications.commentId')
    .where('notifications.userId', '=', userId)
    .where('notifications.readAt', 'is', null)
    .where('posts.hiddenAt', 'is', null)
    .where('comments.hiddenAt', 'is', null)
    // The bell shows "99+": counting stops there, however many have piled up.
    .limit(UNREAD_COUNTED);
  if (!everyGroup) unread = unread.where((eb) => groupsEnteredBy(eb, userId, now));
  const row = await db
    .selectFrom(unread.as('unread'))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Marks a member's notifications read: these (theirs only), or all of them. */
export async function markNotificationsRead(
  db: Executor,
  userId: string,
  ids: string[] | 'all',
  now: number,
): Promise<void> {
  if (ids !== 'all' && ids.length === 0) return;
  let query = db
    .updateTable('notifications')
    .set({ readAt: now })
    .where('userId', '=', userId)
    .where('readAt', 'is', null);
  if (ids !== 'all') query = query.where('id', 'in', ids);
  await query.execute();
}

// --- profiles ---

/** A person's profile: name, bio, links, avatar, since when (never their email). */
export async function findProfile(db: Executor, userId: string) {
  return db
    .selectFrom('users')
    .select(['id', 'name', 'bio', 'links', 'avatarPath', 'createdAt', 'role'])
    .where('id', '=', userId)
    .where('status', '=', 'active')
    .executeTakeFirst();
}

export async function updateProfileRow(
  db: Executor,
  userId: string,
  patch: {
    bio?: string;
    links?: string;
    avatarPath?: string | null;
    notifyEmail?: 'off';
    updatedAt: number;
  },
): Promise<void> {
  await db.updateTable('users').set(patch).where('id', '=', userId).execute();
}

/** Their latest posts the viewer may see (groups the viewer may enter, none hidden), newest first. */
export async function listPostsBy(
  db: Executor,
  options: { authorId: string; everyGroup: boolean; viewerId: string; now: number; limit: number },
) {
  const { authorId, everyGroup, viewerId, now, limit } = options;
  let query = db
    .selectFrom('posts')
    .innerJoin('hubGroups', 'hubGroups.id', 'posts.hubGroupId')
    .select([
      'posts.id',
      'posts.title',
      'posts.body',
      'posts.createdAt',
      'posts.commentCount',
      'posts.likeCount',
      ...GROUP_REF,
    ])
    .where('posts.authorId', '=', authorId)
    .where('posts.hiddenAt', 'is', null)
    .orderBy('posts.createdAt', 'desc')
    .orderBy('posts.id', 'desc')
    .limit(limit);
  if (!everyGroup) query = query.where((eb) => groupsEnteredBy(eb, viewerId, now));
  return query.execute();
}

export type ProfileRow = NonNullable<Awaited<ReturnType<typeof findProfile>>>;
export type AuthorPostRow = Awaited<ReturnType<typeof listPostsBy>>[number];

// --- reports and moderation ---

/** Writes a report unless the reporter has an open one of the same item (a unique index decides). */
export async function insertReport(db: Executor, row: Insertable<ReportsTable>): Promise<void> {
  await db
    .insertInto('reports')
    .values(row)
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** Whether the author has a comment the viewer may see (for who may see their profile). */
export async function hasVisibleComment(
  db: Executor,
  options: { authorId: string; everyGroup: boolean; viewerId: string; now: number },
): Promise<boolean> {
  const { authorId, everyGroup, viewerId, now } = options;
  let query = db
    .selectFrom('comments')
    .innerJoin('posts', 'posts.id', 'comments.postId')
    .innerJoin('hubGroups', 'hubGroups.id', 'posts.hubGroupId')
    .select('comments.id')
    .where('comments.authorId', '=', authorId)
    .where('comments.hiddenAt', 'is', null)
    .where('posts.hiddenAt', 'is', null)
    .limit(1);
  if (!everyGroup) query = query.where((eb) => groupsEnteredBy(eb, viewerId, now));
  return (await query.executeTakeFirst()) !== undefined;
}

const reportColumns = [
  'reports.id',
  'reports.reason',
  'reports.createdAt',
  'reports.resolvedAt',
  'reports.resolution',
  'reports.postId',
  'reports.commentId',
  'reports.reporterId',
  'posts.title as postTitle',
  'posts.body as postBody',
  'posts.hiddenAt as postHiddenAt',
  'posts.authorId as postAuthorId',
  'comments.body as commentBody',
  'comments.hiddenAt as commentHiddenAt',
  'comments.authorId as commentAuthorId',
  ...GROUP_REF,
] as const;

function reportsQuery(db: Executor) {
  return db
    .selectFrom('reports')
    .innerJoin('posts', 'posts.id', 'reports.postId')
    .innerJoin('hubGroups', 'hubGroups.id', 'posts.hubGroupId')
    .leftJoin('comments', 'comments.id', 'reports.commentId')
    .select(reportColumns)
    .select((eb) => [
      eb
        .selectFrom('users')
        .select('users.name')
        .whereRef('users.id', '=', 'reports.reporterId')
        .as('reporterName'),
      eb
        .selectFrom('users')
        .select('users.name')
        .where((inner) => inner('users.id', '=', inner.fn.coalesce('comments.authorId', 'posts.authorId')))
        .as('authorName'),
    ]);
}

/** Staff's queue: open reports (or resolved ones), newest first, each with what it is about. */
export async function listReports(
  db: Executor,
  options: { open: boolean; after: Cursor | null; limit: number },
) {
  let query = reportsQuery(db)
    .where('reports.resolvedAt', options.open ? 'is' : 'is not', null)
    .orderBy('reports.createdAt', 'desc')
    .orderBy('reports.id', 'desc')
    .limit(options.limit + 1);
  const after = options.after;
  if (after)
    query = query.where((eb) =>
      eb(eb.refTuple('reports.createdAt', 'reports.id'), '<', eb.tuple(after.at, after.id)),
    );
  return query.execute();
}

export async function findReport(db: Executor, id: string) {
  return reportsQuery(db).where('reports.id', '=', id).executeTakeFirst();
}

export type ReportRow = NonNullable<Awaited<ReturnType<typeof findReport>>>;

/** Resolves every open report of one post (or one comment) the same way: the item is judged once. */
export async function resolveReportsOf(
  db: Executor,
  /** commentId: one comment, null: the post itself, 'any': the post's comments. */
  target: { postId: string; commentId: string | null | 'any' },
  resolution: 'hidden' | 'removed' | 'dismissed',
  by: string,
  now: number,
): Promise<void> {
  let query = db
    .updateTable('reports')
    .set({ resolvedAt: now, resolvedBy: by, resolution })
    .where('postId', '=', target.postId)
    .where('resolvedAt', 'is', null);
  if (target.commentId === 'any') query = query.where('commentId', 'is not', null);
  else
    query = target.commentId
      ? query.where('commentId', '=', target.commentId)
      : query.where('commentId', 'is', null);
  await query.execute();
}

/** A report whose hidden item was shown again: judged unfounded after all. */
export async function markReportDismissed(db: Executor, id: string, by: string, now: number): Promise<void> {
  await db
    .updateTable('reports')
    .set({ resolution: 'dismissed', resolvedBy: by, resolvedAt: now })
    .where('id', '=', id)
    .execute();
}

/** Hides a comment from members, or shows it again; its post counts only what members see. */
export async function setCommentHidden(
  db: Executor,
  comment: { id: string; postId: string },
  hiddenAt: number | null,
): Promise<void> {
  await db.updateTable('comments').set({ hiddenAt }).where('id', '=', comment.id).execute();
  await recountComments(db, comment.postId);
}

// --- likes (idempotent: liking twice counts once, taking back a like that is not there changes nothing) ---

const LIKES = {
  post: { likes: 'post_likes', key: 'post_id', counted: 'posts' },
  comment: { likes: 'comment_likes', key: 'comment_id', counted: 'comments' },
} as const;

/** Likes or unlikes a post or comment, keeping its like count in the same transaction. */
export async function setLike(
  db: Executor,
  kind: keyof typeof LIKES,
  targetId: string,
  userId: string,
  like: boolean,
  now: number,
): Promise<void> {
  const { likes, key, counted } = LIKES[kind];
  const changed = like
    ? await sql`insert into ${sql.table(likes)} (${sql.ref(key)}, user_id, created_at)
        values (${targetId}, ${userId}, ${now}) on conflict do nothing`.execute(db)
    : await sql`delete from ${sql.table(likes)} where ${sql.ref(key)} = ${targetId} and user_id = ${userId}`.execute(
        db,
      );
  if (Number(changed.numAffectedRows ?? 0) > 0) {
    await sql`update ${sql.table(counted)} set like_count = like_count + ${like ? 1 : -1} where id = ${targetId}`.execute(
      db,
    );
    // A post's count shows in its group's feed; a comment's does not.
    if (kind === 'post') await bumpFeedOfPost(db, targetId);
  }
}
