// The webhook inbox's drainer. A delivery is verified, written into the inbox and answered at once
// (Stripe asks for a quick 2xx and retries what times out); a drainer then applies what is due in
// batches (billing.service.ts, prepareBatch): a batch's reads from Stripe first, then its writes, and
// while one batch is written the next one's reads are under way (Stripe answers them meanwhile; on
// SQLite what they read of the database waits for the write's commit). Events arrive faster than they are applied only while the drainer is busy, and then the
// next batch is larger. One started process drains at a time (the role, platform/db/role.ts); claims
// keep drainers apart when two do (a role lost with its connection, whose holder has not seen it yet).
//
// An event that cannot be applied yet (its payment has not arrived) or failed is tried again later,
// by the schedule below, and given up after three days, as Stripe gives up its own retries (the daily
// reconciliation brings access and one-time refunds in line with Stripe; Stripe's "Resend" of the
// event applies the rest: a renewal's payment, a dispute). A claim keeps other drainers off a batch for
// CLAIM_MS, renewed while the batch runs; a process killed while holding one leaves it to the others
// when it runs out (at once when another process takes the role: it frees the claims before it).
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import type { Role } from '../../platform/db/role.ts';
import type { Logger } from '../../platform/logger.ts';
import {
  type ClaimedEvent,
  claimStripeEvents,
  pruneStripeInbox,
  releaseStripeClaims,
  renewStripeClaims,
  stripeEventDue,
} from './purchase.repository.ts';

/** Events applied in one transaction, at most. */
export const BATCH_SIZE = 100;
/** How long a claim keeps other processes off its events. */
export const CLAIM_MS = 2_000;
/**
 * How often the drainer looks for due events it was not kicked for (retries, deliveries another process
 * took in), and the other processes try to take its role (a killed drainer's).
 */
export const SWEEP_MS = 250;
/** Waits after each failed attempt; the last repeats until the event is GIVE_UP_MS old. */
export const RETRY_DELAYS_MS = [250, 1_000, 5_000, 30_000, 120_000, 600_000, 3_600_000];
export const GIVE_UP_MS = 3 * 24 * 3600_000;
/** Applied and given-up events are kept this long (to look into), then forgotten, hourly. */
export const KEEP_MS = 30 * 24 * 3600_000;
const PRUNE_EVERY_MS = 3600_000;

/** When an event that failed `attempts` times (this one included) is tried next, or null: given up. */
export function nextAttemptAt(attempts: number, receivedAt: number, now: number): number | null {
  const delays = RETRY_DELAYS_MS;
  const next = now + (delays[Math.min(attempts, delays.length) - 1] ?? (delays.at(-1) as number));
  return next - receivedAt > GIVE_UP_MS ? null : next;
}

export interface WebhookInbox {
  /** Something was received: drain soon (after the current turn, so the answer goes out first). */
  kick(): void;
  /** Applies everything due now, and resolves when nothing is (tests). */
  drain(): Promise<void>;
  /** Looks for due events every SWEEP_MS (a web process). */
  start(): void;
  /** Stops looking and waits for the batch in hand. */
  stop(): Promise<void>;
  /** Whether this process applies the events now (started: it holds the role). */
  isDraining(): boolean;
}

