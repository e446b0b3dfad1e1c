// Every API route, from the app's own OpenAPI document, against every kind of caller. A new route that
// is not classified here fails this test, so no route ships without its authorization being decided.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Client,
  client,
  createAdmin,
  createApiKey,
  createMember,
  createOwner,
  signIn,
} from '../support/factories.ts';
import { createTestContext, type TestContext } from '../support/test-app.ts';

type Access = 'public' | 'signed-in' | 'staff';

const ROUTES: Record<string, Access> = {
  'GET /api/v1/setup/status': 'public',
  'POST /api/v1/setup': 'public',
  'POST /api/v1/auth/login': 'public',
  'POST /api/v1/auth/logout': 'public',
  'POST /api/v1/auth/magic-link': 'public',
  'POST /api/v1/auth/magic-link/verify': 'public',
  'POST /api/v1/auth/password-reset': 'public',
  'POST /api/v1/auth/set-password': 'public',
  'POST /api/v1/auth/verify-email': 'public',
  'GET /api/v1/platform': 'public',
  'GET /api/v1/me': 'signed-in',
  'PATCH /api/v1/me': 'signed-in',
  'POST /api/v1/me/email': 'signed-in',
  'POST /api/v1/me/password': 'signed-in',
  'POST /api/v1/me/verify-email': 'signed-in',
  'POST /api/v1/me/sign-out-everywhere': 'signed-in',
  'GET /api/v1/users': 'staff',
  'POST /api/v1/users': 'staff',
  'GET /api/v1/users/{id}': 'staff',
  'PATCH /api/v1/users/{id}': 'staff',
  'GET /api/v1/api-keys': 'staff',
  'POST /api/v1/api-keys': 'staff',
  'DELETE /api/v1/api-keys/{id}': 'staff',
  'GET /api/v1/emails': 'staff',
  'GET /api/v1/emails/{id}': 'staff',
  'GET /api/v1/settings': 'staff',
  'PATCH /api/v1/settings': 'staff',
  'POST /api/v1/settings/test-email': 'staff',
  'GET /api/v1/settings/stripe': 'staff',
  'PUT /api/v1/settings/stripe': 'staff',
  'GET /api/v1/sales': 'staff',
  'GET /api/v1/affiliates': 'staff',
  'GET /api/v1/commissions': 'staff',
  'GET /api/v1/commissions/export': 'staff',
  'GET /api/v1/payouts': 'staff',
  'POST /api/v1/payouts': 'staff',
  'POST /api/v1/payouts/{id}/retry': 'staff',
  'GET /api/v1/payouts/due-by-hand': 'staff',
  // A member's own partner page; staff are never affiliates (403, tested in affiliates.test.ts).
  'GET /api/v1/hub/partner': 'signed-in',
  'POST /api/v1/hub/partner/payouts/onboarding': 'signed-in',
  'POST /api/v1/hub/partner/payouts/refresh': 'signed-in',
  'GET /api/v1/sales/export': 'staff',
  'GET /api/v1/sales/stripe-events': 'staff',
  'GET /api/v1/users/{id}/billing': 'staff',
  'POST /api/v1/payments/{id}/refund': 'staff',
  'POST /api/v1/purchases/{id}/cancel': 'staff',
  // A member's own billing; another member's purchase is 404 (tested in stripe-billing.test.ts).
  'GET /api/v1/hub/billing': 'signed-in',
  'POST /api/v1/hub/billing/{id}/cancel': 'signed-in',
  'POST /api/v1/hub/billing/{id}/resume': 'signed-in',
  'POST /api/v1/hub/billing/portal': 'signed-in',
  'DELETE /api/v1/settings/stripe': 'staff',
  'GET /api/v1/jobs': 'staff',
  'GET /api/v1/dashboard': 'staff',
  'GET /api/v1/dashboard/export': 'staff',
  'POST /api/v1/jobs/{id}/retry': 'staff',
  'GET /api/v1/hub-groups': 'staff',
  'POST /api/v1/hub-groups': 'staff',
  'POST /api/v1/hub-groups/reorder': 'staff',
  'GET /api/v1/hub-groups/{id}': 'staff',
  'PATCH /api/v1/hub-groups/{id}': 'staff',
  'DELETE /api/v1/hub-groups/{id}': 'staff',
  'PUT /api/v1/hub-groups/{id}/image': 'staff',
  'DELETE /api/v1/hub-groups/{id}/image': 'staff',
  'GET /api/v1/hub-groups/{id}/members': 'staff',
  'GET /api/v1/users/{id}/grants': 'staff',
  'POST /api/v1/users/{id}/grants': 'staff',
  'DELETE /api/v1/users/{id}/grants/{grantId}': 'staff',
  'GET /api/v1/users/{id}/access': 'staff',
  'GET /api/v1/users/{id}/access-history': 'staff',
  'GET /api/v1/offers': 'staff',
  'POST /api/v1/offers': 'staff',
  'GET /api/v1/offers/{id}': 'staff',
  'PATCH /api/v1/offers/{id}': 'staff',
  'DELETE /api/v1/offers/{id}': 'staff',
  'POST /api/v1/offers/{id}/archive': 'staff',
  'PUT /api/v1/offers/{id}/media/{kind}': 'staff',
  'POST /api/v1/offers/{id}/media': 'staff',
  'DELETE /api/v1/offers/{id}/media/{kind}': 'staff',
  'GET /api/v1/offers/{id}/permission-impact': 'staff',
  'POST /api/v1/offers/{id}/confirmation-email/preview': 'staff',
  'POST /api/v1/offers/{id}/confirmation-email/test': 'staff',
  // The Hub: every signed-in person may call these; which group they reach is the access rule's
  // decision, tested route by route in hub-access-matrix.test.ts.
  'GET /api/v1/hub/groups': 'signed-in',
  'GET /api/v1/hub/home': 'signed-in',
  'GET /api/v1/hub/search/posts': 'signed-in',
  'GET /api/v1/hub/search/comments': 'signed-in',
  'GET /api/v1/hub/search/people': 'signed-in',
  'GET /api/v1/hub/groups/{id}/mentionable': 'signed-in',
  'GET /api/v1/hub/groups/{id}/members': 'signed-in',
  'PUT /api/v1/hub/groups/{id}/follow': 'signed-in',
  'DELETE /api/v1/hub/groups/{id}/follow': 'signed-in',
  'POST /api/v1/hub/groups/{id}/images': 'signed-in',
  'POST /api/v1/hub/preview': 'signed-in',
  'GET /api/v1/hub/notifications': 'signed-in',
  'GET /api/v1/hub/people/{id}': 'signed-in',
  'PATCH /api/v1/hub/profile': 'signed-in',
  'PUT /api/v1/hub/profile/avatar': 'signed-in',
  'DELETE /api/v1/hub/profile/avatar': 'signed-in',
  'POST /api/v1/hub/posts/{id}/report': 'signed-in',
  'POST /api/v1/hub/comments/{id}/report': 'signed-in',
  'GET /api/v1/reports': 'staff',
  'POST /api/v1/reports/{id}/resolve': 'staff',
  'POST /api/v1/notifications/unsubscribe': 'public',
  'GET /api/v1/hub/notifications/unread': 'signed-in',
  'POST /api/v1/hub/notifications/read': 'signed-in',
  'GET /api/v1/hub/groups/{id}': 'signed-in',
  'GET /api/v1/hub/groups/{id}/posts': 'signed-in',
  'POST /api/v1/hub/groups/{id}/posts': 'signed-in',
  'GET /api/v1/hub/posts/{id}': 'signed-in',
  'PATCH /api/v1/hub/posts/{id}': 'signed-in',
  'DELETE /api/v1/hub/posts/{id}': 'signed-in',
  'PUT /api/v1/hub/posts/{id}/like': 'signed-in',
  'DELETE /api/v1/hub/posts/{id}/like': 'signed-in',
  'GET /api/v1/hub/posts/{id}/comments': 'signed-in',
  'POST /api/v1/hub/posts/{id}/comments': 'signed-in',
  'PATCH /api/v1/hub/comments/{id}': 'signed-in',
  'DELETE /api/v1/hub/comments/{id}': 'signed-in',
  'PUT /api/v1/hub/comments/{id}/like': 'signed-in',
  'DELETE /api/v1/hub/comments/{id}/like': 'signed-in',
};

