// The hub's input rules, pure: what a group, a post and a comment may hold. The same limits are the
// request schemas' bounds (hub.schemas.ts), so the OpenAPI document states them; these functions add
// what a schema cannot say (trimmed text required, one emoji, a real http(s) URL) in the product's words.
import type { HubVisibility, NotificationKind } from '../../platform/db/schema.ts';
import type { FieldProblem } from '../../platform/errors.ts';
import { isHttpUrl, SLUG_PATTERN } from '../../platform/text.ts';
import { MAX_BODY_LENGTH } from './markdown.ts';

export const LIMITS = {
  name: 80,
  slug: 60,
  description: 2000,
  /** An emoji may be several code points (skin tones, flags, joined families). */
  emojiCodePoints: 8,
  paywallCta: 200,
  url: 2000,
  postTitle: 200,
  body: MAX_BODY_LENGTH,
  reportReason: 500,
  bio: 300,
  links: 3,
} as const;

const VISIBILITIES: readonly HubVisibility[] = ['public', 'private', 'hidden'];

export interface GroupInput {
  name?: string;
  slug?: string;
  description?: string;
  emoji?: string | null;
  visibility?: HubVisibility;
  paywallCta?: string | null;
  paywallDescription?: string | null;
  paywallUrl?: string | null;
  whoMayPost?: 'members' | 'staff';
  commentsOn?: boolean;
  directoryOn?: boolean;
}

/** Field problems of a group's input; `creating` requires the name and visibility. */
export function groupProblems(input: GroupInput, creating: boolean): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const check = (ok: boolean, field: string, message: string) => {
    if (!ok) problems.push({ field, message });
  };
  if (creating || input.name !== undefined) {
    const name = input.name?.trim() ?? '';
    check(name.length > 0, 'name', 'is required');
    check(name.length <= LIMITS.name, 'name', `must be at most ${LIMITS.name} characters`);
  }
  if (input.slug !== undefined) {
    check(SLUG_PATTERN.test(input.slug), 'slug', 'must be lower-case letters, digits and single dashes');
    check(input.slug.length <= LIMITS.slug, 'slug', `must be at most ${LIMITS.slug} characters`);
  }
  if (input.description !== undefined)
    check(
      input.description.length <= LIMITS.description,
      'description',
      `must be at most ${LIMITS.description} characters`,
    );
  if (input.emoji)
    check(
      [...input.emoji].length <= LIMITS.emojiCodePoints && !/[\s<>]/.test(input.emoji),
      'emoji',
      'must be one emoji',
    );
  if (creating || input.visibility !== undefined) {
    check(
      VISIBILITIES.includes(input.visibility as HubVisibility),
      'visibility',
      'must be public, private or hidden',
    );
  }
  if (input.paywallCta)
    check(
      input.paywallCta.length <= LIMITS.paywallCta,
      'paywallCta',
      `must be at most ${LIMITS.paywallCta} characters`,
    );
  if (input.paywallDescription)
    check(
      input.paywallDescription.length <= LIMITS.description,
      'paywallDescription',
      `must be at most ${LIMITS.description} characters`,
    );
  if (input.paywallUrl)
    check(
      isHttpUrl(input.paywallUrl) && input.paywallUrl.length <= LIMITS.url,
      'paywallUrl',
      'must be an http or https URL',
    );
  // One problem per field: the first one found says what to fix first.
  return problems.filter((problem, index) => problems.findIndex((p) => p.field === problem.field) === index);
}

export function textProblems(
  field: string,
  value: string,
  max: number,
  required: boolean,
): FieldProblem | null {
  if (required && value.trim().length === 0) return { field, message: 'is required' };
  if (value.length > max) return { field, message: `must be at most ${max} characters` };
  return null;
}

/** A search's words: at most this many, each at most this long (longer ones are cut). */
export const SEARCH = {
  maxTerms: 8,
  maxTermLength: 64,
  maxQueryLength: 200,
  /** The last word is looked for as a prefix from this length on (one letter would match nearly all). */
  minPrefixLength: 2,
  /** People are looked for by at least this much of their name. */
  minNameLength: 2,
} as const;

/**
 * The words of a search as both engines' indexes cut text: runs of letters and digits, lower-cased
 * (migration 0015 cuts PostgreSQL's text at the same punctuation SQLite's unicode61 does). Nothing
 * else of the text reaches the query, so no search syntax can be injected.
 */
export function searchTerms(text: string): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words.map((word) => word.slice(0, SEARCH.maxTermLength)))].slice(0, SEARCH.maxTerms);
}

/** Text with search hits between two marks, as segments a client shows without parsing any markup. */
export interface Segment {
  text: string;
  hit: boolean;
}

export const HIT_START = '\uE000';
export const HIT_END = '\uE001';

/** Cuts text marked by the engine (HIT_START … HIT_END) into segments; stray marks are dropped. */
export function hitSegments(marked: string): Segment[] {
  const segments: Segment[] = [];
  let hit = false;
  let text = '';
  const push = () => {
    if (text) segments.push({ text, hit });
    text = '';
  };
  for (const char of marked) {
    if (char === HIT_START || char === HIT_END) {
      push();
      hit = char === HIT_START;
    } else text += char;
  }
  push();
  return segments;
}

/** A notification in words: "Max mentioned you in “Morning flow”". */
export function notificationSentence(
  kind: NotificationKind,
  actorName: string | null,
  postTitle: string | null,
  groupName: string | null,
): string {
  const who = actorName || 'A former member';
  const title = postTitle ? `“${postTitle}”` : null;
  if (kind === 'post')
    return `${who} posted ${title ?? 'something new'} in ${groupName ?? 'a group you follow'}`;
  if (kind === 'mention') return `${who} mentioned you in ${title ?? 'a post'}`;
  if (kind === 'reply') return `${who} replied to your comment on ${title ?? 'a post'}`;
  return `${who} commented on ${title ? `your post ${title}` : 'your post'}`;
}

/** The kinds of notification a member turns on or off for email, each with one column (users.email_*). */
export type EmailKind = 'replies' | 'mentions' | 'posts';

/** The column of users that says whether each kind goes out by email (1 or 0). */
export const EMAIL_SWITCH = {
  replies: 'emailReplies',
  mentions: 'emailMentions',
  posts: 'emailPosts',
} as const satisfies Record<EmailKind, string>;

/**
 * Whether a group shows its member directory to those who may enter it: when its creator left it on,
 * and it is not public (every member may enter a public group: its list would be every account).
 */
export function hasDirectory(group: { directoryOn: number; visibility: string }): boolean {
  return Boolean(group.directoryOn) && group.visibility !== 'public';
}

/** Which email switch a notification goes by: comments on one's post and replies are both "replies". */
export function emailKindOf(kind: NotificationKind): EmailKind {
  if (kind === 'mention') return 'mentions';
  if (kind === 'post') return 'posts';
  return 'replies';
}

/** The start of something written, as plain text on one line (a notification's excerpt). */
export function excerptOf(body: string, length = 140): string {
  // A mention reads as @Name, as it shows on the page.
  const text = body
    .replace(/@\[([^\]\n]{1,80})\]\(member:[0-9a-f-]{36}\)/g, '@$1')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}
