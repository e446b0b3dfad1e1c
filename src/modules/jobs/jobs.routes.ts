// The admin's view of background work over HTTP: failed jobs, and a retry (jobs.service.ts decides who).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { toIso } from '../../platform/clock.ts';
import { requireActor } from '../../platform/http/auth.ts';
import { errors, IdParams, ListQuery, PageOf, Timestamp } from '../../platform/http/schemas.ts';
import { DEFAULT_PAGE_SIZE } from '../../platform/pagination.ts';
import type { JobsService } from './jobs.service.ts';

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

export function jobsRoutes(deps: { jobs: JobsService }): FastifyPluginAsyncTypebox {
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
        const page = await deps.jobs.listByStatus(requireActor(request), {
          status: request.query.status,
          limit: request.query.limit ?? DEFAULT_PAGE_SIZE,
          cursor: request.query.cursor,
        });
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
        await deps.jobs.retry(requireActor(request), request.params.id);
        return { ok: true as const };
      },
    );
  };
}
