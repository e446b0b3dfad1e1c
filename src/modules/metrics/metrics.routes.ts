// The dashboard over HTTP (metrics.service.ts decides who may see it).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireActor } from '../../platform/http/auth.ts';
import { errors } from '../../platform/http/schemas.ts';
import { dashboardCsv, presentDashboard } from './metrics.presenter.ts';
import { Dashboard, RangeQuery } from './metrics.schemas.ts';
import type { MetricsService } from './metrics.service.ts';

export function metricsRoutes(deps: { metrics: MetricsService }): FastifyPluginAsyncTypebox {
  const { metrics } = deps;
  return async (app) => {
    app.get(
      '/dashboard',
      {
        schema: {
          tags: ['dashboard'],
          summary: 'Members, sales, revenue and subscriptions over a range, with recent activity',
          querystring: RangeQuery,
          response: { 200: Dashboard, ...errors(400, 401, 403) },
        },
      },
      async (request) =>
        presentDashboard(await metrics.dashboard(requireActor(request), request.query.range ?? '30d')),
    );

    app.get(
      '/dashboard/export',
      {
        schema: {
          tags: ['dashboard'],
          summary: "The range's series as CSV: new members, joins, sales and net revenue per day or month",
          querystring: RangeQuery,
          produces: ['text/csv'],
          response: { 200: Type.String(), ...errors(400, 401, 403) },
        },
      },
      async (request, reply) => {
        const range = request.query.range ?? '30d';
        const view = await metrics.rangeSeries(requireActor(request), range);
        return reply
          .header('content-disposition', `attachment; filename="dashboard-${range}.csv"`)
          .type('text/csv; charset=utf-8')
          .send(dashboardCsv(view));
      },
    );
  };
}
