// Customer Resell Rights in Chromium, as the people click it, each in a browser of their own: member A
// buys a resellable $50 offer on her phone and copies her link from Become a Partner; visitor B opens
// it on his phone and buys with his own email; A sees the $15 (30 %) commission; the creator marks it
// paid in Affiliates; A sees it paid; the creator refunds B in full from B's user card; A sees the
// commission reversed and the $15 already paid out as a balance to be absorbed. Stripe is the
// emulator: its real pay page, its refunds, its signed webhooks reaching the running Guildhall.
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StripeEmulator, startStripeEmulator } from '../../tools/stripe-emulator/index.ts';
import { expectAccessible } from '../support/axe.ts';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';
import { signInAs } from '../support/e2e-pages.ts';
import { type E2eServer, startE2eServer } from '../support/e2e-server.ts';

const PASSWORD = 'a long enough password';
const STRIPE_KEY = 'sk_test_guildhall_e2e_affiliates';
const TITLE = 'Yoga Teacher Circle';
const A = { email: 'ana@example.test', name: 'Ana Affiliate' };
const B = { email: 'ben@example.test', name: 'Ben Buyer' };
/** A member's phone. */
const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 1,
  locale: 'en-US',
};

let emulator: StripeEmulator;
let server: E2eServer;
let chromium: TestBrowser;
let creator: Page;
let offerUrl: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  emulator = await startStripeEmulator({ port: 0, webhookRetryDelaysMs: [200, 500, 1000] });
  [server, chromium] = await Promise.all([startE2eServer({ STRIPE_API_URL: emulator.url }), launchBrowser()]);
  const { auth, hub, users, stripe, offers } = server.server.services;
  await auth.createOwner({ email: 'owner@example.test', password: PASSWORD, name: 'Olga Owner' });
  const operator = await users.operatorActor();
  const yoga = await hub.createGroup(operator, { name: 'Yoga', visibility: 'private' });
  // Setup through the services (stripe-journey clicks these): Stripe connected, and a published
  // $50.00 one-time offer with resell rights at 30 %, granting the Yoga group, with a thumbnail.
  await stripe.connect(operator, { secretKey: STRIPE_KEY });
  const offer = await offers.createOffer(operator, {
    type: 'membership',
    title: TITLE,
    pricing: { model: 'one_time', amountMinor: 5000, currency: 'usd' },
    hubGroupIds: [yoga.id],
    resell: { enabled: true, commissionPercent: 30, description: 'Share it with teachers you know.' },
  });
  const png = await sharp({ create: { width: 600, height: 600, channels: 3, background: '#2f5d4a' } })
    .png()
    .toBuffer();
  await offers.uploadMedia(operator, offer.row.id, 'thumbnail', png);
  await offers.updateOffer(operator, offer.row.id, { status: 'published' });
  offerUrl = `${server.baseUrl}/offers/${offer.row.slug}`;
  creator = await signInAs(chromium.browser, server.baseUrl, 'owner@example.test', PASSWORD, /\/admin$/);
  creator.on('pageerror', (e) => pageErrors.push(`creator: ${e.message}`));
});
afterAll(async () => {
  await chromium?.close();
  await server?.close();
  await emulator?.close();
});

async function phone(browser: Browser, name: string): Promise<Page> {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`${name}: ${e.message}`));
  return page;
}

/** Webhooks arrive asynchronously: wait for what a person sees, never sleep. */
const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 15_000, interval: 200 });

