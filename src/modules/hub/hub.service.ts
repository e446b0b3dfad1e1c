// Hub groups (the creator's side) and discussion inside them (the members' side). Every read or write
// of a group's content goes through access.enterGroup first: nothing here decides access itself.

import { type Actor, isStaffRole, requireStaff } from '../../platform/actor.ts';
import type { Clock } from '../../platform/clock.ts';
import { hmac, newId, safeEqual } from '../../platform/crypto.ts';
import type { Database } from '../../platform/db/database.ts';
import type { Executor } from '../../platform/db/executor.ts';
import type { NotificationKind } from '../../platform/db/schema.ts';
import { inTransaction } from '../../platform/db/tallies.ts';
import {
  AppError,
  ConflictError,
  type FieldProblem,
  ForbiddenError,
  NotFoundError,
  stillThere,
  ValidationError,
} from '../../platform/errors.ts';
import type { RateLimiter } from '../../platform/http/rate-limit.ts';
import { enqueueJob } from '../../platform/jobs.ts';
import { lru } from '../../platform/lru.ts';
import { type MediaStore, mediaUrl } from '../../platform/media.ts';
import {
  decodeCursor,
  decodeTextCursor,
  encodeTextCursor,
  type Page,
  pageOf,
} from '../../platform/pagination.ts';
import { normalizedHttpUrl, slugify } from '../../platform/text.ts';
import type { AccessService, GroupRow } from '../access/index.ts';
import { type EmailService, notificationDigestEmail, notificationEmail } from '../email/index.ts';
import type { SettingsService } from '../settings/index.ts';
import { createFeedCache, type FeedCache, type SharedPost } from './feed-cache.ts';
import {
  alreadyMentioned,
  bumpFeedsOfAuthor,
  countPinned,
  countUnreadNotifications,
  deleteCommentRow,
  deleteGroupRow,
  deletePostRow,
  fewCandidates,
  findComment,
  findPost,
  findProfile,
  findRecipients,
  findReport,
  groupNameOf,
  type HomeOrder,
  type HomePostRow,
  hasFollowers,
  hasVisibleComment,
  insertComment,
  insertGroup,
  insertNotifications,
  insertPost,
  insertReport,
  isFollowing,
  likedPostIds,
  listComments,
  listDigestRecipients,
  listDirectory,
  listFeedPosts,
  listFollowersToTell,
  listGroupIds,
  listHomePosts,
  listMentionable,
  listNotifications,
  listPinnedPosts,
  listPostsBy,
  listReports,
  markNotificationsEmailed,
  markNotificationsRead,
  markReportDismissed,
  nextGroupPosition,
  type PostHitRow,
  type PostRow,
  type ReportRow,
  resolveReportsOf,
  type SearchOptions,
  searchComments,
  searchPeople,
  searchPosts,
  setCommentHidden,
  setFollowing,
  setLike,
  setPostHidden,
  shareDirectory,
  slugTaken,
  updateCommentRow,
  updateGroupRow,
  updatePostRow,
  updateProfileRow,
  whoMayEnter,
} from './hub.repository.ts';
import {
  EMAIL_SWITCH,
  type EmailKind,
  emailKindOf,
  excerptOf,
  type GroupInput,
  groupProblems,
  hasDirectory,
  LIMITS,
  notificationSentence,
  SEARCH,
  searchTerms,
  textProblems,
} from './hub.rules.ts';
import { mentionedUserIds, renderMarkdown } from './markdown.ts';

export const MAX_PINNED_PER_GROUP = 5;
/**
 * A group with fewer people it could let in than this has its directory read from its grants and
 * buyers; a larger one by walking accounts by name. Measured on 100 000 accounts (SQLite): 20 members
 * read from the group 2 ms (walking: 47 ms); 1 887 members walked 2.5 ms (read from the group: 8 ms).
 */
const DIRECTORY_FROM_GROUP_BELOW = 500;

/** The daily job that emails the digest of notifications to those who chose one. */
export const DIGEST_JOB = 'hub.notification_digest';
/** The job that tells a group's followers of a new post (after it, a page of followers at a time). */
export const FOLLOWERS_JOB = 'hub.tell_followers';
/** Followers told in one transaction of the followers job. */
const FOLLOWERS_PAGE = 200;

export interface HubDeps {
  db: Database;
  clock: Clock;
  /** Notification emails: queued in the transaction that writes what they are about. */
  email: Pick<EmailService, 'queueEmail'>;
  settings: Pick<SettingsService, 'getSettings'>;
  publicUrl: string;
  /** Signs the one-click unsubscribe links. */
  appSecret: string;
  access: AccessService;
  media: MediaStore;
  /** Limits how fast one member writes (posts, comments, likes). */
  rateLimiter: RateLimiter;
  /** Tests give one to look inside; by default each service keeps its own. */
  feedCache?: FeedCache<PostRow>;
  homeCache?: FeedCache<HomePostRow>;
}

/**
 * Adds to `told` the people the Markdown mentions, but the writer; a reply stays a reply. (After an
 * edit, alreadyMentioned takes out those told before.)
 */
function tellMentioned(told: Map<string, NotificationKind>, actor: Actor, body: string): void {
  for (const userId of mentionedUserIds(body)) {
    if (userId !== actor.userId && told.get(userId) !== 'reply') told.set(userId, 'mention');
  }
}

/** One notification per person told of a post or comment. */
function notificationRows(
  told: Map<string, NotificationKind>,
  actorId: string | null,
  postId: string,
  commentId: string | null,
  now: number,
) {
  return [...told].map(([userId, kind]) => ({
    id: newId(),
    userId,
    kind,
    actorId,
    postId,
    commentId,
    createdAt: now,
    readAt: null,
  }));
}

type EnteredGroup = { id: string; version: number; feedVersion: number };

/** A page of search hits asked for. */
type SearchPage = { text: string; cursor?: string; limit: number };

/** The home cache's key: the order and the groups a page is read for (their creator's order is stable). */
function homeKey(order: HomeOrder, groups: EnteredGroup[]): string {
  return `${order}:${groups.map((group) => group.id).join(',')}`;
}

/** What the home page of these groups shows moves with each one's version (its name) and feed version. */
function versionStamp(groups: EnteredGroup[]): string {
  return groups.map((group) => `${group.version}.${group.feedVersion}`).join(',');
}

/**
 * How much one member may write, per kind: well above a person's pace, well below a script's. Staff are
 * not limited (announcements, moderation).
 */
export const WRITE_LIMITS = {
  post: { limit: 10, windowMs: 10 * 60_000 },
  report: { limit: 20, windowMs: 10 * 60_000 },
  avatar: { limit: 10, windowMs: 60 * 60_000 },
  image: { limit: 30, windowMs: 10 * 60_000 },
  preview: { limit: 60, windowMs: 10 * 60_000 },
  profile: { limit: 20, windowMs: 10 * 60_000 },
  comment: { limit: 30, windowMs: 10 * 60_000 },
  like: { limit: 120, windowMs: 60_000 },
} as const;

