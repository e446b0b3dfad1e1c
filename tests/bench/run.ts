// `npm run bench`: measures the scenarios in scenarios.ts against a hello-world Fastify baseline and
// Guildhall on SQLite (and on PostgreSQL when BENCH_DATABASE_URL or TEST_DATABASE_URL is set), each
// server in its own child process, and prints requests/second, p99 latency and the ratio to the
// baseline. Exits 1 when any response was not 2xx, any connection failed, or a sample answer was wrong.
//
// Settings (environment): BENCH_CONNECTIONS (10), BENCH_DURATION seconds (5), BENCH_WARMUP seconds (1),
// BENCH_MEMBERS seeded users (100000; 10000 with BENCH_HUB=0), BENCH_HUB (0 skips the Hub data set and
// its scenarios), BENCH_ENTITLEMENTS (1000000), BENCH_POSTS (100000), BENCH_PURCHASES (100000), BENCH_ONLY (a substring of the
// scenario names to keep), BENCH_JSON (a file to write the results to as JSON), BENCH_PLANS (1 prints
// the Hub queries' full SQL and plans, not just their plan lines), BENCH_OFFER_BUYERS (buyers of the
// large offer whose Community Permissions change is timed: 1000000).
//
// Then the Stripe webhook chaos run (chaos.ts) on each engine: signed deliveries with duplicates,
// reordering and SIGKILLs of the server, checked against the emulator's objects; it exits 1 on any
// divergence. BENCH_CHAOS=0 skips it; `BENCH_ONLY=chaos` runs only it. Its own settings:
// BENCH_CHAOS_PURCHASES (2000), BENCH_CHAOS_DUPLICATES (0.3 of all deliveries), BENCH_CHAOS_KILLS (5),
// BENCH_CHAOS_CONCURRENCY (16), BENCH_CHAOS_SEED (random; printed, so a run can be repeated).
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { gzipSync } from 'node:zlib';
import autocannon, { type Instance, type Result } from 'autocannon';
import type { Engine } from '../../src/platform/db/database.ts';
import { type ChaosReport, chaosFailed, describeChaos, readChaosSettings, runChaos } from './chaos.ts';
import { type BenchDatabase, type DatasetSize, prepareDatabase } from './dataset.ts';
import { hubPlans, type QueryPlan } from './plans.ts';
import { type BenchRequest, type Scenario, scenarios } from './scenarios.ts';
import { type ChildServer, cpuMsOf, startChild } from './servers.ts';

interface Settings {
  connections: number;
  duration: number;
  warmup: number;
  size: DatasetSize;
  only: string | null;
  jsonFile: string | null;
  postgresUrl: string | null;
  fullPlans: boolean;
  /** Whether the webhook chaos run is part of this run. */
  chaos: boolean;
}

const CHAOS_NAME = 'stripe webhook chaos';
const OFF = ['0', 'false', 'no', 'off'];

interface Row {
  target: string;
  scenario: string;
  requestsPerSecond: number;
  latencyP99Ms: number;
  latencyMeanMs: number;
  ratio: number | null;
  /** Measured at a fixed rate (BenchRequest.rate): a latency figure, without a ratio. */
  fixedRate: boolean;
  /** The server's CPU time per request in the measured run (µs; null without /proc). */
  cpuUsPerRequest: number | null;
  /** The baseline's CPU per request over this one's: steadier than the req/s ratio on a busy machine. */
  cpuRatio: number | null;
  requests: number;
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
}

