import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Client,
  client,
  connectStripe,
  createEntitlement,
  createGroup,
  createMember,
  createOwner,
  disconnectStripe,
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

async function offerRowCount(): Promise<number> {
  const row = await ctx.db
    .selectFrom('offers')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function publishedFreeOffer(
  title: string,
  groups: { id: string }[],
  extra: Record<string, unknown> = {},
) {
  const created = (
    await admin.post('/api/v1/offers', {
      type: 'membership',
      title,
      hubGroupIds: groups.map((g) => g.id),
      ...extra,
    })
  ).json();
  await admin.request('PUT', `/api/v1/offers/${created.id}/media/thumbnail`, await pngBytes(), {
    'content-type': 'image/png',
  });
  const published = await admin.patch(`/api/v1/offers/${created.id}`, { status: 'published' });
  expect(published.statusCode).toBe(200);
  return published.json();
}

describe('the Digital Offers editor', () => {
  it('creates a Membership draft, lists it with the price as a buyer reads it, and edits every field', async () => {
    const group = await createGroup(ctx, { name: 'Weight Training', visibility: 'private' });
    const created = await admin.post('/api/v1/offers', { type: 'membership', title: 'Weight Training Club' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      type: 'membership',
      title: 'Weight Training Club',
      slug: 'weight-training-club',
      status: 'draft',
      priceLabel: 'Free',
      buyerCount: 0,
      revenue: { amountMinor: 0, currency: 'usd' },
      publicUrl: '/offers/weight-training-club',
    });
    const id = created.json().id;
    const saved = await admin.patch(`/api/v1/offers/${id}`, {
      hubGroupIds: [group.id],
      confirmationEmail: { subject: 'Welcome, {{buyer_name}}!', body: 'Lift on.' },
      destination: { customUrl: 'https://example.com/thanks' },
      customCode: '<script>console.log(1)</script>',
      landingPage: {
        enabled: true,
        blocks: [{ id: 'b1', type: 'hero', heading: 'Lift', subheading: 'Strong', showCover: true }],
      },
    });
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toMatchObject({
      hubGroupIds: [group.id],
      confirmationEmail: { subject: 'Welcome, {{buyer_name}}!', body: 'Lift on.' },
      destination: { customUrl: 'https://example.com/thanks' },
      landingPage: { enabled: true, blocks: [{ type: 'hero', heading: 'Lift' }] },
    });
    const list = (await admin.get('/api/v1/offers?search=weight')).json().data;
    expect(list[0]).toMatchObject({ title: 'Weight Training Club', priceLabel: 'Free', status: 'draft' });
    const preview = await admin.post(`/api/v1/offers/${id}/confirmation-email/preview`, {
      subject: 'Hi {{buyer_name}} — {{offer_title}}',
      body: 'Go: {{login_link}}',
    });
    expect(preview.json().subject).toBe('Hi Alex Example — Weight Training Club');
    expect(preview.json().text).toContain('Go: http://localhost:3000/auth/magic?token=example');
    expect(preview.json().leftOut).toEqual([]);
    // No support email is set: the preview says its paragraph would be left out, and leaves it out.
    const blank = await admin.post(`/api/v1/offers/${id}/confirmation-email/preview`, {
      subject: 'Hi',
      body: 'Welcome.\n\nQuestions? Write to {{support_email}}.',
    });
    expect(blank.json().leftOut).toEqual(['support_email']);
    expect(blank.json().text).not.toContain('Write to');
    const test = await admin.post(`/api/v1/offers/${id}/confirmation-email/test`, {
      to: 'me@example.test',
      subject: '',
      body: '',
    });
    expect(test.statusCode).toBe(202);
  });

  it('applies Stripe’s minimum per currency first, then asks for a Stripe connection that can take charges', async () => {
    await disconnectStripe(ctx);
    const { id } = (await admin.post('/api/v1/offers', { type: 'membership', title: 'Paid Club' })).json();
    const below = await admin.patch(`/api/v1/offers/${id}`, {
      pricing: { model: 'one_time', amountMinor: 49, currency: 'USD' },
    });
    expect(below.statusCode).toBe(400);
    expect(below.json().error).toMatchObject({
      code: 'price_below_minimum',
      details: { minimum: { amountMinor: 50, currency: 'usd' } },
    });
    expect(below.json().error.details.fields[0].field).toBe('pricing.amountMinor');

    const notConnected = await admin.patch(`/api/v1/offers/${id}`, {
      pricing: { model: 'one_time', amountMinor: 50, currency: 'usd' },
    });
    expect(notConnected.statusCode).toBe(409);
    expect(notConnected.json().error.code).toBe('stripe_not_connected');
    expect(notConnected.json().error.message).toContain('Settings → Stripe');

    await connectStripe(ctx, {
      chargesEnabled: false,
      requirements: ['external_account', 'individual.verification.document'],
    });
    const disabled = await admin.patch(`/api/v1/offers/${id}`, {
      pricing: { model: 'one_time', amountMinor: 50, currency: 'usd' },
    });
    expect(disabled.json().error).toMatchObject({
      code: 'stripe_charges_disabled',
      details: { requirements: ['external_account', 'individual.verification.document'] },
    });
    expect(disabled.json().error.message).toContain('external_account');
    expect((await admin.get(`/api/v1/offers/${id}`)).json().priceLabel).toBe('Free');

    await connectStripe(ctx);
    for (const [pricing, ok] of [
      [{ model: 'one_time', amountMinor: 49, currency: 'jpy' }, false],
      [{ model: 'one_time', amountMinor: 50, currency: 'jpy' }, true],
      [{ model: 'one_time', amountMinor: 29, currency: 'gbp' }, false],
      [{ model: 'one_time', amountMinor: 30, currency: 'gbp' }, true],
      [
        {
          model: 'recurring',
          amountMinor: 999,
          currency: 'usd',
          interval: 'month',
          intervalCount: 1,
          trialDays: 7,
        },
        true,
      ],
      [
        { model: 'recurring', amountMinor: 999, currency: 'usd', interval: 'month', intervalCount: 13 },
        false,
      ],
      [{ model: 'recurring', amountMinor: 999, currency: 'usd', interval: 'fortnight' }, false],
      [{ model: 'one_time', amountMinor: 999, currency: 'xyz' }, false],
    ] as const) {
      const response = await admin.patch(`/api/v1/offers/${id}`, { pricing });
      expect(response.statusCode, JSON.stringify(pricing)).toBe(ok ? 200 : 400);
    }
    expect((await admin.get(`/api/v1/offers/${id}`)).json().priceLabel).toBe('$9.99 / month');
    await disconnectStripe(ctx);
  });

  it('refuses bad fields, naming each, and writes nothing', async () => {
    const { id } = (
      await admin.post('/api/v1/offers', { type: 'membership', title: 'Validation Club' })
    ).json();
    const before = (await admin.get(`/api/v1/offers/${id}`)).json();
    const count = await offerRowCount();
    const cases: [Record<string, unknown>, string][] = [
      [{ title: '' }, 'title'],
      [{ slug: 'Bad Slug' }, 'slug'],
      [{ destination: { customUrl: 'javascript:alert(1)' } }, 'destination.customUrl'],
      [{ destination: { customUrl: 'not a url' } }, 'destination.customUrl'],
      [{ resell: { enabled: true, commissionPercent: 20 } }, 'resell.enabled'],
      [{ hubGroupIds: ['no-such-group'] }, 'hubGroupIds'],
      [{ status: 'published' }, 'thumbnail'],
      [{ landingPage: { blocks: [{ type: 'marquee' }] } }, 'landingPage.blocks.0.type'],
      [
        { landingPage: { blocks: [{ type: 'image', imageUrl: 'https://evil.example/x.png' }] } },
        'landingPage.blocks.0.imageUrl',
      ],
      [{ customCode: 'x'.repeat(60_000) }, 'customCode'],
    ];
    for (const [body, field] of cases) {
      const response = await admin.patch(`/api/v1/offers/${id}`, body);
      expect(response.statusCode, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(response.json().error.details.fields.map((f: { field: string }) => f.field)).toContain(field);
    }
    await connectStripe(ctx);
    for (const commissionPercent of [0, 91, 12.5, null]) {
      const response = await admin.patch(`/api/v1/offers/${id}`, {
        pricing: { model: 'one_time', amountMinor: 1000, currency: 'usd' },
        resell: { enabled: true, commissionPercent },
      });
      expect(response.json().error.details.fields[0].field).toBe('resell.commissionPercent');
    }
    await disconnectStripe(ctx);
    const other = (await admin.post('/api/v1/offers', { type: 'membership', title: 'Taken Slug' })).json();
    const duplicate = await admin.patch(`/api/v1/offers/${id}`, { slug: other.slug });
    expect(duplicate.statusCode).toBe(409);
    expect(
      (await admin.post('/api/v1/offers', { type: 'course', title: 'X' })).json().error.details.fields[0]
        .field,
    ).toBe('type');
    expect(await offerRowCount()).toBe(count + 1);
    expect((await admin.get(`/api/v1/offers/${id}`)).json()).toEqual(before);
  });

  it('takes thumbnail and cover images, refuses SVG, fakes and oversized files', async () => {
    const { id } = (await admin.post('/api/v1/offers', { type: 'membership', title: 'Media Club' })).json();
    const thumb = await admin.request(
      'PUT',
      `/api/v1/offers/${id}/media/thumbnail`,
      await pngBytes(1200, 900),
      { 'content-type': 'image/png' },
    );
    expect(thumb.statusCode).toBe(200);
    expect(thumb.json().offer.thumbnailUrl).toMatch(/^\/media\/.+\.webp$/);
    const cover = await admin.request('PUT', `/api/v1/offers/${id}/media/cover`, await pngBytes(2400, 1000), {
      'content-type': 'image/png',
    });
    expect(cover.json().offer.coverUrl).toMatch(/^\/media\/.+\.webp$/);
    const svg = await admin.request(
      'PUT',
      `/api/v1/offers/${id}/media/thumbnail`,
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'),
      { 'content-type': 'image/svg+xml' },
    );
    expect(svg.json().error.details.fields[0]).toEqual({
      field: 'image',
      message: 'must be a PNG, JPEG, WebP or GIF image',
    });
    const fake = await admin.request(
      'PUT',
      `/api/v1/offers/${id}/media/cover`,
      Buffer.from('GIF89a garbage'),
      { 'content-type': 'image/gif' },
    );
    expect(fake.json().error.details.fields[0].message).toBe('is not a readable image');
    expect(
      (
        await admin.request('PUT', `/api/v1/offers/${id}/media/cover`, Buffer.alloc(6 * 1024 * 1024, 7), {
          'content-type': 'image/png',
        })
      ).statusCode,
    ).toBe(413);
    expect((await admin.get(`/api/v1/offers/${id}`)).json().coverUrl).toBe(cover.json().offer.coverUrl);
    const landing = await admin.request('PUT', `/api/v1/offers/${id}/media/landing`, await pngBytes(), {
      'content-type': 'image/png',
    });
    const saved = await admin.patch(`/api/v1/offers/${id}`, {
      landingPage: {
        blocks: [{ id: 'i', type: 'image', imageUrl: landing.json().url, alt: 'Gym', caption: '' }],
      },
    });
    expect(saved.statusCode).toBe(200);
  });

  it('archives (buyers keep access, no new buyers) and deletes only without buyers', async () => {
    const group = await createGroup(ctx, { visibility: 'private' });
    const offer = await publishedFreeOffer('Archive Club', [group]);
    const buyer = await createMember(ctx);
    await createEntitlement(ctx, buyer, offer);
    const session = await signIn(ctx, buyer);
    expect((await admin.delete(`/api/v1/offers/${offer.id}`)).json().error.code).toBe('offer_has_buyers');
    expect((await admin.post(`/api/v1/offers/${offer.id}/archive`)).json().status).toBe('archived');
    expect((await session.get(`/api/v1/hub/groups/${group.id}/posts`)).statusCode).toBe(200);
    expect((await client(ctx).get(`/offers/${offer.slug}`)).statusCode).toBe(404);
    const empty = (await admin.post('/api/v1/offers', { type: 'membership', title: 'Empty Club' })).json();
    expect((await admin.delete(`/api/v1/offers/${empty.id}`)).statusCode).toBe(204);
    expect((await admin.get(`/api/v1/offers/${empty.id}`)).statusCode).toBe(404);
  });

  it('is for staff', async () => {
    const member = await signIn(ctx, await createMember(ctx));
    expect((await member.get('/api/v1/offers')).statusCode).toBe(403);
    expect((await member.post('/api/v1/offers', { type: 'membership', title: 'Mine' })).statusCode).toBe(403);
    expect((await client(ctx).get('/api/v1/offers')).statusCode).toBe(401);
  });
});

describe('Updating Buyers Permissions (the reference page’s example)', () => {
  it('adds Yoga to Weight Training: every existing buyer enters Yoga at once; removing it takes it back', async () => {
    const weights = await createGroup(ctx, { name: 'Weight Training', visibility: 'private' });
    const yoga = await createGroup(ctx, { name: 'Yoga', visibility: 'private' });
    const offer = await publishedFreeOffer('Weight Training', [weights]);
    const buyers = await Promise.all([1, 2, 3].map(() => createMember(ctx)));
    for (const buyer of buyers) await createEntitlement(ctx, buyer, offer);
    // A buyer whose access has ended is not reached by the change, and the preview does not count them.
    await createEntitlement(ctx, await createMember(ctx), offer, { state: 'ended' });
    const sessions = await Promise.all(buyers.map((buyer) => signIn(ctx, buyer)));
    for (const session of sessions)
      expect((await session.get(`/api/v1/hub/groups/${yoga.id}/posts`)).statusCode).toBe(403);

    const impact = (
      await admin.get(`/api/v1/offers/${offer.id}/permission-impact?hubGroupIds=${weights.id},${yoga.id}`)
    ).json();
    expect(impact).toEqual({ buyerCount: 3, added: [{ id: yoga.id, name: 'Yoga', buyers: 3 }], removed: [] });
    expect(
      (await admin.patch(`/api/v1/offers/${offer.id}`, { hubGroupIds: [weights.id, yoga.id] })).statusCode,
    ).toBe(200);
    for (const session of sessions)
      expect((await session.get(`/api/v1/hub/groups/${yoga.id}/posts`)).statusCode).toBe(200);

    const removal = (
      await admin.get(`/api/v1/offers/${offer.id}/permission-impact?hubGroupIds=${weights.id}`)
    ).json();
    expect(removal.removed).toEqual([{ id: yoga.id, name: 'Yoga', buyers: 3 }]);
    await admin.patch(`/api/v1/offers/${offer.id}`, { hubGroupIds: [weights.id] });
    for (const session of sessions)
      expect((await session.get(`/api/v1/hub/groups/${yoga.id}/posts`)).statusCode).toBe(403);
    const noGroups = await admin.patch(`/api/v1/offers/${offer.id}`, { hubGroupIds: [] });
    expect(noGroups.json().error.details.fields[0].field).toBe('hubGroupIds');
  });
});

describe('stored landing blocks', () => {
  it('are read against their schema once: a block an older version wrote in another shape is left out', async () => {
    const group = await createGroup(ctx, { name: 'Stored Blocks', visibility: 'private' });
    const offer = await publishedFreeOffer('Stored Blocks', [group]);
    const stored = [
      { id: 'a', type: 'text', body: 'Still here' },
      { id: 'b', type: 'carousel', slides: [] },
      { id: 'c', type: 'hero', heading: 42 },
    ];
    await ctx.db
      .updateTable('offers')
      .set({ landingBlocks: JSON.stringify(stored), landingEnabled: 1 })
      .where('id', '=', offer.id)
      .execute();
    const read = (await admin.get(`/api/v1/offers/${offer.id}`)).json();
    expect(read.landingPage.blocks).toEqual([{ id: 'a', type: 'text', body: 'Still here' }]);
    const page = await client(ctx).get(`/offers/${offer.slug}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Still here');
  });
});

describe('the public pages, kept per version of what they show', () => {
  it('show every change at once: the offer, its landing page, a granted group, the platform name', async () => {
    const group = await createGroup(ctx, { name: 'Kept Pages Circle', visibility: 'private' });
    const offer = await publishedFreeOffer('Kept Pages', [group], {
      landingPage: { enabled: true, blocks: [{ id: 't', type: 'text', body: 'First words' }] },
    });
    const visitor = client(ctx);
    const landing = async () => (await visitor.get(`/offers/${offer.slug}`)).body;
    const checkout = async () => (await visitor.get(`/checkout/${offer.slug}`)).body;
    // The same page twice (the second kept), then each change seen on the next visit.
    expect(await landing()).toBe(await landing());
    expect(await checkout()).toBe(await checkout());
    expect(await landing()).toContain('First words');

    await admin.patch(`/api/v1/offers/${offer.id}`, {
      landingPage: { enabled: true, blocks: [{ id: 't', type: 'text', body: 'Second words' }] },
    });
    expect(await landing()).toContain('Second words');
    await admin.patch(`/api/v1/offers/${offer.id}`, { title: 'Kept Pages Renamed' });
    expect(await landing()).toContain('Kept Pages Renamed');
    expect(await checkout()).toContain('Kept Pages Renamed');

    expect(await checkout()).toContain('Kept Pages Circle');
    await admin.patch(`/api/v1/hub-groups/${group.id}`, { name: 'Renamed Circle' });
    expect(await checkout()).toContain('Renamed Circle');

    await admin.patch('/api/v1/settings', { platformName: 'Kept Platform' });
    expect(await landing()).toContain('Kept Platform');
    expect(await checkout()).toContain('Kept Platform');

    await admin.patch(`/api/v1/offers/${offer.id}`, { status: 'archived' });
    expect((await visitor.get(`/offers/${offer.slug}`)).statusCode).toBe(404);
  });
});
