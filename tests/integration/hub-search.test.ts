// Search in the Hub: posts and comments through each engine's full-text index, in the groups the caller
// may enter only, newest first, with the words found marked; people by the start of their name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/platform/clock.ts';
import {
  type Client,
  createAdmin,
  createGrant,
  createGroup,
  createMember,
  createOwner,
  signIn,
  type TestGroup,
} from '../support/factories.ts';
import { createTestContext, type TestContext } from '../support/test-app.ts';

const clock = manualClock(Date.now());
let ctx: TestContext;
const statements: string[] = [];
let staff: Client;
let member: Client;
let outsider: Client;
let open: TestGroup;
let closed: TestGroup;

interface Segment {
  text: string;
  hit: boolean;
}
const marked = (segments: Segment[]) => segments.map((s) => (s.hit ? `[${s.text}]` : s.text)).join('');

async function find(caller: Client, what: 'posts' | 'comments', q: string, extra = '') {
  const response = await caller.get(`/api/v1/hub/search/${what}?q=${encodeURIComponent(q)}${extra}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as { data: Record<string, unknown>[]; nextCursor: string | null };
}

async function write(caller: Client, group: TestGroup, title: string | null, body: string): Promise<string> {
  clock.advance(60_000);
  const response = await caller.post(`/api/v1/hub/groups/${group.id}/posts`, { title, body });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id;
}

beforeAll(async () => {
  ctx = await createTestContext({ clock, onQuery: (sql) => statements.push(sql) });
  staff = await signIn(ctx, await createOwner(ctx, { name: 'Olga Owner' }));
  open = await createGroup(ctx, { name: 'Lobby', visibility: 'public' });
  closed = await createGroup(ctx, { name: 'Inner circle', visibility: 'private' });
  const insider = await createMember(ctx, { name: 'Annika Berg' });
  await createGrant(ctx, insider, closed);
  member = await signIn(ctx, insider);
  outsider = await signIn(ctx, await createMember(ctx, { name: 'Anders Holm' }));
});
afterAll(async () => ctx.close());

describe('searching the Hub', () => {
  it('finds posts by any of their words, the last as a prefix, with the words marked', async () => {
    await write(staff, open, 'Morning yoga', 'Bring a mat. We start with sun salutations at seven.');
    const page = await find(outsider, 'posts', 'SUN yog');
    expect(page.data).toHaveLength(1);
    expect(marked(page.data[0]!.titleHit as Segment[])).toBe('Morning [yoga]');
    expect(marked(page.data[0]!.snippet as Segment[])).toContain('[sun] salutations');
    expect(page.data[0]).toMatchObject({ group: { name: 'Lobby' }, author: { name: 'Olga Owner' } });
    // Every word must be there.
    expect((await find(outsider, 'posts', 'yoga pilates')).data).toEqual([]);
  });

  it("never shows a group's posts or comments to someone who may not enter it", async () => {
    const secret = await write(staff, closed, 'Quarterly plans', 'The zephyr project starts in spring.');
    expect(
      (await member.post(`/api/v1/hub/posts/${secret}/comments`, { body: 'Zephyr sounds great' })).statusCode,
    ).toBe(201);
    expect((await find(outsider, 'posts', 'zephyr')).data).toEqual([]);
    expect((await find(outsider, 'comments', 'zephyr')).data).toEqual([]);
    expect((await find(member, 'posts', 'zephyr')).data.map((p) => p.id)).toEqual([secret]);
    const comments = await find(member, 'comments', 'zephyr');
    expect(comments.data).toHaveLength(1);
    expect(comments.data[0]).toMatchObject({
      postId: secret,
      postTitle: 'Quarterly plans',
      author: { name: 'Annika Berg' },
    });
    expect(marked(comments.data[0]!.snippet as Segment[])).toBe('[Zephyr] sounds great');
    expect((await find(staff, 'posts', 'zephyr')).data).toHaveLength(1);
  });

  it('follows edits and deletions at once, comments going with their post', async () => {
    const id = await write(member, open, null, 'Looking for a kayak partner');
    const comment = await outsider.post(`/api/v1/hub/posts/${id}/comments`, { body: 'Kayak with me!' });
    expect(comment.statusCode).toBe(201);
    expect((await find(outsider, 'posts', 'kayak')).data.map((p) => p.id)).toEqual([id]);
    expect(
      (await member.patch(`/api/v1/hub/posts/${id}`, { body: 'Looking for a canoe partner' })).statusCode,
    ).toBe(200);
    expect((await find(outsider, 'posts', 'kayak')).data).toEqual([]);
    expect((await find(outsider, 'posts', 'canoe')).data.map((p) => p.id)).toEqual([id]);
    expect((await find(outsider, 'comments', 'kayak')).data).toHaveLength(1);
    expect((await member.delete(`/api/v1/hub/posts/${id}`)).statusCode).toBe(204);
    expect((await find(outsider, 'posts', 'canoe')).data).toEqual([]);
    expect((await find(outsider, 'comments', 'kayak')).data).toEqual([]);
  });

  it('answers a repeated search from memory, and shows a like, a rename and a closed group at once', async () => {
    // Its own author and group: it renames both.
    const author = await signIn(ctx, await createAdmin(ctx, { name: 'Greta Guide' }));
    const ring = await createGroup(ctx, { name: 'Mountain club', visibility: 'private' });
    const insider = await createMember(ctx, { name: 'Pia Kept' });
    const grant = await createGrant(ctx, insider, ring);
    const reader = await signIn(ctx, insider);
    const climber = await createMember(ctx, { name: 'Cleo Climber' });
    await createGrant(ctx, climber, ring);
    const other = await signIn(ctx, climber);
    const id = await write(author, ring, 'Glacier walk', 'Crampons provided.');
    const hit = async () => (await find(reader, 'posts', 'glacier')).data;
    expect((await hit()).map((p) => p.id)).toEqual([id]);
    statements.length = 0;
    expect((await hit()).map((p) => p.id)).toEqual([id]);
    expect(statements.filter((sql) => /search_fts|search_vector/.test(sql))).toEqual([]);

    expect((await other.request('PUT', `/api/v1/hub/posts/${id}/like`)).statusCode).toBe(200);
    expect((await hit())[0]).toMatchObject({ likeCount: 1 });
    expect((await author.patch('/api/v1/me', { name: 'Greta Renamed' })).statusCode).toBe(200);
    expect((await hit())[0]).toMatchObject({ author: { name: 'Greta Renamed' } });
    expect((await staff.patch(`/api/v1/hub-groups/${ring.id}`, { name: 'Alpine club' })).statusCode).toBe(
      200,
    );
    expect((await hit())[0]).toMatchObject({ group: { name: 'Alpine club' } });
    await ctx.db.deleteFrom('accessGrants').where('id', '=', grant).execute();
    expect(await hit()).toEqual([]);
    // Someone else who may enter the group still finds it.
    expect((await find(other, 'posts', 'glacier')).data.map((p) => p.id)).toEqual([id]);
  });

  it('pages newest first with a cursor, each post once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.unshift(await write(staff, open, `Recipe ${i}`, 'A pancake recipe'));
    const seen: unknown[] = [];
    let cursor: string | null = null;
    do {
      const page = await find(outsider, 'posts', 'pancake', `&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.data.map((p) => p.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);
  });

  it('takes any text safely: search syntax is only words, and a search with none is refused naming q', async () => {
    await write(staff, open, null, 'Or near the station');
    for (const q of ['"near" OR x', 'near*', 'NEAR(a b)', "near'; drop table posts; --", 'title:near']) {
      const response = await outsider.get(`/api/v1/hub/search/posts?q=${encodeURIComponent(q)}`);
      expect(response.statusCode, q).toBe(200);
    }
    for (const q of ['', '***', 'x'.repeat(201)]) {
      const response = await outsider.get(`/api/v1/hub/search/posts?q=${encodeURIComponent(q)}`);
      expect(response.statusCode, q).toBe(400);
      expect(response.json().error.details.fields[0].field, q).toBe('q');
    }
  });

  it('finds people by the start of their name among the authors the caller can already see, with no email', async () => {
    const writer = await createMember(ctx, { name: 'Annabel Poster' });
    await write(await signIn(ctx, writer), open, null, 'Hello from Annabel');
    const insider = await createMember(ctx, { name: 'Annette Inner' });
    await createGrant(ctx, insider, closed);
    await write(await signIn(ctx, insider), closed, null, 'Hello from the inner circle');
    await createMember(ctx, { name: 'Annemarie Quiet' });
    const gone = await createMember(ctx, { name: 'Anneliese Gone' });
    await write(await signIn(ctx, gone), open, null, 'Bye');
    await ctx.db.updateTable('users').set({ status: 'deactivated' }).where('id', '=', gone.id).execute();

    const names = async (caller: Client, q: string) => {
      const response = await caller.get(`/api/v1/hub/search/people?q=${encodeURIComponent(q)}`);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.body).not.toContain('@');
      return response.json().data as { name: string; nameHit: Segment[] }[];
    };
    // Someone who writes only in the inner circle is found by those who may enter it.
    expect((await names(outsider, 'ann')).map((p) => p.name)).toEqual(['Annabel Poster']);
    expect((await names(member, 'ANN')).map((p) => p.name)).toEqual(['Annabel Poster', 'Annette Inner']);
    expect(marked((await names(member, 'annab'))[0]!.nameHit)).toBe('[Annab]el Poster');
    const short = await outsider.get('/api/v1/hub/search/people?q=a');
    expect(short.statusCode).toBe(400);
    expect(short.json().error.details.fields[0].field).toBe('q');
  });

  it('matches words the same way on both engines: links, numbers and long words', async () => {
    await write(staff, open, null, `Read example.org/docs/setup and v1.2 before 3.14; ${'w'.repeat(80)}`);
    for (const q of ['docs setup', 'example org', '3 14', 'v1', 'w'.repeat(70)]) {
      expect((await find(outsider, 'posts', q)).data, q).toHaveLength(1);
    }
  });
});
