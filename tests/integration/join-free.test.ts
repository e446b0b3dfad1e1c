// Free memberships end to end through the public pages: the checkout form, one fulfilment, the email,
// the signed-in browser, and what happens with addresses that already have accounts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Client,
  client,
  createGroup,
  createMember,
  createOwner,
  latestLinkToken,
  pngBytes,
  signIn,
  type TestGroup,
  type TestUser,
} from '../support/factories.ts';
import { seedBuyers } from '../support/seed.ts';
import { createTestContext, type TestContext } from '../support/test-app.ts';

let ctx: TestContext;
let owner: TestUser;
let admin: Client;
let yoga: TestGroup;
let offer: { id: string; slug: string };
const queries: string[] = [];

beforeAll(async () => {
  ctx = await createTestContext({ onQuery: (text) => queries.push(text) });
  owner = await createOwner(ctx);
  admin = await signIn(ctx, owner);
  yoga = await createGroup(ctx, { name: 'Yoga', visibility: 'private' });
  const created = (
    await admin.post('/api/v1/offers', { type: 'membership', title: 'Yoga Circle', hubGroupIds: [yoga.id] })
  ).json();
  await admin.request('PUT', `/api/v1/offers/${created.id}/media/thumbnail`, await pngBytes(), {
    'content-type': 'image/png',
  });
  offer = (await admin.patch(`/api/v1/offers/${created.id}`, { status: 'published' })).json();
});
afterAll(async () => ctx.close());

function form(values: Record<string, string>): string {
  return new URLSearchParams(values).toString();
}

async function join(browser: Client, values: Record<string, string>, slug = offer.slug) {
  return browser.request('POST', `/checkout/${slug}`, form(values), {
    'content-type': 'application/x-www-form-urlencoded',
  });
}

async function entitlementsOf(userId: string) {
  return ctx.db.selectFrom('entitlements').selectAll().where('userId', '=', userId).execute();
}

