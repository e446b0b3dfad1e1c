export { jobsRoutes } from './jobs.routes.ts';
export { createJobsService, type JobsService } from './jobs.service.ts';