/** The offer page (as opened), the person's email and name, Buy now, Stripe's page, 4242, Pay. */
async function buyOnPhone(buyer: Page, person: { email: string; name: string }) {
  await buyer.getByLabel('Email').fill(person.email);
  await buyer.getByLabel('Name').fill(person.name);
  await buyer.getByRole('button', { name: /^Buy now · \$50/ }).click();
  await buyer.waitForURL(`${emulator.url}/c/pay/**`);
  expect(await buyer.getByLabel('Email').inputValue()).toBe(person.email);
  expect((await buyer.locator('main').textContent()) ?? '').toContain('$50.00');
  await buyer.getByLabel('Card number').fill('4242 4242 4242 4242');
  await buyer.getByLabel('Name on card').fill(person.name);
  await buyer.getByRole('button', { name: 'Pay', exact: true }).click();
  // Back from Stripe: signed in and inside the group (through the welcome page if there is one).
  await buyer.waitForURL(
    (url) =>
      url.origin === server.baseUrl && (url.pathname === '/hub/g/yoga' || url.pathname.endsWith('/complete')),
  );
  if (new URL(buyer.url()).pathname.endsWith('/complete')) {
    await buyer.getByRole('link', { name: 'Continue' }).click();
  }
  await buyer.waitForURL(`${server.baseUrl}/hub/g/yoga`);
  await poll(() => buyer.getByRole('button', { name: 'Write something…' }).count()).toBe(1);
}

/** Become a Partner, freshly loaded: the totals and the sales table, as A reads them. */
async function partnerPage(page: Page) {
  await page.reload();
  await page.getByRole('heading', { name: 'Last 90 days' }).waitFor();
  const totals = page.getByRole('region', { name: 'Your commissions' });
  const byTerm: Record<string, string> = {};
  if (await totals.count()) {
    const pairs = await totals
      .locator('dl')
      .evaluate((dl) =>
        [...dl.querySelectorAll('dt')].map(
          (dt) => [dt.textContent ?? '', dt.nextElementSibling?.textContent ?? ''] as const,
        ),
      );
    // "Pending (held while refunds can happen)" → "Pending"; "To be absorbed" stays whole.
    for (const [term, value] of pairs) byTerm[term.replace(/ \(.*\)$/, '')] = value;
  }
  // Each sale: the offer, "<date> · <buyer> paid <amount>", then the commission and its state.
  const sales = await page
    .getByRole('region', { name: 'Sales through your links' })
    .locator('li')
    .evaluateAll((items) =>
      items.map((item) => {
        const [left, right] = [...item.children];
        const [title, line] = [...(left?.children ?? [])].map((el) => el.textContent ?? '');
        const match = /· (.+) paid (.+)$/.exec(line ?? '');
        const commission = right?.querySelector('strong')?.textContent ?? '';
        const state = (right?.querySelector('.muted')?.textContent ?? '').replace(/ until .*$/, '');
        return [title ?? '', match?.[1] ?? '', match?.[2] ?? '', commission, state];
      }),
    );
  return { totals: byTerm, sales };
}

