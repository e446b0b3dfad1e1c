import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  client,
  createAdmin,
  createEntitlement,
  createGrant,
  createGroup,
  createMember,
  createOffer,
  createOwner,
  signIn,
  type TestUser,
} from '../support/factories.ts';
import { createTestContext, type TestContext } from '../support/test-app.ts';

let ctx: TestContext;
let owner: TestUser;
beforeAll(async () => {
  ctx = await createTestContext();
  owner = await createOwner(ctx);
});
afterAll(async () => ctx.close());

describe('hub groups (the creator)', () => {
  it('creates, reads, edits and lists groups in order, with a slug from the name', async () => {
    const admin = await signIn(ctx, owner);
    const created = await admin.post('/api/v1/hub-groups', {
      name: 'Weight Training',
      visibility: 'private',
      emoji: '🏋️',
      description: 'Lifts',
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      name: 'Weight Training',
      slug: 'weight-training',
      visibility: 'private',
      emoji: '🏋️',
      postCount: 0,
    });
    const id = created.json().id;
    const edited = await admin.patch(`/api/v1/hub-groups/${id}`, {
      paywallCta: 'Join the lifting crew',
      paywallDescription: 'Programs and form checks',
      slug: 'lifting',
    });
    expect(edited.json()).toMatchObject({
      slug: 'lifting',
      paywall: { callToAction: 'Join the lifting crew', description: 'Programs and form checks', url: null },
    });
    expect((await admin.get('/api/v1/hub-groups/lifting')).json()).toMatchObject({ id, grantedBy: [] });
  });

  it('refuses bad input naming the field, and writes nothing', async () => {
    const admin = await signIn(ctx, owner);
    const before = (await admin.get('/api/v1/hub-groups')).json().data.length;
    const cases: [unknown, string][] = [
      [{ name: '', visibility: 'public' }, 'name'],
      [{ name: 'x'.repeat(10_000), visibility: 'public' }, 'name'],
      [{ name: 'Fine', visibility: 'secret' }, 'visibility'],
      [{ name: 'Fine' }, 'visibility'],
      [{ name: 'Fine', visibility: 'public', slug: 'Not A Slug' }, 'slug'],
      [{ name: 'Fine', visibility: 'private', paywallUrl: 'javascript:alert(1)' }, 'paywallUrl'],
      [{ name: 'Fine', visibility: 'public', emoji: '<script>' }, 'emoji'],
      [{ name: '!!!', visibility: 'public' }, 'slug'],
    ];
    for (const [body, field] of cases) {
      const response = await admin.post('/api/v1/hub-groups', body);
      expect(response.statusCode, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect(response.json().error.details.fields.map((f: { field: string }) => f.field)).toContain(field);
    }
    await admin.post('/api/v1/hub-groups', { name: 'Dup', visibility: 'public' });
    const duplicate = await admin.post('/api/v1/hub-groups', { name: 'Dup', visibility: 'public' });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().error.details.fields[0].field).toBe('slug');
    expect((await admin.get('/api/v1/hub-groups')).json().data.length).toBe(before + 1);
  });

  it('reorders every group at once, and refuses a partial order', async () => {
    const admin = await signIn(ctx, owner);
    // At least three groups, whatever ran before.
    for (const name of ['Order A', 'Order B', 'Order C']) await createGroup(ctx, { name });
    const ids = (await admin.get('/api/v1/hub-groups'))
      .json()
      .data.map((g: { id: string }) => g.id) as string[];
    const reversed = [...ids].reverse();
    expect((await admin.post('/api/v1/hub-groups/reorder', { ids: reversed })).statusCode).toBe(200);
    expect((await admin.get('/api/v1/hub-groups')).json().data.map((g: { id: string }) => g.id)).toEqual(
      reversed,
    );
    const partial = await admin.post('/api/v1/hub-groups/reorder', { ids: reversed.slice(1) });
    expect(partial.json().error.details.fields[0].field).toBe('ids');
  });

  it('asks before deleting a group that offers grant, naming them', async () => {
    const admin = await signIn(ctx, owner);
    const group = await createGroup(ctx, { visibility: 'private' });
    await createOffer(ctx, [group], { title: 'Weight Training Membership' });
    const asked = await admin.delete(`/api/v1/hub-groups/${group.id}`);
    expect(asked.statusCode).toBe(409);
    expect(asked.json().error.code).toBe('group_granted_by_offers');
    expect(asked.json().error.details.offers[0].title).toBe('Weight Training Membership');
    expect((await admin.get(`/api/v1/hub-groups/${group.id}`)).statusCode).toBe(200);
    expect((await admin.request('DELETE', `/api/v1/hub-groups/${group.id}?confirm=true`)).statusCode).toBe(
      204,
    );
    expect((await admin.get(`/api/v1/hub-groups/${group.id}`)).statusCode).toBe(404);
    const plain = await createGroup(ctx);
    expect((await admin.delete(`/api/v1/hub-groups/${plain.id}`)).statusCode).toBe(204);
  });

  it('takes a PNG, JPEG, WebP or GIF image, re-encodes it, and refuses SVG and fakes', async () => {
    const admin = await signIn(ctx, owner);
    const group = await createGroup(ctx);
    const png = await sharp({ create: { width: 900, height: 600, channels: 3, background: '#3b4cca' } })
      .png()
      .toBuffer();
    const uploaded = await admin.request('PUT', `/api/v1/hub-groups/${group.id}/image`, png, {
      'content-type': 'image/png',
    });
    expect(uploaded.statusCode).toBe(200);
    const imageUrl = uploaded.json().imageUrl as string;
    expect(imageUrl).toMatch(/^\/media\/[0-9a-f]{2}\/[0-9a-f]{32}\.webp$/);
    const served = await client(ctx).get(imageUrl);
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe('image/webp');
    const meta = await sharp(served.rawPayload).metadata();
    expect(meta.format).toBe('webp');
    expect(meta.width).toBe(512);

    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const refused = await admin.request('PUT', `/api/v1/hub-groups/${group.id}/image`, svg, {
      'content-type': 'image/svg+xml',
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.details.fields[0]).toEqual({
      field: 'image',
      message: 'must be a PNG, JPEG, WebP or GIF image',
    });
    const fake = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.from('not really a png'),
    ]);
    const unreadable = await admin.request('PUT', `/api/v1/hub-groups/${group.id}/image`, fake, {
      'content-type': 'image/png',
    });
    expect(unreadable.json().error.details.fields[0].message).toBe('is not a readable image');
    const huge = Buffer.alloc(6 * 1024 * 1024, 1);
    expect(
      (
        await admin.request('PUT', `/api/v1/hub-groups/${group.id}/image`, huge, {
          'content-type': 'image/png',
        })
      ).statusCode,
    ).toBe(413);
    expect((await admin.get(`/api/v1/hub-groups/${group.id}`)).json().imageUrl).toBe(imageUrl);
    expect((await admin.delete(`/api/v1/hub-groups/${group.id}/image`)).json().imageUrl).toBeNull();
    expect((await client(ctx).get('/media/../secret.key')).statusCode).toBe(404);
  });
});

