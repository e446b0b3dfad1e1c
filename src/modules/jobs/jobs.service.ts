// The admin's view of background work: jobs by status, and a retry of a failed one. Staff only; the
// outbox itself (queueing, leasing, running) is the platform's (src/platform/jobs.ts).

import { type Actor, requireStaff } from '../../platform/actor.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { type JobRow, listJobs, retryJob } from '../../platform/jobs.ts';

const STAFF_ONLY = 'Only the owner and admins may see background jobs.';

export function createJobsService(deps: { db: Database; clock: Clock }) {
  const { db, clock } = deps;

  /** Jobs in one status (failed by default), most recently changed first. */
  async function listByStatus(
    actor: Actor,
    options: { status?: JobRow['status']; limit: number; cursor?: string },
  ) {
    requireStaff(actor, STAFF_ONLY);
    return listJobs(db, options.status ?? 'failed', options.limit, options.cursor);
  }

  /** Queues a failed job again with fresh attempts. */
  async function retry(actor: Actor, id: string): Promise<void> {
    requireStaff(actor, STAFF_ONLY);
    await retryJob(db, clock, id);
  }

  return { listByStatus, retry };
}

export type JobsService = ReturnType<typeof createJobsService>;
