// The first page of a feed is cached per group and feed version (src/modules/hub/feed-cache.ts): every
// change to what that page shows is seen on the next read, by a reader whose page was cached, and each
// reader keeps their own likes. A repeated read runs no feed query.
import { randomUUID } from 'node:crypto';
import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertPost } from '../../src/modules/hub/hub.repository.ts';
import { Post } from '../../src/modules/hub/hub.schemas.ts';
import { authorRenamed } from '../../src/modules/hub/index.ts';
import { PageOf } from '../../src/platform/http/schemas.ts';
import {
  type Client,
  createAdmin,
  createGrant,
  createGroup,
  createMember,
  forgetWriteLimits,
  signIn,
  type TestGroup,
  type TestUser,
} from '../support/factories.ts';
import { signal } from '../support/signal.ts';
import { createTestContext, type TestContext } from '../support/test-app.ts';

let ctx: TestContext;
const statements: string[] = [];
let group: TestGroup;
let reader: Client;
let writer: Client;
let admin: Client;
let writerUser: TestUser;

type FeedPost = {
  id: string;
  title: string | null;
  body: string;
  pinned: boolean;
  likeCount: number;
  commentCount: number;
  likedByMe: boolean;
  author: { id: string; name: string } | null;
};

beforeAll(async () => {
  ctx = await createTestContext({ onQuery: (sql) => statements.push(sql) });
  group = await createGroup(ctx, { visibility: 'private' });
  const readerUser = await createMember(ctx);
  writerUser = await createMember(ctx);
  for (const user of [readerUser, writerUser]) await createGrant(ctx, user, group);
  reader = await signIn(ctx, readerUser);
  writer = await signIn(ctx, writerUser);
  admin = await signIn(ctx, await createAdmin(ctx));
});
afterAll(async () => ctx.close());

const feedUrl = () => `/api/v1/hub/groups/${group.id}/posts`;

async function feedOf(client: Client): Promise<FeedPost[]> {
  const response = await client.get(feedUrl());
  expect(response.statusCode).toBe(200);
  return response.json().data as FeedPost[];
}

/** Reads the feed twice (the second read from the cache), answers the second. */
async function cachedFeedOf(client: Client): Promise<FeedPost[]> {
  await feedOf(client);
  return feedOf(client);
}

async function post(body: string): Promise<FeedPost> {
  // This file's writer posts far faster than a person may.
  await forgetWriteLimits(ctx, writerUser);
  const response = await writer.post(feedUrl(), { body });
  expect(response.statusCode).toBe(201);
  return response.json() as FeedPost;
}

