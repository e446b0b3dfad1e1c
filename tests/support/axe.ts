// axe-core in the browser tests: every page a journey visits is checked as it is on screen, at the
// size it is shown and at a phone's, and a test fails on any critical or serious violation.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const PHONE = { width: 390, height: 844 };

export interface AxeFinding {
  rule: string;
  impact: string;
  help: string;
  /** Where on the page (CSS selectors), at most three. */
  targets: string[];
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** The critical and serious violations on the page as it is now. */
export async function axeViolations(page: Page): Promise<AxeFinding[]> {
  // Evaluated over the DevTools protocol, so the page's Content-Security-Policy does not stop it.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<unknown> } })
      .axe;
    const result = (await axe.run(document, {
      runOnly: {
        type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'],
      },
      resultTypes: ['violations'],
    })) as { violations: unknown[] };
    return result.violations;
  });
  return (violations as AxeViolation[])
    .filter((violation) => violation.impact === 'critical' || violation.impact === 'serious')
    .map((violation) => ({
      rule: violation.id,
      impact: violation.impact ?? '',
      help: violation.help,
      targets: violation.nodes.slice(0, 3).map((node) => node.target.map(String).join(' ')),
    }));
}

/**
 * Fails the test on any critical or serious violation on the page, at its own size and (unless it is
 * a phone's already) at a phone's, then puts the size back.
 */
export async function expectAccessible(page: Page, where: string): Promise<void> {
  await page.waitForLoadState('load');
  const size = page.viewportSize();
  const found = await axeViolations(page);
  expect(found, `axe on ${where} (${page.url()})`).toEqual([]);
  if (size && size.width > PHONE.width) {
    await page.setViewportSize(PHONE);
    try {
      expect(await axeViolations(page), `axe on ${where} at a phone's size (${page.url()})`).toEqual([]);
    } finally {
      await page.setViewportSize(size);
    }
  }
}
