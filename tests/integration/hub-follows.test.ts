// Following a group (its new posts reach followers who may still enter it, once each, in the bell and
// by email as each chose), email switches per kind with a one-click stop for that kind alone, and a
// group's member directory (for those who may enter it, unless its creator turned it off).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fewCandidates } from '../../src/modules/hub/hub.repository.ts';
import { FOLLOWERS_JOB } from '../../src/modules/hub/index.ts';
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
import { createTestContext, type TestContext } from '../support/test-app.ts';

let ctx: TestContext;
let admin: Client;
let adminUser: TestUser;
let outsider: Client;
type Name = 'ana' | 'ben' | 'cal' | 'dee';
type People = Record<Name, { user: TestUser; client: Client; grantId: string }>;

/** A private group of its own for each test, with four members let in by hand. */
async function studio(): Promise<{ group: TestGroup; people: People }> {
  const group = await createGroup(ctx, { name: 'Studio', visibility: 'private' });
  const people = {} as People;
  for (const name of ['ana', 'ben', 'cal', 'dee'] as const) {
    const user = await createMember(ctx, { name: name[0]!.toUpperCase() + name.slice(1) });
    const grantId = await createGrant(ctx, user, group);
    people[name] = { user, client: await signIn(ctx, user), grantId };
  }
  return { group, people };
}

function helpers({ group, people }: { group: TestGroup; people: People }) {
  return {
    async notesOf(who: Name): Promise<{ kind: string; post: { id: string } }[]> {
      const response = await people[who].client.get('/api/v1/hub/notifications');
      expect(response.statusCode, response.body).toBe(200);
      return response.json().data;
    },
    async follow(who: Name, on = true) {
      const path = `/api/v1/hub/groups/${group.id}/follow`;
      const response = on
        ? await people[who].client.request('PUT', path, {})
        : await people[who].client.delete(path);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toEqual({ following: on });
    },
    async postBy(who: Name, title: string, body = title): Promise<string> {
      await forgetWriteLimits(ctx, people[who].user);
      const response = await people[who].client.post(`/api/v1/hub/groups/${group.id}/posts`, { title, body });
      expect(response.statusCode, response.body).toBe(201);
      return response.json().id;
    },
  };
}

beforeAll(async () => {
  ctx = await createTestContext();
  adminUser = await createAdmin(ctx, { name: 'Admin' });
  admin = await signIn(ctx, adminUser);
  outsider = await signIn(ctx, await createMember(ctx, { name: 'Anonymous outsider' }));
});
afterAll(async () => ctx.close());

