import { existsSync } from 'node:fs';
import type { TestProjectInlineConfiguration } from 'vitest/config';
import { defineConfig } from 'vitest/config';

// Projects: unit (rules, no database), integration on SQLite, the same integration tests on
// PostgreSQL when TEST_DATABASE_URL is set, and browser tests when a Chromium is found (required when
// REQUIRE_E2E=1, as in CI).
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(chromium);
// `npm test` lists the browser tests it cannot run, to count them as skipped.
const listingOnly = process.env.GUILDHALL_LIST_ALL === '1';
if (process.env.REQUIRE_E2E === '1' && !hasChromium && !listingOnly) {
  throw new Error(`REQUIRE_E2E=1 but no Chromium at ${chromium}: apt-get install -y chromium`);
}

const setupFiles = ['tests/support/network-guard.ts'];
// `npm test` runs the tests of each file in a shuffled order (TEST_SHUFFLE_SEED, printed, repeats one),
// so a test that leans on what an earlier one left behind fails. Browser journeys are stories: their
// describes say `{ shuffle: false }` (a project cannot opt out of the root's sequence).
const seed = Number(process.env.TEST_SHUFFLE_SEED);
const shuffled = Number.isInteger(seed) && process.env.TEST_SHUFFLE_SEED ? { shuffle: true, seed } : {};
const projects: TestProjectInlineConfiguration[] = [
  {
    extends: true,
    test: {
      name: 'unit',
      include: ['src/**/*.test.ts', 'tools/**/*.test.ts', 'web/**/*.test.ts', 'tests/sql/**/*.test.ts'],
      setupFiles,
      isolate: false,
    },
  },
  {
    extends: true,
    test: {
      name: 'integration-sqlite',
      include: ['tests/integration/**/*.test.ts'],
      setupFiles,
      // Files share their worker's module graph (each still makes its own database and app): importing
      // the app once per worker instead of once per file is a third of this project's time.
      isolate: false,
      env: { TEST_DB_ENGINE: 'sqlite' },
    },
  },
];
if (process.env.TEST_DATABASE_URL) {
  projects.push({
    extends: true,
    test: {
      name: 'integration-postgres',
      // tests/postgres: what only PostgreSQL deployments do (several machines on one database).
      include: ['tests/integration/**/*.test.ts', 'tests/postgres/**/*.test.ts'],
      setupFiles,
      isolate: false,
      globalSetup: ['tests/support/postgres-global-setup.ts'],
      env: { TEST_DB_ENGINE: 'postgres' },
    },
  });
}
if (hasChromium || listingOnly) {
  projects.push({
    extends: true,
    test: {
      name: 'e2e',
      include: ['tests/e2e/**/*.test.ts'],
      setupFiles,
      testTimeout: 60_000,
      hookTimeout: 120_000,
      // A page waits on the server, which shares two cores with the other projects' tests: an image
      // upload can take seconds under load, so a polled expectation waits up to 10 s, not 1.
      expect: { poll: { timeout: 10_000 } },
      // One browser and one server per file; files run one at a time so two Chromiums never
      // compete for the machine's two cores, and after the other projects (a later group), so a
      // page's timing never depends on how busy the database tests keep the machine.
      fileParallelism: false,
      maxWorkers: 1,
      sequence: { ...shuffled, groupOrder: 1 },
    },
  });
}

export default defineConfig({
  test: {
    projects,
    testTimeout: 20_000,
    hookTimeout: 30_000,
    sequence: shuffled,
    pool: 'forks',
    // Vitest's default is one worker fewer than the cores: one, on a two-core machine. Most of these
    // tests wait on a database rather than compute: two files at a time (measured: 458 s for `npm test`
    // against 516–610 s with one).
    maxWorkers: Number(process.env.TEST_WORKERS) || 2,
  },
});
