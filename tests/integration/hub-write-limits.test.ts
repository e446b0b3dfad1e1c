// One member writes at a person's pace at most: past 10 posts, 30 comments (ten minutes) or 120 likes (a
// minute), the Hub answers 429 with when to try again, and nothing is written. Staff are not limited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WRITE_LIMITS } from '../../src/modules/hub/index.ts';
import {
  type Client,
  createAdmin,
  createGroup,
  createMember,
  signIn,
  type TestGroup,
} from '../support/factories.ts';
import { createTestContext, type TestContext } from '../support/test-app.ts';

let ctx: TestContext;
let group: TestGroup;
beforeAll(async () => {
  ctx = await createTestContext();
  group = await createGroup(ctx, { visibility: 'public' });
});
afterAll(async () => ctx.close());

const postsOf = async (authorId: string) =>
  (await ctx.db.selectFrom('posts').select('id').where('authorId', '=', authorId).execute()).length;

async function write(client: Client, body: string) {
  return client.post(`/api/v1/hub/groups/${group.id}/posts`, { body });
}

describe('how fast a member may write', () => {
  it('refuses an eleventh post in ten minutes with 429 and when to try again, writing nothing', async () => {
    const member = await createMember(ctx);
    const session = await signIn(ctx, member);
    for (let n = 1; n <= WRITE_LIMITS.post.limit; n++)
      expect((await write(session, `Post ${n}`)).statusCode).toBe(201);
    const refused = await write(session, 'One too many');
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('rate_limited');
    expect(refused.json().error.message).toMatch(
      /^Too many posts in a short time\. Try again in \d+ seconds\.$/,
    );
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(await postsOf(member.id)).toBe(WRITE_LIMITS.post.limit);
    // Another member is not held back by the first.
    const other = await signIn(ctx, await createMember(ctx));
    expect((await write(other, 'My first')).statusCode).toBe(201);
  });

  it('limits comments and likes by their own counts', async () => {
    const author = await signIn(ctx, await createMember(ctx));
    const post = (await write(author, 'Comment on me')).json();
    const member = await signIn(ctx, await createMember(ctx));
    const comment = (body: string) => member.post(`/api/v1/hub/posts/${post.id}/comments`, { body });
    for (let n = 1; n <= WRITE_LIMITS.comment.limit; n++)
      expect((await comment(`Reply ${n}`)).statusCode).toBe(201);
    expect((await comment('One too many')).statusCode).toBe(429);
    // Likes count apart from comments.
    let lastLike = 0;
    for (let n = 1; n <= WRITE_LIMITS.like.limit; n++) {
      lastLike = (await member.request('PUT', `/api/v1/hub/posts/${post.id}/like`, {})).statusCode;
    }
    expect(lastLike).toBe(200);
    expect((await member.request('PUT', `/api/v1/hub/posts/${post.id}/like`, {})).statusCode).toBe(429);
  });

  it('does not limit staff (announcements, moderation)', async () => {
    const admin = await signIn(ctx, await createAdmin(ctx));
    for (let n = 1; n <= WRITE_LIMITS.post.limit + 2; n++)
      expect((await write(admin, `Announcement ${n}`)).statusCode).toBe(201);
  });
});
