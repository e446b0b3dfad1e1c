// The member's home: the posts of every group they may enter, in one feed, newest or most active first.
import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HomePost as HomePostSchema } from '../../src/modules/hub/hub.schemas.ts';
import { manualClock } from '../../src/platform/clock.ts';
import { PageOf } from '../../src/platform/http/schemas.ts';
import {
  type Client,
  createEntitlement,
  createGrant,
  createGroup,
  createMember,
  createOffer,
  createOwner,
  signIn,
  type TestGroup,
} from '../support/factories.ts';
import { createTestContext, type TestContext } from '../support/test-app.ts';

const clock = manualClock(Date.now());
const statements: string[] = [];
let ctx: TestContext;
let staff: Client;
let member: Client;
let outsider: Client;
let groups: Record<'open' | 'paid' | 'hidden' | 'secret', TestGroup>;
/** Post ids by name, written in this order a minute apart. */
const posts: Record<string, string> = {};

interface HomePost {
  id: string;
  title: string | null;
  group: { id: string; name: string; slug: string };
  commentCount: number;
  likeCount: number;
  likedByMe: boolean;
  canDelete: boolean;
}

async function homeOf(caller: Client, query = ''): Promise<HomePost[]> {
  const response = await caller.get(`/api/v1/hub/home${query}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json().data;
}

const titles = (page: HomePost[]) => page.map((post) => post.title);

beforeAll(async () => {
  ctx = await createTestContext({ clock, onQuery: (sql) => statements.push(sql) });
  staff = await signIn(ctx, await createOwner(ctx));
  groups = {
    open: await createGroup(ctx, { name: 'Lobby', visibility: 'public' }),
    paid: await createGroup(ctx, { name: 'Inner circle', visibility: 'private' }),
    hidden: await createGroup(ctx, { name: 'Backstage', visibility: 'hidden' }),
    secret: await createGroup(ctx, { name: 'Team room', visibility: 'private' }),
  };
  const buyer = await createMember(ctx, { name: 'Bea' });
  const offer = await createOffer(ctx, [groups.paid], { title: 'Inner circle' });
  await createEntitlement(ctx, buyer, offer, { state: 'active' });
  await createGrant(ctx, buyer, groups.hidden);
  member = await signIn(ctx, buyer);
  outsider = await signIn(ctx, await createMember(ctx, { name: 'Otto' }));
  // An expired grant opens nothing.
  await createGrant(ctx, await createMember(ctx), groups.secret, { endsAt: clock.now() - 1 });

  for (const [name, group] of [
    ['lobby 1', groups.open],
    ['paid 1', groups.paid],
    ['secret 1', groups.secret],
    ['hidden 1', groups.hidden],
    ['lobby 2', groups.open],
    ['paid 2', groups.paid],
  ] as const) {
    clock.advance(60_000);
    const response = await staff.post(`/api/v1/hub/groups/${group.id}/posts`, { title: name, body: name });
    expect(response.statusCode, response.body).toBe(201);
    posts[name] = response.json().id;
  }
});
afterAll(async () => ctx.close());

describe('the home feed', { shuffle: false }, () => {
  it('shows a member the posts of exactly the groups they may enter, newest first, each with its group', async () => {
    const home = await homeOf(member);
    expect(titles(home)).toEqual(['paid 2', 'lobby 2', 'hidden 1', 'paid 1', 'lobby 1']);
    expect(home[0]).toMatchObject({
      group: { id: groups.paid.id, name: 'Inner circle', slug: groups.paid.slug },
      canDelete: false,
    });
    expect(titles(await homeOf(outsider))).toEqual(['lobby 2', 'lobby 1']);
    // Staff enter every group.
    expect(titles(await homeOf(staff))).toEqual([
      'paid 2',
      'lobby 2',
      'hidden 1',
      'secret 1',
      'paid 1',
      'lobby 1',
    ]);
  });

  it('orders by latest activity: a new comment brings its post to the top', async () => {
    clock.advance(60_000);
    const comment = await member.post(`/api/v1/hub/posts/${posts['paid 1']}/comments`, {
      body: 'Still true',
    });
    expect(comment.statusCode, comment.body).toBe(201);
    const active = await homeOf(member, '?order=active');
    expect(titles(active)).toEqual(['paid 1', 'paid 2', 'lobby 2', 'hidden 1', 'lobby 1']);
    expect(active[0]!.commentCount).toBe(1);
    // The newest-first order is the posts' own time, whatever their comments.
    expect(titles(await homeOf(member, '?order=latest'))[0]).toBe('paid 2');
    // Taking the comment back takes its activity with it.
    expect((await member.delete(`/api/v1/hub/comments/${comment.json().id}`)).statusCode).toBe(204);
    expect(titles(await homeOf(member, '?order=active'))).toEqual(titles(await homeOf(member)));
    const again = await member.post(`/api/v1/hub/posts/${posts['paid 1']}/comments`, { body: 'Still true' });
    expect(again.statusCode).toBe(201);
  });

  it('pages with a cursor, each post once, in both orders', async () => {
    for (const order of ['latest', 'active']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query = `?order=${order}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const response = await member.get(`/api/v1/hub/home${query}`);
        expect(response.statusCode).toBe(200);
        const page = response.json() as { data: HomePost[]; nextCursor: string | null };
        expect(page.data.length).toBeLessThanOrEqual(2);
        seen.push(...titles(page.data).map(String));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen, order).toEqual(titles(await homeOf(member, `?order=${order}`)).map(String));
    }
  });

  it('answers a repeated read from the cache, exactly the documented shape, and sees every change', async () => {
    const fresh = await member.get('/api/v1/hub/home');
    statements.length = 0;
    const cached = await member.get('/api/v1/hub/home');
    expect(cached.body).toBe(fresh.body);
    // The session and the access rule over the groups (which reads their versions), nothing else.
    expect(statements.filter((sql) => /from "posts"|from "post_likes"/.test(sql))).toEqual([]);
    const body = cached.json();
    expect(Value.Check(PageOf(HomePostSchema), body)).toBe(true);
    expect(Object.keys(body.data[0])).toEqual(Object.keys(HomePostSchema.properties));

    // A like (the reader's own, and its count), a group's new name, a new post: each seen at once.
    const top = body.data[0].id as string;
    expect((await member.request('PUT', `/api/v1/hub/posts/${top}/like`)).statusCode).toBe(200);
    expect((await homeOf(member))[0]).toMatchObject({ id: top, likeCount: 1, likedByMe: true });
    expect((await homeOf(outsider)).find((post) => post.id === top)).toBeUndefined();
    expect((await staff.patch(`/api/v1/hub-groups/${groups.paid.id}`, { name: 'Circle' })).statusCode).toBe(
      200,
    );
    expect((await homeOf(member))[0]!.group.name).toBe('Circle');
    clock.advance(60_000);
    const newest = await staff.post(`/api/v1/hub/groups/${groups.hidden.id}/posts`, {
      title: 'hidden 2',
      body: 'x',
    });
    expect(titles(await homeOf(member))[0]).toBe('hidden 2');
    // Someone else's like shows as a count, not as theirs.
    expect((await staff.request('PUT', `/api/v1/hub/posts/${newest.json().id}/like`)).statusCode).toBe(200);
    expect((await homeOf(member))[0]).toMatchObject({ likeCount: 1, likedByMe: false });
    expect((await homeOf(staff))[0]).toMatchObject({ likeCount: 1, likedByMe: true });
    // Members with the same groups share the kept page; each sees only their own likes on it.
    const twin = await createMember(ctx);
    await createGrant(ctx, twin, groups.paid);
    await createGrant(ctx, twin, groups.hidden);
    const twinHome = await homeOf(await signIn(ctx, twin));
    expect(twinHome.map((post) => post.id)).toEqual((await homeOf(member)).map((post) => post.id));
    expect(twinHome.find((post) => post.id === top)).toMatchObject({ likedByMe: false });
    await ctx.db.deleteFrom('posts').where('title', '=', 'hidden 2').execute();
  });

  it('drops a group at once when access to it ends', async () => {
    await homeOf(member);
    await ctx.db.updateTable('entitlements').set({ state: 'ended' }).execute();
    expect(titles(await homeOf(member))).toEqual(['lobby 2', 'hidden 1', 'lobby 1']);
    // And comes back when it does again.
    await ctx.db.updateTable('entitlements').set({ state: 'active' }).execute();
    expect(titles(await homeOf(member))).toContain('paid 2');
    await ctx.db.updateTable('entitlements').set({ state: 'ended' }).execute();
  });

  it('refuses a bad order or cursor naming the field', async () => {
    const order = await member.get('/api/v1/hub/home?order=popular');
    expect(order.statusCode).toBe(400);
    expect(order.json().error.details.fields[0].field).toBe('order');
    const cursor = await member.get('/api/v1/hub/home?cursor=nonsense');
    expect(cursor.statusCode).toBe(400);
    expect(cursor.json().error.details.fields[0].field).toBe('cursor');
  });
});
