// Reports and moderation: a member reports a post or comment; staff see the queue and hide (gone for
// members at once, everywhere), remove, dismiss, or show a hidden item again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Client,
  createGroup,
  createMember,
  createOwner,
  forgetWriteLimits,
  signIn,
  type TestGroup,
  type TestUser,
} from '../support/factories.ts';
import { createTestContext, type TestContext } from '../support/test-app.ts';

let ctx: TestContext;
let group: TestGroup;
let staff: Client;
let writer: { user: TestUser; client: Client };
let reader: { user: TestUser; client: Client };

beforeAll(async () => {
  ctx = await createTestContext();
  group = await createGroup(ctx, { name: 'Lounge', visibility: 'public' });
  staff = await signIn(ctx, await createOwner(ctx));
  for (const name of ['writer', 'reader'] as const) {
    const user = await createMember(ctx, { name: name === 'writer' ? 'Wes Writer' : 'Rae Reader' });
    const person = { user, client: await signIn(ctx, user) };
    if (name === 'writer') writer = person;
    else reader = person;
  }
});
afterAll(async () => ctx.close());

async function post(title: string, body = 'Buy cheap watches at example.test'): Promise<string> {
  await forgetWriteLimits(ctx, writer.user);
  const response = await writer.client.post(`/api/v1/hub/groups/${group.id}/posts`, { title, body });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id;
}