/** The rate-limit key of one member's writes of a kind. */
export function writeLimitKey(kind: keyof typeof WRITE_LIMITS, userId: string): string {
  return `hub:${kind}:${userId}`;
}

export function createHubService(deps: HubDeps) {
  const { db, clock, access, media, rateLimiter, email, settings, publicUrl, appSecret } = deps;
  const feedCache = deps.feedCache ?? createFeedCache<PostRow>();
  const homeCache = deps.homeCache ?? createFeedCache<HomePostRow>();

  /** Counts one write by a member; past its kind's limit, 429 with when to try again. */
  async function countWrite(actor: Actor, kind: keyof typeof WRITE_LIMITS): Promise<void> {
    if (isStaffRole(actor.role)) return;
    const { limit, windowMs } = WRITE_LIMITS[kind];
    await rateLimiter.hit(writeLimitKey(kind, actor.userId), limit, windowMs, `${kind}s in a short time`);
  }

  // --- groups (staff) --------------------------------------------------------------------------

  /** Every group, in the creator's order. */
  async function listGroups(actor: Actor): Promise<GroupRow[]> {
    requireStaff(actor);
    return (await access.visibleGroups(actor)).map(({ group }) => group);
  }

  async function getGroup(actor: Actor, id: string) {
    requireStaff(actor);
    const group = await access.enterGroup(actor, id);
    return { group, grantedBy: await access.offersGranting(group.id) };
  }

  async function createGroup(actor: Actor, input: GroupInput): Promise<GroupRow> {
    requireStaff(actor);
    const slug = input.slug ?? slugify(input.name ?? '');
    const problems = groupProblems({ ...input, slug: slug || undefined }, true);
    if (!slug && !problems.some((p) => p.field === 'name'))
      problems.push({ field: 'slug', message: 'is required (the name has no letters or digits)' });
    if (problems.length) throw new ValidationError(problems);
    return inTransaction(db, async (trx) => {
      if (await slugTaken(trx, slug, null))
        throw new ConflictError('slug_taken', 'slug: is already used by another group', {
          fields: [{ field: 'slug', message: 'is already used by another group' }],
        });
      const now = clock.now();
      const id = newId();
      await insertGroup(trx, {
        id,
        name: input.name!.trim(),
        slug,
        description: input.description?.trim() ?? '',
        emoji: input.emoji || null,
        imagePath: null,
        visibility: input.visibility!,
        position: await nextGroupPosition(trx),
        paywallCta: input.paywallCta?.trim() || null,
        paywallDescription: input.paywallDescription?.trim() || null,
        paywallUrl: (input.paywallUrl && normalizedHttpUrl(input.paywallUrl)) || null,
        whoMayPost: input.whoMayPost ?? 'members',
        commentsOn: input.commentsOn === false ? 0 : 1,
        directoryOn: input.directoryOn === false ? 0 : 1,
        createdAt: now,
        updatedAt: now,
      });
      return access.enterGroup(actor, id, trx);
    });
  }

  async function updateGroup(actor: Actor, id: string, input: GroupInput): Promise<GroupRow> {
    requireStaff(actor);
    const problems = groupProblems(input, false);
    if (problems.length) throw new ValidationError(problems);
    return inTransaction(db, async (trx) => {
      const group = await access.enterGroup(actor, id, trx);
      if (input.slug && (await slugTaken(trx, input.slug, group.id))) {
        throw new ConflictError('slug_taken', 'slug: is already used by another group', {
          fields: [{ field: 'slug', message: 'is already used by another group' }],
        });
      }
      await updateGroupRow(trx, group.id, {
        ...(input.name !== undefined ? { name: input.name.trim() } : {}),
        ...(input.slug !== undefined ? { slug: input.slug } : {}),
        ...(input.description !== undefined ? { description: input.description.trim() } : {}),
        ...(input.emoji !== undefined ? { emoji: input.emoji || null } : {}),
        ...(input.visibility !== undefined ? { visibility: input.visibility } : {}),
        ...(input.paywallCta !== undefined ? { paywallCta: input.paywallCta?.trim() || null } : {}),
        ...(input.paywallDescription !== undefined
          ? { paywallDescription: input.paywallDescription?.trim() || null }
          : {}),
        ...(input.paywallUrl !== undefined
          ? { paywallUrl: (input.paywallUrl && normalizedHttpUrl(input.paywallUrl)) || null }
          : {}),
        ...(input.whoMayPost !== undefined ? { whoMayPost: input.whoMayPost } : {}),
        ...(input.commentsOn !== undefined ? { commentsOn: input.commentsOn ? 1 : 0 } : {}),
        ...(input.directoryOn !== undefined ? { directoryOn: input.directoryOn ? 1 : 0 } : {}),
        updatedAt: clock.now(),
      });
      return access.enterGroup(actor, group.id, trx);
    });
  }

  /** Deletes a group with its posts; when offers grant it, only once the admin confirms, having seen which. */
  async function deleteGroup(actor: Actor, id: string, confirmed: boolean): Promise<void> {
    requireStaff(actor);
    await inTransaction(db, async (trx) => {
      const group = await access.enterGroup(actor, id, trx);
      const offers = await access.offersGranting(group.id, trx);
      if (offers.length > 0 && !confirmed) {
        throw new ConflictError(
          'group_granted_by_offers',
          `${offers.length === 1 ? 'An offer grants' : `${offers.length} offers grant`} this group: ${offers.map((o) => o.title).join(', ')}. Their buyers lose it. Confirm to delete.`,
          { offers: offers.map(({ id: offerId, title }) => ({ id: offerId, title })) },
        );
      }
      await deleteGroupRow(trx, group.id);
    });
  }

  /** Puts the groups in the given order (every group, each once). */
  async function reorderGroups(actor: Actor, ids: string[]): Promise<void> {
    requireStaff(actor);
    await inTransaction(db, async (trx) => {
      const existing = await listGroupIds(trx);
      const given = new Set(ids);
      if (
        given.size !== ids.length ||
        existing.length !== ids.length ||
        existing.some((id) => !given.has(id))
      ) {
        throw ValidationError.field('ids', 'must list every hub group exactly once');
      }
      const now = clock.now();
      // Rows are locked in id order whatever the new order is, so two reorders at once queue on
      // PostgreSQL instead of deadlocking; the later one wins.
      const byId = [...ids.entries()].sort(([, a], [, b]) => (a < b ? -1 : a > b ? 1 : 0));
      for (const [position, id] of byId) await updateGroupRow(trx, id, { position, updatedAt: now });
    });
  }

  /** Sets the group's image from uploaded bytes, which are checked and re-encoded. */
  async function uploadGroupImage(actor: Actor, id: string, body: unknown): Promise<GroupRow> {
    requireStaff(actor);
    const group = await access.enterGroup(actor, id);
    if (!Buffer.isBuffer(body))
      throw ValidationError.field('image', 'send the image bytes with an image/… Content-Type');
    const stored = await media.saveImage('image', body, { maxWidth: 512, maxHeight: 512 });
    await updateGroupRow(db, group.id, { imagePath: stored.path, updatedAt: clock.now() });
    return access.enterGroup(actor, group.id);
  }

  async function removeGroupImage(actor: Actor, id: string): Promise<GroupRow> {
    requireStaff(actor);
    const group = await access.enterGroup(actor, id);
    await updateGroupRow(db, group.id, { imagePath: null, updatedAt: clock.now() });
    return access.enterGroup(actor, group.id);
  }

  // --- discussion ------------------------------------------------------------------------------

  /** The post, if the caller may enter its group; otherwise it does not exist for them. */
  async function enterPost(actor: Actor, postId: string): Promise<PostRow> {
    const post = await findPost(db, postId, actor.userId);
    // A post staff hid does not exist for members; staff still open it (Reports links there).
    const hidden = post?.hiddenAt != null && !isStaffRole(actor.role);
    if (!post || hidden || !(await access.canEnter(actor, post.hubGroupId)))
      throw new NotFoundError('No such post.');
    return post;
  }

  async function enterComment(actor: Actor, commentId: string) {
    const comment = await findComment(db, commentId, actor.userId);
    // Hidden itself, or on a hidden post: gone for members.
    const hidden = (comment?.hiddenAt != null || comment?.postHiddenAt != null) && !isStaffRole(actor.role);
    if (!comment || hidden || !(await access.canEnter(actor, comment.hubGroupId)))
      throw new NotFoundError('No such comment.');
    return comment;
  }

  // --- profiles ----------------------------------------------------------------------------------

  /** A member's profile and their latest posts the caller may see (never their email). */
  async function profile(actor: Actor, userId: string) {
    const person = await findProfile(db, userId);
    if (!person) throw new NotFoundError('No such person.');
    const seen = {
      authorId: person.id,
      everyGroup: isStaffRole(actor.role),
      viewerId: actor.userId,
      now: clock.now(),
    };
    const posts = await listPostsBy(db, { ...seen, limit: 10 });
    // A profile is for those who already see the person by name: their posts or comments in groups
    // the viewer may enter (as people search), or a member directory both are in. To anyone else they
    // do not exist.
    const known =
      person.id === actor.userId ||
      seen.everyGroup ||
      posts.length > 0 ||
      (await hasVisibleComment(db, seen)) ||
      (await shareDirectory(db, {
        viewerId: actor.userId,
        personId: person.id,
        personIsStaff: isStaffRole(person.role),
        now: clock.now(),
      }));
    if (!known) throw new NotFoundError('No such person.');
    return { person, posts };
  }

  /**
   * A group's member directory for someone who may enter it, by name (`q`: names starting so);
   * refused when its creator turned the directory off (staff still see it).
   */
  async function directory(
    actor: Actor,
    groupId: string,
    options: { q?: string; cursor?: string; limit: number },
  ) {
    const group = await access.enterGroup(actor, groupId);
    // A public group lists nobody, to staff neither (their list of every account is Users).
    if (group.visibility === 'public')
      throw new ForbiddenError(
        `${group.name} is public: every member may enter it, so it lists nobody.`,
        'directory_off',
      );
    if (!hasDirectory(group) && !isStaffRole(actor.role))
      throw new ForbiddenError(`${group.name} keeps its member list private.`, 'directory_off');
    const rows = await listDirectory(db, {
      // Under this many people it could let in, a group's directory is read from its own side.
      fromGroup: await fewCandidates(db, group.id, DIRECTORY_FROM_GROUP_BELOW),
      groupId: group.id,
      prefix: (options.q ?? '').trim().toLowerCase(),
      after: decodeTextCursor(options.cursor),
      now: clock.now(),
      limit: options.limit,
    });
    return pageOf(rows, options.limit, (row) => ({ key: row.nameSearch, id: row.id }), encodeTextCursor);
  }

  /** The caller's bio and links (their name is the Account page's). */
  async function updateProfile(actor: Actor, input: { bio?: string; links?: string[] }) {
    await countWrite(actor, 'profile');
    const problems: FieldProblem[] = [];
    if (input.bio !== undefined) {
      const problem = textProblems('bio', input.bio, LIMITS.bio, false);
      if (problem) problems.push(problem);
    }
    // Blank entries are dropped; a problem names the entry by its place in what was sent.
    const sent = (input.links ?? []).map((link, index) => ({ link: link.trim(), index }));
    const links = sent.filter(({ link }) => link);
    if (links.length > LIMITS.links)
      problems.push({ field: 'links', message: `may hold at most ${LIMITS.links}` });
    const normalized = links.map(({ link, index }) => {
      const url = normalizedHttpUrl(link);
      if (!url) problems.push({ field: `links.${index}`, message: 'must be an http or https address' });
      return url ?? '';
    });
    if (problems.length) throw new ValidationError(problems);
    await updateProfileRow(db, actor.userId, {
      ...(input.bio !== undefined ? { bio: input.bio.trim() } : {}),
      ...(input.links !== undefined ? { links: JSON.stringify(normalized) } : {}),
      updatedAt: clock.now(),
    });
    return profile(actor, actor.userId);
  }

  /** Sets the caller's avatar from uploaded bytes, checked and re-encoded (a square of 256 at most). */
  async function setAvatar(actor: Actor, body: unknown) {
    if (!Buffer.isBuffer(body))
      throw ValidationError.field('avatar', 'send the image bytes with an image/… Content-Type');
    await countWrite(actor, 'avatar');
    const stored = await media.saveImage('avatar', body, { maxWidth: 256, maxHeight: 256 });
    await changeAvatar(actor, stored.path);
    return profile(actor, actor.userId);
  }

  async function removeAvatar(actor: Actor) {
    // Each change makes the feeds the member wrote in stale: at a person's pace.
    await countWrite(actor, 'avatar');
    await changeAvatar(actor, null);
    return profile(actor, actor.userId);
  }

  /** The picture is beside the person's name on their posts: the feeds they wrote in are stale. */
  async function changeAvatar(actor: Actor, avatarPath: string | null) {
    await inTransaction(db, async (trx) => {
      await updateProfileRow(trx, actor.userId, { avatarPath, updatedAt: clock.now() });
      await bumpFeedsOfAuthor(trx, actor.userId);
    });
  }

  // --- reports and moderation --------------------------------------------------------------------

  /**
   * A member reports a post or a comment they can see, saying why; reporting the same thing again
   * while their report is open changes nothing. Staff see reports in the dashboard.
   */
  async function report(
    actor: Actor,
    target: { postId: string } | { commentId: string },
    input: { reason: string },
  ): Promise<void> {
    const problem = textProblems('reason', input.reason, LIMITS.reportReason, true);
    if (problem) throw new ValidationError([problem]);
    const found =
      'postId' in target
        ? await enterPost(actor, target.postId).then((p) => ({
            postId: p.id,
            commentId: null,
            authorId: p.authorId,
          }))
        : await enterComment(actor, target.commentId).then((c) => ({
            postId: c.postId,
            commentId: c.id,
            authorId: c.authorId,
          }));
    if (found.authorId === actor.userId)
      throw new ForbiddenError('You cannot report what you wrote.', 'own_item');
    const item = { postId: found.postId, commentId: found.commentId };
    await countWrite(actor, 'report');
    // A second report while the first is open writes nothing (reports_open_once decides).
    await insertReport(db, {
      id: newId(),
      reporterId: actor.userId,
      postId: item.postId,
      commentId: item.commentId,
      reason: input.reason.trim(),
      createdAt: clock.now(),
      resolvedAt: null,
      resolvedBy: null,
      resolution: null,
    });
  }

  /** The reports queue (staff): open ones, or those already dealt with; newest first. */
  async function reports(actor: Actor, options: { open: boolean; cursor?: string; limit: number }) {
    requireStaff(actor);
    const rows = await listReports(db, {
      open: options.open,
      after: decodeCursor(options.cursor),
      limit: options.limit,
    });
    return pageOf(rows, options.limit, (row) => ({ at: row.createdAt, id: row.id }));
  }

  /**
   * Deals with a report (staff): hide the post or comment (gone for members at once, kept), remove it
   * (deleted with what hangs on it), dismiss the report, or show a hidden item again. Every open report
   * of the same item is resolved the same way.
   */
  async function resolveReport(
    actor: Actor,
    id: string,
    action: 'hide' | 'remove' | 'dismiss' | 'restore',
  ): Promise<ReportRow | null> {
    requireStaff(actor);
    const found = await findReport(db, id);
    if (!found) throw new NotFoundError('No such report.');
    const hidden = (found.commentId ? found.commentHiddenAt : found.postHiddenAt) !== null;
    if (found.resolvedAt !== null && !(action === 'restore' && hidden))
      throw new ConflictError('report_resolved', 'This report was already dealt with.');
    if (found.resolvedAt === null && action === 'restore')
      throw ValidationError.field('action', 'restore shows a hidden item again: hide it first');
    const item = { postId: found.postId, commentId: found.commentId };
    const now = clock.now();
    await inTransaction(db, async (trx) => {
      if (action === 'remove') {
        if (item.commentId) await deleteCommentRow(trx, { id: item.commentId, postId: item.postId });
        else await deletePostRow(trx, { id: item.postId, hubGroupId: found.groupId });
        return;
      }
      const hiddenAt = action === 'hide' ? now : null;
      if (action === 'hide' || action === 'restore') {
        if (item.commentId)
          await setCommentHidden(trx, { id: item.commentId, postId: item.postId }, hiddenAt);
        else await setPostHidden(trx, { id: item.postId, hubGroupId: found.groupId }, hiddenAt);
      }
      await resolveReportsOf(trx, item, action === 'hide' ? 'hidden' : 'dismissed', actor.userId, now);
      // A hidden post takes its comments with it: their reports are settled too.
      if (action === 'hide' && !item.commentId)
        await resolveReportsOf(trx, { postId: item.postId, commentId: 'any' }, 'hidden', actor.userId, now);
      if (action === 'restore') await markReportDismissed(trx, id, actor.userId, now);
    });
    return (await findReport(db, id)) ?? null;
  }

  /**
   * A group's feed: its pinned posts first (on the first page), then the rest newest first, each with
   * whether the reader likes it. The first page comes from the feed cache while the group's feed
   * version has not moved since it was read (src/modules/hub/feed-cache.ts): the same row objects
   * request after request, with the reader's likes beside them.
   */
  async function feed(actor: Actor, groupId: string, options: { cursor?: string; limit: number }) {
    const group = await access.enterGroup(actor, groupId);
    const after = decodeCursor(options.cursor);
    if (!after) {
      const cached = feedCache.page(group.id, group.feedVersion, options.limit);
      if (cached) {
        let liked = feedCache.likes(actor.userId, group.id, group.feedVersion, options.limit);
        if (!liked) {
          const ids = [...cached.pinned, ...cached.posts].map((post) => post.id);
          liked = new Set(await likedPostIds(db, actor.userId, ids));
          feedCache.keepLikes(actor.userId, group.id, group.feedVersion, options.limit, liked);
        }
        const mine = liked;
        const item = (post: SharedPost<PostRow>) => ({ post, likedByMe: mine.has(post.id) });
        return {
          group,
          data: [...cached.pinned.map(item), ...cached.posts.map(item)],
          nextCursor: cached.nextCursor,
        };
      }
    }
    const pinned = after ? [] : await listPinnedPosts(db, group.id, actor.userId);
    const rows = await listFeedPosts(db, group.id, actor.userId, after, options.limit);
    const page = pageOf(rows, options.limit, (row) => ({ at: row.createdAt, id: row.id }));
    const shared = ({ likedByMe, ...post }: PostRow) => ({ post, likedByMe: Boolean(likedByMe) });
    const data = [...pinned, ...page.data].map(shared);
    if (!after) {
      feedCache.keepPage(group.id, group.feedVersion, options.limit, {
        pinned: data.slice(0, pinned.length).map((item) => item.post),
        posts: data.slice(pinned.length).map((item) => item.post),
        nextCursor: page.nextCursor,
      });
      const liked = data.filter((item) => item.likedByMe).map((item) => item.post.id);
      feedCache.keepLikes(actor.userId, group.id, group.feedVersion, options.limit, liked);
    }
    return { group, data, nextCursor: page.nextCursor };
  }

  /**
   * The member's home: the latest posts (or those with the latest activity) across every group they
   * may enter, each with its group — one query, the access rule one of its conditions. A first page is
   * kept in the feed cache under the set of groups it was read for and a stamp of their versions (each
   * bumped by every change a page shows: posts, counts, likes, a group's name): members who may enter
   * the same groups share it, and it answers only while none of those groups has moved. The set and
   * the page are read in one snapshot, so a kept page holds exactly those groups' posts.
   */
  async function home(actor: Actor, options: { order: HomeOrder; cursor?: string; limit: number }) {
    const { order, limit } = options;
    const after = decodeCursor(options.cursor);
    const now = clock.now();
    const read = (executor: Executor) =>
      listHomePosts(executor, {
        order,
        everyGroup: isStaffRole(actor.role),
        viewerId: actor.userId,
        now,
        after,
        limit,
      });
    const cursorOf = (row: HomePostRow) => ({
      at: order === 'active' ? row.activityAt : row.createdAt,
      id: row.id,
    });
    const shared = ({ likedByMe, ...post }: HomePostRow) => ({ post, likedByMe: Boolean(likedByMe) });
    if (after) {
      const page = pageOf(await read(db), limit, cursorOf);
      return { data: page.data.map(shared), nextCursor: page.nextCursor };
    }

    const entered = await access.enteredGroups(actor, now);
    const key = homeKey(order, entered);
    const stamp = versionStamp(entered);
    const cached = homeCache.page(key, stamp, limit);
    if (cached) {
      let liked = homeCache.likes(actor.userId, key, stamp, limit);
      if (!liked) {
        liked = new Set(
          await likedPostIds(
            db,
            actor.userId,
            cached.posts.map((post) => post.id),
          ),
        );
        homeCache.keepLikes(actor.userId, key, stamp, limit, liked);
      }
      const mine = liked;
      return {
        data: cached.posts.map((post) => ({ post, likedByMe: mine.has(post.id) })),
        nextCursor: cached.nextCursor,
      };
    }
    const { groups, rows } = await db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => ({
        groups: await access.enteredGroups(actor, now, trx),
        rows: await read(trx),
      }));
    const page = pageOf(rows, limit, cursorOf);
    const data = page.data.map(shared);
    const readKey = homeKey(order, groups);
    const readStamp = versionStamp(groups);
    homeCache.keepPage(readKey, readStamp, limit, {
      pinned: [],
      posts: data.map((item) => item.post),
      nextCursor: page.nextCursor,
    });
    const liked = data.filter((item) => item.likedByMe).map((item) => item.post.id);
    homeCache.keepLikes(actor.userId, readKey, readStamp, limit, liked);
    return { data, nextCursor: page.nextCursor };
  }

  /** A search's words, or the reason there are none to look for. */
  function wordsOf(text: string): string[] {
    const terms = searchTerms(text);
    if (terms.length === 0) throw ValidationError.field('q', 'needs a word to look for (letters or digits)');
    return terms;
  }

  /**
   * What a search reads: only in these groups, for staff too (every group, as enteredGroups gives them),
   * so a kept page holds exactly the posts of the groups in its key, whoever read it.
   */
  function searchIn(groups: EnteredGroup[], terms: string[], options: SearchPage): SearchOptions {
    return {
      terms,
      groupIds: groups.map((group) => group.id),
      after: decodeCursor(options.cursor),
      limit: options.limit,
    };
  }

  const hitsPage = <Row extends { createdAt: number; id: string }>(rows: Row[], limit: number) =>
    pageOf(rows, limit, (row) => ({ at: row.createdAt, id: row.id }));

  // A first page of post hits, kept under the words, the groups searched (those the caller may enter)
  // and a stamp of those groups' versions taken before the hits are read (a change meanwhile moves the
  // stamp on, so what was read then is never answered again). Whatever a hit shows moves its group's
  // version — a post written, edited, hidden, deleted, liked or commented on, its author renamed, the
  // group renamed — so the same search by anyone who may enter the same groups is answered from memory
  // until one of them changes. (Comment hits are not kept: editing or hiding a comment moves no group's
  // version.)
  const keptPostHits = lru<{ stamp: string; page: Page<PostHitRow> }>(500);

  /**
   * Posts with every word of `text` (the last as a prefix), in the groups the caller may enter, newest
   * first: each engine's full-text index, the groups one condition of the query.
   */
  async function findPosts(actor: Actor, options: SearchPage): Promise<Page<PostHitRow>> {
    const terms = wordsOf(options.text);
    const groups = await access.enteredGroups(actor, clock.now());
    const search = searchIn(groups, terms, options);
    if (options.cursor) return hitsPage(await searchPosts(db, search), options.limit);
    const key = `${options.limit}:${terms.join(' ')}:${groups.map((group) => group.id).join(',')}`;
    const stamp = versionStamp(groups);
    const kept = keptPostHits.get(key);
    if (kept && kept.stamp === stamp) return kept.page;
    const page = hitsPage(await searchPosts(db, search), options.limit);
    keptPostHits.set(key, { stamp, page });
    return page;
  }

  /** Comments with every word of `text`, as findPosts. */
  async function findComments(actor: Actor, options: SearchPage) {
    const terms = wordsOf(options.text);
    const groups = await access.enteredGroups(actor, clock.now());
    return hitsPage(await searchComments(db, searchIn(groups, terms, options)), options.limit);
  }

  /**
   * People whose name starts with `text`, among those the caller already sees by name (authors of
   * posts in the groups they may enter): id and name only.
   */
  async function findPeople(actor: Actor, text: string, limit: number) {
    const prefix = text.trim().toLowerCase();
    if (prefix.length < SEARCH.minNameLength)
      throw ValidationError.field('q', `needs at least ${SEARCH.minNameLength} characters of a name`);
    return searchPeople(db, {
      prefix,
      everyGroup: isStaffRole(actor.role),
      viewerId: actor.userId,
      now: clock.now(),
      limit,
    });
  }

  /** A group the caller may post in: one they may enter, and not an announcements-only one (staff aside). */
  async function groupToPostIn(actor: Actor, groupId: string) {
    const group = await access.enterGroup(actor, groupId);
    if (group.whoMayPost === 'staff' && !isStaffRole(actor.role))
      throw new ForbiddenError(`Only the people who run ${group.name} post there.`, 'posting_closed');
    return group;
  }

  async function createPost(
    actor: Actor,
    groupId: string,
    input: { title?: string | null; body: string },
  ): Promise<PostRow> {
    const title = input.title?.trim() || null;
    const problems = [
      textProblems('title', title ?? '', LIMITS.postTitle, false),
      textProblems('body', input.body, LIMITS.body, true),
    ].filter((p): p is FieldProblem => p !== null);
    if (problems.length) throw new ValidationError(problems);
    const group = await groupToPostIn(actor, groupId);
    await countWrite(actor, 'post');
    const id = newId();
    const now = clock.now();
    await inTransaction(db, async (trx) => {
      await insertPost(trx, {
        id,
        hubGroupId: group.id,
        authorId: actor.userId,
        title,
        body: input.body,
        bodyHtml: renderMarkdown(input.body),
        pinnedAt: null,
        createdAt: now,
        updatedAt: now,
        editedAt: null,
      });
      const told = new Map<string, NotificationKind>();
      tellMentioned(told, actor, input.body);
      await notify(trx, told, actor, group, { id, title }, null, input.body, now);
      // Its followers hear of it from a job: a group followed by thousands never slows a post down.
      if (await hasFollowers(trx, group.id))
        await enqueueJob(trx, clock, FOLLOWERS_JOB, { postId: id }, { maxAttempts: 6 });
    });
    return stillThere(await findPost(db, id, actor.userId), 'post');
  }

  async function getPost(actor: Actor, postId: string): Promise<PostRow> {
    return enterPost(actor, postId);
  }

  /**
   * An image for a post in a group the caller may post in: checked, re-encoded (1600 px at most) and
   * kept in media storage; answers the Markdown that shows it (only images stored here are shown).
   */
  async function uploadImage(actor: Actor, groupId: string, body: unknown) {
    await groupToPostIn(actor, groupId);
    if (!Buffer.isBuffer(body))
      throw ValidationError.field('image', 'send the image bytes with an image/… Content-Type');
    await countWrite(actor, 'image');
    const stored = await media.saveImage('image', body, { maxWidth: 1600, maxHeight: 1600 });
    const url = mediaUrl(stored.path)!;
    return { url, width: stored.width, height: stored.height, markdown: `![](${url})` };
  }

  /** What Markdown will look like once posted: the same renderer and sanitizer as a post. */
  async function preview(actor: Actor, body: string): Promise<string> {
    const problem = textProblems('body', body, LIMITS.body, false);
    if (problem) throw new ValidationError([problem]);
    // Rendering is work the server does for the asking: as much of it as a person writing needs.
    await countWrite(actor, 'preview');
    return renderMarkdown(body);
  }

  /** Edits one's own post; staff pin and unpin any post. */
  async function updatePost(
    actor: Actor,
    postId: string,
    input: { title?: string | null; body?: string; pinned?: boolean },
  ): Promise<PostRow> {
    const post = await enterPost(actor, postId);
    const editsText = input.title !== undefined || input.body !== undefined;
    if (editsText && post.authorId !== actor.userId)
      throw new ForbiddenError('Only its author may edit a post.');
    if (input.pinned !== undefined && !isStaffRole(actor.role))
      throw new ForbiddenError('Only the owner and admins may pin posts.');
    const title = input.title === undefined ? undefined : input.title?.trim() || null;
    const problems = [
      title ? textProblems('title', title, LIMITS.postTitle, false) : null,
      input.body !== undefined ? textProblems('body', input.body, LIMITS.body, true) : null,
    ].filter((p): p is FieldProblem => p !== null);
    if (problems.length) throw new ValidationError(problems);
    const now = clock.now();
    await inTransaction(db, async (trx) => {
      if (
        input.pinned === true &&
        post.pinnedAt === null &&
        (await countPinned(trx, post.hubGroupId)) >= MAX_PINNED_PER_GROUP
      ) {
        throw new AppError(
          'too_many_pinned',
          409,
          `A group shows at most ${MAX_PINNED_PER_GROUP} pinned posts. Unpin one first.`,
        );
      }
      await updatePostRow(trx, post.id, {
        ...(title !== undefined ? { title } : {}),
        ...(input.body !== undefined ? { body: input.body, bodyHtml: renderMarkdown(input.body) } : {}),
        ...(editsText ? { editedAt: now } : {}),
        ...(input.pinned !== undefined ? { pinnedAt: input.pinned ? (post.pinnedAt ?? now) : null } : {}),
        updatedAt: now,
      });
      if (input.body !== undefined) {
        const edited = {
          id: post.id,
          title: title === undefined ? post.title : title,
          hubGroupId: post.hubGroupId,
        };
        await tellNewlyMentioned(trx, actor, edited, null, input.body, now);
      }
    });
    return stillThere(await findPost(db, post.id, actor.userId), 'post');
  }

  /** Deletes a post (its author, or staff moderating) with its comments. */
  async function deletePost(actor: Actor, postId: string): Promise<void> {
    const post = await enterPost(actor, postId);
    if (post.authorId !== actor.userId && !isStaffRole(actor.role))
      throw new ForbiddenError('Only its author or an admin may delete a post.');
    await inTransaction(db, (trx) => deletePostRow(trx, post));
  }

  async function comments(actor: Actor, postId: string, options: { cursor?: string; limit: number }) {
    const post = await enterPost(actor, postId);
    const rows = await listComments(db, post.id, actor.userId, decodeCursor(options.cursor), options.limit);
    return pageOf(rows, options.limit, (row) => ({ at: row.createdAt, id: row.id }));
  }

  /** Comments on a post, or replies to a comment (one level: a reply to a reply answers its parent). */
  async function createComment(
    actor: Actor,
    postId: string,
    input: { body: string; parentId?: string | null },
  ) {
    const problem = textProblems('body', input.body, 10_000, true);
    if (problem) throw new ValidationError([problem]);
    const post = await enterPost(actor, postId);
    if (!isStaffRole(actor.role)) {
      const group = await access.enterGroup(actor, post.hubGroupId);
      if (!group.commentsOn)
        throw new ForbiddenError(`Comments are off in ${group.name}.`, 'comments_closed');
    }
    await countWrite(actor, 'comment');
    let parent: Awaited<ReturnType<typeof findComment>> | null = null;
    if (input.parentId) {
      parent = (await findComment(db, input.parentId, actor.userId)) ?? null;
      const gone = parent?.hiddenAt != null && !isStaffRole(actor.role);
      if (!parent || gone || parent.postId !== post.id)
        throw ValidationError.field('parentId', 'is not a comment on this post');
    }
    const id = newId();
    const now = clock.now();
    // The post's author hears of every comment; the author of the comment answered, of the reply.
    // Nobody hears of their own words, nor twice of one comment.
    const told = new Map<string, NotificationKind>();
    if (parent?.authorId && parent.authorId !== actor.userId) told.set(parent.authorId, 'reply');
    if (post.authorId && post.authorId !== actor.userId && !told.has(post.authorId))
      told.set(post.authorId, 'comment');
    await inTransaction(db, async (trx) => {
      await insertComment(trx, {
        id,
        postId: post.id,
        parentId: parent ? (parent.parentId ?? parent.id) : null,
        authorId: actor.userId,
        body: input.body,
        bodyHtml: renderMarkdown(input.body),
        createdAt: now,
        updatedAt: now,
        editedAt: null,
      });
      tellMentioned(told, actor, input.body);
      await notify(trx, told, actor, { id: post.hubGroupId, name: null }, post, id, input.body, now);
    });
    return stillThere(await findComment(db, id, actor.userId), 'comment');
  }

  // --- notifications ---------------------------------------------------------------------------

  /**
   * After an edit: those the text now mentions, and who were not told of this post or comment before,
   * hear of it. Taking a mention out and putting it back tells nobody twice.
   */
  async function tellNewlyMentioned(
    trx: Executor,
    actor: Actor,
    post: { id: string; title: string | null; hubGroupId: string },
    commentId: string | null,
    body: string,
    now: number,
  ): Promise<void> {
    const told = new Map<string, NotificationKind>();
    tellMentioned(told, actor, body);
    const known = { postId: post.id, commentId, userIds: [...told.keys()] };
    for (const userId of await alreadyMentioned(trx, known)) told.delete(userId);
    await notify(trx, told, actor, { id: post.hubGroupId, name: null }, post, commentId, body, now);
  }

  /**
   * Writes the notifications of a post or comment, in its transaction, for those told who may enter
   * the group now (an author who lost access hears of nothing, not even by email), and emails at once
   * those who want it — marking those notifications emailed, so no digest repeats them.
   */
  async function notify(
    trx: Executor,
    told: Map<string, NotificationKind>,
    actor: Actor,
    group: { id: string; name: string | null },
    post: { id: string; title: string | null },
    commentId: string | null,
    body: string,
    now: number,
  ): Promise<void> {
    if (told.size === 0) return;
    const allowed = new Set(await whoMayEnter(trx, group.id, [...told.keys()], now));
    for (const userId of [...told.keys()]) if (!allowed.has(userId)) told.delete(userId);
    await deliver(trx, told, { actorId: actor.userId, groupName: group.name, post, commentId, body }, now);
  }

  /**
   * Writes the notifications of those told, emails at once those of them who want it (only those this
   * call wrote: a retry emails nobody twice), and marks those emailed. Answers how many were written.
   */
  async function deliver(
    trx: Executor,
    told: Map<string, NotificationKind>,
    about: {
      actorId: string | null;
      groupName: string | null;
      post: { id: string; title: string | null };
      commentId: string | null;
      body: string;
    },
    now: number,
  ): Promise<number> {
    const rows = notificationRows(told, about.actorId, about.post.id, about.commentId, now);
    const written = new Set(await insertNotifications(trx, rows));
    const fresh = new Map([...told].filter(([userId]) => written.has(userId)));
    const emailed = await emailAtOnce(trx, fresh, about.actorId, about.groupName, about.post, about.body);
    await markNotificationsEmailed(
      trx,
      rows.filter((row) => emailed.has(row.userId)).map((row) => row.id),
      now,
    );
    return written.size;
  }

  /**
   * The link that stops a member's notification emails in one click (verified by unsubscribe()): of
   * one kind (an email about a mention stops mention emails), or all (a digest carries every kind).
   */
  function unsubscribeToken(userId: string, kind: EmailKind | null): string {
    return hmac(appSecret, kind ? `notifications-off:${userId}:${kind}` : `notifications-off:${userId}`);
  }
  const unsubscribeLinks = (userId: string, kind: EmailKind | null) => {
    const query = new URLSearchParams({
      u: userId,
      ...(kind ? { k: kind } : {}),
      t: unsubscribeToken(userId, kind),
    });
    return {
      page: `${publicUrl}/unsubscribe?${query}`,
      oneClick: `${publicUrl}/api/v1/notifications/unsubscribe?${query}`,
    };
  };

  /**
   * Emails each person told who wants to hear at once, in the writing transaction (the email is
   * stored and its job written with the notification; a retry never sends twice).
   */
  async function emailAtOnce(
    trx: Executor,
    told: Map<string, NotificationKind>,
    actorId: string | null,
    groupName: string | null,
    post: { id: string; title: string | null },
    body: string,
  ): Promise<Set<string>> {
    if (told.size === 0) return new Set();
    const recipients = (await findRecipients(trx, [...told.keys()])).filter(
      (r) => r.notifyEmail === 'instant' && r[EMAIL_SWITCH[emailKindOf(told.get(r.id)!)]] === 1,
    );
    if (recipients.length === 0) return new Set();
    const { platformName } = await settings.getSettings(trx);
    const actorName = actorId ? ((await findRecipients(trx, [actorId]))[0]?.name ?? null) : null;
    for (const recipient of recipients) {
      const kind = told.get(recipient.id)!;
      const links = unsubscribeLinks(recipient.id, emailKindOf(kind));
      const line = {
        sentence: notificationSentence(kind, actorName, post.title, groupName),
        excerpt: excerptOf(body),
        url: `${publicUrl}/hub/p/${encodeURIComponent(post.id)}`,
      };
      await email.queueEmail(trx, {
        to: recipient.email,
        kind: 'notification',
        message: notificationEmail(
          { platformName },
          { name: recipient.name, line, kind: emailKindOf(kind), unsubscribeUrl: links.page },
        ),
        recipientUserId: recipient.id,
        unsubscribeUrl: links.oneClick,
      });
    }
    return new Set(recipients.map((recipient) => recipient.id));
  }

  /**
   * Stops a member's notification emails of one kind, or all of them, from the link in one (no
   * sign-in: the link is signed, and names its kind).
   */
  async function unsubscribe(userId: string, token: string, kind: EmailKind | null): Promise<void> {
    if (!safeEqual(token, unsubscribeToken(userId, kind)))
      throw ValidationError.field('t', 'is not the link from one of our emails');
    const now = clock.now();
    await updateProfileRow(
      db,
      userId,
      kind ? { [EMAIL_SWITCH[kind]]: 0, updatedAt: now } : { notifyEmail: 'off', updatedAt: now },
    );
  }

  // --- following ---------------------------------------------------------------------------------

  /** A group the caller may enter, as its page shows it: with whether they follow it. */
  async function memberGroup(actor: Actor, groupId: string) {
    const group = await access.enterGroup(actor, groupId);
    return { group, following: await isFollowing(db, actor.userId, group.id) };
  }

  /**
   * Starts the caller following a group they may enter (hearing of its new posts), or stops it — also
   * for a group they may no longer enter (its id): nobody needs access to stop hearing of it.
   */
  async function follow(actor: Actor, groupId: string, on: boolean): Promise<boolean> {
    const id = on ? (await access.enterGroup(actor, groupId)).id : groupId;
    await setFollowing(db, { userId: actor.userId, groupId: id, following: on, now: clock.now() });
    return on;
  }

  /**
   * The followers job: tells each follower of a group, who may still enter it, of a new post — a page
   * of them per transaction, each notification written once (a retry after a crash skips those told)
   * and emailed at once to those who want it. A post gone or hidden by then tells nobody more.
   */
  async function tellFollowers(postId: string): Promise<number> {
    const post = await findPost(db, postId, '');
    if (!post || post.hiddenAt !== null) return 0;
    const groupName = await groupNameOf(db, post.hubGroupId);
    let afterId = '';
    let told = 0;
    for (;;) {
      const now = clock.now();
      const page = await inTransaction(db, async (trx) => {
        const ids = await listFollowersToTell(trx, {
          groupId: post.hubGroupId,
          postId: post.id,
          authorId: post.authorId,
          afterId,
          limit: FOLLOWERS_PAGE,
          now,
        });
        const followers = new Map(ids.map((userId) => [userId, 'post' as const]));
        const about = { actorId: post.authorId, groupName, post, commentId: null, body: post.body };
        told += await deliver(trx, followers, about, now);
        return ids;
      });
      if (page.length < FOLLOWERS_PAGE) return told;
      afterId = page.at(-1)!;
    }
  }

  /**
   * The daily digest: to each member on it with unread notifications no email has carried yet (about
   * groups they may still enter), one email of the newest ten, those marked emailed in the same
   * transaction — so a crash or a second run never repeats one, and the next digest starts after them.
   */
  async function sendDigests(): Promise<number> {
    const now = clock.now();
    const { platformName } = await settings.getSettings();
    let sent = 0;
    let afterId = '';
    for (;;) {
      const batch = await listDigestRecipients(db, afterId, 100);
      if (batch.length === 0) return sent;
      for (const member of batch) {
        afterId = member.id;
        const kinds = (['comment', 'reply', 'mention', 'post'] as const).filter(
          (kind) => member[EMAIL_SWITCH[emailKindOf(kind)]] === 1,
        );
        const fresh = await listNotifications(db, {
          userId: member.id,
          everyGroup: isStaffRole(member.role),
          now,
          after: null,
          limit: 100,
          forDigest: kinds,
        });
        await inTransaction(db, async (trx) => {
          // Those about groups they may no longer enter are dropped from digests (the list hides them).
          await markNotificationsEmailed(
            trx,
            fresh.map((row) => row.id),
            now,
          );
          if (fresh.length === 0) return;
          const links = unsubscribeLinks(member.id, null);
          const lines = fresh.slice(0, 10).map((row) => ({
            sentence: notificationSentence(row.kind, row.actorName, row.postTitle, row.groupName),
            excerpt: row.commentBody !== null ? excerptOf(row.commentBody) : null,
            url: `${publicUrl}/hub/p/${encodeURIComponent(row.postId)}`,
          }));
          await email.queueEmail(trx, {
            to: member.email,
            kind: 'notification-digest',
            message: notificationDigestEmail(
              { platformName },
              {
                name: member.name,
                lines,
                more: fresh.length - lines.length,
                hubUrl: `${publicUrl}/hub/notifications`,
                unsubscribeUrl: links.page,
              },
            ),
            recipientUserId: member.id,
            unsubscribeUrl: links.oneClick,
          });
          sent += 1;
        });
      }
    }
  }

  /** People to complete a mention with in a group the caller may enter: name starts with `text`. */
  async function mentionable(actor: Actor, groupId: string, text: string) {
    const group = await access.enterGroup(actor, groupId);
    const prefix = text.trim().toLowerCase();
    // One letter would walk a large share of the members' names on every keystroke.
    if (prefix.length < SEARCH.minNameLength) return [];
    return listMentionable(db, { groupId: group.id, prefix, now: clock.now(), limit: 8 });
  }

  /** The caller's notifications about groups they may enter now, newest first. */
  async function notifications(actor: Actor, options: { cursor?: string; limit: number }) {
    const rows = await listNotifications(db, {
      userId: actor.userId,
      everyGroup: isStaffRole(actor.role),
      now: clock.now(),
      after: decodeCursor(options.cursor),
      limit: options.limit,
    });
    return pageOf(rows, options.limit, (row) => ({ at: row.createdAt, id: row.id }));
  }

  async function unreadNotifications(actor: Actor): Promise<number> {
    return countUnreadNotifications(db, {
      userId: actor.userId,
      everyGroup: isStaffRole(actor.role),
      now: clock.now(),
    });
  }

  /** Marks the caller's notifications read (these ids, or all); answers how many are left unread. */
  async function readNotifications(actor: Actor, ids: string[] | 'all'): Promise<number> {
    await markNotificationsRead(db, actor.userId, ids, clock.now());
    return unreadNotifications(actor);
  }

  async function updateComment(actor: Actor, commentId: string, input: { body: string }) {
    const comment = await enterComment(actor, commentId);
    if (comment.authorId !== actor.userId) throw new ForbiddenError('Only its author may edit a comment.');
    const problem = textProblems('body', input.body, 10_000, true);
    if (problem) throw new ValidationError([problem]);
    const now = clock.now();
    const post = { id: comment.postId, title: comment.postTitle, hubGroupId: comment.hubGroupId };
    await inTransaction(db, async (trx) => {
      await updateCommentRow(trx, comment.id, {
        body: input.body,
        bodyHtml: renderMarkdown(input.body),
        editedAt: now,
        updatedAt: now,
      });
      // Those the edit newly mentions hear of it, as of a new comment.
      await tellNewlyMentioned(trx, actor, post, comment.id, input.body, now);
    });
    return stillThere(await findComment(db, comment.id, actor.userId), 'comment');
  }

  async function deleteComment(actor: Actor, commentId: string): Promise<void> {
    const comment = await enterComment(actor, commentId);
    if (comment.authorId !== actor.userId && !isStaffRole(actor.role))
      throw new ForbiddenError('Only its author or an admin may delete a comment.');
    await inTransaction(db, (trx) => deleteCommentRow(trx, comment));
  }

  async function likePost(actor: Actor, postId: string, like: boolean): Promise<PostRow> {
    const post = await enterPost(actor, postId);
    await countWrite(actor, 'like');
    await inTransaction(db, (trx) => setLike(trx, 'post', post.id, actor.userId, like, clock.now()));
    return stillThere(await findPost(db, post.id, actor.userId), 'post');
  }

  async function likeComment(actor: Actor, commentId: string, like: boolean) {
    const comment = await enterComment(actor, commentId);
    await countWrite(actor, 'like');
    await inTransaction(db, (trx) => setLike(trx, 'comment', comment.id, actor.userId, like, clock.now()));
    return stillThere(await findComment(db, comment.id, actor.userId), 'comment');
  }

  return {
    listGroups,
    getGroup,
    createGroup,
    updateGroup,
    deleteGroup,
    reorderGroups,
    uploadGroupImage,
    removeGroupImage,
    feed,
    home,
    findPosts,
    findComments,
    findPeople,
    profile,
    updateProfile,
    setAvatar,
    removeAvatar,
    report,
    reports,
    resolveReport,
    mentionable,
    unsubscribe,
    follow,
    memberGroup,
    tellFollowers,
    directory,
    sendDigests,
    notifications,
    unreadNotifications,
    readNotifications,
    createPost,
    uploadImage,
    preview,
    getPost,
    updatePost,
    deletePost,
    comments,
    createComment,
    updateComment,
    deleteComment,
    likePost,
    likeComment,
  };
}

export type HubService = ReturnType<typeof createHubService>;