// A journey: its steps run in order (the suite shuffles tests elsewhere).
describe('reselling an offer through a member’s link, in the browser', { shuffle: false }, () => {
  it('A buys and shares her link; B buys through it; A earns 30 %, is paid by hand, and sees B’s refund reversed', async () => {
    // A, on her phone, buys the $50 offer.
    const ana = await phone(chromium.browser, 'A');
    await ana.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.baseUrl });
    await ana.goto(offerUrl);
    expect(await ana.getByRole('heading', { name: TITLE }).count()).toBe(1);
    await buyOnPhone(ana, A);

    // Become a Partner: her program, her link, Copy.
    await ana.getByRole('link', { name: 'Become a Partner' }).click();
    await ana.waitForURL(`${server.baseUrl}/hub/partner`);
    const program = ana.getByRole('region', { name: TITLE });
    await program.waitFor();
    expect(await program.textContent()).toContain('30%');
    expect(await program.textContent()).toContain('Share it with teachers you know.');
    const linkField = program.getByRole('textbox', { name: 'Your link' });
    const shown = await linkField.inputValue();
    expect(shown).toMatch(new RegExp(`^${offerUrl}\\?ref=[a-z2-9]{8}$`));
    expect(await linkField.getAttribute('readonly')).not.toBeNull();
    await program.getByRole('button', { name: 'Copy' }).click();
    await poll(() => program.getByRole('button', { name: 'Copied' }).count()).toBe(1);
    const copied = await ana.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(shown);
    expect(await program.getByRole('img', { name: `QR code for your link to ${TITLE}` }).count()).toBe(1);
    expect(await program.textContent()).toContain('0 clicks · 0 sales');
    await expectAccessible(ana, 'affiliates-journey-1-partner-link-phone');
    await ana.screenshot({ path: '/tmp/affiliates-journey-1-partner-link-phone.png', fullPage: true });

    // The clock advancing past the hold, stood in for: Guildhall's clock in e2e is the real clock, so
    // the hold is 0 days when B pays, and his sale's commission is payable at once (a commission's
    // payable date is fixed at the sale: paid at + the hold).
    await server.server.services.settings.updateSettings({ commissionHoldDays: 0 });

    // B, on his own phone, opens the link A sent him and buys with his own email.
    const ben = await phone(chromium.browser, 'B');
    await ben.goto(copied);
    expect(await ben.getByRole('heading', { name: TITLE }).count()).toBe(1);
    await expectAccessible(ben, 'affiliates-journey-2-offer-through-link-phone');
    await ben.screenshot({ path: '/tmp/affiliates-journey-2-offer-through-link-phone.png', fullPage: true });
    await buyOnPhone(ben, B);

    // A's commission: 30 % of $50.00 is $15.00, for a sale to b…@example.test.
    await poll(async () => (await partnerPage(ana)).sales).toEqual([
      [TITLE, 'b…@example.test', '$50.00', '$15.00', 'Payable'],
    ]);
    expect((await partnerPage(ana)).totals).toEqual({
      Pending: '$0.00',
      Payable: '$15.00',
      Paid: '$0.00',
      Reversed: '$0.00',
    });
    expect(await program.textContent()).toContain('1 click · 1 sale');
    await expectAccessible(ana, 'affiliates-journey-3-commission-phone');
    await ana.screenshot({ path: '/tmp/affiliates-journey-3-commission-phone.png', fullPage: true });
    const saleMail = await server.smtp.waitFor(
      (m) => JSON.stringify(m.to).includes(A.email) && /You earned/.test(m.subject ?? ''),
    );
    expect(saleMail.subject).toBe(`You earned $15 from a sale of ${TITLE}`);

    // The creator, at a desk: Affiliates → A's row → Mark paid, with a reference.
    await creator.getByRole('link', { name: 'Affiliates' }).click();
    await creator.waitForURL(`${server.baseUrl}/admin/affiliates`);
    const anaRow = creator.getByRole('row').filter({ hasText: A.email });
    await anaRow.waitFor();
    expect(await anaRow.locator('td').allTextContents()).toEqual([
      `${A.name}${A.email}`,
      '1',
      '1',
      '$50.00',
      '$0.00',
      '$15.00',
      '$0.00',
      '—',
      'Mark paid',
    ]);
    await anaRow.getByRole('button', { name: 'Mark paid' }).click();
    const dialog = creator.getByRole('dialog', { name: 'Mark as paid?' });
    expect(await dialog.textContent()).toContain(`Records that you paid $15.00 to ${A.email}`);
    await dialog.getByLabel('Reference (optional)').fill('Wise 4711');
    await expectAccessible(creator, 'affiliates-journey-4-mark-paid-desktop');
    await creator.screenshot({ path: '/tmp/affiliates-journey-4-mark-paid-desktop.png', fullPage: true });
    await dialog.getByRole('button', { name: 'Mark paid' }).click();
    await poll(() => creator.getByRole('status').textContent()).toBe(`$15.00 paid to ${A.email}.`);
    await poll(async () => (await anaRow.locator('td').allTextContents()).slice(4, 7)).toEqual([
      '$0.00',
      '$0.00',
      '$15.00',
    ]);
    expect(await anaRow.getByRole('button', { name: 'Mark paid' }).count()).toBe(0);
    await creator.getByRole('tab', { name: 'Payouts' }).click();
    const payoutRow = creator.getByRole('row').filter({ hasText: A.email });
    await poll(async () => (await payoutRow.locator('td').allTextContents()).slice(1)).toEqual([
      A.email,
      '$15.00',
      'By hand · Wise 4711',
      'Paid',
    ]);

    // A sees it paid.
    await poll(async () => (await partnerPage(ana)).sales).toEqual([
      [TITLE, 'b…@example.test', '$50.00', '$15.00', 'Paid'],
    ]);
    expect((await partnerPage(ana)).totals).toEqual({
      Pending: '$0.00',
      Payable: '$0.00',
      Paid: '$15.00',
      Reversed: '$0.00',
    });
    expect(await ana.getByRole('region', { name: 'Getting paid' }).textContent()).toContain(
      'Last payout: $15.00',
    );

    // The creator refunds B in full: Users → B's card → Refund on his payment → Refund.
    await creator.getByRole('link', { name: 'Users' }).click();
    await creator.getByLabel('Search users').fill(B.email);
    await creator.getByRole('link', { name: B.name }).click();
    await creator.waitForURL(/\/admin\/users\/[0-9a-f-]{36}$/);
    const payments = creator.getByRole('region', { name: 'Purchases and payments' });
    const payment = payments.getByRole('listitem').filter({ hasText: '$50.00' });
    await payment.getByRole('button', { name: 'Refund' }).click();
    const amount = payment.getByLabel('Amount to refund');
    expect(await amount.inputValue()).toBe('');
    expect(await payment.textContent()).toContain('Empty refunds all that is left: $50.00.');
    await expectAccessible(creator, 'affiliates-journey-5-refund-desktop');
    await creator.screenshot({ path: '/tmp/affiliates-journey-5-refund-desktop.png', fullPage: true });
    await payment.getByRole('button', { name: 'Refund' }).click();
    await poll(async () => {
      await creator.reload();
      return (await payments.textContent()) ?? '';
    }).toContain('refunded $50.00');

    // A sees the reversal, and the $15 paid out before it as a balance later sales absorb.
    await poll(async () => (await partnerPage(ana)).sales).toEqual([
      [TITLE, 'b…@example.test', '$50.00', '$0.00', 'Reversed'],
    ]);
    const { totals } = await partnerPage(ana);
    expect(totals).toEqual({
      Pending: '$0.00',
      Payable: '$0.00',
      'To be absorbed': '$15.00 (a refund after a payout; later commissions cover it)',
      Paid: '$15.00',
      Reversed: '$15.00',
    });
    await expectAccessible(ana, 'affiliates-journey-6-reversed-phone');
    await ana.screenshot({ path: '/tmp/affiliates-journey-6-reversed-phone.png', fullPage: true });

    // The creator's Affiliates page agrees: A owes $15.00 back to later commissions.
    await creator.getByRole('link', { name: 'Affiliates' }).click();
    await poll(async () => (await anaRow.locator('td').allTextContents()).slice(4, 7)).toEqual([
      '$0.00',
      '-$15.00',
      '$15.00',
    ]);
    await creator.getByRole('tab', { name: 'Commissions' }).click();
    // The creator sees the buyer's whole address; A sees it masked.
    const commissionRow = creator.getByRole('row').filter({ hasText: B.email });
    await poll(async () => (await commissionRow.locator('td').allTextContents()).slice(1)).toEqual([
      A.email,
      TITLE,
      B.email,
      '$50.00',
      '$0.00 (30%)',
      'Reversed',
    ]);
    await expectAccessible(creator, 'affiliates-journey-7-commissions-desktop');
    await creator.screenshot({ path: '/tmp/affiliates-journey-7-commissions-desktop.png', fullPage: true });

    await ben.context().close();
    await ana.context().close();
    expect(pageErrors).toEqual([]);
  });
});
