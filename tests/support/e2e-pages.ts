// Small helpers for browser tests: signing in through the real login page.
import type { Browser, Page } from 'playwright-core';

export async function signInAs(
  browser: Browser,
  baseUrl: string,
  email: string,
  password: string,
  landing: RegExp,
): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(landing);
  return page;
}
