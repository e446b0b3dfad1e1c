// The Stripe webhook chaos run (part of `npm run bench`; alone: `BENCH_ONLY=chaos npm run bench`).
//
// The Stripe emulator runs in this process; Guildhall runs as a child process on a fresh database, so
// it can be SIGKILLed. Guildhall is connected to the emulator through Settings → Stripe, sells five
// paid offers (one-time with each refund policy, monthly, monthly with a trial), and buyers make
// BENCH_CHAOS_PURCHASES purchases through the real checkout form and the emulator's pay control. Then
// Stripe's side moves on: subscriptions are cancelled (now or at the period end), some renewals are
// made to fail, the emulator's clock passes the end of the first period (renewals, trial ends, failed
// payments, expired checkouts), and charges are refunded (in full or in part) and disputed (left open,
// won, lost).
//
// Every event the emulator produced for the types Guildhall's endpoint subscribes to is then delivered
// by this process to POST /webhooks/stripe, signed with the endpoint's secret (read from Guildhall's
// database the way the app reads it): each at least once, BENCH_CHAOS_DUPLICATES of all deliveries
// being duplicates, shuffled in bursts of up to 400 (and 10 % of events held back to a later point of
// the stream, half of them to its end), BENCH_CHAOS_CONCURRENCY at a time. Guildhall is SIGKILLed
// BENCH_CHAOS_KILLS times at random points of the stream and restarted on the same database; a delivery
// that failed (server down, connection cut, any non-2xx answer) is sent again later, as Stripe would.
//
// Afterwards every purchase is compared with Stripe's objects as they finally are: a paid checkout
// has exactly one entitlement, an unpaid one none, and each entitlement is in the state the rule of
// src/modules/purchases/billing.rules.ts gives for those objects (and its payments are the ones Stripe
// took, refunded as much as Stripe refunded). Any difference is a divergence; the run exits non-zero.
//
// Because every Stripe-side change happens before the stream starts, each re-read Guildhall makes
// returns the final object: what the run tests is that no order, repetition or crash of deliveries
// leaves a purchase anywhere but where Stripe's objects say.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Stripe from 'stripe';
import { loadConfig } from '../../src/config.ts';
import { accessForSubscription, refundEndsAccess } from '../../src/modules/purchases/billing.rules.ts';
import {
  type Database,
  type Engine,
  inboxOf,
  migrateToLatest,
  openDatabase,
} from '../../src/platform/db/database.ts';
import type { EntitlementState, RefundPolicy } from '../../src/platform/db/schema.ts';
import { buildServices } from '../../src/services.ts';
import { startStripeEmulator, stripeClientFor } from '../../tools/stripe-emulator/index.ts';
import { control } from '../../tools/stripe-emulator/test-support.ts';
import { createApiKey, createGroup, createOwner, pngBytes } from '../support/factories.ts';
import { freePort } from '../support/processes.ts';
import { throwawayDatabase } from './dataset.ts';
import {
  CHILD_ENV_VARIABLE,
  childrenOf,
  compiledScript,
  cpuMsOf,
  localPostgresCpuMs,
  REPO_ROOT,
} from './servers.ts';

// --- settings ---------------------------------------------------------------------------------------

export interface ChaosSettings {
  purchases: number;
  /** Share of all deliveries that are duplicates of another (0 ≤ share < 1). */
  duplicateShare: number;
  kills: number;
  concurrency: number;
  seed: number;
  /** Web processes (`start --processes N`); with more than one, a kill takes one and the rest serve. */
  processes: number;
}

function numberSetting(name: string, fallback: number, valid: (value: number) => boolean): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || !valid(value)) throw new Error(`${name} is not valid: ${raw}`);
  return value;
}

export function readChaosSettings(): ChaosSettings {
  const whole = (min: number) => (value: number) => Number.isInteger(value) && value >= min;
  return {
    purchases: numberSetting('BENCH_CHAOS_PURCHASES', 2000, whole(20)),
    duplicateShare: numberSetting('BENCH_CHAOS_DUPLICATES', 0.3, (v) => v >= 0 && v < 0.9),
    kills: numberSetting('BENCH_CHAOS_KILLS', 5, whole(0)),
    concurrency: numberSetting('BENCH_CHAOS_CONCURRENCY', 16, whole(1)),
    seed: numberSetting('BENCH_CHAOS_SEED', Math.floor(Math.random() * 2 ** 31), whole(0)),
    processes: numberSetting('BENCH_CHAOS_PROCESSES', availableParallelism(), whole(1)),
  };
}

// --- small tools ------------------------------------------------------------------------------------