describe('the public offer pages', () => {
  it('serves the checkout page with its price, what it grants, social tags and a strict CSP; drafts only as an admin preview', async () => {
    const page = await client(ctx).get(`/offers/${offer.slug}`);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('<title>Yoga Circle · Guildhall</title>');
    expect(page.body).toContain('<meta property="og:title" content="Yoga Circle"/>');
    expect(page.body).toMatch(
      /<meta property="og:image" content="http:\/\/localhost:3000\/media\/[0-9a-f/]+\.webp"\/>/,
    );
    expect(page.body).toContain('Free');
    expect(page.body).toContain('Yoga');
    expect(page.body).toContain('Join for free');
    expect(page.body).not.toContain('<script');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.body.length).toBeLessThan(10_000);
    // A visitor: Sign in at the top, and Already a member? Sign in under the form, coming back here.
    expect(page.body).toMatch(/<a class="op-muted" href="\/login">Sign in<\/a>/);
    expect(page.body).toContain(
      `Already a member? <a href="/login?next=%2Fcheckout%2F${offer.slug}">Sign in</a>`,
    );

    const draft = (await admin.post('/api/v1/offers', { type: 'membership', title: 'Secret Draft' })).json();
    expect((await client(ctx).get(`/offers/${draft.slug}`)).statusCode).toBe(404);
    expect((await client(ctx).get(`/offers/${draft.slug}?preview=1`)).statusCode).toBe(404);
    expect(
      (await (await signIn(ctx, await createMember(ctx))).get(`/offers/${draft.slug}?preview=1`)).statusCode,
    ).toBe(404);
    const preview = await admin.get(`/offers/${draft.slug}?preview=1`);
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('Preview: only admins see this page');
    // Exactly the page a new visitor gets, form included (not the admin's signed-in one-click form).
    expect(preview.body).toContain('<label for="checkout-email">Email</label>');
    expect(preview.body).toContain(`action="/checkout/${draft.slug}?preview=1"`);
    expect(preview.body).toContain('Already a member?');
    // Sending it changes nothing, and says so; nobody else can send it.
    const purchasesBefore = await ctx.db.selectFrom('purchases').select('id').execute();
    const sent = await join(
      admin,
      { email: 'someone@example.test', name: 'Someone' },
      `${draft.slug}?preview=1`,
    );
    expect(sent.statusCode).toBe(200);
    expect(sent.body).toContain('This is a preview: nothing was sent, nobody joined and nobody paid.');
    expect(sent.body).toContain('value="someone@example.test"');
    expect(await ctx.db.selectFrom('purchases').select('id').execute()).toHaveLength(purchasesBefore.length);
    expect(
      (await join(client(ctx), { email: 'x@example.test', name: 'X' }, `${draft.slug}?preview=1`)).statusCode,
    ).toBe(404);
    expect((await client(ctx).get('/offers/no-such-offer')).body).toContain('This page does not exist');
  });

  it('shows the offer’s description under its title and in shared links; a long one is refused by name', async () => {
    const described = await admin.request('PATCH', `/api/v1/offers/${offer.id}`, {
      description: '  Morning flows for every level.  ',
    });
    expect(described.statusCode).toBe(200);
    expect(described.json().description).toBe('Morning flows for every level.');
    const page = await client(ctx).get(`/checkout/${offer.slug}`);
    expect(page.body).toContain('<p class="op-description">Morning flows for every level.</p>');
    expect(page.body).toContain('<meta property="og:description" content="Morning flows for every level."/>');
    const tooLong = await admin.request('PATCH', `/api/v1/offers/${offer.id}`, {
      description: 'x'.repeat(301),
    });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().error.details.fields[0]).toMatchObject({
      field: 'description',
      message: 'must be at most 300 characters',
    });
    await admin.request('PATCH', `/api/v1/offers/${offer.id}`, { description: '' });
    expect((await client(ctx).get(`/checkout/${offer.slug}`)).body).not.toContain('op-description');
  });

  it('links the creator’s terms and privacy policy at the foot of its pages; only http(s) links are taken', async () => {
    const refused = await admin.request('PATCH', '/api/v1/settings', { termsUrl: 'javascript:alert(1)' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.details.fields[0]).toMatchObject({ field: 'termsUrl' });
    const set = await admin.request('PATCH', '/api/v1/settings', {
      termsUrl: 'https://example.com/terms',
      privacyUrl: 'https://example.com/privacy',
    });
    expect(set.statusCode).toBe(200);
    const page = await client(ctx).get(`/checkout/${offer.slug}`);
    expect(page.body).toContain('<a href="https://example.com/terms" rel="noopener">Terms</a>');
    expect(page.body).toContain('<a href="https://example.com/privacy" rel="noopener">Privacy</a>');
    await admin.request('PATCH', '/api/v1/settings', { termsUrl: null, privacyUrl: '' });
    expect((await client(ctx).get(`/checkout/${offer.slug}`)).body).not.toContain('op-footer');
  });

  it('shows the landing page when enabled, and runs custom code only in its sandboxed frame on these pages', async () => {
    const created = (
      await admin.post('/api/v1/offers', {
        type: 'membership',
        title: 'Landing Club',
        hubGroupIds: [yoga.id],
        customCode: '<script>window.pixel = 1</script>',
        landingPage: {
          enabled: true,
          blocks: [
            {
              id: 'a',
              type: 'hero',
              heading: 'Breathe <b>deep</b>',
              subheading: 'Daily classes',
              showCover: true,
            },
            {
              id: 'b',
              type: 'faq',
              heading: 'Questions',
              items: [{ question: 'Cancel?', answer: 'Any time.' }],
            },
            { id: 'c', type: 'price', heading: 'Join', buttonLabel: 'Join the circle' },
          ],
        },
      })
    ).json();
    await admin.request('PUT', `/api/v1/offers/${created.id}/media/thumbnail`, await pngBytes(), {
      'content-type': 'image/png',
    });
    await admin.patch(`/api/v1/offers/${created.id}`, { status: 'published' });
    const page = await client(ctx).get(`/offers/${created.slug}?ref=partner1`);
    expect(page.body).toContain('Breathe &lt;b&gt;deep&lt;/b&gt;');
    expect(page.body.indexOf('Breathe')).toBeLessThan(page.body.indexOf('Cancel?'));
    expect(page.body).toContain(`href="/checkout/${created.slug}?ref=partner1"`);
    expect(page.body).toContain('Join the circle');
    expect(page.body).toContain(
      `<iframe class="op-custom-code" title="Offer scripts" src="/offers/${created.slug}/custom-code" sandbox="allow-scripts allow-popups"`,
    );
    expect(page.body).not.toContain('window.pixel');
    const frame = await client(ctx).get(`/offers/${created.slug}/custom-code`);
    expect(frame.body).toContain('<script>window.pixel = 1</script>');
    expect(frame.headers['content-security-policy']).toMatch(/^sandbox allow-scripts allow-popups;/);
    const checkout = await client(ctx).get(`/checkout/${created.slug}`);
    expect(checkout.body).toContain('sandbox="allow-scripts allow-popups"');
    expect((await client(ctx).get('/hub')).body).not.toContain('custom-code');
  });
});

