import { type Actor, isStaffRole } from '../../platform/actor.ts';
import { toIso } from '../../platform/clock.ts';
import { mediaUrl } from '../../platform/media.ts';
import type { GroupRow } from '../access/index.ts';
import type {
  AuthorPostRow,
  CommentHitRow,
  CommentRow,
  DirectoryRow,
  HomePostRow,
  NotificationRow,
  PostHitRow,
  PostRow,
  ProfileRow,
  ReportRow,
} from './hub.repository.ts';
import { excerptOf, hasDirectory, hitSegments, type Segment } from './hub.rules.ts';

export function presentGroup(group: GroupRow) {
  return {
    id: group.id,
    name: group.name,
    slug: group.slug,
    description: group.description,
    emoji: group.emoji,
    imageUrl: mediaUrl(group.imagePath),
    visibility: group.visibility,
    position: group.position,
    paywall: { callToAction: group.paywallCta, description: group.paywallDescription, url: group.paywallUrl },
    postCount: Number(group.postCount),
    whoMayPost: group.whoMayPost,
    commentsOn: Boolean(group.commentsOn),
    directoryOn: Boolean(group.directoryOn),
    createdAt: toIso(group.createdAt),
    updatedAt: toIso(group.updatedAt),
  };
}

/** The group a row belongs to, as the repository's GROUP_REF columns name it. */
function groupRef(row: { groupId: string; groupName: string; groupSlug: string; groupEmoji: string | null }) {
  return { id: row.groupId, name: row.groupName, slug: row.groupSlug, emoji: row.groupEmoji };
}

/** What a member sees of a group in /hub: no paywall settings, and whether they may enter. */
export function presentMemberGroup(group: GroupRow & { canEnter: boolean }) {
  return {
    id: group.id,
    name: group.name,
    slug: group.slug,
    description: group.description,
    emoji: group.emoji,
    imageUrl: mediaUrl(group.imagePath),
    visibility: group.visibility,
    canEnter: group.canEnter,
    postCount: group.canEnter ? Number(group.postCount) : null,
    whoMayPost: group.whoMayPost,
    commentsOn: Boolean(group.commentsOn),
    directoryOn: hasDirectory(group),
  };
}

const memberGroupJson = new WeakMap<GroupRow, { open: string; locked: string }>();

/**
 * `presentMemberGroup` as JSON text, kept per group row: a member's group list is a string join of the
 * rows kept by version (access.service.ts), the same text for every member who may (or may not) enter.
 */
export function presentMemberGroupJson(group: GroupRow, canEnter: boolean): string {
  let json = memberGroupJson.get(group);
  if (!json) {
    json = {
      open: JSON.stringify(presentMemberGroup({ ...group, canEnter: true })),
      locked: JSON.stringify(presentMemberGroup({ ...group, canEnter: false })),
    };
    memberGroupJson.set(group, json);
  }
  return canEnter ? json.open : json.locked;
}

/** The writer of a post or comment, with their picture (null once their account is gone). */
function writer(row: {
  authorId: string | null;
  authorName: string | null;
  authorAvatarPath: string | null;
}) {
  if (!row.authorId) return null;
  return {
    id: row.authorId,
    name: row.authorName ?? 'Former member',
    avatarUrl: mediaUrl(row.authorAvatarPath),
  };
}

export function presentPost(post: PostRow, actor: Actor) {
  const mine = post.authorId === actor.userId;
  return {
    id: post.id,
    groupId: post.hubGroupId,
    author: writer(post),
    title: post.title,
    body: post.body,
    bodyHtml: post.bodyHtml,
    pinned: post.pinnedAt !== null,
    likeCount: Number(post.likeCount),
    commentCount: Number(post.commentCount),
    likedByMe: Boolean(post.likedByMe),
    canEdit: mine,
    canDelete: mine || isStaffRole(actor.role),
    createdAt: toIso(post.createdAt),
    editedAt: toIso(post.editedAt),
    hidden: post.hiddenAt !== null,
  };
}

/** What a post of the home feed adds to the post: its group, and when it last saw activity. */
function homeTail(row: Omit<HomePostRow, 'likedByMe'>) {
  return {
    group: { id: row.hubGroupId, name: row.groupName, slug: row.groupSlug, emoji: row.groupEmoji },
    activityAt: toIso(row.activityAt),
  };
}

// A feed post as JSON, in two parts that are the same for every reader (kept per row: the rows of a
// cached feed page are the same objects request after request), with the reader's three fields between.
const postJsonParts = new WeakMap<object, readonly [string, string]>();

/**
 * `presentPost(post, actor)` as JSON text, with `likedByMe` given apart (a cached row has none). The
 * feed sends these joined instead of objects to serialize: a cached page costs a string join.
 */
export function presentPostJson(post: Omit<PostRow, 'likedByMe'>, likedByMe: boolean, actor: Actor): string {
  return postJson(post, likedByMe, actor, () => ({}));
}

/** A post of the home feed as JSON text, the same way: the post's fields, then its group. */
export function presentHomePostJson(
  post: Omit<HomePostRow, 'likedByMe'>,
  likedByMe: boolean,
  actor: Actor,
): string {
  return postJson(post, likedByMe, actor, homeTail);
}