/** A seeded PRNG (mulberry32): the same seed plans the same purchases, stream and kill points. */
function randomSource(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T extends string>(random: () => number, weights: [T, number][]): T {
  const total = weights.reduce((sum, [, w]) => sum + w, 0);
  let roll = random() * total;
  for (const [value, weight] of weights) {
    roll -= weight;
    if (roll < 0) return value;
  }
  return (weights[weights.length - 1] as [T, number])[0];
}

function shuffle<T>(items: T[], random: () => number, from = 0, to = items.length): void {
  for (let i = to - 1; i > from; i -= 1) {
    const j = from + Math.floor(random() * (i - from + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
}

async function inPool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) await work(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until Guildhall's webhook inbox has no event pending (due now or waiting for a retry), up to
 * `limitMs`; answers how many were still pending then (0: all applied or given up).
 */
async function waitForInbox(db: Database, limitMs: number): Promise<number> {
  const until = performance.now() + limitMs;
  const pending = () =>
    inboxOf(db)
      .selectFrom('stripeInbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('dueAt', 'is not', null)
      .executeTakeFirstOrThrow();
  for (;;) {
    // Asked often (the rates include the drain), and cheaply: one row found is enough to wait on.
    const any = await inboxOf(db)
      .selectFrom('stripeInbox')
      .select('id')
      .where('dueAt', 'is not', null)
      .limit(1)
      .executeTakeFirst();
    if (!any) return 0;
    if (performance.now() > until) return Number((await pending()).n);
    await sleep(25);
  }
}

/**
 * One webhook POST over a keep-alive agent: node:http costs the sender a fraction of what fetch does,
 * and the sender shares this process (and its core) with the emulator.
 */
function postWebhook(
  agent: Agent,
  url: string,
  payload: string,
  signature: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(payload),
          'stripe-signature': signature,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(payload);
  });
}
const idOf = (value: string | { id: string } | null | undefined) =>
  value == null ? null : typeof value === 'string' ? value : value.id;

// --- Guildhall as a child process that can be killed ------------------------------------------------

interface GuildhallChild {
  url: string;
  pid: number;
  exited: Promise<unknown>;
  /** SIGKILL: no shutdown, no flush, transactions cut where they are. */
  kill(): Promise<void>;
  /** SIGTERM, as the bench stops every server. */
  stop(): Promise<void>;
}

/**
 * Starts `tests/bench/serve-guildhall.ts` with `env` (as servers.ts does) and keeps every line it
 * writes after its URL in `logFile`, counting them, so a crash or an error log is reported, not lost.
 */
async function startGuildhall(
  label: string,
  env: Record<string, string>,
  logFile: string,
  logs: { lines: number; restarts: number; samples: string[]; onBack?: () => void },
): Promise<GuildhallChild> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      // BENCH_CPU_PROFILE=<dir>: each server writes a V8 CPU profile there when it stops (not when killed).
      ...(process.env.BENCH_CPU_PROFILE
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`]
        : []),
      await compiledScript('tests/bench/serve-guildhall.ts'),
    ],
    {
      cwd: REPO_ROOT,
      env: { NODE_ENV: 'production', ...process.env, [CHILD_ENV_VARIABLE]: JSON.stringify(env) },
      stdio: 'pipe',
    },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${label}: could not start`);
  const exited = once(child, 'exit');
  const keep = (line: string) => {
    // The primary of several processes says so when it starts one again: a restart, not an error.
    if (/^guildhall: process \d+ exited \(/.test(line)) {
      logs.restarts += 1;
      return;
    }
    if (/^guildhall: process \d+ is back/.test(line)) {
      logs.onBack?.();
      return;
    }
    logs.lines += 1;
    if (logs.samples.length < 20) logs.samples.push(line.slice(0, 2000));
    appendFileSync(logFile, `${line}\n`);
  };
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', keep);
  const stdout = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label}: no URL within 60 s`)), 60_000);
    exited.then(([code, signal]) => {
      clearTimeout(timer);
      reject(new Error(`${label}: exited before listening (code ${code}, signal ${signal}); see ${logFile}`));
    });
    stdout.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve(String((JSON.parse(line) as { url: unknown }).url));
      } catch {
        reject(new Error(`${label}: expected {"url": …}, got ${JSON.stringify(line)}`));
      }
    });
  }).catch(async (error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  stdout.on('line', keep);
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  return {
    url,
    pid,
    exited,
    async kill() {
      if (gone()) return;
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (gone()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

// --- what is sold and what happens to each purchase -------------------------------------------------

type OfferKey = 'once-full' | 'once-any' | 'once-never' | 'monthly' | 'monthly-trial';

const OFFERS: {
  key: OfferKey;
  share: number;
  refundPolicy: RefundPolicy;
  pricing: Record<string, unknown>;
}[] = [
  {
    key: 'once-full',
    share: 20,
    refundPolicy: 'full',
    pricing: { model: 'one_time', amountMinor: 5000, currency: 'usd' },
  },
  {
    key: 'once-any',
    share: 15,
    refundPolicy: 'any',
    pricing: { model: 'one_time', amountMinor: 3000, currency: 'usd' },
  },
  {
    key: 'once-never',
    share: 10,
    refundPolicy: 'never',
    pricing: { model: 'one_time', amountMinor: 2000, currency: 'usd' },
  },
  {
    key: 'monthly',
    share: 35,
    refundPolicy: 'full',
    pricing: { model: 'recurring', amountMinor: 900, currency: 'usd', interval: 'month', intervalCount: 1 },
  },
  {
    key: 'monthly-trial',
    share: 20,
    refundPolicy: 'any',
    pricing: {
      model: 'recurring',
      amountMinor: 1500,
      currency: 'usd',
      interval: 'month',
      intervalCount: 1,
      trialDays: 7,
    },
  },
];

const GOOD_CARD = '4242424242424242';
const DECLINED_CARD = '4000000000000002';

type CheckoutFate = 'paid' | 'declined_then_paid' | 'declined' | 'abandoned';
/** Before the clock passes the first period's end (subscriptions only). */
type Before = 'none' | 'cancel_now' | 'cancel_at_period_end' | 'fail_renewal';
/** After it. */
type After =
  | 'none'
  | 'refund_full'
  | 'refund_partial'
  | 'dispute_open'
  | 'dispute_won'
  | 'dispute_lost'
  | 'cancel_at_period_end';

interface Plan {
  index: number;
  email: string;
  offer: OfferKey;
  checkout: CheckoutFate;
  before: Before;
  after: After;
  sessionId: string | null;
}

function planPurchases(count: number, random: () => number): Plan[] {
  const plans: Plan[] = [];
  for (let index = 0; index < count; index += 1) {
    const offer = pick<OfferKey>(
      random,
      OFFERS.map((o) => [o.key, o.share] as [OfferKey, number]),
    );
    const recurring = offer === 'monthly' || offer === 'monthly-trial';
    const checkout = pick<CheckoutFate>(random, [
      ['paid', 95],
      ['declined_then_paid', 1],
      ['declined', 2],
      ['abandoned', 2],
    ]);
    const before: Before = recurring
      ? pick<Before>(random, [
          ['none', 82],
          ['cancel_now', 5],
          ['cancel_at_period_end', 5],
          ['fail_renewal', 8],
        ])
      : 'none';
    const after: After = recurring
      ? before === 'none'
        ? pick<After>(random, [
            ['none', 80],
            ['refund_full', 10],
            ['refund_partial', 4],
            ['cancel_at_period_end', 6],
          ])
        : 'none'
      : pick<After>(random, [
          ['none', 79],
          ['refund_full', 8],
          ['refund_partial', 6],
          ['dispute_open', 3],
          ['dispute_won', 2],
          ['dispute_lost', 2],
        ]);
    plans.push({
      index,
      email: `buyer-${index}@chaos.test`,
      offer,
      checkout,
      before,
      after,
      sessionId: null,
    });
  }
  return plans;
}

// --- the report -------------------------------------------------------------------------------------

export interface Divergence {
  purchaseId: string | null;
  email: string;
  offer: string;
  what: string;
  expected: string;
  actual: string;
  /** What Stripe has: the session, subscription, charge. */
  stripe: string;
  /** The entitlement's access ledger, oldest first: `from → to (reason, event and its object)`. */
  ledger: string[];
}

export interface ChaosReport {
  target: string;
  engine: Engine;
  seed: number;
  setupMs: number;
  purchases: { planned: number; paid: number; unpaid: number; byOffer: Record<string, number> };
  events: { unique: number; byType: Record<string, number> };
  deliveries: number;
  duplicates: number;
  concurrency: number;
  attempts: number;
  accepted: number;
  /** Failed attempts by cause, e.g. `503 charge.refunded` or `connection (server down)`. */
  failedAttempts: Record<string, number>;
  undelivered: number;
  kills: number;
  /** Web processes Guildhall ran; with more than one, each kill took one of them. */
  processes: number;
  inFlightAtKills: number[];
  restartMs: number[];
  downtimeMs: number;
  /** From the first delivery until the last was answered 2xx. */
  acceptedMs: number;
  /** Until then and Guildhall's inbox was drained: what the rates divide by. */
  streamMs: number;
  /** Events still pending in the inbox when the wait for it gave up (0: drained). */
  inboxLeft: number;
  inboxTriedAgain: number;
  inboxNotApplied: number;
  eventsPerSecond: number;
  eventsPerSecondUp: number;
  /**
   * CPU Guildhall used in the stream (all its processes; null without /proc): what the figures cost
   * Guildhall itself, apart from the emulator, the sender and the database server.
   */
  guildhallCpuMs: number | null;
  /** CPU this process (the emulator answering Guildhall's re-reads, and the sender) used in the stream. */
  benchCpuMs: number;
  /** CPU a PostgreSQL server on this machine used in the stream (null: SQLite, or none found). */
  postgresCpuMs: number | null;
  divergences: Divergence[];
  divergenceCounts: Record<string, number>;
  entitlements: number;
  entitlementStates: Record<string, number>;
  inbox: number;
  guildhallLog: { file: string; lines: number; samples: string[] };
  /** Answers of non-2xx attempts that were neither 503 nor a cut connection, a few per kind. */
  unexpectedAnswers: string[];
  /** Times the server exited without being killed (a crash of its own). */
  unexpectedExits: number;
}

/** Share of events whose first delivery comes late: half anywhere later, half after all the others. */
const LATE_SHARE = 0.1;

const ENGINE_LABEL: Record<Engine, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };
const STRIPE_KEY = 'sk_test_guildhall_chaos_bench';

// --- the run ----------------------------------------------------------------------------------------

export async function runChaos(
  engine: Engine,
  settings: ChaosSettings,
  postgresUrl: string | null,
  defer: (step: () => Promise<void>) => void,
): Promise<ChaosReport> {
  const target = `Guildhall · ${ENGINE_LABEL[engine]} · webhook chaos`;
  const random = randomSource(settings.seed + (engine === 'postgres' ? 1 : 0));
  const setupStarted = performance.now();
  const say = (line: string) => console.error(`bench: ${target}: ${line}`);

  const emulator = await startStripeEmulator({ port: 0, webhookRetryDelaysMs: [] });
  defer(() => emulator.close());
  const stripe = stripeClientFor(emulator.url, STRIPE_KEY);

  const database = await throwawayDatabase(engine, postgresUrl, 'guildhall_chaos');
  defer(database.drop);
  const env: Record<string, string> = {
    HOST: '127.0.0.1',
    // Several processes share one fixed port: were they all down at once, a new one on port 0 would
    // get another port.
    PORT: settings.processes > 1 ? String(await freePort()) : '0',
    ...(settings.processes > 1 ? { PROCESSES: String(settings.processes) } : {}),
    // Nothing listens on port 9: the emulator's own deliveries fail at once; this process delivers.
    PUBLIC_URL: 'http://127.0.0.1:9',
    DATA_DIR: database.dataDir,
    APP_SECRET: 'bench-secret-bench-secret-bench-secret-01',
    LOG_LEVEL: 'error',
    RUN_WORKER: 'false',
    PASSWORD_HASH_COST: '8',
    STRIPE_API_URL: emulator.url,
    // Buyers reach the server through a proxy on loopback that names them in X-Forwarded-For.
    TRUST_PROXY: '127.0.0.1',
    ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
  };
  const config = loadConfig(env);
  const { db } = await openDatabase(config.database, { poolSize: 2 });
  defer(() => db.destroy());
  await migrateToLatest(db);
  const ownerUser = await createOwner({ db }, { email: 'owner@chaos.test', name: 'Chaos Owner' });
  const apiKey = await createApiKey({ db }, ownerUser);
  const group = await createGroup({ db }, { name: 'Chaos Circle', visibility: 'private' });

  // Outside the data directory, so it outlives the run for whoever reads the report.
  const logFile = join(tmpdir(), `guildhall-chaos-${engine}-${Date.now()}.log`);
  const logs: { lines: number; restarts: number; samples: string[]; onBack?: () => void } = {
    lines: 0,
    restarts: 0,
    samples: [],
  };
  let generation = 0;
  const start = () => startGuildhall(`guildhall-chaos-${engine}-${generation++}`, env, logFile, logs);
  let server = await start();
  defer(() => server.stop());

  async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const isJson = body !== undefined && !Buffer.isBuffer(body) && typeof body !== 'string';
    const response = await fetch(`${server.url}${path}`, {
      method,
      redirect: 'manual',
      headers: Object.fromEntries(
        Object.entries({
          authorization: `Bearer ${apiKey}`,
          ...(isJson ? { 'content-type': 'application/json' } : {}),
          ...headers,
        }).filter(([, value]) => value !== ''),
      ),
      ...(body === undefined
        ? {}
        : { body: isJson ? JSON.stringify(body) : (body as string | Uint8Array<ArrayBuffer>) }),
    });
    const text = await response.text();
    return { status: response.status, text, headers: response.headers };
  }
  const json = <T>(response: { text: string }) => JSON.parse(response.text) as T;

  // Settings → Stripe, then the offers, each with its Stripe price, published.
  const connected = await api('PUT', '/api/v1/settings/stripe', { secretKey: STRIPE_KEY });
  if (connected.status !== 200) throw new Error(`connect: ${connected.status} ${connected.text}`);
  const thumbnail = await pngBytes();
  const slugs = new Map<OfferKey, string>();
  const policies = new Map<string, { key: OfferKey; policy: RefundPolicy }>();
  for (const offer of OFFERS) {
    const created = await api('POST', '/api/v1/offers', {
      type: 'membership',
      title: `Chaos ${offer.key}`,
      hubGroupIds: [group.id],
      pricing: offer.pricing,
      checkout: { refundPolicy: offer.refundPolicy },
    });
    if (created.status !== 201) throw new Error(`offer ${offer.key}: ${created.status} ${created.text}`);
    const { id } = json<{ id: string }>(created);
    const media = await api('PUT', `/api/v1/offers/${id}/media/thumbnail`, thumbnail, {
      'content-type': 'image/png',
    });
    if (media.status >= 300) throw new Error(`thumbnail ${offer.key}: ${media.status} ${media.text}`);
    const published = await api('PATCH', `/api/v1/offers/${id}`, { status: 'published' });
    const row = json<{ slug: string; stripe: { priceId: string | null } }>(published);
    if (published.status !== 200 || !row.stripe.priceId)
      throw new Error(`publish ${offer.key}: ${published.status} ${published.text}`);
    slugs.set(offer.key, row.slug);
    policies.set(id, { key: offer.key, policy: offer.refundPolicy });
  }

  // The purchases: the checkout form as a browser posts it, then the emulator's pay page.
  const plans = planPurchases(settings.purchases, random);
  let done = 0;
  await inPool(plans, 8, async (plan) => {
    const form = new URLSearchParams({ email: plan.email, name: `Buyer ${plan.index}` }).toString();
    const i = plan.index;
    const started = await api('POST', `/checkout/${slugs.get(plan.offer)}`, form, {
      authorization: '',
      'content-type': 'application/x-www-form-urlencoded',
      'x-forwarded-for': `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    });
    const location = started.headers.get('location') ?? '';
    const sessionId = /cs_[A-Za-z0-9_]+/.exec(location)?.[0];
    if (started.status !== 303 || !sessionId)
      throw new Error(`checkout ${plan.email}: ${started.status} ${started.text.slice(0, 300)}`);
    plan.sessionId = sessionId;
    const pay = (card: string) => control(emulator.url, `checkout/sessions/${sessionId}/pay`, { card });
    if (plan.checkout === 'declined' || plan.checkout === 'declined_then_paid') {
      const declined = await pay(DECLINED_CARD);
      if (declined.status !== 402) throw new Error(`decline ${plan.email}: ${JSON.stringify(declined.body)}`);
    }
    if (plan.checkout === 'paid' || plan.checkout === 'declined_then_paid') {
      const paid = await pay(GOOD_CARD);
      if (paid.status !== 200) throw new Error(`pay ${plan.email}: ${JSON.stringify(paid.body)}`);
    }
    done += 1;
    if (done % 500 === 0) say(`${done} purchases made`);
  });

  // Stripe's side moves on: cancellations and failing cards, then the clock passes the first period.
  const paidPlans = plans.filter((p) => p.checkout === 'paid' || p.checkout === 'declined_then_paid');
  const sessionOf = async (plan: Plan) => stripe.checkout.sessions.retrieve(plan.sessionId as string);
  const subscriptionIds = new Map<Plan, string>();
  let latestPeriodEnd = 0;
  await inPool(paidPlans, 8, async (plan) => {
    const session = await sessionOf(plan);
    const subscriptionId = idOf(session.subscription);
    if (!subscriptionId) return;
    subscriptionIds.set(plan, subscriptionId);
    if (plan.before === 'cancel_now') await stripe.subscriptions.cancel(subscriptionId);
    if (plan.before === 'cancel_at_period_end')
      await stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: true });
    if (plan.before === 'fail_renewal') {
      const failing = await control(emulator.url, `subscriptions/${subscriptionId}/fail-next-payment`, {});
      if (failing.status !== 200) throw new Error(`fail-next-payment: ${JSON.stringify(failing.body)}`);
    }
    const subscription = await stripe.subscriptions.retrieve(subscriptionId);
    for (const item of subscription.items.data)
      latestPeriodEnd = Math.max(latestPeriodEnd, item.current_period_end);
  });
  const clock = await control<{ now: number }>(emulator.url, 'clock');
  if (latestPeriodEnd > 0) {
    const advanced = await control(emulator.url, 'clock/advance', {
      seconds: latestPeriodEnd - clock.body.now + 3600,
    });
    if (advanced.status !== 200) throw new Error(`clock: ${JSON.stringify(advanced.body)}`);
  }

  // Refunds and disputes, on the payment each purchase made last.
  await inPool(paidPlans, 8, async (plan) => {
    if (plan.after === 'none') return;
    const subscriptionId = subscriptionIds.get(plan);
    if (subscriptionId) {
      const subscription = await stripe.subscriptions.retrieve(subscriptionId);
      if (subscription.status !== 'active') return;
      if (plan.after === 'cancel_at_period_end') {
        await stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: true });
        return;
      }
      const invoice = await stripe.invoices.retrieve(idOf(subscription.latest_invoice) as string, {
        expand: ['payments'],
      });
      const intent = idOf(invoice.payments?.data[0]?.payment.payment_intent);
      if (!intent || invoice.amount_paid <= 0) return;
      await stripe.refunds.create({
        payment_intent: intent,
        ...(plan.after === 'refund_partial' ? { amount: Math.floor(invoice.amount_paid / 3) } : {}),
      });
      return;
    }
    const session = await sessionOf(plan);
    const intent = await stripe.paymentIntents.retrieve(idOf(session.payment_intent) as string);
    const charge = idOf(intent.latest_charge) as string;
    if (plan.after === 'refund_full' || plan.after === 'refund_partial') {
      await stripe.refunds.create({
        payment_intent: intent.id,
        ...(plan.after === 'refund_partial' ? { amount: Math.floor(intent.amount / 3) } : {}),
      });
      return;
    }
    const opened = await control<{ id: string }>(emulator.url, `charges/${charge}/dispute`, {});
    if (opened.status !== 200) throw new Error(`dispute: ${JSON.stringify(opened.body)}`);
    if (plan.after === 'dispute_won' || plan.after === 'dispute_lost') {
      const closed = await control(emulator.url, `disputes/${opened.body.id}/close`, {
        status: plan.after === 'dispute_won' ? 'won' : 'lost',
      });
      if (closed.status !== 200) throw new Error(`dispute close: ${JSON.stringify(closed.body)}`);
    }
  });

  // The events Stripe would send to Guildhall's endpoint: the types it subscribes to.
  const account = await stripe.accounts.retrieveCurrent();
  const endpoints = await stripe.webhookEndpoints.list({ limit: 100 });
  const endpoint = endpoints.data.find((e) => e.url === `${env.PUBLIC_URL}/webhooks/stripe`);
  if (!endpoint) throw new Error('Guildhall made no webhook endpoint');
  const wanted = new Set(endpoint.enabled_events);
  const listed = await control<{ data: (Stripe.Event & { account: string })[] }>(
    emulator.url,
    `events?account=${account.id}`,
  );
  const events = listed.body.data
    .map(({ account: _account, ...event }) => event as Stripe.Event)
    .filter((event) => wanted.has(event.type) || wanted.has('*'));
  const byType: Record<string, number> = {};
  for (const event of events) byType[event.type] = (byType[event.type] ?? 0) + 1;

  // The signing secret, read from Guildhall's database as the app reads it.
  const services = buildServices({ config, db, engine });
  const storedSecret = await services.stripe.webhookSecret();
  if (!storedSecret) throw new Error('Guildhall has no webhook secret');
  const secret: string = storedSecret;
  const setupMs = performance.now() - setupStarted;
  say(
    `set up in ${(setupMs / 1000).toFixed(1)} s: ${plans.length} purchases, ${events.length} events ` +
      `of ${Object.keys(byType).length} types`,
  );

  // --- the stream -----------------------------------------------------------------------------------

  interface Delivery {
    event: Stripe.Event;
    payload: string;
    attempts: number;
    notBefore: number;
  }
  const duplicates = Math.round((events.length * settings.duplicateShare) / (1 - settings.duplicateShare));
  // Most events come near their place; a few come late (a delivery Stripe retried hours later, after
  // the events that followed it): half of those anywhere later, half after all the others.
  const lateAt = (i: number) =>
    random() < 0.5 ? i + random() * (events.length - i) : events.length * (1 + random() * 0.05);
  const order: { at: number; delivery: Delivery }[] = events.map((event, i) => ({
    at: random() < LATE_SHARE ? lateAt(i) : i,
    delivery: { event, payload: JSON.stringify(event), attempts: 0, notBefore: 0 },
  }));
  for (let d = 0; d < duplicates; d += 1) {
    // A copy comes close after the original, or a while later (Stripe's retries, a second worker).
    const i = Math.floor(random() * events.length);
    const event = events[i] as Stripe.Event;
    order.push({
      at: i + random() * (random() < 0.8 ? 50 : 2000),
      delivery: { event, payload: JSON.stringify(event), attempts: 0, notBefore: 0 },
    });
  }
  order.sort((a, b) => a.at - b.at);
  const planned = order.map((o) => o.delivery);
  // Reordering: bursts of 10–400 deliveries, each shuffled (a quarter of them simply reversed).
  for (let from = 0; from < planned.length; ) {
    const to = Math.min(planned.length, from + 10 + Math.floor(random() * 390));
    if (random() < 0.25) planned.splice(from, to - from, ...planned.slice(from, to).reverse());
    else shuffle(planned, random, from, to);
    from = to;
  }
  // One process: anywhere in the stream. Several: one in each of `kills` equal stretches of its first
  // half, since each kill waits until the process killed before is back.
  const killAt = Array.from({ length: settings.kills }, (_, k) =>
    settings.processes > 1
      ? Math.floor(planned.length * (0.03 + (0.47 * (k + random())) / settings.kills))
      : Math.floor(planned.length * (0.05 + 0.9 * random())),
  ).sort((a, b) => a - b);

  const agent = new Agent({ keepAlive: true, maxSockets: settings.concurrency });
  defer(async () => agent.destroy());
  const failedAttempts: Record<string, number> = {};
  const unexpectedAnswers: string[] = [];
  const unexpectedKinds = new Map<string, number>();
  const retries: Delivery[] = [];
  let cursor = 0;
  let attempts = 0;
  let accepted = 0;
  let undelivered = 0;
  let remaining = planned.length;
  let inFlight = 0;
  let nextKill = 0;
  const inFlightAtKills: number[] = [];
  const restartMs: number[] = [];
  let downtimeMs = 0;
  let unexpectedExits = 0;
  let up: Promise<void> | null = null;

  const fail = (kind: string) => {
    failedAttempts[kind] = (failedAttempts[kind] ?? 0) + 1;
  };

  /** Kills the server (unless it already died by itself) and starts it again on the same database. */
  // Guildhall's CPU time in the stream, summed over the processes that served it.
  let guildhallCpuMs: number | null = 0;
  let cpuFrom = cpuMsOf(server.pid);
  const countCpu = () => {
    const used = cpuMsOf(server.pid);
    guildhallCpuMs =
      used === null || cpuFrom === null || guildhallCpuMs === null ? null : guildhallCpuMs + used - cpuFrom;
  };

  async function crash(killed: boolean): Promise<void> {
    if (settings.processes > 1 && killed) {
      killOneProcess();
      return;
    }
    let ready = () => {};
    up = new Promise<void>((resolve) => {
      ready = resolve;
    });
    const downAt = performance.now();
    if (killed) inFlightAtKills.push(inFlight);
    if (killed) countCpu();
    else guildhallCpuMs = null;
    await server.kill();
    const restarting = performance.now();
    server = await start();
    cpuFrom = cpuMsOf(server.pid);
    restartMs.push(performance.now() - restarting);
    downtimeMs += performance.now() - downAt;
    up = null;
    ready();
  }

  /**
   * Several processes: SIGKILLs one web process (taking turns), as a crash or the OOM killer would; the
   * others keep serving while the primary starts it again. One is down at a time: a kill waits until
   * the process killed before is back (listening), and its figure is how long that took.
   */
  let victim = 0;
  let kills: Promise<void> = Promise.resolve();
  function killOneProcess(): void {
    kills = kills.then(async () => {
      const pids = childrenOf(server.pid).sort((a, b) => a - b);
      const pid = pids[victim++ % pids.length];
      if (pid === undefined) return;
      inFlightAtKills.push(inFlight);
      const killedAt = performance.now();
      const back = new Promise<void>((resolve) => {
        logs.onBack = () => {
          logs.onBack = undefined;
          restartMs.push(performance.now() - killedAt);
          resolve();
        };
      });
      process.kill(pid, 'SIGKILL');
      await back;
    });
  }

  function retryLater(delivery: Delivery, delayMs: number): void {
    if (delivery.attempts >= 100) {
      undelivered += 1;
      remaining -= 1;
      return;
    }
    delivery.notBefore = performance.now() + delayMs;
    retries.push(delivery);
  }

  function takeNext(): Delivery | null {
    const now = performance.now();
    const due = retries.findIndex((d) => d.notBefore <= now);
    if (due >= 0) return retries.splice(due, 1)[0] as Delivery;
    return cursor < planned.length ? (planned[cursor++] as Delivery) : null;
  }

  async function send(delivery: Delivery): Promise<void> {
    delivery.attempts += 1;
    attempts += 1;
    const signature = Stripe.webhooks.generateTestHeaderString({ payload: delivery.payload, secret });
    let status: number;
    let body = '';
    inFlight += 1;
    try {
      const response = await postWebhook(agent, `${server.url}/webhooks/stripe`, delivery.payload, signature);
      status = response.status;
      body = response.body;
    } catch (error) {
      // Refused or cut: the server was killed with the request in flight, or it died by itself.
      const code = (error as { code?: string }).code;
      fail(code === 'ECONNREFUSED' ? 'connection refused' : `connection cut (${code ?? 'no code'})`);
      const died = await Promise.race([server.exited.then(() => true), sleep(20).then(() => false)]);
      if (died && !up) {
        unexpectedExits += 1;
        void crash(false);
      }
      retryLater(delivery, 50);
      return;
    } finally {
      inFlight -= 1;
    }
    if (status >= 200 && status < 300) {
      accepted += 1;
      remaining -= 1;
      return;
    }
    const kind = `${status} ${delivery.event.type}`;
    fail(kind);
    if (status !== 503) {
      const seen = unexpectedKinds.get(kind) ?? 0;
      unexpectedKinds.set(kind, seen + 1);
      if (seen < 3) unexpectedAnswers.push(`${kind} (${delivery.event.id}): ${body.slice(0, 300)}`);
    }
    // Stripe backs off for minutes; here a few hundred milliseconds, so the stream stays short.
    retryLater(delivery, Math.min(2000, 100 * delivery.attempts));
  }

  async function worker(): Promise<void> {
    while (remaining > 0) {
      if (up) {
        await up;
        continue;
      }
      if (nextKill < killAt.length && attempts >= (killAt[nextKill] as number)) {
        nextKill += 1;
        await crash(true);
        continue;
      }
      const delivery = takeNext();
      if (!delivery) {
        await sleep(10);
        continue;
      }
      await send(delivery);
    }
  }

  say(
    `delivering ${planned.length} (${events.length} events + ${duplicates} duplicates), ` +
      `${settings.concurrency} at a time, ${settings.processes} web processes, ` +
      `${settings.kills} SIGKILLs at attempts ${killAt.join(', ')}`,
  );
  const streamStarted = performance.now();
  const benchCpuFrom = process.cpuUsage();
  const postgresCpuFrom = engine === 'postgres' ? localPostgresCpuMs() : null;
  cpuFrom = cpuMsOf(server.pid);
  await Promise.all(Array.from({ length: settings.concurrency }, worker));
  // Several processes: the stream lasts until the last killed process is back (every kill happened).
  while (nextKill < killAt.length) {
    nextKill += 1;
    await crash(true);
  }
  await kills;
  // Answered is not applied: the stream ends when Guildhall's inbox holds nothing due or waiting.
  const acceptedMs = performance.now() - streamStarted;
  const inboxLeft = await waitForInbox(db, 120_000);
  const streamMs = performance.now() - streamStarted;
  countCpu();
  const benchCpu = process.cpuUsage(benchCpuFrom);
  const postgresCpuTo = postgresCpuFrom === null ? null : localPostgresCpuMs();
  const postgresCpuMs =
    postgresCpuFrom === null || postgresCpuTo === null ? null : postgresCpuTo - postgresCpuFrom;
  say(`stream done in ${(streamMs / 1000).toFixed(1)} s; verifying against Stripe's objects`);

  // --- the verdict ----------------------------------------------------------------------------------

  const verdict = await verify({
    db,
    stripe,
    plans,
    policies,
    graceMs: await services.billing.graceMs(),
    eventTypes: new Map(
      events.map((event) => [event.id, `${event.type} of ${(event.data.object as { id: string }).id}`]),
    ),
  });

  const byOffer: Record<string, number> = {};
  for (const plan of plans) byOffer[plan.offer] = (byOffer[plan.offer] ?? 0) + 1;
  const recorded = await db
    .selectFrom('stripeEvents')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const inbox = await inboxOf(db)
    .selectFrom('stripeInbox')
    .select((eb) => [
      eb.fn.countAll<number>().filterWhere('attempts', '>', 0).as('triedAgain'),
      eb.fn.countAll<number>().filterWhere('appliedAt', 'is', null).as('notApplied'),
    ])
    .executeTakeFirstOrThrow();
  return {
    target,
    engine,
    seed: settings.seed,
    setupMs,
    purchases: {
      planned: plans.length,
      paid: verdict.paid,
      unpaid: plans.length - verdict.paid,
      byOffer,
    },
    events: { unique: events.length, byType },
    deliveries: planned.length,
    duplicates,
    concurrency: settings.concurrency,
    attempts,
    accepted,
    failedAttempts,
    undelivered,
    kills: inFlightAtKills.length,
    processes: settings.processes,
    inFlightAtKills,
    restartMs,
    downtimeMs,
    acceptedMs,
    streamMs,
    inboxLeft,
    eventsPerSecond: accepted / (streamMs / 1000),
    eventsPerSecondUp: accepted / ((streamMs - downtimeMs) / 1000),
    guildhallCpuMs,
    benchCpuMs: (benchCpu.user + benchCpu.system) / 1000,
    postgresCpuMs,
    divergences: verdict.divergences,
    divergenceCounts: verdict.counts,
    entitlements: verdict.entitlements,
    entitlementStates: verdict.states,
    inbox: Number(recorded.n),
    inboxTriedAgain: Number(inbox.triedAgain),
    inboxNotApplied: Number(inbox.notApplied),
    guildhallLog: { file: logFile, lines: logs.lines, samples: logs.samples },
    unexpectedAnswers,
    // With several processes the primary restarts them: any restart beyond the kills was a crash.
    unexpectedExits:
      unexpectedExits + Math.max(0, logs.restarts - (settings.processes > 1 ? inFlightAtKills.length : 0)),
  };
}

