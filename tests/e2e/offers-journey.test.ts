// The reference page, followed literally in the browser for a Free membership, then a visitor joining
// with a separate email; and the Landing Page tab, and the custom code's sandbox.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from '../support/axe.ts';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';
import { signInAs } from '../support/e2e-pages.ts';
import { type E2eServer, startE2eServer } from '../support/e2e-server.ts';
import { linkIn } from '../support/smtp.ts';

let server: E2eServer;
let chromium: TestBrowser;
const PASSWORD = 'a long enough password';

// The creator's custom code: it reports what it can reach to the page that embeds it.
const PROBE = `<script>
let cookie;
try { cookie = document.cookie; } catch (e) { cookie = 'blocked: ' + e.name; }
fetch('/api/v1/me', { credentials: 'include' })
  .then((r) => String(r.status), () => 'refused')
  .then((me) => parent.postMessage({ type: 'probe', cookie, me }, '*'));
window.addEventListener('message', (e) => {
  if (e.data && e.data.type === 'guildhall:conversion') parent.postMessage({ type: 'probe-conversion', data: e.data }, '*');
});
</script>`;

beforeAll(async () => {
  [server, chromium] = await Promise.all([startE2eServer(), launchBrowser()]);
  const { auth, hub, users } = server.server.services;
  await auth.createOwner({ email: 'owner@example.test', password: PASSWORD, name: 'Olga Owner' });
  const operator = await users.operatorActor();
  await hub.createGroup(operator, { name: 'Yoga', visibility: 'private' });
  await hub.createGroup(operator, { name: 'General', visibility: 'public' });
});
afterAll(async () => {
  await chromium?.close();
  await server?.close();
});

async function image(width: number, height: number, color: string) {
  return {
    name: 'image.png',
    mimeType: 'image/png',
    buffer: await sharp({ create: { width, height, channels: 3, background: color } })
      .png()
      .toBuffer(),
  };
}

