export { hubRoutes } from './hub.routes.ts';
export { createHubService, type HubService } from './hub.service.ts';
export { renderMarkdown } from './markdown.ts';