// --- comparing with Stripe --------------------------------------------------------------------------

async function listAll<T extends { id: string }>(list: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of list) items.push(item);
  return items;
}

function subscriptionView(subscription: Stripe.Subscription) {
  const ends = subscription.items.data.map((item) => item.current_period_end);
  return {
    status: subscription.status,
    cancelAtPeriodEnd: subscription.cancel_at_period_end,
    currentPeriodEnd: ends.length ? Math.max(...ends) * 1000 : null,
  };
}

async function verify(input: {
  db: Database;
  stripe: Stripe;
  plans: Plan[];
  policies: Map<string, { key: OfferKey; policy: RefundPolicy }>;
  graceMs: number;
  eventTypes: Map<string, string>;
}) {
  const { db, stripe, plans, policies, graceMs, eventTypes } = input;
  const now = Date.now();
  // Stripe's objects as they are now, each list read once.
  const sessions = new Map(
    (await listAll(stripe.checkout.sessions.list({ limit: 100 }))).map((s) => [s.id, s]),
  );
  const subscriptions = new Map(
    (await listAll(stripe.subscriptions.list({ status: 'all', limit: 100 }))).map((s) => [s.id, s]),
  );
  const charges = await listAll(stripe.charges.list({ limit: 100 }));
  // The charge that took each payment (a declined attempt before it is a charge of the same intent).
  const chargeOfIntent = new Map(
    charges.filter((c) => c.paid).map((c) => [idOf(c.payment_intent) as string, c]),
  );
  const disputeOfCharge = new Map(
    (await listAll(stripe.disputes.list({ limit: 100 }))).map((d) => [idOf(d.charge) as string, d]),
  );
  const invoices = await listAll(stripe.invoices.list({ limit: 100 }));
  const intentOfInvoice = new Map<string, string>();
  for (const payment of await listAll(stripe.invoicePayments.list({ limit: 100 }))) {
    const intent = idOf(payment.payment.payment_intent);
    if (intent && payment.status === 'paid') intentOfInvoice.set(idOf(payment.invoice) as string, intent);
  }
  const paidInvoicesOf = new Map<string, Stripe.Invoice[]>();
  for (const invoice of invoices) {
    const subscription = idOf(invoice.parent?.subscription_details?.subscription);
    if (!subscription || invoice.status !== 'paid' || invoice.amount_paid <= 0) continue;
    paidInvoicesOf.set(subscription, [...(paidInvoicesOf.get(subscription) ?? []), invoice]);
  }

  // Guildhall's rows.
  const purchases = new Map((await db.selectFrom('purchases').selectAll().execute()).map((p) => [p.id, p]));
  const entitlements = await db.selectFrom('entitlements').selectAll().execute();
  const entitlementsOf = new Map<string, typeof entitlements>();
  for (const e of entitlements) {
    if (!e.purchaseId) continue;
    entitlementsOf.set(e.purchaseId, [...(entitlementsOf.get(e.purchaseId) ?? []), e]);
  }
  const payments = await db.selectFrom('payments').selectAll().execute();
  const paymentsOf = new Map<string, typeof payments>();
  for (const p of payments) paymentsOf.set(p.purchaseId, [...(paymentsOf.get(p.purchaseId) ?? []), p]);

  const divergences: Divergence[] = [];
  const counts: Record<string, number> = {};
  const states: Record<string, number> = {};
  let paid = 0;
  const ours = new Set<string>();
  for (const plan of plans) {
    const session = sessions.get(plan.sessionId as string);
    const purchaseId = session?.metadata?.guildhall_purchase ?? null;
    if (purchaseId) ours.add(purchaseId);
    const purchase = purchaseId ? purchases.get(purchaseId) : undefined;
    const found = purchaseId ? (entitlementsOf.get(purchaseId) ?? []) : [];
    const facts: string[] = [`session ${session?.id} ${session?.status}/${session?.payment_status}`];
    const diverge = (what: string, expected: string, actual: string) => {
      counts[what] = (counts[what] ?? 0) + 1;
      divergences.push({
        purchaseId,
        email: plan.email,
        offer: plan.offer,
        what,
        expected,
        actual,
        stripe: facts.join('; '),
        ledger: [],
      });
    };
    if (!session || !purchase) {
      diverge(
        'purchase missing',
        'a purchase for the session',
        `session ${!!session}, purchase ${!!purchase}`,
      );
      continue;
    }
    const isPaid =
      session.status === 'complete' &&
      (session.payment_status === 'paid' || session.payment_status === 'no_payment_required');
    if (!isPaid) {
      if (found.length > 0 || purchase.status === 'fulfilled')
        diverge('unpaid but granted', 'no entitlement', `${purchase.status}, ${found.length} entitlements`);
      else if (session.status === 'expired' && purchase.status !== 'canceled')
        diverge('expired checkout not given up', 'canceled', purchase.status);
      continue;
    }
    paid += 1;
    if (purchase.status !== 'fulfilled' || found.length !== 1) {
      diverge(
        'paid but not fulfilled once',
        'fulfilled, 1 entitlement',
        `${purchase.status}, ${found.length}`,
      );
      if (found.length === 0) continue;
    }
    const entitlement = found[0] as (typeof entitlements)[number];
    states[entitlement.state] = (states[entitlement.state] ?? 0) + 1;
    if (purchase.entitlementId !== entitlement.id || entitlement.userId !== purchase.userId)
      diverge('entitlement not the purchase’s', purchase.entitlementId ?? 'null', entitlement.id);
    const policy = policies.get(purchase.offerId)?.policy ?? 'full';
    let expected: { state: EntitlementState; accessUntil: number | null };
    const expectedIntents = new Map<string, Stripe.Charge | undefined>();
    const subscriptionId = idOf(session.subscription);
    if (subscriptionId) {
      const subscription = subscriptions.get(subscriptionId);
      if (!subscription) {
        diverge('subscription missing at Stripe', subscriptionId, 'none');
        continue;
      }
      const paidInvoices = (paidInvoicesOf.get(subscriptionId) ?? []).sort(
        (a, b) => (b.status_transitions?.paid_at ?? b.created) - (a.status_transitions?.paid_at ?? a.created),
      );
      for (const invoice of paidInvoices) {
        const intent = intentOfInvoice.get(invoice.id as string);
        if (intent) expectedIntents.set(intent, chargeOfIntent.get(intent));
      }
      const latest = paidInvoices[0];
      const latestCharge = latest
        ? chargeOfIntent.get(intentOfInvoice.get(latest.id as string) ?? '')
        : undefined;
      const view = subscriptionView(subscription);
      facts.push(
        `subscription ${subscription.id} ${subscription.status}` +
          (subscription.cancel_at_period_end ? ' (cancel at period end)' : '') +
          `, paid invoices (newest first) ${paidInvoices.map((i) => i.id).join(' ')}` +
          (latestCharge?.amount_refunded
            ? `, latest refunded ${latestCharge.amount_refunded}/${latestCharge.amount}`
            : ''),
      );
      expected =
        latestCharge && refundEndsAccess(policy, latestCharge.amount_refunded, latestCharge.amount)
          ? { state: 'refunded', accessUntil: null }
          : accessForSubscription(view, entitlement, now, graceMs);
      const actualFacts = `${entitlement.stripeStatus} ${entitlement.currentPeriodEnd} ${Boolean(entitlement.cancelAtPeriodEnd)}`;
      const expectedFacts = `${subscription.status} ${view.currentPeriodEnd} ${view.cancelAtPeriodEnd}`;
      if (actualFacts !== expectedFacts) diverge('subscription facts', expectedFacts, actualFacts);
    } else {
      const intentId = idOf(session.payment_intent) as string;
      const charge = chargeOfIntent.get(intentId);
      const dispute = charge ? disputeOfCharge.get(charge.id) : undefined;
      expectedIntents.set(intentId, charge);
      facts.push(
        `charge ${charge?.id} refunded ${charge?.amount_refunded}/${charge?.amount}` +
          (dispute ? `, dispute ${dispute.status}` : ''),
      );
      expected =
        dispute && !['won', 'warning_closed'].includes(dispute.status)
          ? { state: 'disputed', accessUntil: null }
          : charge && refundEndsAccess(policy, charge.amount_refunded, charge.amount)
            ? { state: 'refunded', accessUntil: null }
            : { state: 'active', accessUntil: null };
    }
    const actualAccess = `${entitlement.state} until ${entitlement.accessUntil}`;
    const expectedAccess = `${expected.state} until ${expected.accessUntil}`;
    if (actualAccess !== expectedAccess) diverge(`entitlement state`, expectedAccess, actualAccess);

    // Its payments: the ones Stripe took, each refunded as much as Stripe refunded it.
    const recorded = paymentsOf.get(purchase.id) ?? [];
    const recordedIds = recorded.map((p) => p.stripePaymentIntentId).sort();
    const expectedIds = [...expectedIntents.keys()].sort();
    if (recordedIds.join() !== expectedIds.join())
      diverge('payments', expectedIds.join(' ') || 'none', recordedIds.join(' ') || 'none');
    let refundedTotal = 0;
    for (const payment of recorded) {
      const charge = expectedIntents.get(payment.stripePaymentIntentId);
      if (!charge) continue;
      refundedTotal += charge.amount_refunded;
      if (
        Number(payment.amountMinor) !== charge.amount ||
        Number(payment.refundedMinor) !== charge.amount_refunded
      )
        diverge(
          'payment amounts',
          `${charge.amount} refunded ${charge.amount_refunded}`,
          `${payment.amountMinor} refunded ${payment.refundedMinor}`,
        );
    }
    if (Number(purchase.refundedMinor) !== refundedTotal)
      diverge('purchase refunded total', String(refundedTotal), String(purchase.refundedMinor));
  }
  const stray = entitlements.filter((e) => !e.purchaseId || !ours.has(e.purchaseId));
  if (stray.length > 0) {
    counts['entitlement of no bench purchase'] = stray.length;
    for (const e of stray.slice(0, 5))
      divergences.push({
        purchaseId: e.purchaseId,
        email: '',
        offer: e.offerId,
        what: 'entitlement of no bench purchase',
        expected: 'none',
        actual: `${e.id} ${e.state}`,
        stripe: '',
        ledger: [],
      });
  }
  // How the first ones got there: each entitlement's ledger, with the event behind each change.
  for (const divergence of divergences.slice(0, 50)) {
    if (!divergence.purchaseId) continue;
    const changes = await db
      .selectFrom('entitlementChanges')
      .innerJoin('entitlements', 'entitlements.id', 'entitlementChanges.entitlementId')
      .select([
        'entitlementChanges.fromState',
        'entitlementChanges.toState',
        'entitlementChanges.reason',
        'entitlementChanges.stripeEventId',
        'entitlementChanges.stripeObjectId',
      ])
      .where('entitlements.purchaseId', '=', divergence.purchaseId)
      .orderBy('entitlementChanges.createdAt')
      .execute();
    divergence.ledger = changes.map(
      (c) =>
        `${c.fromState ?? '∅'} → ${c.toState} (${c.reason}, ` +
        `${c.stripeEventId ? `${eventTypes.get(c.stripeEventId) ?? '?'} ${c.stripeEventId}` : 'no event'}, ${c.stripeObjectId})`,
    );
  }
  return { divergences, counts, states, paid, entitlements: entitlements.length };
}

