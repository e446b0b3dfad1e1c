#!/usr/bin/env node
// `npm test`: type-check, lint, then every test project (unit; integration on SQLite, and on PostgreSQL
// when TEST_DATABASE_URL is set; browser tests when a Chromium is found, required with REQUIRE_E2E=1).
// Ends with what ran, part by part (unit, SQLite, PostgreSQL, browser), and one line "N passed, N failed,
// N skipped", where a part this machine could not run counts as skipped.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

function step(title, command, args, env = {}) {
  process.stdout.write(`\n▶ ${title}\n`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  process.stdout.write(
    `  ${title}: ${result.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  return result.status === 0;
}

let ok = step('type-check', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']);
ok = step('lint', bin('biome'), ['check', '.']) && ok;
// Always rebuilt (about a second): browser tests must never drive a stale dist/web.
ok =
  step('build the web app and the server (browser tests serve the one, the CLI runs the other)', 'npm', [
    'run',
    'build',
  ]) && ok;

// Tests within each file run shuffled; the seed is printed so a failure can be repeated.
const seed = process.env.TEST_SHUFFLE_SEED || String(Math.floor(Math.random() * 1_000_000));
process.stdout.write(
  `\n  tests shuffled with seed ${seed} (TEST_SHUFFLE_SEED=${seed} npm test repeats the order)\n`,
);

mkdirSync(join(root, '.tmp'), { recursive: true });
const report = join(root, '.tmp', 'vitest-report.json');
// A report left by an earlier run must never be read as this one's.
rmSync(report, { force: true });
const testsOk = step(
  'tests',
  bin('vitest'),
  ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
  { TEST_SHUFFLE_SEED: seed },
);
ok = testsOk && ok;

// What ran, by part, and what could not: a part this machine cannot run counts its tests as skipped.
const onPostgres = Boolean(process.env.TEST_DATABASE_URL);
const hasBrowser = existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium');
const partOf = (file) =>
  file.includes('/tests/integration/')
    ? 'integration'
    : file.includes('/tests/postgres/')
      ? 'postgresOnly'
      : file.includes('/tests/e2e/')
        ? 'browser'
        : 'unit';

let passed = 0;
let failed = 0;
let skipped = 0;
const ran = { unit: 0, integration: 0, postgresOnly: 0, browser: 0 };
if (existsSync(report)) {
  const results = JSON.parse(readFileSync(report, 'utf8'));
  passed = results.numPassedTests ?? 0;
  failed = (results.numFailedTests ?? 0) + (testsOk || results.numFailedTests ? 0 : 1);
  skipped = (results.numPendingTests ?? 0) + (results.numTodoTests ?? 0);
  for (const file of results.testResults ?? []) {
    const counted = file.assertionResults.filter(
      (test) => test.status === 'passed' || test.status === 'failed',
    );
    ran[partOf(file.name)] += counted.length;
  }
} else {
  failed = 1;
}
const perEngine = onPostgres ? ran.integration / 2 : ran.integration;
const lines = [
  `unit: ${ran.unit}`,
  `integration on SQLite: ${perEngine}`,
  onPostgres
    ? `integration on PostgreSQL: ${perEngine} (+ ${ran.postgresOnly} of several processes on one database)`
    : `integration on PostgreSQL: not run (TEST_DATABASE_URL is not set), ${perEngine} skipped`,
];
if (!onPostgres) skipped += perEngine;
if (hasBrowser) {
  lines.push(`browser (Chromium): ${ran.browser}`);
} else {
  const listed = spawnSync(bin('vitest'), ['list', '--project', 'e2e', '--json'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, GUILDHALL_LIST_ALL: '1' },
  });
  let browserTests = 0;
  try {
    browserTests = JSON.parse(listed.stdout).length;
  } catch {
    browserTests = 1; // could not even list them: still not "nothing skipped"
  }
  skipped += browserTests;
  lines.push(
    `browser (Chromium): not run (no Chromium; apt-get install -y chromium), ${browserTests} skipped`,
  );
}
if (!ok && failed === 0) failed = 1;
lines.push(`shuffle seed: ${seed}`);
process.stdout.write(`\n${lines.join('\n')}\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(ok ? 0 : 1);
