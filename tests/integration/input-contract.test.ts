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

describe('shapes', () => {
  it('refuses JSON nested past 32 levels with 400, signed in or not, however deep', async () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const login = await client(ctx).request('POST', '/api/v1/auth/login', deep, {
      'content-type': 'application/json',
    });
    expect(login.statusCode).toBe(400);
    expect(login.json().error.details.fields[0].message).toMatch(/must not nest deeper than 32 levels/);
  });

  it('refuses a list limit of Infinity, which the validator coerces and lets through', async () => {
    for (const limit of ['Infinity', '-Infinity']) {
      const page = await admin.get(`/api/v1/users?limit=${limit}`);
      expect(page.statusCode).toBe(400);
      expect(page.json().error.details.fields[0].field).toBe('limit');
    }
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

  it("checks a landing block against its own type's schema, names the field, and states it in the document", async () => {
    const offer = (await admin.post('/api/v1/offers', { type: 'membership', title: 'Typed Blocks' })).json();
    const refused = await admin.patch(`/api/v1/offers/${offer.id}`, {
      landingPage: {
        blocks: [
          { id: 'a', type: 'price', heading: 'Join', buttonLabel: 'x'.repeat(61) },
          { id: 'b', type: 'carousel' },
        ],
      },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.details.fields).toEqual([
      { field: 'landingPage.blocks.0.buttonLabel', message: 'must be at most 60 characters' },
      { field: 'landingPage.blocks.1.type', message: 'is not a known type' },
    ]);
    // A field of another block type is not this block's: stripped, like any undeclared field.
    const saved = await admin.patch(`/api/v1/offers/${offer.id}`, {
      landingPage: { blocks: [{ id: 'a', type: 'price', heading: 'Join', body: 'only a cta has a body' }] },
    });
    expect(saved.statusCode).toBe(200);
    expect(saved.json().landingPage.blocks).toEqual([
      { id: 'a', type: 'price', heading: 'Join', buttonLabel: '' },
    ]);
    const doc = (await client(ctx).get('/api/docs/json')).json();
    const body = doc.paths['/api/v1/offers/{id}'].patch.requestBody.content['application/json'].schema;
    const price = body.properties.landingPage.properties.blocks.items.oneOf.find(
      (branch: { properties: { type: { enum: string[] } } }) => branch.properties.type.enum[0] === 'price',
    );
    expect(price.properties.buttonLabel).toEqual({ type: 'string', maxLength: 60 });
    expect(body.properties.title.maxLength).toBeLessThan(200);
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

describe('races', () => {
  const times = <T>(n: number, make: (i: number) => Promise<T>) =>
    Promise.all(Array.from({ length: n }, (_, i) => make(i)));

  it('parallel creates of one email or one slug: one wins, the others get 409 naming the field', async () => {
    const users = await times(8, () => admin.post('/api/v1/users', { email: 'twin@example.test' }));
    const userStatuses = users.map((answer) => answer.statusCode).sort();

    expect(userStatuses.filter((status) => status === 201)).toHaveLength(1);
    expect(userStatuses.filter((status) => status !== 201).every((status) => status === 409)).toBe(true);
    for (const lost of users.filter((answer) => answer.statusCode === 409)) {
      expect(lost.json().error.details.fields[0].field).toBe('email');
    }
    const groups = await times(8, (i) =>
      admin.post('/api/v1/hub-groups', { name: `Twins ${i}`, slug: 'twins', visibility: 'public' }),
    );

    expect(groups.filter((answer) => answer.statusCode === 201)).toHaveLength(1);
    for (const lost of groups.filter((answer) => answer.statusCode !== 201)) {
      expect(lost.statusCode).toBe(409);
      expect(lost.json().error.details.fields[0].field).toBe('slug');
    }
  });

  it('two reorders at once: both answer, the later one wins, no deadlock', async () => {
    for (const name of ['Alpha', 'Beta', 'Gamma', 'Delta']) await createGroup(ctx, { name });
    const ids = (await admin.get('/api/v1/hub-groups')).json().data.map((g: { id: string }) => g.id);
    const reversed = [...ids].reverse();
    const answers = await times(6, (i) =>
      admin.post('/api/v1/hub-groups/reorder', i % 2 ? { ids } : { ids: reversed }),
    );
    expect(answers.map((answer) => answer.statusCode)).toEqual(Array(6).fill(200));
  });

  it('parallel joins with one address that has an account send one confirmation link', async () => {
    const member = await createMember(ctx);
    const group = await createGroup(ctx, { visibility: 'private' });
    const made = (
      await admin.post('/api/v1/offers', { type: 'membership', title: 'Race Club', hubGroupIds: [group.id] })
    ).json();
    await admin.request('PUT', `/api/v1/offers/${made.id}/media/thumbnail`, await pngBytes(), {
      'content-type': 'image/png',
    });
    const offer = (await admin.patch(`/api/v1/offers/${made.id}`, { status: 'published' })).json();
    const body = new URLSearchParams({ email: member.email, name: 'Someone' }).toString();
    const join = () =>
      client(ctx).request('POST', `/checkout/${offer.slug}`, body, {
        'content-type': 'application/x-www-form-urlencoded',
      });
    const claimsSent = async () =>
      (
        await ctx.db
          .selectFrom('emails')
          .select('id')
          .where('toAddress', '=', member.email)
          .where('kind', '=', 'purchase_claim')
          .execute()
      ).length;
    const joins = await times(12, join);
    expect(joins.every((answer) => answer.statusCode < 500)).toBe(true);
    expect(await claimsSent()).toBe(1);

    // A quarter of an hour later, asking again sends the same join's link again.
    await ctx.db
      .updateTable('purchases')
      .set({ createdAt: Date.now() - 16 * 60_000 })
      .where('offerId', '=', offer.id)
      .execute();
    await times(3, join);
    expect(await claimsSent()).toBe(2);
    const waiting = await ctx.db
      .selectFrom('purchases')
      .select('id')
      .where('offerId', '=', offer.id)
      .where('status', '=', 'awaiting_confirmation')
      .execute();
    expect(waiting).toHaveLength(1);
  });
});
