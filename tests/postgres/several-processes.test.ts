// Guildhall on several machines sharing one PostgreSQL database: two web processes (each its own
// `guildhall start`, as two machines behind a load balancer would run it) and a `guildhall worker`. A
// journey goes across them: signed in on one, acting on the other; sign-in failures counted across
// both; a permission change and a new post seen at once on both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGroup, createMember, createOwner, DEFAULT_PASSWORD } from '../support/factories.ts';
import { freePort, type GuildhallProgram, httpClient, runGuildhall } from '../support/processes.ts';
import { createTestDatabase } from '../support/test-app.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
const programs: GuildhallProgram[] = [];
let one = '';
let two = '';

beforeAll(async () => {
  database = await createTestDatabase();
  const env = { ...database.env, LOG_LEVEL: 'warn' };
  const ports = [await freePort(), await freePort()];
  [one, two] = ports.map((port) => `http://127.0.0.1:${port}`) as [string, string];
  for (const port of ports) {
    programs.push(runGuildhall(['start', '--processes', '1'], { ...env, PORT: String(port) }));
  }
  programs.push(runGuildhall(['worker'], env));
  await Promise.all(programs.slice(0, 2).map((program) => program.waitFor('Guildhall is running', 60_000)));
  await programs[2]?.waitFor('Guildhall worker running', 60_000);
}, 120_000);
afterAll(async () => {
  await Promise.all(programs.map((program) => program.stop()));
  await database.cleanup();
});

describe('two web processes and a worker on one PostgreSQL database', () => {
  it('keep one session, one rate limit, and the same access and posts on both', async () => {
    const owner = await createOwner(database);
    const member = await createMember(database);
    const group = await createGroup(database, { visibility: 'private' });

    // Signed in on one, the same session acts on the other.
    const ownerOnOne = httpClient(one);
    expect(
      (await ownerOnOne.post('/api/v1/auth/login', { email: owner.email, password: DEFAULT_PASSWORD }))
        .status,
    ).toBe(200);
    const ownerOnTwo = ownerOnOne.on(two);
    expect((await ownerOnTwo.get('/api/v1/me')).status).toBe(200);

    const memberOnOne = httpClient(one);
    expect(
      (await memberOnOne.post('/api/v1/auth/login', { email: member.email, password: DEFAULT_PASSWORD }))
        .status,
    ).toBe(200);
    const memberOnTwo = memberOnOne.on(two);
    const feed = `/api/v1/hub/groups/${group.id}/posts`;
    expect((await memberOnOne.get(feed)).status).toBe(403);
    expect((await memberOnTwo.get(feed)).status).toBe(403);

    // A permission change made on one process holds on both at once.
    const granted = await ownerOnTwo.post(`/api/v1/users/${member.id}/grants`, { hubGroupId: group.id });
    expect(granted.status).toBe(201);
    expect((await memberOnOne.get(feed)).status).toBe(200);
    expect((await memberOnTwo.get(feed)).status).toBe(200);

    // A post written on one is in the feed on both.
    const post = await ownerOnOne.post(feed, { body: 'Written on process one' });
    expect(post.status).toBe(201);
    for (const member of [memberOnOne, memberOnTwo]) {
      const page = (await member.get(feed)).body as { data: { id: string }[] };
      expect(page.data.map((p) => p.id)).toContain(post.body.id);
    }

    // Each process caches the feed's first page; a like on one is counted on the other's next read.
    await memberOnTwo.get(feed);
    expect((await ownerOnOne.request(`/api/v1/hub/posts/${post.body.id}/like`, 'PUT')).status).toBe(200);
    const liked = (await memberOnTwo.get(feed)).body as { data: { id: string; likeCount: number }[] };
    expect(liked.data.find((p) => p.id === post.body.id)?.likeCount).toBe(1);

    // Sign-in failures are counted across both: ten wrong passwords, alternating, lock the eleventh
    // try out on either process, even with the right password.
    for (let i = 0; i < 10; i += 1) {
      const guess = await httpClient(i % 2 ? one : two).post('/api/v1/auth/login', {
        email: member.email,
        password: `wrong guess ${i}`,
      });
      expect(guess.status).toBe(401);
    }
    for (const url of [one, two]) {
      const locked = await httpClient(url).post('/api/v1/auth/login', {
        email: member.email,
        password: DEFAULT_PASSWORD,
      });
      expect(locked.status).toBe(429);
    }

    // Revoking on the other process closes the group on both.
    const grants = (await ownerOnOne.get(`/api/v1/users/${member.id}/grants`)).body as {
      data: { id: string }[];
    };
    const response = await ownerOnTwo.delete(`/api/v1/users/${member.id}/grants/${grants.data[0]?.id}`);
    expect(response.status).toBeLessThan(300);
    expect((await memberOnOne.get(feed)).status).toBe(403);
    expect((await memberOnTwo.get(feed)).status).toBe(403);
  }, 60_000);

  it('runs jobs in the worker process: a sign-in link asked for on a web process is sent', async () => {
    const member = await createMember(database);
    const asked = await httpClient(two).post('/api/v1/auth/magic-link', { email: member.email });
    expect(asked.status).toBeLessThan(300);
    await expect
      .poll(
        async () =>
          (
            await database.db
              .selectFrom('emails')
              .select('status')
              .where('toAddress', '=', member.email)
              .executeTakeFirst()
          )?.status,
        { timeout: 20_000 },
      )
      .toBe('logged');
  });
});