// A body that passes each route's schema, so that what is tested is the authorization, not validation.
const VALID_BODY: Record<string, unknown> = {
  'PATCH /api/v1/me': { name: 'Someone' },
  'POST /api/v1/me/email': { email: 'matrix-new@example.test', currentPassword: 'x' },
  'POST /api/v1/me/password': { currentPassword: 'x', newPassword: 'a long new password' },
  'POST /api/v1/users': { email: 'matrix@example.test' },
  'PATCH /api/v1/users/{id}': { name: 'Renamed' },
  'POST /api/v1/api-keys': { name: 'key' },
  'PATCH /api/v1/settings': { platformName: 'Matrix' },
  'POST /api/v1/settings/test-email': { to: 'a@example.test' },
  'PUT /api/v1/settings/stripe': { secretKey: 'sk_test_matrix' },
  'POST /api/v1/purchases/{id}/cancel': { when: 'now' },
  'POST /api/v1/payouts': { affiliateId: 'x', method: 'manual' },
  'POST /api/v1/hub-groups': { name: 'Matrix', visibility: 'public' },
  'POST /api/v1/reports/{id}/resolve': { action: 'dismiss' },
  'POST /api/v1/hub-groups/reorder': { ids: [] },
  'PATCH /api/v1/hub-groups/{id}': { name: 'Renamed' },
  'POST /api/v1/users/{id}/grants': { hubGroupId: 'x' },
  'POST /api/v1/offers': { type: 'membership', title: 'Matrix' },
  'PATCH /api/v1/offers/{id}': { title: 'Matrix' },
  'POST /api/v1/offers/{id}/confirmation-email/test': { to: 'a@example.test' },
};