describe('what members see', () => {
  it('lists public and private groups, hides hidden ones, and 404s a hidden group to those outside', async () => {
    const pub = await createGroup(ctx, { name: 'General', visibility: 'public' });
    const priv = await createGroup(ctx, { name: 'Yoga', visibility: 'private', paywallCta: 'Unlock Yoga' });
    const hidden = await createGroup(ctx, { name: 'Staff Room', visibility: 'hidden' });
    await createOffer(ctx, [priv], { title: 'Yoga Membership' });
    await createOffer(ctx, [priv], { title: 'Draft Offer', status: 'draft' });
    const member = await signIn(ctx, await createMember(ctx));
    const groups = (await member.get('/api/v1/hub/groups')).json().data as {
      id: string;
      canEnter: boolean;
      postCount: number | null;
    }[];
    expect(groups.find((g) => g.id === pub.id)).toMatchObject({ canEnter: true });
    expect(groups.find((g) => g.id === priv.id)).toMatchObject({ canEnter: false, postCount: null });
    expect(groups.find((g) => g.id === hidden.id)).toBeUndefined();
    expect((await member.get(`/api/v1/hub/groups/${hidden.id}`)).statusCode).toBe(404);
    expect((await member.get(`/api/v1/hub/groups/${hidden.slug}/posts`)).statusCode).toBe(404);

    const locked = await member.get(`/api/v1/hub/groups/${priv.slug}`);
    expect(locked.statusCode).toBe(403);
    expect(locked.json().error).toMatchObject({
      code: 'access_required',
      details: { group: { id: priv.id, name: 'Yoga' }, paywall: { callToAction: 'Unlock Yoga', url: null } },
    });
    expect(locked.json().error.details.paywall.offers.map((o: { title: string }) => o.title)).toEqual([
      'Yoga Membership',
    ]);
    expect((await member.get(`/api/v1/hub/groups/${pub.slug}`)).statusCode).toBe(200);
  });

  it('opens a hidden group to those an offer opens it to', async () => {
    const secret = await createGroup(ctx, { visibility: 'hidden' });
    const offer = await createOffer(ctx, [secret]);
    const buyer = await createMember(ctx);
    await createEntitlement(ctx, buyer, offer, { state: 'trialing' });
    const session = await signIn(ctx, buyer);
    expect((await session.get('/api/v1/hub/groups')).json().data.map((g: { id: string }) => g.id)).toContain(
      secret.id,
    );
    expect((await session.get(`/api/v1/hub/groups/${secret.id}/posts`)).statusCode).toBe(200);
  });

  it('takes access away on the next request when a grant is revoked or runs out', async () => {
    const group = await createGroup(ctx, { visibility: 'private' });
    const user = await createMember(ctx);
    const member = await signIn(ctx, user);
    const admin = await signIn(ctx, owner);
    expect((await member.get(`/api/v1/hub/groups/${group.id}/posts`)).statusCode).toBe(403);

    const badEnd = await admin.post(`/api/v1/users/${user.id}/grants`, {
      hubGroupId: group.id,
      endsAt: '2001-01-01T00:00:00Z',
    });
    expect(badEnd.json().error.details.fields[0].field).toBe('endsAt');
    expect(
      (await admin.post(`/api/v1/users/${user.id}/grants`, { hubGroupId: 'nope' })).json().error.details
        .fields[0].field,
    ).toBe('hubGroupId');
    const granted = await admin.post(`/api/v1/users/${user.id}/grants`, {
      hubGroupId: group.id,
      note: 'Comp for the podcast',
    });
    expect(granted.statusCode).toBe(201);
    expect(granted.json()).toMatchObject({
      hubGroup: { id: group.id },
      endsAt: null,
      note: 'Comp for the podcast',
    });
    expect((await member.get(`/api/v1/hub/groups/${group.id}/posts`)).statusCode).toBe(200);

    const ledger = (await admin.get(`/api/v1/users/${user.id}/access`)).json().data;
    expect(ledger.find((e: { group: { id: string } }) => e.group.id === group.id).reasons).toEqual([
      { kind: 'grant', grantId: granted.json().id, endsAt: null, note: 'Comp for the podcast' },
    ]);
    const inGroup = (await admin.get(`/api/v1/hub-groups/${group.id}/members?source=grants`)).json().data;
    expect(inGroup.map((m: { user: { id: string } }) => m.user.id)).toEqual([user.id]);

    expect((await admin.delete(`/api/v1/users/${user.id}/grants/${granted.json().id}`)).statusCode).toBe(204);
    expect((await member.get(`/api/v1/hub/groups/${group.id}/posts`)).statusCode).toBe(403);
    expect((await admin.delete(`/api/v1/users/${user.id}/grants/${granted.json().id}`)).statusCode).toBe(404);

    // A grant with an end: open until then, closed after, with no job in between (the end passing is
    // written into the row, not slept through).
    const timed = await createGrant(ctx, user, group, { endsAt: Date.now() + 3_600_000 });
    expect((await member.get(`/api/v1/hub/groups/${group.id}/posts`)).statusCode).toBe(200);
    await ctx.db
      .updateTable('accessGrants')
      .set({ endsAt: Date.now() - 1 })
      .where('id', '=', timed)
      .execute();
    expect((await member.get(`/api/v1/hub/groups/${group.id}/posts`)).statusCode).toBe(403);
  });

  it('explains every reason in the ledger and lists buyers in the group through offers', async () => {
    const group = await createGroup(ctx, { visibility: 'private' });
    const offer = await createOffer(ctx, [group], { title: 'Yoga Annual' });
    const user = await createAdmin(ctx);
    await createEntitlement(ctx, user, offer);
    const admin = await signIn(ctx, owner);
    const entry = (await admin.get(`/api/v1/users/${user.id}/access`))
      .json()
      .data.find((e: { group: { id: string } }) => e.group.id === group.id);
    expect(entry.reasons.map((r: { kind: string }) => r.kind)).toEqual(['staff', 'entitlement']);
    expect(entry.reasons[1]).toMatchObject({ offerTitle: 'Yoga Annual', state: 'active' });
    const buyers = (await admin.get(`/api/v1/hub-groups/${group.id}/members?source=offers`)).json().data;
    expect(buyers).toEqual([
      {
        user: { id: user.id, name: user.name, email: user.email },
        reason: expect.objectContaining({ kind: 'entitlement', offerTitle: 'Yoga Annual' }),
      },
    ]);
  });
});

