// Security headers on every response. Pages that need a different policy (the offer pages with a
// creator's custom code, the API docs) set their own Content-Security-Policy, which wins.
import type { FastifyInstance } from 'fastify';

/** The app's policy, with more places forms may lead to (the checkout form goes on to Stripe's page). */
export function appCsp(formTargets: readonly string[] = []): string {
  return APP_CSP.replace("form-action 'self'", ["form-action 'self'", ...formTargets].join(' '));
}

export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // Inline styles only: emails shown in the dashboard's sandboxed frame carry their own.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function registerSecurityHeaders(app: FastifyInstance, options: { hsts: boolean }): void {
  // A hook that waits for nothing calls `done` (an async one costs every request a promise).
  app.addHook('onRequest', (_request, reply, done) => {
    reply.header('content-security-policy', APP_CSP);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    reply.header('x-frame-options', 'DENY');
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=()');
    if (options.hsts) reply.header('strict-transport-security', 'max-age=31536000');
    done();
  });
}
