// Profiles: a member's bio, links and avatar, and a page of their latest posts the viewer may see.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Client,
  createGrant,
  createGroup,
  createMember,
  signIn,
  type TestGroup,
  type TestUser,
} from '../support/factories.ts';
import { createTestContext, type TestContext } from '../support/test-app.ts';

let ctx: TestContext;
let author: TestUser;
let authorClient: Client;
let insider: Client;
let outsider: Client;

let lobby: TestGroup;

beforeAll(async () => {
  ctx = await createTestContext();
  lobby = await createGroup(ctx, { name: 'Lobby', visibility: 'public' });
  const inner = await createGroup(ctx, { name: 'Inner', visibility: 'private' });
  author = await createMember(ctx, { name: 'Ada Author' });
  await createGrant(ctx, author, inner);
  authorClient = await signIn(ctx, author);
  const member = await createMember(ctx);
  await createGrant(ctx, member, inner);
  insider = await signIn(ctx, member);
  outsider = await signIn(ctx, await createMember(ctx));
  for (const [group, title] of [
    [lobby, 'Open thoughts'],
    [inner, 'Inner thoughts'],
  ] as const) {
    const response = await authorClient.post(`/api/v1/hub/groups/${group.id}/posts`, {
      title,
      body: `${title}, at length`,
    });
    expect(response.statusCode).toBe(201);
  }
});
afterAll(async () => ctx.close());

describe('profiles', () => {
  it('show a member with their latest posts in the groups the viewer may enter, never an email', async () => {
    const seen = async (viewer: Client) => {
      const response = await viewer.get(`/api/v1/hub/people/${author.id}`);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.body).not.toContain(author.email);
      return response.json() as { name: string; posts: { title: string; group: { name: string } }[] };
    };
    expect((await seen(outsider)).posts.map((p) => p.title)).toEqual(['Open thoughts']);
    const inside = await seen(insider);
    expect(inside.name).toBe('Ada Author');
    expect(inside.posts.map((p) => p.title)).toEqual(['Inner thoughts', 'Open thoughts']);
    expect((await outsider.get('/api/v1/hub/people/no-such-person')).statusCode).toBe(404);
    // Someone the viewer has never seen write anything, in no member directory the viewer may open,
    // does not exist for them; to themselves they do. (The Lobby is public: it lists nobody.)
    const quiet = await createMember(ctx, { name: 'Quinn Quiet' });
    expect((await outsider.get(`/api/v1/hub/people/${quiet.id}`)).statusCode).toBe(404);
    expect((await (await signIn(ctx, quiet)).get(`/api/v1/hub/people/${quiet.id}`)).statusCode).toBe(200);
  });

  it('take a bio, up to three links and an avatar (re-encoded), and refuse bad ones naming the field', async () => {
    const saved = await authorClient.patch('/api/v1/hub/profile', {
      bio: '  I write about tea.  ',
      links: ['https://ada.example/blog', ' http://ada.example '],
    });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json()).toMatchObject({
      bio: 'I write about tea.',
      links: ['https://ada.example/blog', 'http://ada.example/'],
    });
    for (const [body, field] of [
      [{ links: ['javascript:alert(1)'] }, 'links.0'],
      // A blank entry is skipped, not renumbered: the problem names the entry as it was sent.
      [{ links: ['', 'ftp://ada.example'] }, 'links.1'],
      [{ bio: 'x'.repeat(400) }, 'bio'],
      [{ links: ['https://a.test', 'https://b.test', 'https://c.test', 'https://d.test'] }, 'links'],
    ] as const) {
      const refused = await authorClient.patch('/api/v1/hub/profile', body);
      expect(refused.statusCode, JSON.stringify(body)).toBe(400);
      expect(refused.body).toContain(field);
    }
    expect((await outsider.get(`/api/v1/hub/people/${author.id}`)).json().bio).toBe('I write about tea.');

    // The lobby's feed read first, so its first page is cached: the new picture must show through.
    const authorIn = async () =>
      (
        (await outsider.get(`/api/v1/hub/groups/${lobby.id}/posts`)).json().data as {
          author: { id: string; avatarUrl: string | null };
        }[]
      ).find((post) => post.author.id === author.id)!.author;
    expect((await authorIn()).avatarUrl).toBeNull();
    const png = await sharp({ create: { width: 900, height: 600, channels: 3, background: '#2f5d50' } })
      .png()
      .toBuffer();
    const uploaded = await authorClient.request('PUT', '/api/v1/hub/profile/avatar', png, {
      'content-type': 'image/png',
    });
    expect(uploaded.statusCode, uploaded.body).toBe(200);
    const avatarUrl = uploaded.json().avatarUrl as string;
    expect(avatarUrl).toMatch(/^\/media\//);
    const image = await outsider.get(avatarUrl);
    const size = await sharp(image.rawPayload).metadata();
    expect(Math.max(size.width ?? 0, size.height ?? 0)).toBeLessThanOrEqual(256);
    // Beside the author's name on their posts, at once.
    expect((await authorIn()).avatarUrl).toBe(avatarUrl);
    const fake = await authorClient.request(
      'PUT',
      '/api/v1/hub/profile/avatar',
      Buffer.from('<svg onload=alert(1)>'),
      {
        'content-type': 'image/png',
      },
    );
    expect(fake.statusCode).toBe(400);
    expect((await authorClient.delete('/api/v1/hub/profile/avatar')).json().avatarUrl).toBeNull();
    expect((await authorIn()).avatarUrl).toBeNull();
  });
});
