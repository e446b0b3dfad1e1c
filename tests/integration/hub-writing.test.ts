// Writing a post: images uploaded into the group (re-encoded, ours only, shown inline) and the preview
// (the same renderer and sanitizer as the post itself).
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WRITE_LIMITS } from '../../src/modules/hub/index.ts';
import {
  type Client,
  createGroup,
  createMember,
  forgetWriteLimits,
  pngBytes,
  signIn,
  type TestGroup,
  type TestUser,
} from '../support/factories.ts';
import { createTestContext, type TestContext } from '../support/test-app.ts';

let ctx: TestContext;
let group: TestGroup;
let writer: TestUser;
let client: Client;
let outsider: Client;

beforeAll(async () => {
  ctx = await createTestContext();
  group = await createGroup(ctx, { name: 'Darkroom', visibility: 'public' });
  writer = await createMember(ctx, { name: 'Pia Printer' });
  client = await signIn(ctx, writer);
  outsider = await signIn(ctx, await createMember(ctx));
});
afterAll(async () => ctx.close());

async function upload(who: Client, groupId: string, bytes: Buffer, type = 'image/png') {
  return who.request('POST', `/api/v1/hub/groups/${groupId}/images`, bytes, { 'content-type': type });
}

describe('writing a post', () => {
  it('puts an uploaded image in a post, re-encoded and shown inline; never another site’s', async () => {
    await forgetWriteLimits(ctx, writer);
    const uploaded = await upload(client, group.id, await pngBytes(2400, 1200));
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    const image = uploaded.json() as { url: string; width: number; height: number; markdown: string };
    expect(image).toMatchObject({ width: 1600, height: 800 });
    expect(image.url).toMatch(/^\/media\/[0-9a-f]{2}\/[0-9a-f]{32}\.webp$/);
    expect((await sharp((await client.get(image.url)).rawPayload).metadata()).format).toBe('webp');
    const posted = await client.post(`/api/v1/hub/groups/${group.id}/posts`, {
      title: 'Contact sheet',
      body: `${image.markdown}\n\n![tracker](https://tracker.example/p.gif)`,
    });
    expect(posted.statusCode, posted.body).toBe(201);
    const html = posted.json().bodyHtml as string;
    expect(html).toContain(`<img src="${image.url}" alt="" loading="lazy">`);
    expect(html).not.toContain('<img src="https://tracker.example');
    expect(html).toContain('<a href="https://tracker.example/p.gif" rel="nofollow ugc noopener"');
  });

  it('refuses what is not an image, and a group one may not post in, naming why', async () => {
    await forgetWriteLimits(ctx, writer);
    const fake = await upload(client, group.id, Buffer.from('<svg onload=alert(1)>'));
    expect(fake.statusCode).toBe(400);
    expect(fake.json().error.details.fields[0].field).toBe('image');
    const announcements = await createGroup(ctx, { name: 'News', visibility: 'public' });
    await ctx.db
      .updateTable('hubGroups')
      .set({ whoMayPost: 'staff' })
      .where('id', '=', announcements.id)
      .execute();
    const png = await pngBytes(10, 10);
    const closed = await upload(client, announcements.id, png);
    expect(closed.statusCode).toBe(403);
    expect(closed.json().error.code).toBe('posting_closed');
    const hidden = await createGroup(ctx, { name: 'Secret', visibility: 'hidden' });
    expect((await upload(outsider, hidden.id, png)).statusCode).toBe(404);
  });

  it('previews at a writer’s pace, then says when to try again', async () => {
    const quick = await createMember(ctx);
    const who = await signIn(ctx, quick);
    for (let n = 1; n <= WRITE_LIMITS.preview.limit; n++)
      expect((await who.post('/api/v1/hub/preview', { body: `draft ${n}` })).statusCode).toBe(200);
    const over = await who.post('/api/v1/hub/preview', { body: 'one more' });
    expect(over.statusCode).toBe(429);
    expect(over.headers['retry-after']).toBeDefined();
  });

  it('previews Markdown exactly as a post renders it', async () => {
    const body = `**bold** <script>x</script> @[Pia](member:${writer.id})`;
    const preview = await client.post('/api/v1/hub/preview', { body });
    expect(preview.statusCode, preview.body).toBe(200);
    await forgetWriteLimits(ctx, writer);
    const posted = await client.post(`/api/v1/hub/groups/${group.id}/posts`, { body });
    expect(posted.statusCode, posted.body).toBe(201);
    expect(preview.json().html).toBe(posted.json().bodyHtml);
    expect(preview.json().html).not.toContain('<script');
    const long = await client.post('/api/v1/hub/preview', { body: 'x'.repeat(20_001) });
    expect(long.statusCode).toBe(400);
    expect(long.body).toContain('body');
  });
});
