// Factories: each test makes the rows it needs. Users are written directly (fast, any state);
// sessions go through the real sign-in route, so cookies and CSRF are the real ones.
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { WRITE_LIMITS, writeLimitKey } from '../../src/modules/hub/index.ts';
import { createPasswordHasher, newId, randomToken, sha256 } from '../../src/platform/crypto.ts';
import type { UserRole, UserStatus } from '../../src/platform/db/schema.ts';
import { csrfTokenFor } from '../../src/platform/http/auth.ts';
import type { TestContext } from './test-app.ts';
import { TEST_PUBLIC_URL } from './test-app.ts';

let sequence = 0;
const hasher = createPasswordHasher(8);
export const DEFAULT_PASSWORD = 'correct horse battery staple';

export interface TestUser {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  password: string;
}

export async function createUser(
  ctx: Pick<TestContext, 'db'>,
  overrides: {
    role?: UserRole;
    email?: string;
    name?: string;
    password?: string | null;
    status?: UserStatus;
    verified?: boolean;
    createdAt?: number;
  } = {},
): Promise<TestUser> {
  sequence += 1;
  const id = newId();
  const email = (overrides.email ?? `user${sequence}-${id.slice(0, 6)}@example.test`).toLowerCase();
  const name = overrides.name ?? `Test User ${sequence}`;
  const password = overrides.password === undefined ? DEFAULT_PASSWORD : overrides.password;
  const now = overrides.createdAt ?? Date.now();
  await ctx.db
    .insertInto('users')
    .values({
      id,
      email,
      name,
      nameSearch: name.toLowerCase(),
      role: overrides.role ?? 'member',
      status: overrides.status ?? 'active',
      passwordHash: password === null ? null : await hasher.hash(password),
      emailVerifiedAt: overrides.verified === false ? null : now,
      createdAt: now,
      updatedAt: now,
      lastSeenAt: null,
    })
    .execute();
  return { id, email, name, role: overrides.role ?? 'member', password: password ?? '' };
}

export const createOwner = (ctx: Pick<TestContext, 'db'>, o: Parameters<typeof createUser>[1] = {}) =>
  createUser(ctx, { ...o, role: 'owner' });
export const createAdmin = (ctx: Pick<TestContext, 'db'>, o: Parameters<typeof createUser>[1] = {}) =>
  createUser(ctx, { ...o, role: 'admin' });
export const createMember = (ctx: Pick<TestContext, 'db'>, o: Parameters<typeof createUser>[1] = {}) =>
  createUser(ctx, { ...o, role: 'member' });

/** An API key for a user, written directly. */
export async function createApiKey(ctx: Pick<TestContext, 'db'>, user: TestUser): Promise<string> {
  const key = `gh_${randomToken(32)}`;
  await ctx.db
    .insertInto('apiKeys')
    .values({
      id: newId(),
      name: 'test',
      userId: user.id,
      prefix: key.slice(0, 10),
      keyHash: sha256(key),
      createdAt: Date.now(),
      lastUsedAt: null,
      revokedAt: null,
    })
    .execute();
  return key;
}

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** Calls the app as a browser with a session would (cookie, CSRF header, same origin), or anonymously. */
export interface Client {
  request(
    method: Method,
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, body?: unknown): Promise<LightMyRequestResponse>;
  patch(url: string, body?: unknown): Promise<LightMyRequestResponse>;
  delete(url: string): Promise<LightMyRequestResponse>;
  cookies: Record<string, string>;
}

