export { hubRoutes } from './hub.routes.ts';
export { createHubService, type HubService, slugify } from './hub.service.ts';
export { renderMarkdown } from './markdown.ts';