describe('discussion', () => {
  it('posts Markdown rendered safely, edits one’s own, and keeps counts right', async () => {
    const group = await createGroup(ctx);
    const alice = await signIn(ctx, await createMember(ctx, { name: 'Alice' }));
    const bob = await signIn(ctx, await createMember(ctx, { name: 'Bob' }));
    const bad = await alice.post(`/api/v1/hub/groups/${group.id}/posts`, {
      title: 'x'.repeat(10_000),
      body: '',
    });
    expect(bad.json().error.details.fields.map((f: { field: string }) => f.field)).toEqual(['title', 'body']);

    const created = await alice.post(`/api/v1/hub/groups/${group.id}/posts`, {
      title: 'Hello',
      body: 'Hi **all** <script>alert(1)</script> [x](javascript:alert(2)) [site](https://example.com)',
    });
    expect(created.statusCode).toBe(201);
    const post = created.json();
    expect(post.bodyHtml).toContain('<strong>all</strong>');
    expect(post.bodyHtml).toContain('&lt;script&gt;');
    expect(post.bodyHtml).not.toContain('<script');
    expect(post.bodyHtml).not.toMatch(/href="javascript/i);
    expect(post.bodyHtml).toContain('rel="nofollow ugc noopener"');
    expect(post).toMatchObject({
      author: { name: 'Alice' },
      canEdit: true,
      canDelete: true,
      likeCount: 0,
      commentCount: 0,
    });

    expect((await bob.patch(`/api/v1/hub/posts/${post.id}`, { body: 'hijack' })).statusCode).toBe(403);
    expect((await bob.delete(`/api/v1/hub/posts/${post.id}`)).statusCode).toBe(403);
    const edited = await alice.patch(`/api/v1/hub/posts/${post.id}`, { body: 'Edited _body_' });
    expect(edited.json()).toMatchObject({ body: 'Edited _body_', bodyHtml: '<p>Edited <em>body</em></p>\n' });
    expect(edited.json().editedAt).not.toBeNull();

    const comment = (await bob.post(`/api/v1/hub/posts/${post.id}/comments`, { body: 'Welcome!' })).json();
    const reply = (
      await alice.post(`/api/v1/hub/posts/${post.id}/comments`, { body: 'Thanks', parentId: comment.id })
    ).json();
    const nested = (
      await bob.post(`/api/v1/hub/posts/${post.id}/comments`, { body: 'Deeper', parentId: reply.id })
    ).json();
    expect(reply.parentId).toBe(comment.id);
    expect(nested.parentId).toBe(comment.id);
    const elsewhere = await createGroup(ctx);
    const otherPost = (
      await alice.post(`/api/v1/hub/groups/${elsewhere.id}/posts`, { body: 'Other' })
    ).json();
    expect(
      (
        await bob.post(`/api/v1/hub/posts/${otherPost.id}/comments`, { body: 'x', parentId: comment.id })
      ).json().error.details.fields[0].field,
    ).toBe('parentId');

    expect((await bob.request('PUT', `/api/v1/hub/posts/${post.id}/like`)).json()).toMatchObject({
      likeCount: 1,
      likedByMe: true,
    });
    expect((await bob.request('PUT', `/api/v1/hub/posts/${post.id}/like`)).json().likeCount).toBe(1);
    expect((await alice.request('PUT', `/api/v1/hub/comments/${comment.id}/like`)).json()).toMatchObject({
      likeCount: 1,
      likedByMe: true,
    });
    expect((await alice.get(`/api/v1/hub/posts/${post.id}`)).json()).toMatchObject({
      likeCount: 1,
      likedByMe: false,
      commentCount: 3,
    });
    expect((await bob.request('DELETE', `/api/v1/hub/posts/${post.id}/like`)).json().likeCount).toBe(0);

    const comments = (await alice.get(`/api/v1/hub/posts/${post.id}/comments`)).json().data;
    expect(comments.map((c: { body: string }) => c.body)).toEqual(['Welcome!', 'Thanks', 'Deeper']);
    expect((await alice.delete(`/api/v1/hub/comments/${comment.id}`)).statusCode).toBe(403);
    expect((await bob.delete(`/api/v1/hub/comments/${comment.id}`)).statusCode).toBe(204);
    expect((await alice.get(`/api/v1/hub/posts/${post.id}`)).json().commentCount).toBe(0);
    expect((await alice.get(`/api/v1/hub/groups/${group.id}`)).json().postCount).toBe(1);
  });

  it('shows pinned posts first, then newest first, a page at a time; only staff pin, at most five', async () => {
    const group = await createGroup(ctx);
    const member = await signIn(ctx, await createMember(ctx));
    const admin = await signIn(ctx, owner);
    const ids: string[] = [];
    for (let i = 0; i < 8; i += 1)
      ids.push((await member.post(`/api/v1/hub/groups/${group.id}/posts`, { body: `Post ${i}` })).json().id);
    // A millisecond apart each, as they would be when people write them (two in one millisecond have
    // no "newer" between them).
    const start = Date.now() - 1000;
    for (const [i, id] of ids.entries())
      await ctx.db
        .updateTable('posts')
        .set({ createdAt: start + i })
        .where('id', '=', id)
        .execute();
    expect((await member.patch(`/api/v1/hub/posts/${ids[0]}`, { pinned: true })).statusCode).toBe(403);
    expect((await admin.patch(`/api/v1/hub/posts/${ids[0]}`, { pinned: true })).json().pinned).toBe(true);

    const first = (await member.get(`/api/v1/hub/groups/${group.id}/posts?limit=3`)).json();
    expect(first.data.map((p: { body: string }) => p.body)).toEqual(['Post 0', 'Post 7', 'Post 6', 'Post 5']);
    const second = (
      await member.get(`/api/v1/hub/groups/${group.id}/posts?limit=3&cursor=${first.nextCursor}`)
    ).json();
    expect(second.data.map((p: { body: string }) => p.body)).toEqual(['Post 4', 'Post 3', 'Post 2']);
    const third = (
      await member.get(`/api/v1/hub/groups/${group.id}/posts?limit=3&cursor=${second.nextCursor}`)
    ).json();
    expect(third.data.map((p: { body: string }) => p.body)).toEqual(['Post 1']);
    expect(third.nextCursor).toBeNull();

    for (const id of ids.slice(1, 5))
      expect((await admin.patch(`/api/v1/hub/posts/${id}`, { pinned: true })).statusCode).toBe(200);
    const sixth = await admin.patch(`/api/v1/hub/posts/${ids[5]}`, { pinned: true });
    expect(sixth.statusCode).toBe(409);
    expect(sixth.json().error.code).toBe('too_many_pinned');
    expect((await admin.delete(`/api/v1/hub/posts/${ids[7]}`)).statusCode).toBe(204);
  });
});

describe('who may write in a group', () => {
  it('keeps an announcement group to staff posts, and comments to what the creator allows', async () => {
    const admin = await signIn(ctx, owner);
    const created = await admin.post('/api/v1/hub-groups', {
      name: 'Announcements',
      visibility: 'public',
      whoMayPost: 'staff',
      commentsOn: false,
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ whoMayPost: 'staff', commentsOn: false });
    const id = created.json().id;
    const member = await signIn(ctx, await createMember(ctx));
    expect((await member.get(`/api/v1/hub/groups/${id}`)).json()).toMatchObject({
      whoMayPost: 'staff',
      commentsOn: false,
    });

    const refused = await member.post(`/api/v1/hub/groups/${id}/posts`, { body: 'Me too' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('posting_closed');
    const news = await admin.post(`/api/v1/hub/groups/${id}/posts`, {
      title: 'Launch',
      body: 'We launch Monday',
    });
    expect(news.statusCode).toBe(201);
    const closed = await member.post(`/api/v1/hub/posts/${news.json().id}/comments`, { body: 'Yay' });
    expect(closed.statusCode).toBe(403);
    expect(closed.json().error.code).toBe('comments_closed');
    expect(
      (await admin.post(`/api/v1/hub/posts/${news.json().id}/comments`, { body: 'Details soon' })).statusCode,
    ).toBe(201);

    expect((await admin.patch(`/api/v1/hub-groups/${id}`, { commentsOn: true })).json().commentsOn).toBe(
      true,
    );
    expect(
      (await member.post(`/api/v1/hub/posts/${news.json().id}/comments`, { body: 'Yay' })).statusCode,
    ).toBe(201);
    expect((await admin.patch(`/api/v1/hub-groups/${id}`, { whoMayPost: 'members' })).statusCode).toBe(200);
    expect((await member.post(`/api/v1/hub/groups/${id}/posts`, { body: 'Now me too' })).statusCode).toBe(
      201,
    );

    const bad = await admin.patch(`/api/v1/hub-groups/${id}`, { whoMayPost: 'everyone' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('whoMayPost');
  });
});

describe('the welcome prompt', () => {
  it('has words by default, takes the creator’s own, turns off, and refuses an essay naming the field', async () => {
    const admin = await signIn(ctx, owner);
    const platform = async () => (await client(ctx).get('/api/v1/platform')).json().welcomePrompt;
    expect(await platform()).toMatch(/Introduce yourself/);
    expect(
      (await admin.patch('/api/v1/settings', { welcomePrompt: '  Say hi to the crew!  ' })).statusCode,
    ).toBe(200);
    expect(await platform()).toBe('Say hi to the crew!');
    expect((await admin.patch('/api/v1/settings', { welcomePrompt: null })).json().welcomePrompt).toBeNull();
    expect(await platform()).toBeNull();
    const long = await admin.patch('/api/v1/settings', { welcomePrompt: 'x'.repeat(320) });
    expect(long.statusCode).toBe(400);
    expect(long.body).toContain('welcomePrompt');
    expect(await platform()).toBeNull();
  });
});
