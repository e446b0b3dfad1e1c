// Notifications: a comment on your post, a reply to your comment; counted for the bell, shown only about
// groups you may enter now, marked read by you alone, gone with what they were about.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIGEST_JOB } from '../../src/modules/hub/index.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { enqueueJob } from '../../src/platform/jobs.ts';
import {
  type Client,
  createAdmin,
  createEntitlement,
  createGrant,
  createGroup,
  createMember,
  createOffer,
  forgetWriteLimits,
  signIn,
  type TestGroup,
  type TestUser,
} from '../support/factories.ts';
import { createTestContext, type TestContext } from '../support/test-app.ts';

let ctx: TestContext;
let group: TestGroup;
const people: Record<'bea' | 'max' | 'otto', { user: TestUser; client: Client }> = {} as never;

interface Note {
  id: string;
  kind: string;
  read: boolean;
  actor: { name: string } | null;
  post: { id: string; title: string | null };
  comment: { excerpt: string } | null;
  group: { name: string };
}

async function notesOf(who: keyof typeof people): Promise<Note[]> {
  const response = await people[who].client.get('/api/v1/hub/notifications');
  expect(response.statusCode, response.body).toBe(200);
  return response.json().data;
}

async function unreadOf(who: keyof typeof people): Promise<number> {
  return (await people[who].client.get('/api/v1/hub/notifications/unread')).json().unread;
}

async function comment(who: keyof typeof people, postId: string, body: string, parentId?: string) {
  await forgetWriteLimits(ctx, people[who].user);
  const response = await people[who].client.post(`/api/v1/hub/posts/${postId}/comments`, { body, parentId });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id as string;
}