describe('the cached first page of a feed', () => {
  it('is read with no feed query the second time, and shows a new post at once', async () => {
    const first = await post('The first post');
    await feedOf(reader);
    statements.length = 0;
    const again = await feedOf(reader);
    expect(again.map((p) => p.id)).toContain(first.id);
    // The session and the group's access check (which reads the feed version), nothing else.
    expect(statements.filter((sql) => /from "posts"|from "post_likes"/.test(sql))).toEqual([]);
    const second = await post('A second post');
    expect((await feedOf(reader))[0]?.id).toBe(second.id);
  });

  it('sends the same JSON from the cache as without it, exactly the documented Post shape', async () => {
    await post('Shape **check** with "quotes", a \\ backslash and ünïcödé ✓');
    const fresh = await reader.get(feedUrl());
    const cached = await reader.get(feedUrl());
    expect(cached.body).toBe(fresh.body);
    const body = cached.json();
    expect(Value.Check(PageOf(Post), body)).toBe(true);
    // Key for key, in the order the schema lists them.
    expect(Object.keys(body.data[0])).toEqual(Object.keys(Post.properties));
    expect(cached.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('shows an edit, a pin and an unpin, and a deletion', async () => {
    const edited = await post('Before the edit');
    await cachedFeedOf(reader);
    expect(
      (await writer.patch(`/api/v1/hub/posts/${edited.id}`, { body: 'After the edit' })).statusCode,
    ).toBe(200);
    expect((await feedOf(reader)).find((p) => p.id === edited.id)?.body).toBe('After the edit');

    const older = (await cachedFeedOf(reader)).at(-1) as FeedPost;
    expect((await admin.patch(`/api/v1/hub/posts/${older.id}`, { pinned: true })).statusCode).toBe(200);
    expect((await feedOf(reader))[0]).toMatchObject({ id: older.id, pinned: true });
    await cachedFeedOf(reader);
    expect((await admin.patch(`/api/v1/hub/posts/${older.id}`, { pinned: false })).statusCode).toBe(200);
    expect((await feedOf(reader))[0]?.pinned).toBe(false);

    await cachedFeedOf(reader);
    expect((await writer.delete(`/api/v1/hub/posts/${edited.id}`)).statusCode).toBe(204);
    expect((await feedOf(reader)).map((p) => p.id)).not.toContain(edited.id);
  });

  it('counts a comment and its deletion', async () => {
    const discussed = await post('Talk about this');
    await cachedFeedOf(reader);
    const comment = await writer.post(`/api/v1/hub/posts/${discussed.id}/comments`, { body: 'A comment' });
    expect(comment.statusCode).toBe(201);
    expect((await feedOf(reader)).find((p) => p.id === discussed.id)?.commentCount).toBe(1);
    await cachedFeedOf(reader);
    expect((await writer.delete(`/api/v1/hub/comments/${comment.json().id}`)).statusCode).toBe(204);
    expect((await feedOf(reader)).find((p) => p.id === discussed.id)?.commentCount).toBe(0);
  });

  it('keeps each reader’s likes apart while counting everyone’s', async () => {
    const liked = await post('Like this');
    await cachedFeedOf(reader);
    await cachedFeedOf(writer);
    expect((await writer.request('PUT', `/api/v1/hub/posts/${liked.id}/like`)).statusCode).toBe(200);
    expect((await cachedFeedOf(reader)).find((p) => p.id === liked.id)).toMatchObject({
      likeCount: 1,
      likedByMe: false,
    });
    expect((await cachedFeedOf(writer)).find((p) => p.id === liked.id)).toMatchObject({
      likeCount: 1,
      likedByMe: true,
    });
    expect((await reader.request('PUT', `/api/v1/hub/posts/${liked.id}/like`)).statusCode).toBe(200);
    expect((await feedOf(reader)).find((p) => p.id === liked.id)).toMatchObject({
      likeCount: 2,
      likedByMe: true,
    });
    expect((await reader.request('DELETE', `/api/v1/hub/posts/${liked.id}/like`)).statusCode).toBe(200);
    expect((await feedOf(reader)).find((p) => p.id === liked.id)).toMatchObject({
      likeCount: 1,
      likedByMe: false,
    });
    expect((await feedOf(writer)).find((p) => p.id === liked.id)?.likedByMe).toBe(true);
  });

  it('keeps a reader’s likes per page size: a short page never hides a like on a longer one', async () => {
    const own = await createGroup(ctx, { visibility: 'public' });
    const url = `/api/v1/hub/groups/${own.id}/posts`;
    await forgetWriteLimits(ctx, writerUser);
    const oldest = (await writer.post(url, { body: 'The oldest' })).json() as FeedPost;
    for (let i = 0; i < 24; i += 1) {
      // Twenty-five posts at once: far faster than a member may write.
      await forgetWriteLimits(ctx, writerUser);
      expect((await writer.post(url, { body: `Newer ${i}` })).statusCode).toBe(201);
    }
    expect((await reader.request('PUT', `/api/v1/hub/posts/${oldest.id}/like`)).statusCode).toBe(200);
    const likedOnLongPage = async (client: Client) =>
      ((await client.get(`${url}?limit=30`)).json().data as FeedPost[]).find((p) => p.id === oldest.id)
        ?.likedByMe;
    expect(await likedOnLongPage(reader)).toBe(true);
    await reader.get(`${url}?limit=20`);
    await likedOnLongPage(writer);
    expect(await likedOnLongPage(reader)).toBe(true);
  });

  it('shows an author’s new name, whether they rename themselves or staff rename them', async () => {
    await post('Signed with my name');
    await cachedFeedOf(reader);
    expect((await writer.patch('/api/v1/me', { name: 'Renamed Writer' })).statusCode).toBe(200);
    expect((await feedOf(reader))[0]?.author?.name).toBe('Renamed Writer');
    await cachedFeedOf(reader);
    expect((await admin.patch(`/api/v1/users/${writerUser.id}`, { name: 'Named By Staff' })).statusCode).toBe(
      200,
    );
    expect((await feedOf(reader))[0]?.author?.name).toBe('Named By Staff');
  });

  it('shows a rename that commits while the author’s first post in the group is being written', async () => {
    const own = await createGroup(ctx, { visibility: 'public' });
    const author = await createMember(ctx, { name: 'Before Rename' });
    const url = `/api/v1/hub/groups/${own.id}/posts`;
    const now = Date.now();
    const postWritten = signal();
    const commitPost = signal();
    // The author's first post here, in a transaction held open...
    const posting = ctx.db.transaction().execute(async (trx) => {
      await insertPost(trx, {
        id: randomUUID(),
        hubGroupId: own.id,
        authorId: author.id,
        title: null,
        body: 'First here',
        bodyHtml: '<p>First here</p>',
        pinnedAt: null,
        createdAt: now,
        updatedAt: now,
        editedAt: null,
      });
      postWritten.fire();
      await commitPost.reached;
    });
    await postWritten.reached;
    // ...while the author is renamed (on PostgreSQL the rename waits for the post; SQLite takes turns).
    const renameApplied = signal();
    const commitRename = signal();
    const renaming = ctx.db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ name: 'After Rename' }).where('id', '=', author.id).execute();
      await authorRenamed(trx, author.id);
      renameApplied.fire();
      await commitRename.reached;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    commitPost.fire();
    await posting;
    await renameApplied.reached;
    // A reader between the two commits (PostgreSQL) keeps the page with the old name...
    if (ctx.engine === 'postgres') await reader.get(url);
    commitRename.fire();
    await renaming;
    // ...and the rename's commit makes it stale.
    const page = (await reader.get(url)).json().data as FeedPost[];
    expect(page[0]?.author?.name).toBe('After Rename');
  });

  it('never stands in for the access check: a revoked grant closes the cached feed at once', async () => {
    const outsider = await createMember(ctx);
    const grantId = await createGrant(ctx, outsider, group);
    const client = await signIn(ctx, outsider);
    await cachedFeedOf(client);
    await ctx.db.deleteFrom('accessGrants').where('id', '=', grantId).execute();
    expect((await client.get(feedUrl())).statusCode).toBe(403);
  });
});