export function createWebhookInbox(deps: {
  db: Database;
  clock: Clock;
  logger: Logger;
  /**
   * Makes a claimed batch ready: reads what it needs (from Stripe), and answers the step that writes
   * it. The next batch's reads are made while one is written.
   */
  prepareBatch(events: ClaimedEvent[]): Promise<() => Promise<void>>;
  /** Which started process drains (one at a time); an inbox never started drains when kicked. */
  role: Role;
}): WebhookInbox {
  const { db, clock, logger, role } = deps;
  /** The drain under way; it resolves with what stopped it, if it failed. */
  let running: Promise<unknown> | null = null;
  let again = false;
  let stopped = false;
  let sweep: NodeJS.Timeout | null = null;
  let kicked = false;
  let started = false;
  /** Whether this process holds the drainer's role (an inbox never started drains on its own). */
  let draining = true;
  let prunedAt = Number.NEGATIVE_INFINITY;
  /** Whether the last look could not reach the role's lock (logged once, when it starts). */
  let roleUnreachable = false;

  /**
   * A started process's look, every SWEEP_MS: the drainer drains what is due (retries, events other
   * processes took in); the others try to take the role, which a killed drainer let go of.
   */
  async function look(): Promise<void> {
    if (stopped) return;
    // Tried at every look, by the drainer too, even while it drains (on PostgreSQL a statement that
    // keeps its lock alive): a role lost with its connection is taken again, or left to whoever took it.
    let taken: boolean;
    try {
      taken = await role.tryTake();
      if (roleUnreachable) logger.info("stripe webhook inbox: the drainer's role can be taken again");
      roleUnreachable = false;
    } catch (error) {
      // Its lock cannot be reached (PostgreSQL refused the connection): this process applies the
      // events all the same, claims keeping drainers apart, rather than leave them to no one.
      if (!roleUnreachable) {
        logger.error(
          { err: error },
          "stripe webhook inbox: the drainer's role cannot be taken; this process applies the events without it",
        );
      }
      roleUnreachable = true;
      taken = true;
    }
    // Stopping: stop() lets the role go.
    if (stopped) return;
    if (!taken) {
      if (draining) logger.info('stripe webhook inbox: another process applies the events now');
      draining = false;
      return;
    }
    if (!draining) {
      // Whatever is claimed was claimed by the drainer before this one, dead or no longer draining
      // (unless it is this process's own drain, still ending, after the role came back to it). Freed
      // before this process drains, so none of its own claims are.
      if (role.exclusive && !roleUnreachable && !running) {
        await releaseStripeClaims(db);
        logger.info('stripe webhook inbox: this process applies the events');
      }
      if (stopped) return;
      draining = true;
    }
    if (running || stopped) return;
    if (clock.now() - prunedAt >= PRUNE_EVERY_MS) {
      prunedAt = clock.now();
      await pruneStripeInbox(db, prunedAt - KEEP_MS);
    }
    if (await stripeEventDue(db, clock.now())) kick();
  }

  /** A claimed batch on its way: its reads under way, its claim renewed until it is written. */
  interface InHand {
    ready: Promise<() => Promise<void>>;
    renewing: NodeJS.Timeout;
  }

  /** Claims the next batch due and starts its reads; null when nothing is due. */
  async function claimNext(): Promise<InHand | null> {
    const now = clock.now();
    const batch = await claimStripeEvents(db, now, now + CLAIM_MS, BATCH_SIZE);
    if (batch.length === 0) return null;
    // A batch can outlast its claim (Stripe slow to answer its reads): the claim is renewed while
    // the batch is in hand, so another drainer never takes it up meanwhile.
    const ids = batch.map((event) => event.id);
    const renewing = setInterval(() => {
      renewStripeClaims(db, ids, clock.now() + CLAIM_MS).catch(() => {});
    }, CLAIM_MS / 2);
    renewing.unref();
    const ready = deps.prepareBatch(batch);
    // Awaited when its turn comes; until then a failure must not go unheard as unhandled.
    ready.catch(() => {});
    return { ready, renewing };
  }

  async function drainOnce(): Promise<void> {
    let ahead: InHand | null = null;
    try {
      for (;;) {
        again = false;
        // Stopped, or another process took the role (this one lost it with its connection).
        if (stopped || !draining) return;
        const current: InHand | null = ahead ?? (await claimNext());
        ahead = null;
        if (!current) {
          if (!again) return;
          continue;
        }
        try {
          const write = await current.ready;
          // The next batch's reads go out to Stripe while this one is written (a claim that fails
          // here is tried again by the next turn; this batch is written all the same).
          ahead = stopped || !draining ? null : await claimNext().catch(() => null);
          await write();
        } finally {
          clearInterval(current.renewing);
        }
      }
    } finally {
      // Stopped, or a write failed, with the next batch claimed: its claim runs out, and it is applied
      // then (at once by the next process to take the role, which frees the claims before it).
      if (ahead) clearInterval((ahead as InHand).renewing);
    }
  }

  function run(): Promise<unknown> {
    running ??= drainOnce()
      .then(
        () => null,
        (error: unknown) => {
          // The database is down: the events stay due, and the next kick or sweep tries again.
          logger.error({ err: error }, 'stripe webhook inbox: drain failed');
          return error;
        },
      )
      .finally(() => {
        running = null;
      });
    return running;
  }

  function kick(): void {
    if (stopped || !draining) return;
    if (running) {
      again = true;
      return;
    }
    if (kicked) return;
    kicked = true;
    setImmediate(() => {
      kicked = false;
      if (!stopped) void run();
    });
  }

  return {
    kick,
    async drain() {
      for (;;) {
        if (running) await running;
        const failed = await run();
        if (failed) throw failed;
        if (!(await stripeEventDue(db, clock.now()))) return;
      }
    },
    start() {
      if (started || stopped) return;
      started = true;
      draining = false;
      const tick = () =>
        look().catch((error: unknown) =>
          logger.error({ err: error }, 'stripe webhook inbox: look for due events failed'),
        );
      setImmediate(tick);
      sweep = setInterval(tick, SWEEP_MS);
      sweep.unref();
    },
    isDraining: () => draining && !stopped,
    async stop() {
      stopped = true;
      if (sweep) clearInterval(sweep);
      sweep = null;
      if (running) {
        // The role kept meanwhile (PostgreSQL ends its lock 10 s after its holder's last statement):
        // another process taking it now would take up the batch in hand too.
        const keeping =
          started && draining ? setInterval(() => void role.tryTake().catch(() => {}), SWEEP_MS) : null;
        try {
          await running;
        } finally {
          if (keeping) clearInterval(keeping);
        }
      }
      // Also when not draining: a role's lock may keep a connection while it waits.
      if (started) await role.release();
    },
  };
}
