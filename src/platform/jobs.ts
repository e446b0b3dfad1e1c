// The jobs outbox: a job is a row written in the same transaction as the change that needs it, so a
// crash can neither lose it nor run it for a change that rolled back. Workers claim rows one at a time
// (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite has one writer), retry with exponential backoff and keep
// jobs that ran out of attempts as `failed` for the admin to see and retry.
import { hostname } from 'node:os';
import type { Clock } from './clock.ts';
import { newId } from './crypto.ts';
import type { Database, Engine } from './db/database.ts';
import type { Executor } from './db/executor.ts';
import type { JobsTable } from './db/schema.ts';
import { NotFoundError } from './errors.ts';
import type { Logger } from './logger.ts';
import { type Cursor, decodeCursor, type Page, pageOf } from './pagination.ts';

export interface JobRow extends Omit<JobsTable, 'attempts'> {
  attempts: number;
}

export type JobHandler = (payload: unknown, job: JobRow) => Promise<void>;

export interface EnqueueOptions {
  runAt?: number;
  maxAttempts?: number;
}

/** Writes a job inside the caller's transaction. */
export async function enqueueJob(
  trx: Executor,
  clock: Clock,
  name: string,
  payload: unknown,
  options: EnqueueOptions = {},
): Promise<string> {
  const now = clock.now();
  const id = newId();
  await trx
    .insertInto('jobs')
    .values({
      id,
      name,
      payload: JSON.stringify(payload ?? null),
      status: 'pending',
      maxAttempts: options.maxAttempts ?? 8,
      runAt: options.runAt ?? now,
      lockedAt: null,
      lockedBy: null,
      lastError: null,
      createdAt: now,
      updatedAt: now,
    })
    .execute();
  return id;
}

/**
 * Writes a job unless one of that name is already waiting or running: a recurring job (the daily
 * reconciliation) schedules its next run this way, and starting a server twice does not double it.
 */
export async function enqueueJobOnce(
  trx: Executor,
  clock: Clock,
  name: string,
  payload: unknown,
  options: EnqueueOptions & {
    /** The job booking its own next run: itself, still running, does not count as waiting. */
    exceptId?: string;
  } = {},
): Promise<string | null> {
  let waiting = trx
    .selectFrom('jobs')
    .select('id')
    .where('name', '=', name)
    .where('status', 'in', ['pending', 'running']);
  if (options.exceptId) waiting = waiting.where('id', '!=', options.exceptId);
  if (await waiting.executeTakeFirst()) return null;
  const { exceptId: _self, ...enqueue } = options;
  return enqueueJob(trx, clock, name, payload, enqueue);
}

/** Seconds to wait before attempt n+1: 2^n × 5 s, capped at an hour. */
export function backoffMs(attempts: number): number {
  return Math.min(3_600_000, 5_000 * 2 ** Math.max(0, attempts - 1));
}

// A running job's lease: its worker renews it every third of this while the job runs, so a job whose
// lease ran out belongs to a worker that died, and is released for retry. A crash delays the job in
// hand by at most this much (a 15-minute sign-in link still arrives in time).
export const JOB_LEASE_MS = 60_000;

export interface WorkerOptions {
  db: Database;
  engine: Engine;
  clock: Clock;
  logger: Logger;
  handlers: Record<string, JobHandler>;
  pollMs?: number;
  workerId?: string;
  /** The lease of a running job (JOB_LEASE_MS; tests shorten it). */
  leaseMs?: number;
}

export interface Worker {
  start(): void;
  /** Stops taking new jobs and waits for the one in hand to finish. */
  stop(): Promise<void>;
  /** Claims and runs due jobs until none is due; answers how many ran. Used by tests and the loop. */
  drain(): Promise<number>;
}