describe('following a group', () => {
  it('is a member’s own switch, shown on the group, and out of reach of those who may not enter', async () => {
    const studioOf = await studio();
    const { group, people } = studioOf;
    const { follow } = helpers(studioOf);
    const shown = async (who: Name) =>
      (await people[who].client.get(`/api/v1/hub/groups/${group.id}`)).json().following;
    expect(await shown('ana')).toBe(false);
    await follow('ana');
    await follow('ana');
    expect(await shown('ana')).toBe(true);
    expect(await shown('ben')).toBe(false);
    await follow('ana', false);
    expect(await shown('ana')).toBe(false);
    const refused = await outsider.request('PUT', `/api/v1/hub/groups/${group.id}/follow`, {});
    expect(refused.statusCode).toBe(403);
    expect(
      await ctx.db.selectFrom('groupFollows').selectAll().where('hubGroupId', '=', group.id).execute(),
    ).toHaveLength(0);
  });

  it('tells followers of each new post once, never its author, nor one who lost access, nor one told already', async () => {
    const studioOf = await studio();
    const { people } = studioOf;
    const { notesOf, follow, postBy } = helpers(studioOf);
    for (const name of ['ana', 'ben', 'cal', 'dee'] as const) await follow(name);
    // Dee's grant ends: she follows still, but hears of nothing from a group she may not enter.
    await ctx.db.deleteFrom('accessGrants').where('id', '=', people.dee.grantId).execute();
    const post = await postBy(
      'ana',
      'Open studio Friday',
      `Bring a sketch, @[Cal](member:${people.cal.user.id})`,
    );
    // Nobody hears before the job runs: the post itself never waits on its followers.
    expect((await notesOf('ben')).filter((note) => note.post.id === post)).toHaveLength(0);
    await ctx.drainJobs();
    const about = async (who: Name) => (await notesOf(who)).filter((note) => note.post.id === post);
    expect((await about('ben')).map((note) => note.kind)).toEqual(['post']);
    // Cal was mentioned: that one notification tells him.
    expect((await about('cal')).map((note) => note.kind)).toEqual(['mention']);
    expect(await about('ana')).toEqual([]);
    const deeRows = await ctx.db
      .selectFrom('notifications')
      .selectAll()
      .where('userId', '=', people.dee.user.id)
      .execute();
    expect(deeRows).toHaveLength(0);
    // A retried job (a crash after its work) tells nobody twice.
    await ctx.services.hub.tellFollowers(post);
    expect(await about('ben')).toHaveLength(1);
    // Dee may stop following a group she may no longer enter (named by its slug, as by its id).
    const unfollow = await people.dee.client.delete(`/api/v1/hub/groups/${studioOf.group.slug}/follow`);
    expect(unfollow.statusCode, unfollow.body).toBe(200);
    const deeFollows = await ctx.db
      .selectFrom('groupFollows')
      .selectAll()
      .where('userId', '=', people.dee.user.id)
      .execute();
    expect(deeFollows).toEqual([]);
    // One who stopped following hears of the next post no more.
    await follow('ben', false);
    const next = await postBy('ana', 'Kiln is fixed');
    await ctx.drainJobs();
    expect((await notesOf('ben')).filter((note) => note.post.id === next)).toEqual([]);
    // A post hidden before the job ran tells nobody.
    const hiddenPost = await postBy('ana', 'Spam');
    await ctx.db.updateTable('posts').set({ hiddenAt: Date.now() }).where('id', '=', hiddenPost).execute();
    expect(await ctx.services.hub.tellFollowers(hiddenPost)).toBe(0);
    await ctx.drainJobs();
    // Each of this test's three posts had its followers job, and each is done.
    const ours = new Set([post, next, hiddenPost]);
    const jobs = (
      await ctx.db
        .selectFrom('jobs')
        .select(['status', 'payload'])
        .where('name', '=', FOLLOWERS_JOB)
        .execute()
    ).filter((job) => ours.has((JSON.parse(String(job.payload)) as { postId: string }).postId));
    expect(jobs.map((job) => job.status)).toEqual(['done', 'done', 'done']);
  });

  it('emails followers as they chose, and one click in an email stops that kind of email alone', async () => {
    const studioOf = await studio();
    const { people } = studioOf;
    const { notesOf, follow, postBy } = helpers(studioOf);
    await ctx.drainJobs();
    const from = ctx.outbox.length;
    await ctx.services.settings.updateSettings({ smtpUrl: 'smtp://127.0.0.1:2525' });
    // Mail goes out for this test alone, whatever happens in it.
    try {
      const mailsTo = (who: Name) =>
        ctx.outbox.slice(from).filter((mail) => mail.to === people[who].user.email);
      await follow('cal');
      const post = await postBy('ana', 'Glaze recipes');
      await ctx.drainJobs();
      const [mail] = mailsTo('cal');
      expect(mail?.subject).toBe('Ana posted “Glaze recipes” in Studio');
      expect(mail?.text).toContain(`/hub/p/${post}`);
      expect(mail?.text).toContain('new posts in groups you follow');
      const oneClick = /^<(.+)>$/.exec(mail?.headers?.['List-Unsubscribe'] ?? '')?.[1];
      expect(oneClick).toContain('k=posts');
      const url = new URL(oneClick!);
      // The signature is of the member and the kind: another kind with the same signature is refused.
      const otherKind = await ctx.app.inject({
        method: 'POST',
        url: `${url.pathname}${url.search.replace('k=posts', 'k=mentions')}`,
        payload: 'List-Unsubscribe=One-Click',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(otherKind.statusCode).toBe(400);
      const stop = await ctx.app.inject({
        method: 'POST',
        url: `${url.pathname}${url.search}`,
        payload: 'List-Unsubscribe=One-Click',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(stop.statusCode, stop.body).toBe(200);
      expect((await people.cal.client.get('/api/v1/me')).json().emailAbout).toEqual({
        replies: true,
        mentions: true,
        posts: false,
      });
      // No more emails about new posts; a mention still reaches him by email, and the bell hears of all.
      await postBy('ana', 'Firing schedule');
      await postBy('ana', 'Ask me', `What do you think, @[Cal](member:${people.cal.user.id})?`);
      await ctx.drainJobs();
      expect(mailsTo('cal').map((m) => m.subject)).toEqual([
        'Ana posted “Glaze recipes” in Studio',
        'Ana mentioned you in “Ask me”',
      ]);
      // In the bell: the two new posts (the third mentioned him, and told him so).
      expect((await notesOf('cal')).filter((note) => note.kind === 'post')).toHaveLength(2);

      // The daily digest carries only the kinds a member gets by email.
      expect(
        (await people.ben.client.patch('/api/v1/me', { notifyEmail: 'daily', emailAbout: { posts: false } }))
          .statusCode,
      ).toBe(200);
      await follow('ben');
      await postBy('ana', 'Only in the bell');
      await ctx.drainJobs();
      await ctx.services.hub.sendDigests();
      await ctx.drainJobs();
      expect(mailsTo('ben')).toEqual([]);
    } finally {
      await ctx.services.settings.updateSettings({ smtpUrl: null });
    }
  });

  it('refuses bad input naming the field', async () => {
    const { people } = await studio();
    const bad = await people.ana.client.patch('/api/v1/me', { emailAbout: { posts: 'yes' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('emailAbout');
    const empty = await people.ana.client.patch('/api/v1/me', { emailAbout: {} });
    expect(empty.statusCode).toBe(400);
    const kind = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/notifications/unsubscribe?u=${people.ana.user.id}&k=likes&t=x`,
      payload: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(kind.statusCode).toBe(400);
    expect(kind.json().error.details.fields[0].field).toBe('k');
  });
});

describe('a group’s member directory', () => {
  it('lists by name those who may enter the group, never those who may not', async () => {
    const { group, people } = await studio();
    await ctx.db.deleteFrom('accessGrants').where('id', '=', people.dee.grantId).execute();
    const response = await people.ana.client.get(`/api/v1/hub/groups/${group.id}/members?limit=2`);
    expect(response.statusCode, response.body).toBe(200);
    const first = response.json();
    expect(first.data.map((p: { name: string }) => p.name)).toEqual(['Admin', 'Ana']);
    expect(first.data[0]).toMatchObject({ staff: true, avatarUrl: null });
    expect(JSON.stringify(first)).not.toContain('@');
    const rest = (
      await people.ana.client.get(
        `/api/v1/hub/groups/${group.id}/members?limit=10&cursor=${first.nextCursor}`,
      )
    ).json();
    // Dee lost her grant; the outsider never had one.
    expect(rest.data.map((p: { name: string }) => p.name)).toEqual(['Ben', 'Cal']);
    expect(rest.nextCursor).toBeNull();
    const named = (await people.ana.client.get(`/api/v1/hub/groups/${group.id}/members?q=ca`)).json();
    expect(named.data.map((p: { name: string }) => p.name)).toEqual(['Cal']);
    expect((await outsider.get(`/api/v1/hub/groups/${group.id}/members`)).statusCode).toBe(403);
    // A public group lists nobody: every member may enter it, so its list would be every account.
    const lobby = await createGroup(ctx, { name: 'Lobby', visibility: 'public' });
    const open = await people.ana.client.get(`/api/v1/hub/groups/${lobby.id}/members`);
    expect(open.statusCode).toBe(403);
    expect(open.json().error.code).toBe('directory_off');
    expect((await people.ana.client.get(`/api/v1/hub/groups/${lobby.id}`)).json().directoryOn).toBe(false);
    expect((await admin.get(`/api/v1/hub/groups/${lobby.id}/members`)).statusCode).toBe(403);
    const garbage = await people.ana.client.get(`/api/v1/hub/groups/${group.id}/members?cursor=garbage`);
    expect(garbage.statusCode).toBe(400);
    expect(garbage.body).toContain('cursor');
  });

  it('lists a large group by name as it lists a small one', async () => {
    // Over 500 people it could let in, the directory walks accounts by name instead of reading the
    // group's grants: the same people, in the same order, either way.
    const { group, people } = await studio();
    const now = Date.now();
    const extra = Array.from({ length: 600 }, (_, i) => ({
      id: `dir-${group.id.slice(0, 8)}-${String(i).padStart(3, '0')}`,
      name: `Zed ${String(i).padStart(3, '0')}`,
    }));
    await ctx.db
      .insertInto('users')
      .values(
        extra.map((u) => ({
          id: u.id,
          email: `${u.id}@example.test`,
          name: u.name,
          nameSearch: u.name.toLowerCase(),
          role: 'member' as const,
          status: 'active' as const,
          passwordHash: null,
          emailVerifiedAt: now,
          createdAt: now,
          updatedAt: now,
          lastSeenAt: null,
        })),
      )
      .execute();
    await ctx.db
      .insertInto('accessGrants')
      .values(
        extra.map((u) => ({
          id: `grant-${u.id}`,
          userId: u.id,
          hubGroupId: group.id,
          endsAt: null,
          note: null,
          grantedBy: null,
          createdAt: now,
        })),
      )
      .execute();
    // The walk by name, not the group's own rows, is what serves this group.
    expect(await fewCandidates(ctx.db, group.id, 500)).toBe(false);
    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (
        await people.ana.client.get(
          `/api/v1/hub/groups/${group.id}/members?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
        )
      ).json() as { data: { name: string }[]; nextCursor: string | null };
      names.push(...page.data.map((p) => p.name));
      cursor = page.nextCursor;
    } while (cursor);
    expect(names.slice(0, 5)).toEqual(['Admin', 'Ana', 'Ben', 'Cal', 'Dee']);
    expect(names.filter((name) => name.startsWith('Zed '))).toEqual(extra.map((u) => u.name));
    expect(names).toHaveLength(5 + 600);
  });

  it('opens the profile of someone in it, until the creator turns the directory off', async () => {
    const { group, people } = await studio();
    // Ben has written nothing Ana can see: the directory is what makes him known to her.
    expect((await people.ana.client.get(`/api/v1/hub/people/${people.ben.user.id}`)).statusCode).toBe(200);
    // Staff are in every group's directory, so their profile opens too.
    expect((await people.ana.client.get(`/api/v1/hub/people/${adminUser.id}`)).statusCode).toBe(200);
    expect((await outsider.get(`/api/v1/hub/people/${people.ben.user.id}`)).statusCode).toBe(404);
    const off = await admin.patch(`/api/v1/hub-groups/${group.id}`, { directoryOn: false });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json().directoryOn).toBe(false);
    const closed = await people.ana.client.get(`/api/v1/hub/groups/${group.id}/members`);
    expect(closed.statusCode).toBe(403);
    expect(closed.json().error.code).toBe('directory_off');
    expect((await people.ana.client.get(`/api/v1/hub/groups/${group.id}`)).json().directoryOn).toBe(false);
    expect((await people.ana.client.get(`/api/v1/hub/people/${people.ben.user.id}`)).statusCode).toBe(404);
    // Staff still see who is in.
    expect((await admin.get(`/api/v1/hub/groups/${group.id}/members`)).statusCode).toBe(200);
    await admin.patch(`/api/v1/hub-groups/${group.id}`, { directoryOn: true });
  });
});
