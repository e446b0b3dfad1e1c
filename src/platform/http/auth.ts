// Who is calling: a cookie session or an API key (Authorization: Bearer). The accounts module supplies
// the lookups; this layer only reads credentials, checks CSRF and exposes `request.actor`.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../actor.ts';
import type { Clock } from '../clock.ts';
import { hmac, safeEqual } from '../crypto.ts';
import { ForbiddenError, UnauthorizedError } from '../errors.ts';

export const SESSION_COOKIE = 'gh_session';
export const CSRF_COOKIE = 'gh_csrf';
export const CSRF_HEADER = 'x-csrf-token';
export const SESSION_TTL_MS = 30 * 24 * 3600_000;

export interface CredentialResolvers {
  bySessionToken(token: string): Promise<Actor | null>;
  byApiKey(key: string): Promise<Actor | null>;
}

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
  interface FastifyContextConfig {
    /** A route anyone may call; every other API route answers 401 to a caller without credentials. */
    public?: boolean;
    /** An HTML form post: its CSRF token arrives as the `csrf` form field, checked by the route. */
    formCsrf?: boolean;
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface AuthOptions {
  secret: string;
  publicUrl: string;
  secureCookies: boolean;
  clock: Clock;
  resolvers: CredentialResolvers;
}

/** The CSRF token of a session: derived from it, so it cannot be planted from another site. */
export function csrfTokenFor(secret: string, sessionId: string): string {
  return hmac(secret, `csrf:${sessionId}`);
}

export function registerAuth(app: FastifyInstance, options: AuthOptions): void {
  const publicOrigin = new URL(options.publicUrl).origin;
  app.decorateRequest('actor', null);

  function originAllowed(request: FastifyRequest): boolean {
    const origin = request.headers.origin;
    if (origin) {
      const ownOrigin = `${request.protocol}://${request.host}`;
      return origin === publicOrigin || origin === ownOrigin;
    }
    // No Origin (old browsers, server-to-server): refuse only what the browser itself marks cross-site.
    return request.headers['sec-fetch-site'] !== 'cross-site';
  }

  // A request with no credentials is answered without a promise (most public pages' visits).
  app.addHook('onRequest', (request, _reply, done) => {
    const authorization = request.headers.authorization;
    if (authorization?.startsWith('Bearer ')) {
      identifyByKey(request, authorization.slice(7).trim()).then(() => done(), done);
      return;
    }
    const unsafe = UNSAFE.has(request.method);
    if (unsafe && !originAllowed(request)) {
      return done(new ForbiddenError('Cross-site requests are refused.', 'cross_site_request'));
    }
    const token = request.cookies[SESSION_COOKIE];
    if (!token) return done();
    identifyBySession(request, token, unsafe).then(() => done(), done);
  });

  async function identifyByKey(request: FastifyRequest, key: string) {
    const actor = await options.resolvers.byApiKey(key);
    if (!actor) throw new UnauthorizedError('The API key is not valid.', 'invalid_api_key');
    request.actor = actor;
  }

  async function identifyBySession(request: FastifyRequest, token: string, unsafe: boolean) {
    const actor = await options.resolvers.bySessionToken(token);
    if (!actor) return;
    request.actor = actor;
    if (unsafe && actor.sessionId && request.routeOptions.config?.formCsrf !== true) {
      const sent = request.headers[CSRF_HEADER];
      const expected = csrfTokenFor(options.secret, actor.sessionId);
      if (typeof sent !== 'string' || !safeEqual(sent, expected)) {
        throw new ForbiddenError(
          'The CSRF token is missing or wrong. Reload the page and try again.',
          'csrf_failed',
        );
      }
    }
  }
}

/**
 * Secure by default: in the scope it is added to, a route not marked `config: { public: true }` answers
 * 401 to a caller without credentials, before its input is even validated.
 */
export function requireCallerUnlessPublic(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    done(
      !request.actor && request.routeOptions.config?.public !== true ? new UnauthorizedError() : undefined,
    );
  });
}

/** Sets the session and CSRF cookies after a sign-in. */
export function setSessionCookies(
  reply: FastifyReply,
  options: Pick<AuthOptions, 'secret' | 'secureCookies'>,
  session: { id: string; token: string },
): void {
  const common = {
    path: '/',
    sameSite: 'lax' as const,
    secure: options.secureCookies,
    maxAge: SESSION_TTL_MS / 1000,
  };
  reply.setCookie(SESSION_COOKIE, session.token, { ...common, httpOnly: true });
  reply.setCookie(CSRF_COOKIE, csrfTokenFor(options.secret, session.id), { ...common, httpOnly: false });
}

export function clearSessionCookies(reply: FastifyReply, options: Pick<AuthOptions, 'secureCookies'>): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', secure: options.secureCookies });
  reply.clearCookie(CSRF_COOKIE, { path: '/', secure: options.secureCookies });
}

/** For HTML form posts: the caller's session, only if the form carried its CSRF token; else anonymous. */
export function formActor(request: FastifyRequest, secret: string, token: unknown): Actor | null {
  const actor = request.actor;
  if (!actor?.sessionId) return null;
  return typeof token === 'string' && safeEqual(token, csrfTokenFor(secret, actor.sessionId)) ? actor : null;
}

/** The caller, or 401. */
export function requireActor(request: FastifyRequest): Actor {
  if (!request.actor) throw new UnauthorizedError();
  return request.actor;
}
