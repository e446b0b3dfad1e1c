// What fuzzing the API found (issue 11), each case kept fixed: undeclared fields never reach a service,
// no NUL or broken text is accepted anywhere, dates and cursors stay in range, an image's Content-Type
// may carry parameters, and an image too large to decode is refused before it is decoded.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Client,
  client,
  createGroup,
  createMember,
  createOwner,
  pngBytes,
  signIn,
  type TestUser,
} from '../support/factories.ts';
import { createTestContext, type TestContext } from '../support/test-app.ts';

let ctx: TestContext;
let owner: TestUser;
let admin: Client;

beforeAll(async () => {
  ctx = await createTestContext();
  owner = await createOwner(ctx);
  admin = await signIn(ctx, owner);
});
afterAll(async () => ctx.close());

describe('undeclared fields', () => {
  it('never reach a service: Add User with a password still invites, and a non-string one is no 500', async () => {
    const made = await admin.post('/api/v1/users', {
      email: 'sneaky@example.test',
      password: 'set by the caller 1',
    });
    expect(made.statusCode).toBe(201);
    const row = await ctx.db
      .selectFrom('users')
      .select(['passwordHash', 'emailVerifiedAt'])
      .where('email', '=', 'sneaky@example.test')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ passwordHash: null, emailVerifiedAt: null });
    const odd = await admin.post('/api/v1/users', {
      email: 'odd@example.test',
      password: { not: 'a string' },
    });
    expect(odd.statusCode).toBe(201);
    const doc = (await client(ctx).get('/api/docs/json')).json();
    expect(
      doc.paths['/api/v1/users'].post.requestBody.content['application/json'].schema.additionalProperties,
    ).toBe(false);
  });
});

describe('text', () => {
  it('refuses a NUL or a lone surrogate in any string, naming the field, and changes nothing', async () => {
    const login = await client(ctx).post('/api/v1/auth/login', {
      email: 'a\u0000@example.test',
      password: 'x',
    });
    expect(login.statusCode).toBe(400);
    expect(login.json().error.details.fields[0].field).toBe('email');
    const magic = await client(ctx).post('/api/v1/auth/magic-link', { email: 'b@example.test\u0000' });
    expect(magic.statusCode).toBe(400);
    const name = await admin.patch('/api/v1/settings', { platformName: 'Iron\u0000Temple' });
    expect(name.statusCode).toBe(400);
    expect(name.json().error.details.fields[0].field).toBe('platformName');
    const surrogate = await admin.patch('/api/v1/settings', { platformName: 'Iron \uD800 Temple' });
    expect(surrogate.statusCode).toBe(400);
    expect((await ctx.services.settings.getSettings()).platformName).toBe('Guildhall');
    expect((await admin.patch('/api/v1/settings', { platformName: 'Zoë’s Gym 💪' })).statusCode).toBe(200);
  });
});

describe('ranges', () => {
  it('refuses a grant ending after the year 9999, so every stored date reads back', async () => {
    const member = await createMember(ctx);
    const group = await createGroup(ctx, { visibility: 'private' });
    const far = await admin.post(`/api/v1/users/${member.id}/grants`, {
      hubGroupId: group.id,
      endsAt: '+010000-01-01T00:00:00.000Z',
    });
    expect(far.statusCode).toBe(400);
    expect(far.json().error.details.fields[0].field).toBe('endsAt');
    expect((await admin.get(`/api/v1/users/${member.id}/grants`)).statusCode).toBe(200);
    expect((await admin.get(`/api/v1/hub-groups/${group.id}/members?source=grants`)).statusCode).toBe(200);
  });

  it('refuses a cursor whose time is not a safe integer, and a commission past 90 %', async () => {
    const cursor = Buffer.from(JSON.stringify([1e300, 'x'])).toString('base64url');
    const page = await admin.get(`/api/v1/users?cursor=${cursor}`);
    expect(page.statusCode).toBe(400);
    expect(page.json().error.details.fields[0].field).toBe('cursor');
    const offer = (await admin.post('/api/v1/offers', { type: 'membership', title: 'Big Cut' })).json();
    const huge = await admin.patch(`/api/v1/offers/${offer.id}`, {
      resell: { commissionPercent: 3_000_000_000 },
    });
    expect(huge.statusCode).toBe(400);
    expect(huge.json().error.details.fields[0].field).toBe('resell.commissionPercent');
  });

  it('answers 400, not 500, to a landing image block whose imageUrl is an object', async () => {
    const offer = (await admin.post('/api/v1/offers', { type: 'membership', title: 'Odd Blocks' })).json();
    const odd = await admin.patch(`/api/v1/offers/${offer.id}`, {
      landingPage: { blocks: [{ id: 'a', type: 'image', imageUrl: { toString: 'boom' } }] },
    });
    expect(odd.statusCode).toBe(400);
    expect(odd.json().error.details.fields[0].field).toBe('landingPage.blocks.0.imageUrl');
  });
});

describe('images', () => {
  it('takes an image whose Content-Type carries parameters', async () => {
    const offer = (await admin.post('/api/v1/offers', { type: 'membership', title: 'Typed Image' })).json();
    const upload = await admin.request(
      'PUT',
      `/api/v1/offers/${offer.id}/media/thumbnail`,
      await pngBytes(),
      {
        'content-type': 'image/png; charset=binary',
      },
    );
    expect(upload.statusCode).toBe(200);
  });

  it('refuses an image too large to decode from its header alone, quickly', async () => {
    const offer = (await admin.post('/api/v1/offers', { type: 'membership', title: 'Long Image' })).json();
    // 1 × 30 000 pixels: small on the wire, and more than a side may have.
    const long = await sharp({ create: { width: 1, height: 30_000, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    const started = Date.now();
    const refused = await admin.request('PUT', `/api/v1/offers/${offer.id}/media/thumbnail`, long, {
      'content-type': 'image/png',
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.details.fields[0].message).toMatch(/at most 10000 pixels on each side/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