function postJson<Row extends Omit<PostRow, 'likedByMe'>>(
  post: Row,
  likedByMe: boolean,
  actor: Actor,
  tail: (post: Row) => object,
): string {
  let parts = postJsonParts.get(post);
  if (!parts) {
    const {
      likedByMe: _liked,
      canEdit: _edit,
      canDelete: _delete,
      createdAt,
      editedAt,
      hidden,
      ...head
    } = presentPost({ ...post, likedByMe: 0 }, actor);
    parts = [
      JSON.stringify(head).slice(0, -1),
      JSON.stringify({ createdAt, editedAt, hidden, ...tail(post) }).slice(1),
    ];
    postJsonParts.set(post, parts);
  }
  const mine = post.authorId === actor.userId;
  return `${parts[0]},"likedByMe":${likedByMe},"canEdit":${mine},"canDelete":${mine || isStaffRole(actor.role)},${parts[1]}`;
}

export function presentComment(comment: Omit<CommentRow, 'postTitle'>, actor: Actor) {
  const mine = comment.authorId === actor.userId;
  return {
    id: comment.id,
    postId: comment.postId,
    parentId: comment.parentId,
    author: writer(comment),
    body: comment.body,
    bodyHtml: comment.bodyHtml,
    likeCount: Number(comment.likeCount),
    likedByMe: Boolean(comment.likedByMe),
    canEdit: mine,
    canDelete: mine || isStaffRole(actor.role),
    createdAt: toIso(comment.createdAt),
    editedAt: toIso(comment.editedAt),
    hidden: comment.hiddenAt !== null,
  };
}

// --- search results ---

type HitRow = {
  authorId: string | null;
  authorName: string | null;
  groupId: string;
  groupName: string;
  groupSlug: string;
  groupEmoji: string | null;
};

function hitContext(row: HitRow) {
  return {
    group: groupRef(row),
    author: row.authorId ? { id: row.authorId, name: row.authorName ?? 'Former member' } : null,
  };
}

export function presentPostHit(row: PostHitRow) {
  return {
    id: row.id,
    ...hitContext(row),
    title: row.title,
    titleHit: hitSegments(row.titleHit),
    snippet: hitSegments(row.bodyHit),
    likeCount: Number(row.likeCount),
    commentCount: Number(row.commentCount),
    createdAt: toIso(row.createdAt),
  };
}

export function presentCommentHit(row: CommentHitRow) {
  return {
    id: row.id,
    postId: row.postId,
    postTitle: row.postTitle,
    ...hitContext(row),
    snippet: hitSegments(row.bodyHit),
    createdAt: toIso(row.createdAt),
  };
}

/** A person found by the start of their name: the matched start marked. */
export function presentPersonHit(person: { id: string; name: string }, text: string) {
  const typed = text.trim().length;
  const nameHit: Segment[] = [
    { text: person.name.slice(0, typed), hit: true },
    { text: person.name.slice(typed), hit: false },
  ].filter((segment) => segment.text);
  return { id: person.id, name: person.name, nameHit };
}

export function presentNotification(row: NotificationRow) {
  return {
    id: row.id,
    kind: row.kind,
    read: row.readAt !== null,
    actor: row.actorId ? { id: row.actorId, name: row.actorName ?? 'Former member' } : null,
    post: { id: row.postId, title: row.postTitle },
    comment: row.commentId ? { id: row.commentId, excerpt: excerptOf(row.commentBody ?? '') } : null,
    group: groupRef(row),
    createdAt: toIso(row.createdAt),
  };
}

/** One person in a group's member directory: name, picture, bio, whether they run it; never an email. */
export function presentDirectoryEntry(person: DirectoryRow) {
  return {
    id: person.id,
    name: person.name,
    avatarUrl: mediaUrl(person.avatarPath),
    bio: person.bio,
    staff: isStaffRole(person.role),
  };
}

/** Someone to mention, with the Markdown that mentions them (hub/markdown.ts reads it back). */
export function presentMentionable(person: { id: string; name: string }) {
  const name =
    person.name
      .replace(/[[\]\n\r]/g, ' ')
      .trim()
      .slice(0, 80) || 'member';
  return { id: person.id, name: person.name, token: `@[${name}](member:${person.id})` };
}

export function presentReport(row: ReportRow) {
  const onComment = row.commentId !== null;
  return {
    id: row.id,
    reason: row.reason,
    reporter: row.reporterId ? { id: row.reporterId, name: row.reporterName ?? 'Former member' } : null,
    post: { id: row.postId, title: row.postTitle },
    comment: onComment ? { id: row.commentId! } : null,
    author: row.authorName ? { name: row.authorName } : null,
    excerpt: excerptOf((onComment ? row.commentBody : row.postBody) ?? ''),
    hidden: (onComment ? row.commentHiddenAt : row.postHiddenAt) !== null,
    group: groupRef(row),
    createdAt: toIso(row.createdAt),
    resolution: row.resolution,
    resolvedAt: toIso(row.resolvedAt),
  };
}

export function presentProfile(view: { person: ProfileRow; posts: AuthorPostRow[] }) {
  const { person, posts } = view;
  let links: string[] = [];
  try {
    const parsed: unknown = JSON.parse(person.links);
    if (Array.isArray(parsed)) links = parsed.filter((link): link is string => typeof link === 'string');
  } catch {
    // A row written by hand that is not JSON shows no links.
  }
  return {
    id: person.id,
    name: person.name,
    bio: person.bio,
    links,
    avatarUrl: mediaUrl(person.avatarPath),
    staff: isStaffRole(person.role),
    memberSince: toIso(person.createdAt),
    posts: posts.map((post) => ({
      id: post.id,
      title: post.title,
      excerpt: excerptOf(post.body),
      group: groupRef(post),
      likeCount: Number(post.likeCount),
      commentCount: Number(post.commentCount),
      createdAt: toIso(post.createdAt),
    })),
  };
}