export function createWorker(options: WorkerOptions): Worker {
  const { db, engine, clock, logger, handlers } = options;
  const workerId = options.workerId ?? `${hostname()}:${process.pid}:${newId().slice(0, 8)}`;
  const pollMs = options.pollMs ?? 500;
  const leaseMs = options.leaseMs ?? JOB_LEASE_MS;
  let running = false;
  let stopping = false;
  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<unknown> = Promise.resolve();

  async function claim(): Promise<JobRow | null> {
    const now = clock.now();
    await db
      .updateTable('jobs')
      .set({ status: 'pending', lockedAt: null, lockedBy: null, updatedAt: now })
      .where('status', '=', 'running')
      .where('lockedAt', '<', now - leaseMs)
      .execute();
    const next = db
      .selectFrom('jobs')
      .select('id')
      .where('status', '=', 'pending')
      .where('runAt', '<=', now)
      .orderBy('runAt')
      .limit(1);
    const claimed = await db
      .updateTable('jobs')
      .set((eb) => ({
        status: 'running',
        lockedAt: now,
        lockedBy: workerId,
        attempts: eb('attempts', '+', 1),
        updatedAt: now,
      }))
      .where('id', '=', engine === 'postgres' ? next.forUpdate().skipLocked() : next)
      .where('status', '=', 'pending')
      .returningAll()
      .executeTakeFirst();
    return claimed ?? null;
  }

  /** Keeps the job's lease while it runs; answers the function that stops renewing it. */
  function holdLease(job: JobRow): () => void {
    const renew = setInterval(() => {
      db.updateTable('jobs')
        .set({ lockedAt: clock.now() })
        .where('id', '=', job.id)
        .where('lockedBy', '=', workerId)
        .where('status', '=', 'running')
        .execute()
        .catch((error: unknown) => logger.warn({ err: error, job: job.id }, 'could not renew a job lease'));
    }, leaseMs / 3);
    renew.unref();
    return () => clearInterval(renew);
  }

  async function runOne(job: JobRow): Promise<void> {
    const handler = handlers[job.name];
    const release = holdLease(job);
    try {
      if (!handler) throw new Error(`no handler for job ${job.name}`);
      await handler(JSON.parse(job.payload), job);
      await db
        .updateTable('jobs')
        .set({ status: 'done', lockedAt: null, lockedBy: null, lastError: null, updatedAt: clock.now() })
        .where('id', '=', job.id)
        // Only while this worker still holds it: a lease lost meanwhile belongs to the next worker now.
        .where('lockedBy', '=', workerId)
        .execute();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const exhausted = job.attempts >= job.maxAttempts;
      logger.warn({ job: job.id, name: job.name, attempts: job.attempts, err: message }, 'job failed');
      await db
        .updateTable('jobs')
        .set({
          status: exhausted ? 'failed' : 'pending',
          runAt: clock.now() + backoffMs(job.attempts),
          lockedAt: null,
          lockedBy: null,
          lastError: message.slice(0, 2000),
          updatedAt: clock.now(),
        })
        .where('id', '=', job.id)
        .where('lockedBy', '=', workerId)
        .execute();
    } finally {
      release();
    }
  }

  async function drain(): Promise<number> {
    let count = 0;
    for (;;) {
      const job = await claim();
      if (!job) return count;
      await runOne(job);
      count += 1;
      if (stopping) return count;
    }
  }

  function schedule(): void {
    if (!running) return;
    timer = setTimeout(() => {
      timer = null;
      inFlight = drain()
        .catch((error: unknown) => logger.error({ err: error }, 'job worker loop failed'))
        .finally(schedule);
    }, pollMs);
  }

  return {
    start() {
      if (running) return;
      running = true;
      stopping = false;
      schedule();
    },
    async stop() {
      running = false;
      stopping = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await inFlight;
    },
    drain,
  };
}

export interface JobView {
  id: string;
  name: string;
  status: JobRow['status'];
  attempts: number;
  lastError: string | null;
  runAt: number;
  createdAt: number;
  updatedAt: number;
}

/** Jobs in one status, most recently changed first (the admin's view of failed jobs). */
export async function listJobs(
  db: Executor,
  status: JobRow['status'],
  limit: number,
  cursor: string | undefined,
): Promise<Page<JobView>> {
  const after: Cursor | null = decodeCursor(cursor);
  let query = db
    .selectFrom('jobs')
    .select(['id', 'name', 'status', 'attempts', 'lastError', 'runAt', 'createdAt', 'updatedAt'])
    .where('status', '=', status)
    .orderBy('updatedAt', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (after) {
    query = query.where((eb) => eb(eb.refTuple('updatedAt', 'id'), '<', eb.tuple(after.at, after.id)));
  }
  const rows = await query.execute();
  return pageOf(rows, limit, (row) => ({ at: row.updatedAt, id: row.id }));
}

/** Puts a failed job back in the queue with a fresh set of attempts. */
export async function retryJob(db: Executor, clock: Clock, id: string): Promise<void> {
  const result = await db
    .updateTable('jobs')
    .set({ status: 'pending', attempts: 0, runAt: clock.now(), lastError: null, updatedAt: clock.now() })
    .where('id', '=', id)
    .where('status', '=', 'failed')
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw new NotFoundError('No failed job with that id.');
}