// --- printing ---------------------------------------------------------------------------------------

export function describeChaos(report: ChaosReport): string[] {
  const n = (value: number) => Math.round(value).toLocaleString('en-US');
  const lines = [
    `${report.target} (seed ${report.seed}): ${n(report.accepted)} deliveries accepted in ` +
      `${(report.streamMs / 1000).toFixed(1)} s = ${n(report.eventsPerSecond)} events/s ` +
      `(${n(report.eventsPerSecondUp)} events/s while the server was up); ` +
      `${report.divergences.length} divergences.`,
    `  The last delivery was answered ${(report.acceptedMs / 1000).toFixed(1)} s into the stream; the inbox ` +
      (report.inboxLeft === 0
        ? `was drained (every event applied) ${((report.streamMs - report.acceptedMs) / 1000).toFixed(1)} s later, which the rates include.`
        : `STILL HELD ${report.inboxLeft} PENDING EVENTS two minutes later.`),
    `  ${n(report.purchases.planned)} purchases (${n(report.purchases.paid)} paid, ${n(report.purchases.unpaid)} never paid: ` +
      `${Object.entries(report.purchases.byOffer)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}), set up in ${(report.setupMs / 1000).toFixed(1)} s.`,
    `  ${n(report.events.unique)} events (${Object.entries(report.events.byType)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}).`,
    `  ${n(report.deliveries)} deliveries (${n(report.duplicates)} duplicates, ` +
      `${((report.duplicates / report.deliveries) * 100).toFixed(0)} %), shuffled in bursts, ` +
      `${LATE_SHARE * 100} % of events late, ` +
      `${report.concurrency} at a time; ${n(report.attempts)} attempts; ${report.undelivered} given up.`,
    `  CPU in the stream: Guildhall ${
      report.guildhallCpuMs === null
        ? 'unknown'
        : `${(report.guildhallCpuMs / 1000).toFixed(1)} s = ${(report.guildhallCpuMs / report.accepted).toFixed(2)} ms per delivery ` +
          `(≈ ${n(report.accepted / (report.guildhallCpuMs / 1000))} deliveries/s per core)`
    }; emulator and sender ${(report.benchCpuMs / 1000).toFixed(1)} s` +
      (report.postgresCpuMs === null
        ? '.'
        : `; PostgreSQL ${(report.postgresCpuMs / 1000).toFixed(1)} s = ${(report.postgresCpuMs / report.accepted).toFixed(2)} ms per delivery.`),
    report.processes > 1
      ? `  ${report.processes} web processes; ${report.kills} SIGKILLs, each of one of them ` +
        `(in flight on the whole server: ${report.inFlightAtKills.join(', ') || '–'}); each was back (listening) ` +
        `${report.restartMs.map((ms) => (ms / 1000).toFixed(1)).join(', ') || '–'} s after its kill; the others kept serving.`
      : `  ${report.kills} SIGKILLs (in flight: ${report.inFlightAtKills.join(', ') || '–'}); restarts took ` +
        `${report.restartMs.map((ms) => (ms / 1000).toFixed(1)).join(', ') || '–'} s; ` +
        `server down ${(report.downtimeMs / 1000).toFixed(1)} s of the stream` +
        (report.unexpectedExits ? `; it also DIED BY ITSELF ${report.unexpectedExits} times.` : '.'),
    `  Failed attempts, re-sent later: ${
      Object.entries(report.failedAttempts)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} × ${v}`)
        .join(', ') || 'none'
    }.`,
    `  Entitlements: ${report.entitlements} (${Object.entries(report.entitlementStates)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(
        ', ',
      )}); ${report.inbox} events recorded as applied; in the inbox, ${report.inboxTriedAgain} were applied ` +
      `on a later attempt (their payment had not arrived), ${report.inboxNotApplied} not applied.`,
  ];
  if (report.divergences.length > 0) {
    lines.push(
      `  Divergences by kind: ${Object.entries(report.divergenceCounts)
        .map(([k, v]) => `${k} × ${v}`)
        .join(', ')}. The first ones:`,
    );
    for (const d of report.divergences.slice(0, 15)) {
      lines.push(
        `    ${d.what}: purchase ${d.purchaseId} (${d.email}, ${d.offer}): expected ${d.expected}, ` +
          `found ${d.actual}; Stripe: ${d.stripe}`,
      );
      if (d.ledger.length > 0) lines.push(`      ledger: ${d.ledger.join('; ')}`);
    }
  }
  for (const answer of report.unexpectedAnswers) lines.push(`  Unexpected answer: ${answer}`);
  if (report.guildhallLog.lines > 0) {
    lines.push(`  Guildhall wrote ${report.guildhallLog.lines} log lines (LOG_LEVEL=error); the first:`);
    for (const line of report.guildhallLog.samples.slice(0, 5)) lines.push(`    ${line.slice(0, 600)}`);
  }
  return lines;
}

/** Whether the run passed: every delivery accepted, nothing diverged, no unexpected answer. */
export function chaosFailed(report: ChaosReport): boolean {
  return (
    report.divergences.length > 0 ||
    report.undelivered > 0 ||
    report.inboxLeft > 0 ||
    report.inboxNotApplied > 0 ||
    report.unexpectedAnswers.length > 0 ||
    report.unexpectedExits > 0
  );
}