function integerSetting(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer ≥ ${min}: ${raw}`);
  return value;
}

function readSettings(): Settings {
  const hub = !OFF.includes((process.env.BENCH_HUB ?? '').toLowerCase());
  const only = process.env.BENCH_ONLY || null;
  return {
    connections: integerSetting('BENCH_CONNECTIONS', 10, 1),
    duration: integerSetting('BENCH_DURATION', 5, 1),
    warmup: integerSetting('BENCH_WARMUP', 1, 0),
    size: {
      members: integerSetting('BENCH_MEMBERS', hub ? 100_000 : 10_000, hub ? 1 : 0),
      hub: hub
        ? {
            entitlements: integerSetting('BENCH_ENTITLEMENTS', 1_000_000, 0),
            posts: integerSetting('BENCH_POSTS', 100_000, 0),
            purchases: integerSetting('BENCH_PURCHASES', 100_000, 0),
          }
        : null,
      offerBuyers: integerSetting('BENCH_OFFER_BUYERS', 1_000_000, 1_000),
    },
    only,
    jsonFile: process.env.BENCH_JSON || null,
    postgresUrl: process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || null,
    fullPlans: ['1', 'true', 'yes'].includes((process.env.BENCH_PLANS ?? '').toLowerCase()),
    chaos:
      !OFF.includes((process.env.BENCH_CHAOS ?? '').toLowerCase()) && (!only || CHAOS_NAME.includes(only)),
  };
}

// --- clean-up, whatever happens --------------------------------------------------------------------

const cleanups: (() => Promise<void>)[] = [];
let running: Instance | null = null;

async function runCleanups(): Promise<void> {
  for (let step = cleanups.pop(); step; step = cleanups.pop()) {
    try {
      await step();
    } catch (error) {
      console.error('bench: clean-up failed:', error);
    }
  }
}

/** Stops the load, the servers and the databases, then exits, within 20 s whatever hangs. */
function abort(reason: string, code: number): void {
  console.error(`bench: ${reason}; stopping.`);
  running?.stop();
  setTimeout(() => process.exit(code), 20_000).unref();
  void runCleanups().then(() => process.exit(code));
}

// --- measuring --------------------------------------------------------------------------------------

/** Asserts the load only ever goes to this machine. */
function loopbackUrl(base: string, path: string): string {
  const url = new URL(path, base);
  if (url.hostname !== '127.0.0.1') throw new Error(`bench: refusing to load ${url.href} (not 127.0.0.1)`);
  return url.href;
}

async function checkOnce(scenario: Scenario, url: string, request: BenchRequest): Promise<void> {
  const response = await fetch(url, {
    method: request.method ?? 'GET',
    ...(request.headers ? { headers: request.headers } : {}),
    ...(request.body === undefined ? {} : { body: request.body }),
    ...(request.rate === undefined ? {} : { overallRate: request.rate }),
  });
  const problem = scenario.check(response.status, await response.text());
  if (problem) throw new Error(`${scenario.name}: wrong answer before measuring: ${problem}`);
}

/** Gives each request the next of `paths`, round and round. */
function pathsInTurn(paths: string[]) {
  let next = 0;
  return (request: { path: string }) => {
    request.path = paths[next++ % paths.length] ?? request.path;
    return request;
  };
}

async function load(url: string, request: BenchRequest, settings: Settings, duration: number) {
  running = autocannon({
    url,
    connections: settings.connections,
    duration,
    timeout: 10,
    method: request.method ?? 'GET',
    ...(request.headers ? { headers: request.headers } : {}),
    ...(request.body === undefined ? {} : { body: request.body }),
    ...(request.rate === undefined ? {} : { overallRate: request.rate }),
    ...(request.paths ? { requests: [{ setupRequest: pathsInTurn(request.paths) }] } : {}),
  });
  try {
    return await running;
  } finally {
    running = null;
  }
}

async function measure(
  target: string,
  scenario: Scenario,
  server: ChildServer,
  request: BenchRequest,
  settings: Settings,
): Promise<Row> {
  const url = loopbackUrl(server.url, request.path);
  await checkOnce(scenario, url, request);
  console.error(`bench: ${target} · ${scenario.name} …`);
  if (settings.warmup > 0) await load(url, request, settings, settings.warmup);
  const cpuBefore = cpuMsOf(server.pid);
  const result: Result = await load(url, request, settings, settings.duration);
  const cpuAfter = cpuMsOf(server.pid);
  const cpuUsPerRequest =
    cpuBefore === null || cpuAfter === null || result.requests.total === 0
      ? null
      : ((cpuAfter - cpuBefore) * 1000) / result.requests.total;
  return {
    cpuUsPerRequest,
    cpuRatio: null,
    fixedRate: request.rate !== undefined,
    target,
    scenario: scenario.name,
    requestsPerSecond: result.requests.mean,
    latencyP99Ms: result.latency.p99,
    latencyMeanMs: result.latency.mean,
    ratio: null,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([k, v]) => [k, v.count])),
  };
}

// --- the run ----------------------------------------------------------------------------------------

const ENGINE_LABEL: Record<Engine, string> = {
  sqlite: 'Guildhall · SQLite',
  postgres: 'Guildhall · PostgreSQL',
};

const BASELINE = 'Fastify hello world';

async function runBaseline(
  when: 'before' | 'after',
  selected: Scenario[],
  settings: Settings,
): Promise<Row[]> {
  const rows: Row[] = [];
  const server = await startChild('hello', 'tests/bench/serve-hello.ts');
  cleanups.push(server.stop);
  for (const scenario of selected) {
    if (scenario.server !== 'baseline') continue;
    rows.push(await measure(`${BASELINE} (${when})`, scenario, server, scenario.request, settings));
  }
  await runCleanups();
  return rows;
}

interface OfferReport {
  /** Bytes of the public offer page's HTML and its one stylesheet, raw and gzipped. */
  pageBytes: { html: number; css: number; htmlGzip: number; cssGzip: number };
  /** Median and slowest time of saving a Community Permissions change, per number of buyers. */
  permissionChange: { buyers: number; medianMs: number; maxMs: number; samples: number }[];
}

interface EngineReport {
  target: string;
  offers: OfferReport;
  /** Milliseconds per seeding step, and `total` (database creation included). */
  seeding: Record<string, number>;
  plans: QueryPlan[];
}

function describeSeeding(seeding: Record<string, number>): string {
  return Object.entries(seeding)
    .map(([step, ms]) => `${step} ${(ms / 1000).toFixed(1)} s`)
    .join(', ');
}

function printPlans(target: string, plans: QueryPlan[], full: boolean): void {
  for (const { name, sql, plan, scans } of plans) {
    console.error(`bench: ${target} plan · ${name}${scans.length > 0 ? '  ← SCANS A LARGE TABLE' : ''}`);
    if (full) console.error(`    ${sql}`);
    for (const line of plan) console.error(`    ${line}`);
  }
}

/** The public offer page's weight, and the time of a Community Permissions change by number of buyers. */
async function measureOffers(fixture: BenchDatabase['fixture'], serverUrl: string): Promise<OfferReport> {
  const page = await fetch(loopbackUrl(serverUrl, `/offers/${fixture.offers.pageSlug}`));
  const html = Buffer.from(await page.arrayBuffer());
  const cssPath = /href="(\/public\/pages\.[0-9a-f]+\.css)"/.exec(html.toString())?.[1];
  if (page.status !== 200 || !cssPath)
    throw new Error(`offer page: status ${page.status}, stylesheet ${cssPath ?? 'missing'}`);
  const css = Buffer.from(await (await fetch(loopbackUrl(serverUrl, cssPath))).arrayBuffer());
  const pageBytes = {
    html: html.length,
    css: css.length,
    htmlGzip: gzipSync(html).length,
    cssGzip: gzipSync(css).length,
  };

  const permissionChange: OfferReport['permissionChange'] = [];
  const [first, second] = fixture.offers.groups;
  for (const { buyers, id } of fixture.offers.permissionOffers) {
    const times: number[] = [];
    for (let i = 0; i < 20; i += 1) {
      const hubGroupIds = i % 2 === 0 ? [first, second] : [first];
      const started = performance.now();
      const response = await fetch(loopbackUrl(serverUrl, `/api/v1/offers/${id}`), {
        method: 'PATCH',
        headers: { authorization: `Bearer ${fixture.ownerApiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ hubGroupIds }),
      });
      times.push(performance.now() - started);
      if (response.status !== 200)
        throw new Error(`permission change: ${response.status} ${(await response.text()).slice(0, 200)}`);
    }
    times.sort((a, b) => a - b);
    permissionChange.push({
      buyers,
      medianMs: times[Math.floor(times.length / 2)] ?? 0,
      maxMs: times[times.length - 1] ?? 0,
      samples: times.length,
    });
  }
  return { pageBytes, permissionChange };
}