async function postBy(who: keyof typeof people, title: string): Promise<string> {
  await forgetWriteLimits(ctx, people[who].user);
  const response = await people[who].client.post(`/api/v1/hub/groups/${group.id}/posts`, {
    title,
    body: title,
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id;
}

beforeAll(async () => {
  ctx = await createTestContext();
  group = await createGroup(ctx, { name: 'Book club', visibility: 'private' });
  for (const name of ['bea', 'max', 'otto'] as const) {
    const user = await createMember(ctx, { name: name[0]!.toUpperCase() + name.slice(1) });
    await createGrant(ctx, user, group);
    people[name] = { user, client: await signIn(ctx, user) };
  }
});
afterAll(async () => ctx.close());

describe('notifications', () => {
  it("tell a post's author of each comment and a comment's author of each reply, never of their own", async () => {
    const post = await postBy('bea', 'What are we reading next?');
    const first = await comment('max', post, 'Dune, **please**.\n\nIt is long but worth it.');
    const beaNotes = await notesOf('bea');
    expect(beaNotes[0]).toMatchObject({
      kind: 'comment',
      read: false,
      actor: { name: 'Max' },
      post: { id: post, title: 'What are we reading next?' },
      comment: { excerpt: 'Dune, **please**. It is long but worth it.' },
      group: { name: 'Book club' },
    });
    // Bea answers Max: Max hears of it; Bea of nothing (her own words on her own post).
    const beaBefore = (await notesOf('bea')).length;
    await comment('bea', post, 'Dune it is', first);
    expect((await notesOf('max'))[0]).toMatchObject({ kind: 'reply', actor: { name: 'Bea' } });
    expect(await notesOf('bea')).toHaveLength(beaBefore);
    // Otto answers Max too: Max of the reply, Bea of the comment on her post, once each.
    const maxBefore = (await notesOf('max')).length;
    await comment('otto', post, 'Seconded', first);
    expect(await notesOf('max')).toHaveLength(maxBefore + 1);
    expect((await notesOf('bea'))[0]).toMatchObject({ kind: 'comment', actor: { name: 'Otto' } });
    // Max answering himself tells Bea only.
    const maxNow = (await notesOf('max')).length;
    await comment('max', post, 'Adding: the first book only', first);
    expect(await notesOf('max')).toHaveLength(maxNow);
  });

  it('are marked read by their owner alone, a few or all at once', async () => {
    const post = await postBy('otto', 'Reading nook photos');
    await comment('bea', post, 'Lovely');
    await comment('max', post, 'Cozy');
    const notes = await notesOf('otto');
    const unread = await unreadOf('otto');
    expect(unread).toBeGreaterThanOrEqual(2);
    // Someone else's ids change nothing.
    const foreign = await people.bea.client.post('/api/v1/hub/notifications/read', { ids: [notes[0]!.id] });
    expect(foreign.statusCode).toBe(200);
    expect(await unreadOf('otto')).toBe(unread);
    const one = await people.otto.client.post('/api/v1/hub/notifications/read', { ids: [notes[0]!.id] });
    expect(one.json()).toEqual({ unread: unread - 1 });
    expect((await notesOf('otto'))[0]!.read).toBe(true);
    const all = await people.otto.client.post('/api/v1/hub/notifications/read', {});
    expect(all.json()).toEqual({ unread: 0 });
  });

  it('show nothing about a group once access to it ends, and come back with it', async () => {
    const post = await postBy('max', 'Spoilers thread');
    await comment('otto', post, 'No spoilers please');
    expect((await notesOf('max')).some((note) => note.post.id === post)).toBe(true);
    await ctx.db.deleteFrom('accessGrants').where('userId', '=', people.max.user.id).execute();
    expect(await notesOf('max')).toEqual([]);
    expect(await unreadOf('max')).toBe(0);
    // While he may not enter, nothing new is written for him at all (no email either).
    const before = await ctx.db
      .selectFrom('notifications')
      .where('userId', '=', people.max.user.id)
      .selectAll()
      .execute();
    await comment('bea', post, 'Nobody spoils anything here');
    const after = await ctx.db
      .selectFrom('notifications')
      .where('userId', '=', people.max.user.id)
      .selectAll()
      .execute();
    expect(after).toHaveLength(before.length);
    await createGrant(ctx, people.max.user, group);
    expect((await notesOf('max')).some((note) => note.post.id === post)).toBe(true);
  });

  it('go with the post or comment they are about, and a refused comment leaves none', async () => {
    const post = await postBy('bea', 'Short-lived post');
    const gone = await comment('otto', post, 'A comment taken back');
    expect((await notesOf('bea')).some((note) => note.post.id === post)).toBe(true);
    expect((await people.otto.client.delete(`/api/v1/hub/comments/${gone}`)).statusCode).toBe(204);
    expect((await notesOf('bea')).some((note) => note.post.id === post)).toBe(false);
    await comment('otto', post, 'Another one');
    expect((await people.bea.client.delete(`/api/v1/hub/posts/${post}`)).statusCode).toBe(204);
    expect((await notesOf('bea')).some((note) => note.post.id === post)).toBe(false);

    const kept = await postBy('bea', 'A post that stays');
    const before = await unreadOf('bea');
    const refused = await people.otto.client.post(`/api/v1/hub/posts/${kept}/comments`, {
      body: 'Answering nothing',
      parentId: 'not-a-comment',
    });
    expect(refused.statusCode).toBe(400);
    expect(await unreadOf('bea')).toBe(before);
  });

  it('tell the people a post or comment mentions who may see it, once each, never the writer', async () => {
    const outsider = await createMember(ctx, { name: 'Olive Outside' });
    const mention = (who: TestUser) => `@[${who.name}](member:${who.id})`;
    await forgetWriteLimits(ctx, people.bea.user);
    const created = await people.bea.client.post(`/api/v1/hub/groups/${group.id}/posts`, {
      title: 'Meetup',
      body: `${mention(people.max.user)} ${mention(outsider)} ${mention(people.bea.user)} see you there`,
    });
    expect(created.statusCode).toBe(201);
    const post = created.json();
    expect(post.bodyHtml).toContain(`<span class="mention">@Max</span>`);
    expect((await notesOf('max'))[0]).toMatchObject({
      kind: 'mention',
      post: { id: post.id },
      comment: null,
    });
    const outsiderNotes = (await (await signIn(ctx, outsider)).get('/api/v1/hub/notifications')).json().data;
    expect(outsiderNotes).toEqual([]);
    expect(
      await ctx.db.selectFrom('notifications').where('userId', '=', outsider.id).selectAll().execute(),
    ).toEqual([]);
    // Otto comments on Bea's post mentioning her: one notification, the mention.
    const before = (await notesOf('bea')).length;
    await comment('otto', post.id, `${mention(people.bea.user)} count me in`);
    const beaNotes = await notesOf('bea');
    expect(beaNotes).toHaveLength(before + 1);
    expect(beaNotes[0]).toMatchObject({ kind: 'mention', actor: { name: 'Otto' } });

    // An edit tells those it newly mentions, once: not those already mentioned, nor on a second edit.
    const count = async (who: 'max' | 'otto') =>
      (await notesOf(who)).filter((note) => note.kind === 'mention' && note.post.id === post.id).length;
    const edit = (body: string) => people.bea.client.patch(`/api/v1/hub/posts/${post.id}`, { body });
    expect((await edit(`${mention(people.max.user)} ${mention(people.otto.user)} see you`)).statusCode).toBe(
      200,
    );
    expect(await count('max')).toBe(1);
    expect(await count('otto')).toBe(1);
    expect((await edit(`${mention(people.max.user)} ${mention(people.otto.user)} see you!`)).statusCode).toBe(
      200,
    );
    expect(await count('otto')).toBe(1);
    // Taking him out and putting him back tells him nothing new.
    expect((await edit(`${mention(people.max.user)} see you`)).statusCode).toBe(200);
    expect((await edit(`${mention(people.max.user)} ${mention(people.otto.user)} again`)).statusCode).toBe(
      200,
    );
    expect(await count('otto')).toBe(1);
    // A comment edited to mention Max tells him, naming the comment.
    const plain = await comment('otto', post.id, 'Who brings snacks?');
    await forgetWriteLimits(ctx, people.otto.user);
    const edited = await people.otto.client.patch(`/api/v1/hub/comments/${plain}`, {
      body: `Who brings snacks, ${mention(people.max.user)}?`,
    });
    expect(edited.statusCode, edited.body).toBe(200);
    expect((await notesOf('max'))[0]).toMatchObject({ kind: 'mention', comment: { id: plain } });
  });

  it('complete a mention with the people who may enter the group, as the access rule says', async () => {
    const offer = await createOffer(ctx, [group], { title: 'Book club pass' });
    const buyer = await createMember(ctx, { name: 'Mona Buyer' });
    await createEntitlement(ctx, buyer, offer, { state: 'active' });
    const lapsed = await createMember(ctx, { name: 'Mort Lapsed' });
    await createEntitlement(ctx, lapsed, offer, { state: 'ended' });
    const expired = await createMember(ctx, { name: 'Mavis Expired' });
    await createGrant(ctx, expired, group, { endsAt: Date.now() - 1 });
    await createMember(ctx, { name: 'Milo Outside' });
    await createAdmin(ctx, { name: 'Mads Admin' });
    const gone = await createMember(ctx, { name: 'Maxine Gone' });
    await createGrant(ctx, gone, group);
    await ctx.db.updateTable('users').set({ status: 'deactivated' }).where('id', '=', gone.id).execute();
    const names = async (q: string) => {
      const response = await people.bea.client.get(`/api/v1/hub/groups/${group.id}/mentionable?q=${q}`);
      expect(response.statusCode, response.body).toBe(200);
      return response.json().data as { id: string; name: string; token: string }[];
    };
    expect((await names('Ma')).map((p) => p.name)).toEqual(['Mads Admin', 'Max']);
    const mo = await names('mo');
    expect(mo.map((p) => p.name)).toEqual(['Mona Buyer']);
    expect(mo[0]!.token).toBe(`@[Mona Buyer](member:${buyer.id})`);
    // One letter is not enough to ask.
    expect(await names('M')).toEqual([]);
    // Someone who may not enter the group cannot ask who is in it.
    const outside = await signIn(ctx, await createMember(ctx));
    expect((await outside.get(`/api/v1/hub/groups/${group.id}/mentionable?q=M`)).statusCode).toBe(403);
  });

  it('reach members by email at once, with a one-click unsubscribe, or in a daily digest, or not at all', async () => {
    // What earlier tests queued stays in the log; from here on mail goes out.
    await ctx.drainJobs();
    const from = ctx.outbox.length;
    await ctx.services.settings.updateSettings({ smtpUrl: 'smtp://127.0.0.1:2525' });
    const mailsTo = (who: TestUser) => ctx.outbox.slice(from).filter((mail) => mail.to === who.email);
    const post = await postBy('bea', 'Poetry night');
    await comment('max', post, 'I will read *Ozymandias*');
    await ctx.drainJobs();
    const [mail] = mailsTo(people.bea.user);
    expect(mail?.subject).toBe('Max commented on your post “Poetry night”');
    expect(mail?.text).toContain('I will read *Ozymandias*');
    expect(mail?.text).toContain(`/hub/p/${post}`);
    const oneClick = /^<(.+)>$/.exec(mail?.headers?.['List-Unsubscribe'] ?? '')?.[1];
    expect(mail?.headers?.['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(oneClick).toContain('/api/v1/notifications/unsubscribe?u=');
    // The one-click POST a mail client makes: no session, a form body; a forged signature changes nothing.
    const path = new URL(oneClick!).pathname + new URL(oneClick!).search;
    const forged = await ctx.app.inject({
      method: 'POST',
      url: path.replace(/t=[^&]+/, 't=forged'),
      payload: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(forged.statusCode).toBe(400);
    const stop = await ctx.app.inject({
      method: 'POST',
      url: path,
      payload: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(stop.statusCode, stop.body).toBe(200);
    // The link in an email about a comment stops emails about comments and replies, no other kind.
    expect(oneClick).toContain('k=replies');
    expect((await people.bea.client.get('/api/v1/me')).json()).toMatchObject({
      notifyEmail: 'instant',
      emailAbout: { replies: false, mentions: true, posts: true },
    });
    await comment('otto', post, 'Count me in');
    await ctx.drainJobs();
    expect(mailsTo(people.bea.user)).toHaveLength(1);
    // In the app she still hears of it.
    expect((await notesOf('bea'))[0]).toMatchObject({ actor: { name: 'Otto' } });

    // Max takes a daily digest: nothing at once, then one email of what he has not read — not what an
    // email already told him (this one reached him at once, before he switched).
    const told = await postBy('otto', 'Told at once');
    await comment('max', told, 'Hello');
    await comment('bea', told, `@[Max](member:${people.max.user.id}) look`);
    await ctx.drainJobs();
    expect(mailsTo(people.max.user)).toHaveLength(1);
    expect((await people.max.client.patch('/api/v1/me', { notifyEmail: 'daily' })).statusCode).toBe(200);
    const alreadyEmailed = ctx.outbox.length;
    const maxPost = await postBy('max', 'Haiku swap');
    await comment('bea', maxPost, 'Old pond, frog jumps in');
    await comment('otto', maxPost, 'Autumn moonlight');
    await ctx.drainJobs();
    expect(ctx.outbox.length).toBe(alreadyEmailed);
    expect(await ctx.services.hub.sendDigests()).toBeGreaterThanOrEqual(1);
    await ctx.drainJobs();
    const digests = ctx.outbox.slice(alreadyEmailed).filter((mail) => mail.to === people.max.user.email);
    expect(digests).toHaveLength(1);
    expect(digests[0]?.subject).toMatch(/^2 new notifications on /);
    expect(digests[0]?.text).toContain('Bea commented on your post “Haiku swap”: “Old pond, frog jumps in”');
    expect(digests[0]?.headers?.['List-Unsubscribe']).toContain('/api/v1/notifications/unsubscribe?u=');
    // The next run has nothing new for him.
    await ctx.services.hub.sendDigests();
    await ctx.drainJobs();
    expect(ctx.outbox.slice(alreadyEmailed).filter((mail) => mail.to === people.max.user.email)).toHaveLength(
      1,
    );
    await ctx.services.settings.updateSettings({ smtpUrl: null });
  });

  it('book the next daily digest when one has run', async () => {
    await enqueueJob(ctx.db, systemClock, DIGEST_JOB, null, { maxAttempts: 3 });
    await ctx.drainJobs();
    const jobs = await ctx.db
      .selectFrom('jobs')
      .select(['status', 'runAt'])
      .where('name', '=', DIGEST_JOB)
      .execute();
    expect(jobs.filter((job) => job.status === 'done')).toHaveLength(1);
    const next = jobs.filter((job) => job.status === 'pending');
    expect(next).toHaveLength(1);
    expect(Number(next[0]!.runAt)).toBeGreaterThan(Date.now() + 23 * 3600_000);
  });

  it('refuse bad input naming the field', async () => {
    const tooMany = await people.bea.client.post('/api/v1/hub/notifications/read', {
      ids: Array.from({ length: 101 }, (_, i) => `id-${i}`),
    });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.body).toContain('ids');
    const cursor = await people.bea.client.get('/api/v1/hub/notifications?cursor=garbage');
    expect(cursor.statusCode).toBe(400);
    const choice = await people.bea.client.patch('/api/v1/me', { notifyEmail: 'hourly' });
    expect(choice.statusCode).toBe(400);
    expect(choice.body).toContain('notifyEmail');
  });
});
