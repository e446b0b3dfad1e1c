/** An author's name changed (call in the same transaction): the feeds showing it are stale. */
export { bumpFeedsOfAuthor as authorRenamed } from './hub.repository.ts';
export { hubRoutes } from './hub.routes.ts';
export {
  createHubService,
  DIGEST_JOB,
  FOLLOWERS_JOB,
  type HubService,
  WRITE_LIMITS,
  writeLimitKey,
} from './hub.service.ts';
export { renderMarkdown } from './markdown.ts';
