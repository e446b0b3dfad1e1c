#!/usr/bin/env node
// `npm test`: type-check, lint, then every test project (unit; integration on SQLite, and on PostgreSQL
// when TEST_DATABASE_URL is set; browser tests when a Chromium is found, required with REQUIRE_E2E=1).
// Ends with one line "N passed, N failed, N skipped".
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
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
ok = step('build the web app and the server (browser tests serve the one, the CLI runs the other)', 'npm', ['run', 'build']) && ok;

mkdirSync(join(root, '.tmp'), { recursive: true });
const report = join(root, '.tmp', 'vitest-report.json');
const testsOk = step('tests', bin('vitest'), [
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
]);
ok = testsOk && ok;

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(report)) {
  const results = JSON.parse(readFileSync(report, 'utf8'));
  passed = results.numPassedTests ?? 0;
  failed = (results.numFailedTests ?? 0) + (testsOk || results.numFailedTests ? 0 : 1);
  skipped = (results.numPendingTests ?? 0) + (results.numTodoTests ?? 0);
} else {
  failed = 1;
}
if (!ok && failed === 0) failed = 1;
process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(ok ? 0 : 1);
