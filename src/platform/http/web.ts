// Serves the built SPA (web/ → dist/web): hashed assets cached for a year, index.html for the
// client routes, never cached.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

export const SPA_PREFIXES = ['/login', '/auth', '/account', '/hub', '/admin', '/setup', '/unsubscribe'];

export async function registerWeb(
  app: FastifyInstance,
  webDir: string,
): Promise<(reply: FastifyReply) => FastifyReply> {
  const indexFile = join(webDir, 'index.html');
  const built = existsSync(indexFile);
  if (built) {
    await app.register(fastifyStatic, {
      root: join(webDir, 'assets'),
      prefix: '/assets/',
      immutable: true,
      maxAge: '365d',
      index: false,
      wildcard: true,
    });
  }
  let index: string | null = null;
  return (reply) => {
    if (!built) {
      return reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('The web app is not built. Run `npm run build` (npm install does it) and restart Guildhall.');
    }
    index ??= readFileSync(indexFile, 'utf8');
    return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(index);
  };
}

/**
 * Sends JSON a route built as text itself (a feed joined from each post's kept JSON). Fastify sends a
 * string as it is, without the response schema's serializer; the schema still documents the route,
 * and its tests parse the text against it.
 */
export function sendJsonText(reply: FastifyReply, json: string): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(json);
}