export function client(
  ctx: Pick<TestContext, 'app'>,
  init: { cookies?: Record<string, string>; apiKey?: string } = {},
): Client {
  const cookies: Record<string, string> = { ...(init.cookies ?? {}) };
  // The app's own origin: a context may run with another PUBLIC_URL (the Stripe tests do).
  const origin = (ctx as { config?: { publicUrl: string } }).config?.publicUrl ?? TEST_PUBLIC_URL;
  async function request(method: Method, url: string, body?: unknown, headers: Record<string, string> = {}) {
    const options: InjectOptions = {
      method,
      url,
      headers: {
        origin,
        ...(Object.keys(cookies).length
          ? {
              cookie: Object.entries(cookies)
                .map(([k, v]) => `${k}=${v}`)
                .join('; '),
            }
          : {}),
        ...(cookies.gh_csrf && method !== 'GET' ? { 'x-csrf-token': cookies.gh_csrf } : {}),
        ...(init.apiKey ? { authorization: `Bearer ${init.apiKey}` } : {}),
        ...headers,
      },
      ...(body === undefined ? {} : { payload: body as InjectOptions['payload'] }),
    };
    const response = await ctx.app.inject(options);
    for (const cookie of response.cookies as {
      name: string;
      value: string;
      maxAge?: number;
      expires?: Date;
    }[]) {
      const cleared =
        cookie.value === '' ||
        cookie.maxAge === 0 ||
        (cookie.expires && cookie.expires.getTime() < Date.now());
      if (cleared) delete cookies[cookie.name];
      else cookies[cookie.name] = cookie.value;
    }
    return response;
  }
  return {
    request,
    get: (url) => request('GET', url),
    post: (url, body) => request('POST', url, body ?? {}),
    patch: (url, body) => request('PATCH', url, body ?? {}),
    delete: (url) => request('DELETE', url),
    cookies,
  };
}

/** Signs in through the real route and answers a client holding the session. */
export async function signIn(
  ctx: Pick<TestContext, 'app'>,
  user: Pick<TestUser, 'email' | 'password'>,
): Promise<Client> {
  const c = client(ctx);
  const response = await c.post('/api/v1/auth/login', { email: user.email, password: user.password });
  if (response.statusCode !== 200) throw new Error(`sign-in failed: ${response.statusCode} ${response.body}`);
  return c;
}

/**
 * A browser holding a session of `user`, made the way a sign-in or a join makes one (for accounts that
 * cannot sign in with a password, e.g. one made by a checkout and not verified yet).
 */
export async function sessionOf(
  ctx: Pick<TestContext, 'app' | 'db' | 'services' | 'config'>,
  user: Pick<TestUser, 'id'>,
): Promise<Client> {
  const session = await ctx.db
    .transaction()
    .execute((trx) => ctx.services.auth.createSession(trx, user.id, { ip: '127.0.0.1', userAgent: 'test' }));
  return client(ctx, {
    cookies: { gh_session: session.token, gh_csrf: csrfTokenFor(ctx.config.appSecret, session.id) },
  });
}

/** The token of the newest link in emails sent to `to` (from the Emails log table). */
export async function latestLinkToken(ctx: Pick<TestContext, 'db'>, to: string): Promise<string> {
  const row = await ctx.db
    .selectFrom('emails')
    .select(['text'])
    .where('toAddress', '=', to.toLowerCase())
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  const match = /token=([A-Za-z0-9_-]+)/.exec(row.text);
  if (!match?.[1]) throw new Error(`no link in the latest email to ${to}`);
  return match[1];
}

// --- the Hub and access ---------------------------------------------------------------------------

export interface TestGroup {
  id: string;
  slug: string;
  name: string;
  visibility: 'public' | 'private' | 'hidden';
}