// A journey: its steps run in order (the suite shuffles tests elsewhere).
describe('Creating a Membership, as the reference page says', { shuffle: false }, () => {
  it('creates a Free membership from Digital Offers to View offer page, and a visitor joins and lands in the group', async () => {
    const errors: string[] = [];
    const admin = await signInAs(
      chromium.browser,
      server.baseUrl,
      'owner@example.test',
      PASSWORD,
      /\/admin$/,
    );
    admin.on('pageerror', (e) => errors.push(e.message));

    // 1. Click on Digital Offers on the left sidebar. 2. Select "Membership" as an offer type.
    await admin.getByRole('link', { name: 'Digital Offers' }).click();
    await admin.getByRole('button', { name: 'New offer' }).click();
    await admin
      .getByRole('dialog', { name: 'Choose an offer type' })
      .getByRole('button', { name: 'Membership', exact: true })
      .click();
    // 3. Title. 4. Pricing model: Free. 5. Community Permissions.
    await admin.getByRole('textbox', { name: 'Title', exact: true }).fill('Yoga Circle');
    await admin.getByRole('radio', { name: 'Free' }).check();
    await admin
      .getByRole('group', { name: 'Hub groups buyers gain' })
      .getByRole('checkbox', { name: /Yoga/ })
      .check();
    // A link followed with unsaved work asks first: Cancel stays with everything typed.
    await admin.getByRole('link', { name: 'Sales' }).click();
    const leave = admin.getByRole('dialog', { name: 'Leave without saving?' });
    await expect.poll(() => leave.count()).toBe(1);
    await expectAccessible(admin, 'leave without saving');
    await leave.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => leave.count()).toBe(0);
    expect(new URL(admin.url()).pathname).toBe('/admin/offers/new');
    expect(await admin.getByRole('textbox', { name: 'Title', exact: true }).inputValue()).toBe('Yoga Circle');
    // Signing out asks too: declined, nothing happens (still signed in, still typed).
    let asked = '';
    admin.once('dialog', (dialog) => {
      asked = dialog.message();
      void dialog.dismiss();
    });
    await admin.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => asked).toContain('Sign out and lose them?');
    expect(new URL(admin.url()).pathname).toBe('/admin/offers/new');
    expect((await admin.request.get(`${server.baseUrl}/api/v1/me`)).status()).toBe(200);
    // 8. Confirmation email. 11. Custom code.
    await admin.getByRole('textbox', { name: 'Subject' }).fill('Namaste, {{buyer_name}}');
    await admin
      .getByRole('textbox', { name: 'Body' })
      .fill('Welcome to {{offer_title}}.\n\nStart here: {{login_link}}');
    await admin.getByRole('textbox', { name: 'Custom code' }).fill(PROBE);
    // 6. Thumbnail, chosen before the first Save: kept with the draft, and said to be.
    await admin.getByLabel('Upload thumbnail').setInputFiles(await image(600, 600, '#2f5d4a'));
    await expect.poll(() => admin.getByText('Not uploaded yet: saved with the draft').count()).toBe(1);
    // 12. Save: the draft is created and its thumbnail uploaded with it.
    await admin.getByRole('button', { name: 'Save', exact: true }).click();
    await admin.waitForURL(/\/admin\/offers\/[0-9a-f-]{36}/);
    await expect.poll(() => admin.getByRole('button', { name: 'Remove thumbnail' }).count()).toBe(1);
    expect(await admin.getByText('Not uploaded yet').count()).toBe(0);
    // View offer page on the draft: the page a visitor gets, form included, marked as a preview;
    // sending its form changes nothing.
    const [draftPage] = await Promise.all([
      admin.context().waitForEvent('page'),
      admin.getByRole('link', { name: 'View offer page' }).click(),
    ]);
    await draftPage.waitForLoadState();
    expect(await draftPage.getByText('Preview: only admins see this page').count()).toBe(1);
    await draftPage.getByLabel('Email').fill('nobody@example.test');
    await draftPage.getByLabel('Name').fill('Nobody');
    await draftPage.getByRole('button', { name: 'Join for free' }).click();
    await expect
      .poll(() =>
        draftPage.getByText('This is a preview: nothing was sent, nobody joined and nobody paid.').count(),
      )
      .toBe(1);
    await expectAccessible(draftPage, 'draft preview');
    await draftPage.close();
    // 7. Cover (optional), after the first Save: uploaded at once.
    await admin.getByLabel('Upload cover').setInputFiles(await image(1600, 900, '#c9a227'));
    await expect.poll(() => admin.getByRole('button', { name: 'Remove cover' }).count()).toBe(1);
    await admin.getByRole('button', { name: 'Publish' }).click();
    const publish = admin.getByRole('dialog', { name: 'Publish “Yoga Circle”?' });
    expect(await publish.textContent()).toContain('anyone with the link can join');
    await publish.getByRole('button', { name: 'Publish' }).click();
    const live = admin.getByRole('dialog', { name: 'Your offer is live' });
    await expect.poll(() => live.count()).toBe(1);
    expect(await live.getByLabel('Link to the offer page').inputValue()).toBe(
      `${server.baseUrl}/offers/yoga-circle`,
    );
    await expectAccessible(admin, 'offer published');
    await admin.screenshot({ path: '.tmp/e2e-offer-published.png' });
    await admin.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.baseUrl });
    await live.getByRole('button', { name: 'Copy link' }).click();
    await expect.poll(() => live.getByText('Copied.').count()).toBe(1);
    expect(await admin.evaluate(() => navigator.clipboard.readText())).toBe(
      `${server.baseUrl}/offers/yoga-circle`,
    );
    await live.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => admin.getByRole('button', { name: 'Unpublish' }).count()).toBe(1);
    // Unsaved again: Leave without saving leaves, and the offer keeps its saved title.
    const editorUrl = admin.url();
    await admin.getByRole('textbox', { name: 'Title', exact: true }).fill('Yoga Circle, renamed');
    await admin.getByRole('link', { name: 'Sales' }).click();
    await admin
      .getByRole('dialog', { name: 'Leave without saving?' })
      .getByRole('button', { name: 'Leave without saving' })
      .click();
    await admin.waitForURL(`${server.baseUrl}/admin/sales`);
    await admin.goto(editorUrl);
    await expect
      .poll(() => admin.getByRole('textbox', { name: 'Title', exact: true }).inputValue())
      .toBe('Yoga Circle');
    // Saved: a link leaves without asking.
    await admin.getByRole('link', { name: 'Sales' }).click();
    await admin.waitForURL(`${server.baseUrl}/admin/sales`);
    await admin.goto(editorUrl);
    await expect.poll(() => admin.getByRole('button', { name: 'Unpublish' }).count()).toBe(1);
    // Keyboard focus never hides under the sticky Save bar, on a desktop or a phone (the email preview
    // shown, whose links once took focus and scrolled under it).
    await expect.poll(() => admin.locator('.offer-email-frame').count()).toBe(1);
    const desktop = admin.viewportSize();
    for (const viewport of [desktop, { width: 390, height: 844 }]) {
      if (viewport) await admin.setViewportSize(viewport);
      await admin.getByRole('textbox', { name: 'Title', exact: true }).focus();
      const hidden: string[] = [];
      for (let step = 0; step < 70; step++) {
        await admin.keyboard.press('Tab');
        const under = await admin.evaluate(() => {
          const focused = document.activeElement;
          const bar = document.querySelector('.offer-actions');
          if (!focused || !bar || focused === document.body || bar.contains(focused)) return null;
          // Hidden: less of it shows above the bar than a line of text (or than all of it, if smaller).
          const a = focused.getBoundingClientRect();
          const b = bar.getBoundingClientRect();
          const shown = Math.min(a.bottom, b.top) - Math.max(a.top, 0);
          return shown < Math.min(a.height, 24) ? focused.outerHTML.slice(0, 80) : null;
        });
        if (under) hidden.push(under);
      }
      expect(hidden, `focus under the Save bar at ${viewport?.width}px`).toEqual([]);
    }
    if (desktop) await admin.setViewportSize(desktop);
    await expectAccessible(admin, 'e2e-offer-editor');
    await admin.screenshot({ path: '.tmp/e2e-offer-editor.png', fullPage: true });

    // 13. View offer page.
    const [offerPage] = await Promise.all([
      admin.context().waitForEvent('page'),
      admin.getByRole('link', { name: 'View offer page' }).click(),
    ]);
    await offerPage.waitForLoadState();
    expect(await offerPage.getByRole('heading', { name: 'Yoga Circle' }).count()).toBe(1);
    expect(await offerPage.getByText('Free', { exact: true }).count()).toBeGreaterThan(0);
    const publicUrl = new URL(offerPage.url());
    publicUrl.search = '';

    // A visitor joins with a separate email.
    const visitorContext = await chromium.browser.newContext();
    await visitorContext.addInitScript(() => {
      const seen: unknown[] = [];
      (window as unknown as { __messages: unknown[] }).__messages = seen;
      window.addEventListener('message', (e) => seen.push(e.data));
    });
    const visitor = await visitorContext.newPage();
    visitor.on('pageerror', (e) => errors.push(e.message));
    await visitor.goto(publicUrl.toString());
    await expectAccessible(visitor, 'e2e-checkout');
    await visitor.screenshot({ path: '.tmp/e2e-checkout.png', fullPage: true });
    const messages = () =>
      visitor.evaluate(() => (window as unknown as { __messages: { type: string }[] }).__messages);
    await expect.poll(async () => (await messages()).find((m) => m.type === 'probe')).toBeTruthy();
    const probe = (await messages()).find((m) => m.type === 'probe') as unknown as {
      cookie: string;
      me: string;
    };
    expect(probe.cookie).toMatch(/^blocked/);
    expect(probe.me).not.toBe('200');

    await visitor.getByLabel('Email').fill('vera@example.test');
    await visitor.getByLabel('Name').fill('Vera Visitor');
    await visitor.getByRole('button', { name: 'Join for free' }).click();
    await expect.poll(async () => (await messages()).find((m) => m.type === 'probe-conversion')).toBeTruthy();
    const conversion = (await messages()).find((m) => m.type === 'probe-conversion') as unknown as {
      data: Record<string, unknown>;
    };
    expect(conversion.data).toMatchObject({
      type: 'guildhall:conversion',
      event: 'join',
      offer: 'yoga-circle',
      value: 0,
      currency: 'usd',
    });
    await visitor.getByRole('link', { name: 'Continue' }).click();
    await visitor.waitForURL(`${server.baseUrl}/hub/g/yoga`);
    await expect.poll(() => visitor.getByRole('button', { name: 'Write something…' }).count()).toBe(1);

    // The confirmation email arrives over SMTP, customised, with a sign-in link that works.
    const mail = await server.smtp.waitFor((m) => JSON.stringify(m.to).includes('vera@example.test'));
    expect(mail.subject).toBe('Namaste, Vera Visitor');
    expect(mail.text).toContain('Welcome to Yoga Circle.');
    const link = linkIn(mail, '/auth/verify-email');
    const elsewhere = await (await chromium.browser.newContext()).newPage();
    await elsewhere.goto(link);
    await elsewhere.getByRole('button', { name: 'Confirm email' }).click();
    await expect.poll(() => elsewhere.getByText(/confirmed/i).count()).toBeGreaterThan(0);

    // Already a member? Sign in: back on the checkout form, signed in, with one click to join.
    const member = await (await chromium.browser.newContext()).newPage();
    await member.goto(`${server.baseUrl}/checkout/yoga-circle`);
    await member.getByRole('link', { name: 'Sign in' }).last().click();
    await member.waitForURL(/\/login\?next=/);
    await member.getByLabel('Email').fill('owner@example.test');
    await member.getByLabel('Password').fill(PASSWORD);
    await member.getByRole('button', { name: 'Sign in', exact: true }).click();
    await member.waitForURL(`${server.baseUrl}/checkout/yoga-circle`);
    await expect.poll(() => member.getByText('Joining as').count()).toBe(1);
    expect(errors).toEqual([]);
  });

  it('builds a landing page from blocks, reorders them, and the public page shows exactly that', async () => {
    const admin = await signInAs(
      chromium.browser,
      server.baseUrl,
      'owner@example.test',
      PASSWORD,
      /\/admin$/,
    );
    await admin.getByRole('link', { name: 'Digital Offers' }).click();
    await admin
      .getByRole('link', { name: /Yoga Circle/ })
      .first()
      .click();
    await admin.getByRole('tab', { name: 'Landing Page' }).click();
    await admin.getByLabel('Show a landing page before checkout').check();
    for (const label of ['Hero with cover', 'FAQ', 'Price card with buy button']) {
      await admin.getByRole('button', { name: '+ Add a block' }).click();
      await admin.getByRole('button', { name: label, exact: true }).click();
    }
    const hero = admin.getByRole('group', { name: '1. Hero with cover' });
    await hero.getByLabel('Heading', { exact: true }).fill('Breathe with us');
    // The FAQ goes first.
    await admin.getByRole('button', { name: 'Move block 2 (FAQ) up' }).click();
    await admin.getByRole('button', { name: 'Phone' }).click();
    await expectAccessible(admin, 'e2e-landing-editor');
    await admin.screenshot({ path: '.tmp/e2e-landing-editor.png', fullPage: true });
    await admin.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => admin.getByText(/saved/i).count()).toBeGreaterThan(0);

    const visitor = await (await chromium.browser.newContext()).newPage();
    await visitor.goto(`${server.baseUrl}/offers/yoga-circle`);
    const body = (await visitor.locator('main').textContent()) ?? '';
    expect(body.indexOf('Can I cancel any time?')).toBeGreaterThanOrEqual(0);
    expect(body.indexOf('Can I cancel any time?')).toBeLessThan(body.indexOf('Breathe with us'));
    expect(body.indexOf('Breathe with us')).toBeLessThan(body.indexOf('Join now'));
    await expectAccessible(visitor, 'e2e-landing');
    await visitor.screenshot({ path: '.tmp/e2e-landing.png', fullPage: true });
    await visitor.getByRole('link', { name: 'Join now' }).click();
    await visitor.waitForURL(/\/checkout\/yoga-circle/);
  });
});
