// The first journey of a new platform, in Chromium against a real server: setup → the owner signs in →
// Add User → the set-password email arrives over SMTP → the user sets a password and lands in /hub.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/platform/crypto.ts';
import { expectAccessible } from '../support/axe.ts';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';
import { type E2eServer, startE2eServer } from '../support/e2e-server.ts';
import { linkIn } from '../support/smtp.ts';

let server: E2eServer;
let chromium: TestBrowser;
beforeAll(async () => {
  [server, chromium] = await Promise.all([startE2eServer(), launchBrowser()]);
});
afterAll(async () => {
  await chromium?.close();
  await server?.close();
});

// A journey: its steps run in order (the suite shuffles tests elsewhere).
describe('a new platform', { shuffle: false }, () => {
  it('is set up, signs its owner in, invites a member by email who sets a password and lands in the hub', async () => {
    const owner = await chromium.browser.newPage();
    const errors: string[] = [];
    owner.on('pageerror', (error) => errors.push(error.message));

    // Without the code the setup page cannot be used.
    await owner.goto(`${server.baseUrl}/`);
    await expect.poll(() => new URL(owner.url()).pathname).toBe('/setup');

    expect(server.server.setupUrl).toContain('/setup?code=');
    await owner.goto(server.server.setupUrl!.replace('http://127.0.0.1', 'http://127.0.0.1'));
    await expectAccessible(owner, 'setup');
    await owner.getByLabel('Platform name').fill('Iron Temple');
    await owner.getByLabel('Your name').fill('Olga Owner');
    await owner.getByLabel('Email', { exact: true }).fill('olga@example.test');
    await owner.getByLabel('Password').fill('a long owner password');
    await owner.getByLabel('Support email (optional)').fill('help@iron.test');
    await owner.getByRole('button', { name: 'Create platform' }).click();
    await owner.waitForURL(`${server.baseUrl}/admin`);
    // A new platform's dashboard: the getting-started steps, the first one (its name) already done.
    const checklist = owner.getByRole('region', { name: 'Getting started' });
    await expect.poll(() => checklist.getByRole('listitem').count()).toBe(7);
    // Its name and support email, both asked by the setup page.
    expect(await checklist.getByRole('listitem').nth(0).textContent()).toContain('(done)');
    expect(await checklist.getByRole('listitem').nth(1).textContent()).toContain('(done)');
    expect(await checklist.getByRole('listitem').nth(2).textContent()).not.toContain('(done)');
    expect(await checklist.getByRole('link', { name: 'Create a hub group' }).getAttribute('href')).toBe(
      '/admin/hub',
    );
    await expectAccessible(owner, 'e2e-admin');
    await owner.screenshot({ path: '.tmp/e2e-admin.png' });

    // Sign out and back in.
    await owner.getByRole('button', { name: 'Sign out' }).click();
    await owner.waitForURL(/\/login/);
    await expectAccessible(owner, 'login');
    await owner.getByLabel('Email').fill('olga@example.test');
    await owner.getByLabel('Password').fill('a long owner password');
    await owner.getByRole('button', { name: 'Sign in', exact: true }).click();
    await owner.waitForURL(`${server.baseUrl}/admin`);
    expect((await owner.request.get(`${server.baseUrl}/setup`)).status()).toBe(404);

    // Add User.
    await owner.getByRole('link', { name: 'Users' }).click();
    await owner.getByRole('button', { name: 'Add User' }).click();
    await owner.getByLabel('Name').fill('Mia Member');
    await owner.getByLabel('Email').fill('mia@example.test');
    await owner.getByRole('button', { name: 'Add user' }).click();
    await expect.poll(() => owner.getByText('mia@example.test').count()).toBeGreaterThan(0);

    // The email arrives at the SMTP server, over the wire.
    const mail = await server.smtp.waitFor(
      (m) => m.to !== undefined && JSON.stringify(m.to).includes('mia@example.test'),
    );
    expect(mail.subject).toBe('You have been invited to Iron Temple');
    expect(mail.html).toBeTruthy();
    const link = linkIn(mail, '/auth/set-password');

    // Mia, in her own browser.
    const mia = await (await chromium.browser.newContext()).newPage();
    await mia.goto(link);
    await expectAccessible(mia, 'set password');
    await mia.getByLabel('New password', { exact: true }).fill('mia has a good password');
    await mia.getByLabel('Confirm password').fill('mia has a good password');
    await mia.getByRole('button', { name: 'Set password' }).click();
    await mia.waitForURL(`${server.baseUrl}/hub`);
    await expectAccessible(mia, 'e2e-hub');
    await mia.screenshot({ path: '.tmp/e2e-hub.png' });

    // The link is used up: a page that says so and offers a new one.
    const again = await (await chromium.browser.newContext()).newPage();
    await again.goto(link);
    await again
      .getByRole('button', { name: 'Set password' })
      .isVisible()
      .then(async (visible) => {
        if (visible) {
          await again.getByLabel('New password', { exact: true }).fill('another good password');
          await again.getByLabel('Confirm password').fill('another good password');
          await again.getByRole('button', { name: 'Set password' }).click();
        }
      });
    await expect.poll(() => again.getByText('already been used').count()).toBeGreaterThan(0);
    await expectAccessible(again, 'a used link');
    expect(await again.getByRole('button', { name: /Email me/ }).count()).toBeGreaterThan(0);

    // Mia signs out and back in with her password, and lands in the member area.
    await mia.getByRole('button', { name: 'Sign out' }).click();
    await mia.waitForURL(/\/login/);
    await mia.getByLabel('Email').fill('mia@example.test');
    await mia.getByLabel('Password').fill('mia has a good password');
    await mia.getByRole('button', { name: 'Sign in', exact: true }).click();
    await mia.waitForURL(`${server.baseUrl}/hub`);

    // The owner's dashboard counts her.
    await owner.goto(`${server.baseUrl}/admin?range=7d`);
    const members = owner.locator('.figure', { hasText: 'Members' });
    await expect.poll(() => members.locator('.figure-value').textContent()).toBe('1');
    await expectAccessible(owner, 'dashboard with a member');
    expect(await members.textContent()).toContain('1 new this week');
    // A path that does not exist: the branded page, with a way back.
    await owner.goto(`${server.baseUrl}/no-such-page`);
    expect(await owner.getByRole('heading', { name: 'This page does not exist' }).count()).toBe(1);
    await expectAccessible(owner, 'not found');
    expect(errors).toEqual([]);
  });

  it('refuses an expired sign-in link with a page that says so and sends a new one', async () => {
    const page = await (await chromium.browser.newContext()).newPage();
    await page.goto(`${server.baseUrl}/login/link`);
    await page.getByLabel('Email').fill('mia@example.test');
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    const mail = await server.smtp.waitFor((m) => m.subject === 'Your sign-in link for Iron Temple');
    const link = linkIn(mail, '/auth/magic');
    const token = new URL(link).searchParams.get('token')!;
    await server.server.db
      .updateTable('authTokens')
      .set({ expiresAt: Date.now() - 1 })
      .where('tokenHash', '=', sha256(token))
      .execute();

    await page.goto(link);
    await page.getByRole('button', { name: 'Sign in to Iron Temple' }).click();
    await expect.poll(() => page.getByText('This sign-in link has expired').count()).toBeGreaterThan(0);
    const before = server.smtp.messages.length;
    await page.getByLabel('Email').fill('mia@example.test');
    await page.getByRole('button', { name: /Email me/ }).click();
    await expect.poll(() => server.smtp.messages.length).toBe(before + 1);
  });

  it('shows an email in the dashboard without running what a visitor typed into it', async () => {
    const owner = await (await chromium.browser.newContext()).newPage();
    await owner.goto(`${server.baseUrl}/login`);
    await owner.getByLabel('Email').fill('olga@example.test');
    await owner.getByLabel('Password').fill('a long owner password');
    await owner.getByRole('button', { name: 'Sign in', exact: true }).click();
    await owner.waitForURL(`${server.baseUrl}/admin`);
    await owner.getByRole('link', { name: 'Users' }).click();
    await owner.getByRole('button', { name: 'Add User' }).click();
    await owner.getByLabel('Name').fill('<img src=x onerror="window.top.__pwned=1">');
    await owner.getByLabel('Email').fill('mallory@example.test');
    await owner.getByRole('button', { name: 'Add user' }).click();
    await server.smtp.waitFor((m) => JSON.stringify(m.to).includes('mallory@example.test'));

    await owner.getByRole('link', { name: 'Emails' }).click();
    await owner.getByText('mallory@example.test').first().click();
    const frame = owner.locator('iframe');
    await expect.poll(() => frame.count()).toBe(1);
    expect(await frame.getAttribute('sandbox')).toBe('');
    await owner.waitForTimeout(300);
    expect(await owner.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await expectAccessible(owner, 'e2e-email');
    await owner.screenshot({ path: '.tmp/e2e-email.png' });
  });
});
