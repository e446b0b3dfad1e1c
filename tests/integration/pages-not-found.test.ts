// A path that does not exist: a browser asking for a page gets a branded page with a way back; the API,
// and anything that does not ask for HTML, keeps the JSON error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client } from '../support/factories.ts';
import { createTestContext, type TestContext } from '../support/test-app.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx.close());

const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

describe('a page that does not exist', () => {
  it.each(['/nope', '/join/someone', '/media/nothing.png', '/offers'])(
    '%s is a branded HTML 404 for a browser',
    async (path) => {
      const answer = await client(ctx).request('GET', path, undefined, BROWSER);
      expect(answer.statusCode).toBe(404);
      expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(answer.body).toContain('This page does not exist');
      expect(answer.body).toMatch(/<a[^>]+href="\/"[^>]*>Go to /);
      expect(answer.body).toMatch(/<link[^>]+href="\/public\/pages\.[0-9a-f]{12}\.css"/);
      // The stylesheet it links is there.
      const css = /href="(\/public\/pages\.[0-9a-f]{12}\.css)"/.exec(answer.body)?.[1] ?? '';
      expect((await client(ctx).get(css)).statusCode).toBe(200);
    },
  );

  it('is the JSON error for the API, for a script, and for anything but GET', async () => {
    const api = await client(ctx).request('GET', '/api/v1/nothing', undefined, BROWSER);
    expect(api.statusCode).toBe(404);
    expect(api.json()).toMatchObject({ error: { code: 'not_found' } });
    const script = await client(ctx).request('GET', '/nope', undefined, { accept: 'application/json' });
    expect(script.json()).toMatchObject({ error: { code: 'not_found' } });
    const post = await client(ctx).request('POST', '/nope', {}, BROWSER);
    expect(post.statusCode).toBe(404);
    expect(post.headers['content-type']).toContain('application/json');
  });
});