export async function createGroup(
  ctx: Pick<TestContext, 'db'>,
  overrides: { name?: string; visibility?: TestGroup['visibility']; paywallCta?: string } = {},
): Promise<TestGroup> {
  sequence += 1;
  const id = newId();
  const name = overrides.name ?? `Group ${sequence}`;
  const slug = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${sequence}`;
  const now = Date.now();
  await ctx.db
    .insertInto('hubGroups')
    .values({
      id,
      name,
      slug,
      description: '',
      emoji: null,
      imagePath: null,
      visibility: overrides.visibility ?? 'public',
      position: sequence,
      paywallCta: overrides.paywallCta ?? null,
      paywallDescription: null,
      paywallUrl: null,
      createdAt: now,
      updatedAt: now,
    })
    .execute();
  return { id, slug, name, visibility: overrides.visibility ?? 'public' };
}

/** An offer row granting the given groups (the Digital Offers issue gives offers the rest of their fields). */
export async function createOffer(
  ctx: Pick<TestContext, 'db'>,
  groups: Pick<TestGroup, 'id'>[],
  overrides: { title?: string; status?: 'draft' | 'published' | 'archived' } = {},
): Promise<{ id: string; title: string; slug: string }> {
  sequence += 1;
  const id = newId();
  const title = overrides.title ?? `Offer ${sequence}`;
  const slug = `offer-${sequence}-${id.slice(0, 6)}`;
  const now = Date.now();
  await ctx.db
    .insertInto('offers')
    .values({ id, title, slug, status: overrides.status ?? 'published', createdAt: now, updatedAt: now })
    .execute();
  for (const group of groups)
    await ctx.db.insertInto('offerHubGroups').values({ offerId: id, hubGroupId: group.id }).execute();
  return { id, title, slug };
}

/** An offer made as a creator makes it: created through the API, given a thumbnail, published. */
export async function publishOffer(
  admin: Client,
  body: Record<string, unknown>,
): Promise<{
  id: string;
  slug: string;
  title: string;
  stripe: { priceId: string | null; productId: string | null };
}> {
  const created = await admin.post('/api/v1/offers', { type: 'membership', ...body });
  if (created.statusCode !== 201) throw new Error(`offer: ${created.body}`);
  const { id } = created.json();
  await admin.request('PUT', `/api/v1/offers/${id}/media/thumbnail`, await pngBytes(), {
    'content-type': 'image/png',
  });
  const published = await admin.patch(`/api/v1/offers/${id}`, { status: 'published' });
  if (published.statusCode !== 200) throw new Error(`publish: ${published.body}`);
  return published.json();
}

export async function createEntitlement(
  ctx: Pick<TestContext, 'db'>,
  user: Pick<TestUser, 'id'>,
  offer: { id: string },
  overrides: {
    state?: import('../../src/platform/db/schema.ts').EntitlementState;
    accessUntil?: number | null;
  } = {},
): Promise<string> {
  const id = newId();
  const now = Date.now();
  await ctx.db
    .insertInto('entitlements')
    .values({
      id,
      userId: user.id,
      offerId: offer.id,
      state: overrides.state ?? 'active',
      accessUntil: overrides.accessUntil ?? null,
      source: 'test',
      createdAt: now,
      updatedAt: now,
    })
    .execute();
  return id;
}

export async function createGrant(
  ctx: Pick<TestContext, 'db'>,
  user: Pick<TestUser, 'id'>,
  group: Pick<TestGroup, 'id'>,
  overrides: { endsAt?: number | null; note?: string } = {},
): Promise<string> {
  const id = newId();
  await ctx.db
    .insertInto('accessGrants')
    .values({
      id,
      userId: user.id,
      hubGroupId: group.id,
      endsAt: overrides.endsAt ?? null,
      note: overrides.note ?? null,
      grantedBy: null,
      createdAt: Date.now(),
    })
    .execute();
  return id;
}

/** Marks Stripe as connected for the platform (the Stripe connection itself is a later issue). */
export async function connectStripe(
  ctx: Pick<TestContext, 'db'>,
  state: { chargesEnabled: boolean; requirements?: string[] } = { chargesEnabled: true },
): Promise<void> {
  await ctx.db
    .insertInto('settings')
    .values({
      key: 'internal:stripeConnection',
      value: JSON.stringify({
        accountId: 'acct_test',
        chargesEnabled: state.chargesEnabled,
        requirements: state.requirements ?? [],
      }),
      updatedAt: Date.now(),
    })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        value: JSON.stringify({
          accountId: 'acct_test',
          chargesEnabled: state.chargesEnabled,
          requirements: state.requirements ?? [],
        }),
      }),
    )
    .execute();
}

export async function disconnectStripe(ctx: Pick<TestContext, 'db'>): Promise<void> {
  await ctx.db.deleteFrom('settings').where('key', '=', 'internal:stripeConnection').execute();
}

/** A small real PNG. */
export async function pngBytes(width = 400, height = 300): Promise<Buffer> {
  const sharp = (await import('sharp')).default;
  return sharp({ create: { width, height, channels: 3, background: '#7a5cff' } })
    .png()
    .toBuffer();
}

/** Forgets a member's Hub write counts (posts, comments, likes): for tests that write faster than people. */
export async function forgetWriteLimits(ctx: Pick<TestContext, 'services'>, user: { id: string }) {
  for (const kind of Object.keys(WRITE_LIMITS) as (keyof typeof WRITE_LIMITS)[])
    await ctx.services.rateLimiter.reset(writeLimitKey(kind, user.id));
}