describe('joining a free membership', () => {
  it('makes an account for a new address, grants the offer, emails a sign-in link and signs this browser in', async () => {
    const buyersBefore = (await admin.get(`/api/v1/offers/${offer.id}`)).json().buyerCount;
    const browser = client(ctx);
    const invalid = await join(browser, { email: 'not-an-email', name: '' });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.body).toContain('Enter an email address, like name@example.com');
    expect(invalid.body).toContain('Enter your name');
    expect(invalid.body).toContain('value="not-an-email"');
    expect(
      await ctx.db.selectFrom('users').select('id').where('email', '=', 'not-an-email').executeTakeFirst(),
    ).toBeUndefined();

    const joined = await join(browser, { email: 'New.Yogi@Example.test', name: 'New Yogi' });
    expect(joined.statusCode).toBe(303);
    expect(joined.headers.location).toMatch(new RegExp(`^/checkout/${offer.slug}/complete\\?purchase=`));
    const done = await browser.get(joined.headers.location as string);
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`/hub/g/${yoga.slug}`);
    // A leaked completion URL shows nothing to another browser.
    expect((await client(ctx).get(joined.headers.location as string)).headers.location).toBe('/hub');

    const me = (await browser.get('/api/v1/me')).json();
    expect(me).toMatchObject({
      email: 'new.yogi@example.test',
      name: 'New Yogi',
      role: 'member',
      emailVerified: false,
    });
    expect((await browser.get(`/api/v1/hub/groups/${yoga.id}/posts`)).statusCode).toBe(200);
    expect(await entitlementsOf(me.id)).toHaveLength(1);
    const listed = (await admin.get(`/api/v1/offers/${offer.id}`)).json();
    expect(listed.buyerCount).toBe(buyersBefore + 1);
    const paywall = (
      await (await signIn(ctx, await createMember(ctx))).get(`/api/v1/hub/groups/${yoga.id}`)
    ).json();
    expect(paywall.error.details.paywall.offers).toContainEqual({
      id: offer.id,
      title: 'Yoga Circle',
      slug: offer.slug,
      priceLabel: 'Free',
    });

    await ctx.drainJobs();
    const mail = await ctx.db
      .selectFrom('emails')
      .selectAll()
      .where('toAddress', '=', 'new.yogi@example.test')
      .executeTakeFirstOrThrow();
    expect(mail.kind).toBe('purchase_confirmation');
    expect(mail.subject).toBe('Welcome to Yoga Circle');
    expect(mail.text).toMatch(/\/auth\/verify-email\?token=/);

    // Joining again from the same browser changes nothing and says so.
    const again = await join(browser, { email: '', name: '', csrf: browser.cookies.gh_csrf ?? '' });
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain('You already have this membership');
    expect(await entitlementsOf(me.id)).toHaveLength(1);
  });

  it('adds the membership to an existing account only once its owner confirms through the emailed link', async () => {
    const existing = await createMember(ctx, { email: 'olive@example.test' });
    const stranger = client(ctx);
    const asked = await join(stranger, { email: 'olive@example.test', name: 'Not Olive' });
    expect(asked.statusCode).toBe(200);
    expect(asked.body).toContain('This address already has an account');
    expect(await entitlementsOf(existing.id)).toHaveLength(0);
    expect((await stranger.get('/api/v1/me')).statusCode).toBe(401);

    const token = await latestLinkToken(ctx, 'olive@example.test');
    const page = await client(ctx).get(`/checkout/claim?token=${token}`);
    expect(page.body).toContain('Confirm and join');
    expect(await entitlementsOf(existing.id)).toHaveLength(0);
    const olive = client(ctx);
    const claimed = await olive.request('POST', '/checkout/claim', form({ token }), {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(claimed.statusCode).toBe(303);
    expect(await entitlementsOf(existing.id)).toHaveLength(1);
    expect((await olive.get('/api/v1/me')).json().id).toBe(existing.id);
    const reused = await client(ctx).request('POST', '/checkout/claim', form({ token }), {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(reused.statusCode).toBe(400);
    expect(reused.body).toContain('already been used');
  });

  it('lets a signed-in member join with a click; without the form’s CSRF token the session is not used', async () => {
    const member = await createMember(ctx);
    const session = await signIn(ctx, member);
    const page = await session.get(`/checkout/${offer.slug}`);
    expect(page.body).toContain(`Joining as <strong>${member.name}</strong>`);
    // The page knows them: their name and their hub at the top, no sign-in anywhere.
    expect(page.body).toContain(`<a class="op-muted" href="/hub">${member.name} · Your hub</a>`);
    expect(page.body).not.toContain('Sign in');
    expect((await admin.get(`/offers/${offer.slug}`)).body).toMatch(/href="\/admin">[^<]+ · Dashboard<\/a>/);
    const forged = await join(session, { email: '', name: '' });
    expect(forged.statusCode).toBe(400);
    expect(await entitlementsOf(member.id)).toHaveLength(0);
    const joined = await join(session, { email: '', name: '', csrf: session.cookies.gh_csrf ?? '' });
    expect(joined.statusCode).toBe(303);
    expect(await entitlementsOf(member.id)).toHaveLength(1);
  });

  it('takes nothing from the owner of an address someone else joined with: the first verification ends other sessions', async () => {
    const squatter = client(ctx);
    await join(squatter, { email: 'real-owner@example.test', name: 'Squatter' });
    expect((await squatter.get('/api/v1/me')).statusCode).toBe(200);
    await ctx.drainJobs();
    const token = await latestLinkToken(ctx, 'real-owner@example.test');
    const realOwner = client(ctx);
    expect((await realOwner.post('/api/v1/auth/verify-email', { token })).statusCode).toBe(200);
    expect((await realOwner.get('/api/v1/me')).json().emailVerified).toBe(true);
    expect((await squatter.get('/api/v1/me')).statusCode).toBe(401);
  });

  it('refuses joining an archived offer', async () => {
    const created = (
      await admin.post('/api/v1/offers', { type: 'membership', title: 'Old Club', hubGroupIds: [yoga.id] })
    ).json();
    await admin.request('PUT', `/api/v1/offers/${created.id}/media/thumbnail`, await pngBytes(), {
      'content-type': 'image/png',
    });
    await admin.patch(`/api/v1/offers/${created.id}`, { status: 'published' });
    await admin.post(`/api/v1/offers/${created.id}/archive`);
    expect(
      (await join(client(ctx), { email: 'late@example.test', name: 'Late' }, created.slug)).statusCode,
    ).toBe(404);
  });
});

describe('a Community Permissions change at scale', () => {
  it('issues the same number of queries with 1 000 and with 100 000 buyers', async () => {
    const a = await createGroup(ctx, { visibility: 'private' });
    const b = await createGroup(ctx, { visibility: 'private' });
    const counts: number[] = [];
    for (const [size, prefix] of [
      [1_000, 'small'],
      [100_000, 'large'],
    ] as const) {
      const created = (
        await admin.post('/api/v1/offers', {
          type: 'membership',
          title: `Scale ${size}`,
          hubGroupIds: [a.id],
        })
      ).json();
      await seedBuyers(ctx.db, ctx.engine, created.id, size, prefix);
      queries.length = 0;
      const saved = await admin.patch(`/api/v1/offers/${created.id}`, { hubGroupIds: [a.id, b.id] });
      expect(saved.statusCode).toBe(200);
      counts.push(queries.length);
      const buyer = await ctx.db
        .selectFrom('users')
        .select(['id', 'email'])
        .where('id', '=', `${prefix}-${size}`)
        .executeTakeFirstOrThrow();
      expect(
        await ctx.services.access.canEnter(
          { userId: buyer.id, role: 'member', email: buyer.email, name: '', via: 'session', sessionId: null },
          b.id,
        ),
      ).toBe(true);
    }
    expect(counts[0]).toBeGreaterThan(0);
    expect(counts[1]).toBe(counts[0]);
  }, 120_000);
});
