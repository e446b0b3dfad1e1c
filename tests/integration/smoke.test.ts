import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, createOwner, signIn } from '../support/factories.ts';
import { createTestContext, type TestContext } from '../support/test-app.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx.close());

describe('smoke', () => {
  it('answers healthz and me', async () => {
    expect((await client(ctx).get('/healthz')).statusCode).toBe(200);
    expect((await client(ctx).get('/api/v1/me')).statusCode).toBe(401);
    const owner = await createOwner(ctx);
    const session = await signIn(ctx, owner);
    const me = await session.get('/api/v1/me');
    expect(me.json()).toMatchObject({ email: owner.email, role: 'owner' });
  });
});
