// The Hub, as people use it: the admin makes a public and a private group, a member meets the paywall,
// a hand grant opens it, members discuss, and revoking the grant locks the member out on the next load.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from '../support/axe.ts';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';
import { signInAs } from '../support/e2e-pages.ts';
import { type E2eServer, startE2eServer } from '../support/e2e-server.ts';
import { pngBytes } from '../support/factories.ts';
import { linkIn } from '../support/smtp.ts';

let server: E2eServer;
let chromium: TestBrowser;
const PASSWORD = 'a long enough password';

beforeAll(async () => {
  [server, chromium] = await Promise.all([startE2eServer(), launchBrowser()]);
  const { auth, users, settingsAdmin } = server.server.services;
  await auth.createOwner({ email: 'owner@example.test', password: PASSWORD, name: 'Olga Owner' });
  const operator = await users.operatorActor();
  await settingsAdmin.changeSettings(operator, { supportEmail: 'help@example.test' });
  await users.createUser(operator, { email: 'mia@example.test', name: 'Mia Member', password: PASSWORD });
  await users.createUser(operator, { email: 'max@example.test', name: 'Max Member', password: PASSWORD });
});
afterAll(async () => {
  await chromium?.close();
  await server?.close();
});

// A journey: its steps run in order (the suite shuffles tests elsewhere).
describe('the Hub', { shuffle: false }, () => {
  it('opens a private group by hand, hosts a discussion, and locks the member out when the grant is revoked', async () => {
    const errors: string[] = [];
    const admin = await signInAs(
      chromium.browser,
      server.baseUrl,
      'owner@example.test',
      PASSWORD,
      /\/admin$/,
    );
    admin.on('pageerror', (e) => errors.push(e.message));

    // The admin creates Public "General" and Private "Yoga".
    for (const [name, permission] of [
      ['General', 'Public'],
      ['Yoga', 'Private'],
    ] as const) {
      await admin.goto(`${server.baseUrl}/admin/hub`);
      await admin.getByRole('button', { name: 'Create hub group' }).click();
      await admin.getByLabel('Name').fill(name);
      await admin.getByRole('radio', { name: permission }).check();
      await admin.getByRole('button', { name: 'Create group' }).click();
      await admin.waitForURL(/\/admin\/hub\/.+/);
    }
    await admin.getByLabel('Paywall Call-to-Action').fill('Unlock Yoga classes');
    await admin.getByRole('button', { name: 'Save group' }).click();
    await expect.poll(() => admin.getByText(/saved/i).count()).toBeGreaterThan(0);

    // Mia sees General, and Yoga locked behind its paywall.
    const mia = await signInAs(chromium.browser, server.baseUrl, 'mia@example.test', PASSWORD, /\/hub$/);
    mia.on('pageerror', (e) => errors.push(e.message));
    await expect.poll(() => mia.getByRole('link', { name: /General/ }).count()).toBeGreaterThan(0);
    await expect.poll(() => mia.getByText('Locked').count()).toBeGreaterThan(0);
    await mia.goto(`${server.baseUrl}/hub/g/yoga`);
    await expect.poll(() => mia.getByRole('heading', { name: 'Unlock Yoga classes' }).count()).toBe(1);
    // No offer sells Yoga: the paywall says how to reach the creator.
    expect(await mia.getByRole('link', { name: 'help@example.test' }).getAttribute('href')).toMatch(
      /^mailto:help@example\.test\?subject=/,
    );
    await expectAccessible(mia, 'e2e-paywall');
    await mia.screenshot({ path: '.tmp/e2e-paywall.png' });

    // The admin grants Yoga to Mia by hand.
    await admin.goto(`${server.baseUrl}/admin/users`);
    await admin.getByText('mia@example.test').first().click();
    await admin.getByLabel('Hub group').selectOption({ label: 'Yoga' });
    await admin.getByLabel('Note (optional)').fill('Comp for the workshop');
    await admin.getByRole('button', { name: 'Grant access' }).click();
    await expect.poll(() => admin.getByText(/Granted by hand/).count()).toBeGreaterThan(0);

    // Mia enters Yoga and posts: the welcome prompt asks her to introduce herself, and opens the composer.
    await mia.goto(`${server.baseUrl}/hub/g/yoga`);
    await mia.getByRole('button', { name: 'Introduce yourself' }).click();
    await expect.poll(() => mia.getByRole('button', { name: 'Introduce yourself' }).count()).toBe(0);
    await mia.getByLabel('Title (optional)').fill('Morning flow');
    await mia.getByLabel('Write a post').fill('Who is in for **6am**? <script>window.__pwned=1</script>');
    // She adds a photo of the studio and looks at the post before it goes out.
    await mia.getByLabel('Add image').setInputFiles({
      name: 'studio.png',
      mimeType: 'image/png',
      buffer: await pngBytes(1200, 800),
    });
    await expect.poll(() => mia.getByLabel('Write a post').inputValue()).toMatch(/!\[\]\(\/media\//);
    await mia.getByRole('button', { name: 'Preview' }).click();
    const preview = mia.getByRole('region', { name: 'Preview' });
    await expect.poll(() => preview.locator('img').count()).toBe(1);
    expect(await preview.locator('strong').textContent()).toBe('6am');
    await mia.getByRole('button', { name: 'Post', exact: true }).click();
    const post = mia.getByRole('article', { name: 'Morning flow' });
    await expect.poll(() => post.count()).toBe(1);
    expect(await post.locator('strong').first().textContent()).toBe('6am');
    await expect.poll(() => post.locator('img[src^="/media/"]').count()).toBe(1);
    expect(await mia.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

    // Max cannot see Yoga; the admin grants him too, he comments and likes.
    const max = await signInAs(chromium.browser, server.baseUrl, 'max@example.test', PASSWORD, /\/hub$/);
    max.on('pageerror', (e) => errors.push(e.message));
    await admin.goto(`${server.baseUrl}/admin/users`);
    await admin.getByText('max@example.test').first().click();
    await admin.getByLabel('Hub group').selectOption({ label: 'Yoga' });
    await admin.getByRole('button', { name: 'Grant access' }).click();
    await expect.poll(() => admin.getByText(/Granted by hand/).count()).toBeGreaterThan(0);
    await max.goto(`${server.baseUrl}/hub/g/yoga`);
    const seen = max.getByRole('article', { name: 'Morning flow' });
    await seen.getByRole('button', { name: 'Like' }).click();
    await expect
      .poll(() => seen.getByRole('button', { name: 'Like' }).getAttribute('aria-pressed'))
      .toBe('true');
    await seen.getByRole('link', { name: /comment/ }).click();
    await max.getByLabel('Write a comment').fill('Count me in!');
    await max.getByRole('button', { name: 'Post comment' }).click();
    await expect.poll(() => max.getByRole('article', { name: 'Comment by Max Member' }).count()).toBe(1);
    // He takes it back (the dialog asks first), then says it again.
    await max
      .getByRole('article', { name: 'Comment by Max Member' })
      .getByRole('button', { name: 'Delete' })
      .click();
    await max.getByRole('dialog').getByRole('button', { name: 'Delete comment' }).click();
    await expect.poll(() => max.getByRole('article', { name: 'Comment by Max Member' }).count()).toBe(0);
    // This time he mentions Mia, picking her from the names offered as he types.
    await max.getByLabel('Write a comment').fill('Count me in! ');
    await max.getByLabel('Write a comment').pressSequentially('@Mi');
    await max.getByRole('button', { name: '@Mia Member' }).click();
    await max.getByRole('button', { name: 'Post comment' }).click();
    const mentioned = max.getByRole('article', { name: 'Comment by Max Member' });
    await expect.poll(() => mentioned.count()).toBe(1);
    expect(await mentioned.locator('.mention').textContent()).toBe('@Mia Member');

    await mia.reload();
    await expect.poll(() => mia.getByText('1 like').count()).toBeGreaterThan(0);
    // The bell says Max mentioned her (his comment taken back took its notification along); she opens it.
    const bell = mia.getByRole('link', { name: /^Notifications\s*1 unread$/ });
    await expect.poll(() => bell.count()).toBe(1);
    await bell.click();
    const note = mia.getByRole('link', { name: 'Max Member mentioned you in “Morning flow”' });
    await expect.poll(() => note.count()).toBe(1);
    await expectAccessible(mia, 'e2e-notifications');
    // The same news reached her inbox at once, with a way out that needs no sign-in.
    const mail = await server.smtp.waitFor(
      (m) =>
        JSON.stringify(m.to).includes('mia@example.test') &&
        m.subject === 'Max Member mentioned you in “Morning flow”',
    );
    expect(mail.text).toContain('Count me in!');
    // mailparser gathers the List-* headers under 'list'.
    expect(JSON.stringify(mail.headers.get('list'))).toContain('/api/v1/notifications/unsubscribe?u=');
    const outside = await chromium.browser.newPage();
    await outside.goto(linkIn(mail, '/unsubscribe'));
    await outside.getByRole('button', { name: 'Stop these emails' }).click();
    await expect.poll(() => outside.getByRole('status').textContent()).toContain('will not email you');
    await expectAccessible(outside, 'e2e-unsubscribe');
    await outside.close();
    await note.click();
    await mia.waitForURL(/\/hub\/p\//);
    await expect.poll(() => mia.getByRole('link', { name: 'Notifications', exact: true }).count()).toBe(1);
    // Back in Yoga, Mia edits her post in place.
    await mia.goto(`${server.baseUrl}/hub/g/yoga`);
    const mine = mia.getByRole('article', { name: 'Morning flow' });
    await mine.getByRole('button', { name: 'Edit' }).click();
    await mia.getByLabel('Edit post').fill('Who is in for **7am**?');
    await mia.getByRole('button', { name: 'Save post' }).click();
    await expect.poll(() => mine.locator('strong').first().textContent()).toBe('7am');
    await expectAccessible(mia, 'e2e-feed');
    await mia.screenshot({ path: '.tmp/e2e-feed.png' });

    // The admin revokes Mia's grant: on her next page load, Yoga is locked again.
    await admin.goto(`${server.baseUrl}/admin/users`);
    await admin.getByText('mia@example.test').first().click();
    await admin.getByRole('button', { name: 'Revoke access to Yoga' }).click();
    await admin.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => admin.getByRole('button', { name: 'Revoke access to Yoga' }).count()).toBe(0);
    await mia.reload();
    await expect.poll(() => mia.getByRole('heading', { name: 'Unlock Yoga classes' }).count()).toBe(1);
    expect(await mia.getByRole('article', { name: 'Morning flow' }).count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('gives a member on a phone one home across their groups, and a group switcher one tap away', async () => {
    const errors: string[] = [];
    const max = await signInAs(chromium.browser, server.baseUrl, 'max@example.test', PASSWORD, /\/hub$/);
    max.on('pageerror', (e) => errors.push(e.message));
    await max.setViewportSize({ width: 390, height: 844 });
    await max.goto(`${server.baseUrl}/hub`);
    // Mia's post in Yoga (his by hand grant), named with its group, on the first screen.
    const post = max.getByRole('article', { name: 'Morning flow' });
    await expect.poll(() => post.count()).toBe(1);
    expect(await post.getByRole('link', { name: 'Yoga' }).count()).toBe(1);
    expect((await post.boundingBox())!.y).toBeLessThan(844);
    await max.getByLabel('Active').check();
    await expect.poll(() => new URL(max.url()).search).toBe('?order=active');
    await expect.poll(() => post.count()).toBe(1);
    await expectAccessible(max, 'e2e-home');
    await max.screenshot({ path: '.tmp/e2e-home.png' });
    // One tap opens the groups; choosing one goes there and closes the list.
    await max.locator('.group-switcher summary').click();
    await max.locator('.group-switcher').getByRole('link', { name: 'General' }).click();
    await max.waitForURL(`${server.baseUrl}/hub/g/general`);
    await expect.poll(() => max.locator('.group-switcher').getAttribute('open')).toBeNull();
    // He follows General, to hear of each new post in it. A public group lists nobody (every member may
    // enter it); Yoga, which he was let into, shows who else is in.
    await max.getByRole('button', { name: 'Follow' }).click();
    await expect
      .poll(() => max.getByRole('button', { name: 'Following' }).getAttribute('aria-pressed'))
      .toBe('true');
    expect(await max.getByRole('link', { name: 'Members' }).count()).toBe(0);
    await max.goto(`${server.baseUrl}/hub/g/yoga`);
    await max.getByRole('link', { name: 'Members' }).click();
    const members = max.getByRole('list', { name: 'Members of Yoga' });
    await expect.poll(() => members.getByRole('link', { name: 'Max Member' }).count()).toBe(1);
    // Mia's grant was revoked: she is no longer listed.
    expect(await members.getByRole('link', { name: 'Mia Member' }).count()).toBe(0);
    await expectAccessible(max, 'e2e-members');
    await max.screenshot({ path: '.tmp/e2e-members.png' });
    // The owner posts there; the bell tells him (the worker tells followers after the post).
    const { hub, users } = server.server.services;
    const general = (await hub.listGroups(await users.operatorActor())).find((g) => g.slug === 'general')!;
    await hub.createPost(await users.operatorActor(), general.id, {
      title: 'Studio hours',
      body: 'Open late',
    });
    const told = max.getByText('Olga Owner posted “Studio hours” in General');
    await expect
      .poll(
        async () => {
          await max.goto(`${server.baseUrl}/hub/notifications`);
          return told.waitFor({ timeout: 2_000 }).then(
            () => true,
            () => false,
          );
        },
        { timeout: 20_000 },
      )
      .toBe(true);
    await max.goto(`${server.baseUrl}/hub/g/general`);
    // He finds the post again by a word of it, marked where found, and opens it.
    await max.getByRole('link', { name: 'Search' }).click();
    await max.getByRole('searchbox').fill('7am');
    await max.getByRole('button', { name: 'Search', exact: true }).click();
    const found = max.getByRole('list', { name: 'Posts found' }).getByRole('listitem');
    await expect.poll(() => found.count()).toBe(1);
    expect(await found.locator('mark').first().textContent()).toBe('7am');
    await expectAccessible(max, 'e2e-search');
    await found.getByRole('link', { name: 'Morning flow' }).click();
    await max.waitForURL(/\/hub\/p\//);
    await expect.poll(() => max.getByRole('heading', { name: 'Morning flow' }).count()).toBe(1);
    // Mia's name leads to her profile, with the post he can see.
    await max
      .getByRole('article', { name: 'Morning flow' })
      .getByRole('link', { name: 'Mia Member' })
      .click();
    await expect.poll(() => max.getByRole('heading', { name: 'Mia Member', level: 1 }).count()).toBe(1);
    await expect
      .poll(() => max.getByRole('list', { name: 'Latest posts' }).getByText('Morning flow').count())
      .toBe(1);
    // He would rather hear of replies once a day, and says a word about himself.
    await max.goto(`${server.baseUrl}/account`);
    await max.getByRole('link', { name: 'Your profile in the hub' }).click();
    await max.getByLabel('Bio').fill('Early riser, late stretcher.');
    await max.getByRole('button', { name: 'Save profile' }).click();
    await expect.poll(() => max.getByText('Your profile is saved.').count()).toBe(1);
    await expect.poll(() => max.getByText('Early riser, late stretcher.').count()).toBeGreaterThan(0);
    await expectAccessible(max, 'e2e-profile');
    await max.goto(`${server.baseUrl}/account`);
    await max.getByLabel('Once a day').check();
    await max.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => max.getByText('Saved.').count()).toBe(1);
    await expectAccessible(max, 'e2e-account-notifications');
    // The next post in General waits for his daily digest, whose link stops every notification email.
    await hub.createPost(await users.operatorActor(), general.id, { title: 'Late class', body: 'At 9pm' });
    await expect
      .poll(async () => {
        await server.server.services.worker.drain();
        return hub.sendDigests();
      })
      .toBe(1);
    const digest = await server.smtp.waitFor(
      (m) => JSON.stringify(m.to).includes('max@example.test') && /new notification/.test(m.subject ?? ''),
    );
    expect(digest.text).toContain('Olga Owner posted “Late class” in General');
    await max.goto(linkIn(digest, '/unsubscribe'));
    await max.getByRole('button', { name: 'Stop these emails' }).click();
    await expect.poll(() => max.getByRole('status').textContent()).toContain('will not email you');
    await max.goto(`${server.baseUrl}/account`);
    await expect.poll(() => max.getByLabel('Never').isChecked()).toBe(true);
    expect(errors).toEqual([]);
  });

  it('takes a member’s report to the dashboard, where hiding the post takes it from members at once', async () => {
    const errors: string[] = [];
    const max = await signInAs(chromium.browser, server.baseUrl, 'max@example.test', PASSWORD, /\/hub$/);
    max.on('pageerror', (e) => errors.push(e.message));
    await max.goto(`${server.baseUrl}/hub/g/yoga`);
    const post = max.getByRole('article', { name: 'Morning flow' });
    await post.getByRole('button', { name: 'Report' }).click();
    await max.getByRole('dialog').getByLabel('What is wrong with it?').fill('Off topic for this group');
    await max.getByRole('dialog').getByRole('button', { name: 'Send report' }).click();
    await expect.poll(() => post.getByText('Reported. Thank you.').count()).toBe(1);

    const owner = await signInAs(
      chromium.browser,
      server.baseUrl,
      'owner@example.test',
      PASSWORD,
      /\/admin$/,
    );
    owner.on('pageerror', (e) => errors.push(e.message));
    await owner.getByRole('link', { name: 'Reports' }).first().click();
    const report = owner.locator('.report', { hasText: 'Off topic for this group' });
    await expect.poll(() => report.count()).toBe(1);
    await expectAccessible(owner, 'e2e-reports');
    await report.getByRole('button', { name: 'Hide' }).click();
    await expect.poll(() => report.count()).toBe(0);

    await max.reload();
    await expect.poll(() => max.getByRole('heading', { name: 'Yoga', exact: true }).count()).toBe(1);
    // Once the feed has loaded, the hidden post is not in it.
    await expect.poll(() => max.getByText('Loading posts…').count()).toBe(0);
    expect(await max.getByRole('article', { name: 'Morning flow' }).count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