async function runGuildhall(
  engine: Engine,
  selected: Scenario[],
  settings: Settings,
): Promise<{ rows: Row[]; report: EngineReport }> {
  const rows: Row[] = [];
  const target = ENGINE_LABEL[engine];
  const started = Date.now();
  const database: BenchDatabase = await prepareDatabase(engine, settings.size, settings.postgresUrl);
  cleanups.push(database.drop);
  const seeding = { ...database.fixture.seedTimings, total: Date.now() - started };
  console.error(`bench: ${target}: seeded in ${describeSeeding(seeding)}`);
  const plans = await hubPlans(database.fixture);
  printPlans(target, plans, settings.fullPlans);
  const server = await startChild(`guildhall-${engine}`, 'tests/bench/serve-guildhall.ts', database.env);
  cleanups.push(server.stop);
  for (const scenario of selected) {
    if (scenario.server !== 'guildhall') continue;
    if (scenario.requires === 'hub' && !database.fixture.hub) continue;
    const request = await scenario.setup(database.fixture, server);
    rows.push(await measure(target, scenario, server, request, settings));
  }
  const offers = await measureOffers(database.fixture, server.url);
  await runCleanups();
  return { rows, report: { target, seeding, plans, offers } };
}

function describeSize(size: DatasetSize): string {
  const count = (n: number) => n.toLocaleString('en-US');
  const hub = size.hub
    ? `, ${count(size.hub.entitlements)} entitlements, ${count(size.hub.posts)} posts`
    : ' (no Hub data: BENCH_HUB=0)';
  return `${count(size.members)} members${hub}`;
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

function table(rows: Row[]): string {
  const header = [
    'Target',
    'Scenario',
    'req/s (mean)',
    'p99 ms',
    '× baseline',
    'CPU µs/req',
    '× baseline CPU',
    'non-2xx',
    'errors',
  ];
  const times = (ratio: number | null) => (ratio === null ? '–' : `${ratio.toFixed(ratio < 0.1 ? 3 : 2)}×`);
  const cells = rows.map((row) => [
    row.target,
    row.scenario,
    Math.round(row.requestsPerSecond).toLocaleString('en-US'),
    // autocannon records whole milliseconds: 0 means under one.
    row.latencyP99Ms < 1 ? '<1' : String(Math.round(row.latencyP99Ms)),
    times(row.ratio),
    row.cpuUsPerRequest === null ? '–' : String(Math.round(row.cpuUsPerRequest)),
    times(row.cpuRatio),
    String(row.non2xx),
    String(row.errors),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (values: string[]) =>
    `| ${values.map((value, i) => pad(value, widths[i] ?? 0, i >= 2)).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i >= 2 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(header), rule, ...cells.map(line)].join('\n');
}

async function main(): Promise<number> {
  const settings = readSettings();
  const chosen = scenarios.filter(
    (s) =>
      s.server === 'guildhall' &&
      (!settings.only || s.name.includes(settings.only)) &&
      !(s.requires === 'hub' && !settings.size.hub),
  );
  // The baseline runs whenever a Guildhall scenario does: a figure is only ever a ratio to it.
  const selected =
    chosen.length > 0 ? scenarios.filter((s) => s.server === 'baseline' || chosen.includes(s)) : [];
  // BENCH_ENGINES=postgres (or sqlite) measures one engine alone.
  const wanted = (process.env.BENCH_ENGINES ?? 'sqlite,postgres').split(',').map((name) => name.trim());
  const engines = (['sqlite', 'postgres'] as Engine[]).filter(
    (engine) => wanted.includes(engine) && (engine === 'sqlite' || settings.postgresUrl),
  );
  const chaosSettings = settings.chaos ? readChaosSettings() : null;
  // Only the chaos run selected (BENCH_ONLY=chaos): no baseline, no seeding.
  const scenariosRun = selected.length > 0;
  const measurements = selected.length * (engines.length + 2);
  // Seeding allowance: about ten times what it takes on a 2-core VM.
  const seedRows =
    settings.size.members / 2000 +
    (settings.size.hub ? settings.size.hub.entitlements / 10_000 + settings.size.hub.posts / 5000 : 0);
  // The chaos run: about 75 s per 1 000 purchases on a 2-core VM, allowed about five times that.
  const chaosSeconds = chaosSettings ? engines.length * (120 + chaosSettings.purchases * 0.3) : 0;
  const budgetSeconds =
    120 +
    (scenariosRun
      ? measurements * (settings.warmup + settings.duration + 15) + engines.length * seedRows
      : 0) +
    chaosSeconds;
  setTimeout(
    () => abort(`still running after ${Math.round(budgetSeconds)} s`, 1),
    budgetSeconds * 1000,
  ).unref();
  process.once('SIGINT', () => abort('interrupted', 130));
  process.once('SIGTERM', () => abort('terminated', 143));

  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}`;
  const loadBefore = loadavg()[0] ?? 0;
  console.error(
    `bench: ${machine}; ` +
      (scenariosRun
        ? `${settings.connections} connections, ${settings.warmup} s warm-up + ` +
          `${settings.duration} s per scenario; ${describeSize(settings.size)}`
        : 'no scenario selected') +
      (settings.postgresUrl ? '' : '; PostgreSQL skipped (set BENCH_DATABASE_URL or TEST_DATABASE_URL)') +
      (chaosSettings
        ? `; webhook chaos: ${chaosSettings.purchases} purchases, ${chaosSettings.kills} SIGKILLs, seed ${chaosSettings.seed}`
        : '; webhook chaos skipped'),
  );

  // The baseline runs first and last: the ratios use the mean of both, and a large difference between
  // them says something else used the CPUs meanwhile, so the whole run is suspect.
  const before = scenariosRun ? await runBaseline('before', selected, settings) : [];
  const rows = [...before];
  const reports: EngineReport[] = [];
  for (const engine of scenariosRun ? engines : []) {
    const result = await runGuildhall(engine, selected, settings);
    rows.push(...result.rows);
    reports.push(result.report);
  }
  const after = scenariosRun ? await runBaseline('after', selected, settings) : [];
  rows.push(...after);

  // The chaos run last, on its own fresh databases, so it never weighs on the figures above.
  const chaos: ChaosReport[] = [];
  for (const engine of chaosSettings ? engines : []) {
    chaos.push(
      await runChaos(
        engine,
        chaosSettings as NonNullable<typeof chaosSettings>,
        settings.postgresUrl,
        (step) => cleanups.push(step),
      ),
    );
    await runCleanups();
  }

  const first = before[0]?.requestsPerSecond;
  const last = after[0]?.requestsPerSecond;
  const baseline = first && last ? (first + last) / 2 : null;
  for (const row of rows) row.ratio = baseline && !row.fixedRate ? row.requestsPerSecond / baseline : null;
  // CPU per request of the baseline: the lower of its two runs (a busy machine only adds to it).
  const baselineCpu = [before[0]?.cpuUsPerRequest, after[0]?.cpuUsPerRequest].filter(
    (us): us is number => typeof us === 'number' && us > 0,
  );
  const cpuBase = baselineCpu.length ? Math.min(...baselineCpu) : null;
  for (const row of rows)
    row.cpuRatio = cpuBase && row.cpuUsPerRequest ? cpuBase / row.cpuUsPerRequest : null;
  const drift = first && last ? Math.abs(first - last) / Math.max(first, last) : 0;

  console.log(`\n${new Date().toISOString().slice(0, 10)} · ${machine}`);
  if (scenariosRun) {
    console.log(
      `${settings.connections} connections, ${settings.duration} s each after ${settings.warmup} s warm-up; ` +
        `Guildhall database seeded with ${describeSize(settings.size)}\n`,
    );
    console.log(table(rows));
    console.log('');
  }
  for (const report of reports) console.log(`Seeding ${report.target}: ${describeSeeding(report.seeding)}.`);
  for (const report of reports) {
    const { pageBytes, permissionChange } = report.offers;
    console.log(
      `${report.target}: the public offer page weighs ${pageBytes.html.toLocaleString('en-US')} B of HTML ` +
        `(${pageBytes.htmlGzip.toLocaleString('en-US')} B gzipped) + ${pageBytes.css.toLocaleString('en-US')} B of CSS ` +
        `(${pageBytes.cssGzip.toLocaleString('en-US')} B gzipped, cached for a year); no script unless the offer has custom code.`,
    );
    for (const change of permissionChange) {
      console.log(
        `${report.target}: saving a Community Permissions change with ${change.buyers.toLocaleString('en-US')} buyers: ` +
          `median ${change.medianMs.toFixed(1)} ms, slowest ${change.maxMs.toFixed(1)} ms (${change.samples} saves).`,
      );
    }
  }
  const scanning = reports.flatMap((report) =>
    report.plans.filter((plan) => plan.scans.length > 0).map((plan) => ({ target: report.target, plan })),
  );
  for (const { target, plan } of scanning) {
    console.log(
      `Warning: ${target}: ${plan.name} scans a large table (no index): ${plan.scans.join(' / ').trim()}`,
    );
  }
  if (reports.some((report) => report.plans.length > 0) && scanning.length === 0) {
    console.log('Query plans: the access rule, feed and group-list queries read every large table by index.');
  }
  if (chaos.length > 0) console.log('');
  for (const report of chaos) for (const line of describeChaos(report)) console.log(line);
  console.log(
    `\n${scenariosRun ? 'Ratios are to the mean of the two baseline runs. ' : ''}` +
      `Load average at start: ${loadBefore.toFixed(2)}, at the end: ${(loadavg()[0] ?? 0).toFixed(2)}.`,
  );
  if (drift > 0.15) {
    console.log(
      `Warning: the baseline moved ${(drift * 100).toFixed(0)}% between the start and the end of the run; ` +
        'something else was using the CPUs. Run again on a quiet machine before comparing.',
    );
  }
  if (settings.jsonFile) {
    writeFileSync(
      settings.jsonFile,
      `${JSON.stringify({ date: new Date().toISOString(), machine, loadBefore, settings, baseline, drift, rows, reports, chaos })}\n`,
    );
  }

  const failed = rows.filter((row) => row.non2xx > 0 || row.errors > 0);
  for (const row of failed) {
    console.error(
      `bench: FAILED ${row.target} · ${row.scenario}: ${row.non2xx} non-2xx, ${row.errors} errors/timeouts; ` +
        `status codes ${JSON.stringify(row.statusCodes)}`,
    );
  }
  for (const report of chaos.filter(chaosFailed)) {
    console.error(
      `bench: FAILED ${report.target}: ${report.divergences.length} divergences, ${report.undelivered} ` +
        `deliveries given up, ${report.unexpectedAnswers.length} unexpected answers, ` +
        `${report.unexpectedExits} crashes of its own; ` +
        (report.guildhallLog.lines > 0
          ? `Guildhall's log: ${report.guildhallLog.file}`
          : 'Guildhall logged nothing at level error'),
    );
  }
  return failed.length > 0 || chaos.some(chaosFailed) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    abort('failed', 1);
  },
);
