export { metricsRoutes } from './metrics.routes.ts';
export { type CountedEntitlement, createMetricsService, type MetricsService } from './metrics.service.ts';