const VALID_QUERY: Record<string, string> = {
  'GET /api/v1/hub-groups/{id}/members': '?source=grants',
  'GET /api/v1/offers/{id}/permission-impact': '?hubGroupIds=x',
  'POST /api/v1/offers/{id}/media': '?kind=cover',
  'GET /api/v1/hub/search/posts': '?q=matrix',
  'POST /api/v1/notifications/unsubscribe': '?u=matrix&t=matrix',
  'GET /api/v1/hub/groups/{id}/mentionable': '?q=matrix',
  'GET /api/v1/hub/search/comments': '?q=matrix',
  'GET /api/v1/hub/search/people': '?q=matrix',
};

let ctx: TestContext;
let operations: string[];
beforeAll(async () => {
  ctx = await createTestContext();
  const doc = (await client(ctx).get('/api/docs/json')).json() as {
    paths: Record<string, Record<string, unknown>>;
  };
  operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
  );
});
afterAll(async () => ctx.close());

function call(c: Client, operation: string, id: string) {
  const [method, path] = operation.split(' ') as ['GET' | 'POST' | 'PATCH' | 'DELETE', string];
  const url =
    path.replace('{id}', id).replace('{grantId}', id).replace('{kind}', 'thumbnail') +
    (VALID_QUERY[operation] ?? '');
  return c.request(
    method,
    url,
    method === 'GET' || method === 'DELETE' ? undefined : (VALID_BODY[operation] ?? {}),
  );
}

describe('authorization matrix', () => {
  it('classifies every documented API route', () => {
    expect(operations.length).toBeGreaterThan(20);
    expect(operations.filter((op) => !(op in ROUTES))).toEqual([]);
    expect(Object.keys(ROUTES).filter((op) => !operations.includes(op))).toEqual([]);
  });

  it('answers 401 to the anonymous on every route that needs a caller', async () => {
    for (const operation of operations.filter((op) => ROUTES[op] !== 'public')) {
      const response = await call(client(ctx), operation, 'x');
      expect(response.statusCode, operation).toBe(401);
      expect(response.json().error.code, operation).toBe('unauthorized');
    }
  });

  it('answers 401 to a wrong API key everywhere, public routes included', async () => {
    for (const operation of operations) {
      expect((await call(client(ctx, { apiKey: 'gh_wrong' }), operation, 'x')).statusCode, operation).toBe(
        401,
      );
    }
  });

  it('answers 403 to a member on every staff route, and changes nothing', async () => {
    const member = await createMember(ctx);
    const session = await signIn(ctx, member);
    const before = await ctx.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    for (const operation of operations.filter((op) => ROUTES[op] === 'staff')) {
      const response = await call(session, operation, member.id);
      expect(response.statusCode, operation).toBe(403);
    }
    const after = await ctx.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    expect((await ctx.services.settings.getSettings()).platformName).toBe('Guildhall');
  });

  it('lets admins, owners and their API keys through every staff route', async () => {
    await createOwner(ctx);
    const admin = await createAdmin(ctx);
    const target = await createMember(ctx);
    for (const caller of [
      await signIn(ctx, admin),
      client(ctx, { apiKey: await createApiKey(ctx, admin) }),
    ]) {
      for (const operation of operations.filter((op) => ROUTES[op] === 'staff' && op.startsWith('GET'))) {
        const response = await call(caller, operation, target.id);
        // Reads of one object answer 404 for an id of another kind; never 401 or 403.
        expect([200, 404], operation).toContain(response.statusCode);
      }
    }
  });
});
