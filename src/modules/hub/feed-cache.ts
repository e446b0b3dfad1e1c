// The first page of each group's feed, kept in this process under the group's feed version. The version
// is read with the access check every request makes (hub_groups.feed_version) and bumped in the same
// transaction as every change to what the page shows, so a cached page is never older than the version
// its reader saw — whichever process made the change. What differs per reader (which posts they like)
// is kept apart, under the same version: the reader's own like changes the version too.
//
// The home feed keeps its first pages here too, keyed by the set of groups a reader may enter and
// versioned by a stamp of those groups' versions (hub.service.ts, home).

import { lru } from '../../platform/lru.ts';

/** A feed row without the reader's part. */
export type SharedPost<Row> = Omit<Row, 'likedByMe'>;

export interface CachedFeedPage<Row> {
  pinned: SharedPost<Row>[];
  posts: SharedPost<Row>[];
  nextCursor: string | null;
}

/**
 * What a page was read under: a group's feed version, or a stamp of several groups' versions. A kept
 * page answers only for exactly its version.
 */
export type FeedVersion = number | string;

export interface FeedCache<Row> {
  page(key: string, version: FeedVersion, limit: number): CachedFeedPage<Row> | undefined;
  keepPage(key: string, version: FeedVersion, limit: number, page: CachedFeedPage<Row>): void;
  /** The ids of the page's posts the viewer likes, when known for this version and page size. */
  likes(viewerId: string, key: string, version: FeedVersion, limit: number): ReadonlySet<string> | undefined;
  keepLikes(
    viewerId: string,
    key: string,
    version: FeedVersion,
    limit: number,
    liked: Iterable<string>,
  ): void;
}

/** A slower reader of an older version never replaces a newer one (stamps cannot be ordered: they may). */
function newer(kept: FeedVersion, version: FeedVersion): boolean {
  return typeof kept === 'number' && typeof version === 'number' && kept > version;
}

/** A page whose posts hold more text than this is not kept (a few long posts; memory stays bounded). */
const MAX_PAGE_CHARS = 512 * 1024;

export function createFeedCache<Row extends { body: string; bodyHtml: string }>(
  options: { pages?: number; viewers?: number } = {},
): FeedCache<Row> {
  // Keyed by group and page size; an older version of a page is replaced, never kept beside it. A
  // reader's likes are keyed by the page size too: they were looked up for that page's posts.
  const pages = lru<{ version: FeedVersion; page: CachedFeedPage<Row> }>(options.pages ?? 200);
  const likes = lru<{ version: FeedVersion; liked: ReadonlySet<string> }>(options.viewers ?? 20_000);
  return {
    page(key, version, limit) {
      const entry = pages.get(`${key}:${limit}`);
      return entry && entry.version === version ? entry.page : undefined;
    },
    keepPage(key, version, limit, page) {
      const entry = pages.get(`${key}:${limit}`);
      if (entry && newer(entry.version, version)) return;
      let chars = 0;
      for (const post of [...page.pinned, ...page.posts]) chars += post.body.length + post.bodyHtml.length;
      if (chars > MAX_PAGE_CHARS) return;
      pages.set(`${key}:${limit}`, { version, page });
    },
    likes(viewerId, key, version, limit) {
      const entry = likes.get(`${viewerId}:${key}:${limit}`);
      return entry && entry.version === version ? entry.liked : undefined;
    },
    keepLikes(viewerId, key, version, limit, liked) {
      const entry = likes.get(`${viewerId}:${key}:${limit}`);
      if (entry && newer(entry.version, version)) return;
      likes.set(`${viewerId}:${key}:${limit}`, { version, liked: new Set(liked) });
    },
  };
}