async function queue(status: 'open' | 'resolved' = 'open') {
  const response = await staff.get(`/api/v1/reports?status=${status}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json().data as {
    id: string;
    post: { id: string };
    comment: { id: string } | null;
    reason: string;
    hidden: boolean;
    resolution: string | null;
    reporter: { name: string };
    author: { name: string };
    excerpt: string;
  }[];
}

const visibleTo = async (who: Client, postId: string) => {
  const [page, home, search, one] = await Promise.all([
    who.get(`/api/v1/hub/groups/${group.id}/posts`),
    who.get('/api/v1/hub/home'),
    who.get('/api/v1/hub/search/posts?q=watches'),
    who.get(`/api/v1/hub/posts/${postId}`),
  ]);
  const ids = (response: typeof page) => (response.json().data as { id: string }[]).map((p) => p.id);
  return {
    feed: ids(page).includes(postId),
    home: ids(home).includes(postId),
    search: ids(search).includes(postId),
    open: one.statusCode,
  };
};

describe('reports and moderation', { shuffle: false }, () => {
  it('takes a report once per reporter, says why, and shows it to staff only', async () => {
    const id = await post('Spammy watches');
    const first = await reader.client.post(`/api/v1/hub/posts/${id}/report`, { reason: 'Spam' });
    expect(first.statusCode, first.body).toBe(201);
    expect(
      (await reader.client.post(`/api/v1/hub/posts/${id}/report`, { reason: 'Spam again' })).statusCode,
    ).toBe(201);
    const open = (await queue()).filter((report) => report.post.id === id);
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({
      reason: 'Spam',
      reporter: { name: 'Rae Reader' },
      author: { name: 'Wes Writer' },
      hidden: false,
      comment: null,
    });
    expect(open[0]!.excerpt).toContain('Buy cheap watches');
    expect((await reader.client.get('/api/v1/reports')).statusCode).toBe(403);
    const empty = await reader.client.post(`/api/v1/hub/posts/${id}/report`, { reason: '   ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.details.fields[0].field).toBe('reason');
  });

  it('hides a reported post for members at once, everywhere, and shows it again', async () => {
    const id = await post('More watches');
    await reader.client.post(`/api/v1/hub/posts/${id}/report`, { reason: 'Spam' });
    // Warm every cache first: the hide must show through them.
    expect(await visibleTo(reader.client, id)).toEqual({ feed: true, home: true, search: true, open: 200 });
    const report = (await queue()).find((r) => r.post.id === id)!;
    const counted = async () =>
      (
        (await reader.client.get('/api/v1/hub/groups')).json().data as { id: string; postCount: number }[]
      ).find((g) => g.id === group.id)!.postCount;
    const shown = await counted();
    expect((await staff.post(`/api/v1/reports/${report.id}/resolve`, { action: 'hide' })).statusCode).toBe(
      204,
    );
    // The group counts only the posts its members see.
    expect(await counted()).toBe(shown - 1);
    expect(await visibleTo(reader.client, id)).toEqual({
      feed: false,
      home: false,
      search: false,
      open: 404,
    });
    expect(await visibleTo(writer.client, id)).toEqual({
      feed: false,
      home: false,
      search: false,
      open: 404,
    });
    // Staff still open it, marked hidden; the queue moved it to resolved.
    expect((await staff.get(`/api/v1/hub/posts/${id}`)).json()).toMatchObject({ hidden: true });
    expect((await queue()).some((r) => r.id === report.id)).toBe(false);
    expect((await queue('resolved')).find((r) => r.id === report.id)).toMatchObject({
      resolution: 'hidden',
      hidden: true,
    });
    expect((await staff.post(`/api/v1/reports/${report.id}/resolve`, { action: 'restore' })).statusCode).toBe(
      204,
    );
    expect(await visibleTo(reader.client, id)).toEqual({ feed: true, home: true, search: true, open: 200 });
    expect(await counted()).toBe(shown);
    expect((await queue('resolved')).find((r) => r.id === report.id)).toMatchObject({
      resolution: 'dismissed',
    });
  });

  it('keeps everything under a hidden post or comment out of reach, and refuses reporting one’s own', async () => {
    const id = await post('Thread to hide', 'A thread');
    await forgetWriteLimits(ctx, writer.user);
    const first = (await writer.client.post(`/api/v1/hub/posts/${id}/comments`, { body: 'first' })).json().id;
    const own = await writer.client.post(`/api/v1/hub/posts/${id}/report`, { reason: 'Mine' });
    expect(own.statusCode).toBe(403);
    await reader.client.post(`/api/v1/hub/comments/${first}/report`, { reason: 'Rude' });
    const onComment = (await queue()).find((r) => r.comment?.id === first)!;
    await staff.post(`/api/v1/reports/${onComment.id}/resolve`, { action: 'hide' });
    // Nobody answers a hidden comment.
    const reply = await reader.client.post(`/api/v1/hub/posts/${id}/comments`, {
      body: 'Re',
      parentId: first,
    });
    expect(reply.statusCode).toBe(400);
    // Hiding the post takes its comments out of reach, and settles their open reports.
    const second = (await writer.client.post(`/api/v1/hub/posts/${id}/comments`, { body: 'second' })).json()
      .id;
    await reader.client.post(`/api/v1/hub/comments/${second}/report`, { reason: 'Also rude' });
    await reader.client.post(`/api/v1/hub/posts/${id}/report`, { reason: 'The whole thread' });
    const onPost = (await queue()).find((r) => r.post.id === id && r.comment === null)!;
    await staff.post(`/api/v1/reports/${onPost.id}/resolve`, { action: 'hide' });
    expect((await reader.client.request('PUT', `/api/v1/hub/comments/${second}/like`)).statusCode).toBe(404);
    expect((await queue()).some((r) => r.post.id === id)).toBe(false);
    const restoreOpen = await staff.post(`/api/v1/reports/${onPost.id}/resolve`, { action: 'restore' });
    expect(restoreOpen.statusCode).toBe(204);
  });

  it('hides or removes a reported comment, and dismisses a report leaving the item be', async () => {
    const id = await post('Fine post', 'A fine post');
    await forgetWriteLimits(ctx, writer.user);
    const comment = (
      await writer.client.post(`/api/v1/hub/posts/${id}/comments`, { body: 'rude words' })
    ).json().id;
    expect(
      (await reader.client.post(`/api/v1/hub/comments/${comment}/report`, { reason: 'Rude' })).statusCode,
    ).toBe(201);
    const report = (await queue()).find((r) => r.comment?.id === comment)!;
    expect(report).toMatchObject({ excerpt: 'rude words' });
    await staff.post(`/api/v1/reports/${report.id}/resolve`, { action: 'hide' });
    const comments = (await reader.client.get(`/api/v1/hub/posts/${id}/comments`)).json().data as {
      id: string;
    }[];
    expect(comments.map((c) => c.id)).not.toContain(comment);
    // The post counts only the comments its members see.
    expect((await reader.client.get(`/api/v1/hub/posts/${id}`)).json().commentCount).toBe(0);
    expect((await reader.client.request('PUT', `/api/v1/hub/comments/${comment}/like`)).statusCode).toBe(404);

    await reader.client.post(`/api/v1/hub/posts/${id}/report`, { reason: 'Meh' });
    const dismissed = (await queue()).find((r) => r.post.id === id && r.comment === null)!;
    await staff.post(`/api/v1/reports/${dismissed.id}/resolve`, { action: 'dismiss' });
    expect((await visibleTo(reader.client, id)).open).toBe(200);

    const gone = await post('Gone soon');
    await reader.client.post(`/api/v1/hub/posts/${gone}/report`, { reason: 'Spam' });
    const removal = (await queue()).find((r) => r.post.id === gone)!;
    expect((await staff.post(`/api/v1/reports/${removal.id}/resolve`, { action: 'remove' })).statusCode).toBe(
      204,
    );
    expect((await staff.get(`/api/v1/hub/posts/${gone}`)).statusCode).toBe(404);
    const bad = await staff.post(`/api/v1/reports/${dismissed.id}/resolve`, { action: 'burn' });
    expect(bad.statusCode).toBe(400);
    // A report dealt with is not dealt with again (but a hidden item can be shown again).
    const again = await staff.post(`/api/v1/reports/${dismissed.id}/resolve`, { action: 'hide' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('report_resolved');
  });
});
