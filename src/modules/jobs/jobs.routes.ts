// The admin's view of background work: failed jobs, and a retry.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Clock } from '../../platform/clock.ts';
import { toIso } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { requireActor, requireStaff } from '../../platform/http/auth.ts';
import { errors, IdParams, ListQuery, PageOf, Timestamp } from '../../platform/http/schemas.ts';
import { listJobs, retryJob } from '../../platform/jobs.ts';
import { DEFAULT_PAGE_SIZE } from '../../platform/pagination.ts';

const JobStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('running'),
  Type.Literal('done'),
  Type.Literal('failed'),
]);
export const Job = Type.Object({
  id: Type.String(),
  name: Type.String(),
  status: JobStatus,
  attempts: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  runAt: Timestamp,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export function jobsRoutes(deps: { db: Database; clock: Clock }): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/jobs',
      {
        schema: {
          tags: ['jobs'],
          summary: 'Background jobs in one status (failed by default), most recently changed first',
          querystring: Type.Object({
            cursor: ListQuery.properties.cursor,
            limit: ListQuery.properties.limit,
            status: Type.Optional(JobStatus),
          }),
          response: { 200: PageOf(Job), ...errors(400, 401, 403) },
        },
      },
      async (request) => {
        requireStaff(requireActor(request), 'Only the owner and admins may see background jobs.');
        const page = await listJobs(
          deps.db,
          request.query.status ?? 'failed',
          request.query.limit ?? DEFAULT_PAGE_SIZE,
          request.query.cursor,
        );
        return {
          data: page.data.map((job) => ({
            ...job,
            runAt: toIso(job.runAt),
            createdAt: toIso(job.createdAt),
            updatedAt: toIso(job.updatedAt),
          })),
          nextCursor: page.nextCursor,
        };
      },
    );

    app.post(
      '/jobs/:id/retry',
      {
        schema: {
          tags: ['jobs'],
          summary: 'Queue a failed job again with fresh attempts',
          params: IdParams,
          response: { 200: Type.Object({ ok: Type.Literal(true) }), ...errors(401, 403, 404) },
        },
      },
      async (request) => {
        requireStaff(requireActor(request), 'Only the owner and admins may see background jobs.');
        await retryJob(deps.db, deps.clock, request.params.id);
        return { ok: true as const };
      },
    );
  };
}
