// Thin HTTP: parse, authenticate, call one service function, present.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { clearSessionCookies, requireActor, setSessionCookies } from '../../platform/http/auth.ts';
import { errors, IdParams, ListQuery, NoContent, PageOf } from '../../platform/http/schemas.ts';
import { DEFAULT_PAGE_SIZE } from '../../platform/pagination.ts';
import type { SettingsService } from '../settings/index.ts';
import { presentApiKey, presentUser } from './accounts.presenter.ts';
import type { UserRow } from './accounts.repository.ts';
import {
  Accepted,
  ApiKey,
  CreateApiKeyBody,
  CreatedApiKey,
  CreateUserBody,
  EmailBody,
  EmailChangeBody,
  LoginBody,
  PasswordChangeBody,
  ProfileBody,
  SetPasswordBody,
  SetupBody,
  SetupStatus,
  TokenBody,
  UpdateUserBody,
  User,
  UserEnvelope,
} from './accounts.schemas.ts';
import type { AuthService, RequestMeta } from './auth.service.ts';
import type { UsersService } from './users.service.ts';

export interface AccountsRoutesDeps {
  auth: AuthService;
  users: UsersService;
  settings: SettingsService;
  cookies: { secret: string; secureCookies: boolean };
}

function metaOf(request: FastifyRequest): RequestMeta {
  return { ip: request.ip, userAgent: request.headers['user-agent'] ?? null };
}

export function accountsRoutes(deps: AccountsRoutesDeps): FastifyPluginAsyncTypebox {
  const { auth, users, settings, cookies } = deps;

  async function present(row: UserRow) {
    return presentUser(row, (await settings.getSettings()).defaultCurrency);
  }

  return async (app) => {
    // --- first run ---
    app.get(
      '/setup/status',
      {
        config: { public: true },
        schema: {
          tags: ['setup'],
          summary: 'Whether the platform waits for its owner',
          response: { 200: SetupStatus },
        },
      },
      async () => ({
        needsSetup: await auth.needsSetup(),
        platformName: (await settings.getSettings()).platformName,
      }),
    );

    app.post(
      '/setup',
      {
        config: { public: true },
        schema: {
          tags: ['setup'],
          summary: 'Create the owner with the one-time setup code printed at start',
          body: SetupBody,
          response: { 201: UserEnvelope, ...errors(400, 403, 409, 429) },
        },
      },
      async (request, reply) => {
        const { user, session } = await auth.completeSetup(request.body, metaOf(request));
        setSessionCookies(reply, cookies, session);
        return reply.status(201).send({ user: await present(user) });
      },
    );

    // --- signing in ---
    app.post(
      '/auth/login',
      {
        config: { public: true },
        schema: {
          tags: ['auth'],
          summary: 'Sign in with email and password (starts a cookie session)',
          body: LoginBody,
          response: { 200: UserEnvelope, ...errors(400, 401, 429) },
        },
      },
      async (request, reply) => {
        const { user, session } = await auth.login(request.body, metaOf(request));
        setSessionCookies(reply, cookies, session);
        return { user: await present(user) };
      },
    );

    app.post(
      '/auth/logout',
      {
        config: { public: true },
        schema: { tags: ['auth'], summary: 'Sign out this session', response: { 204: NoContent } },
      },
      async (request, reply) => {
        if (request.actor?.sessionId) await auth.logout(request.actor.sessionId);
        clearSessionCookies(reply, cookies);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/auth/magic-link',
      {
        config: { public: true },
        schema: {
          tags: ['auth'],
          summary: 'Email a one-time sign-in link (the answer is the same whether the account exists or not)',
          body: EmailBody,
          response: { 202: Accepted, ...errors(400, 429) },
        },
      },
      async (request, reply) => {
        await auth.requestMagicLink(request.body.email, metaOf(request));
        return reply.status(202).send({ ok: true as const });
      },
    );

    app.post(
      '/auth/magic-link/verify',
      {
        config: { public: true },
        schema: {
          tags: ['auth'],
          summary: 'Use a sign-in link',
          body: TokenBody,
          response: { 200: UserEnvelope, ...errors(400) },
        },
      },
      async (request, reply) => {
        const { user, session } = await auth.verifyMagicLink(request.body.token, metaOf(request));
        setSessionCookies(reply, cookies, session);
        return { user: await present(user) };
      },
    );

    app.post(
      '/auth/password-reset',
      {
        config: { public: true },
        schema: {
          tags: ['auth'],
          summary: 'Email a link to choose a new password',
          body: EmailBody,
          response: { 202: Accepted, ...errors(400, 429) },
        },
      },
      async (request, reply) => {
        await auth.requestPasswordReset(request.body.email, metaOf(request));
        return reply.status(202).send({ ok: true as const });
      },
    );

    app.post(
      '/auth/set-password',
      {
        config: { public: true },
        schema: {
          tags: ['auth'],
          summary: 'Set a password through an invitation or reset link (signs in)',
          body: SetPasswordBody,
          response: { 200: UserEnvelope, ...errors(400) },
        },
      },
      async (request, reply) => {
        const { user, session } = await auth.setPasswordWithLink(request.body, metaOf(request));
        setSessionCookies(reply, cookies, session);
        return { user: await present(user) };
      },
    );

    app.post(
      '/auth/verify-email',
      {
        config: { public: true },
        schema: {
          tags: ['auth'],
          summary: 'Confirm an email address (a new address, or an account made for you)',
          body: TokenBody,
          response: { 200: UserEnvelope, ...errors(400, 409) },
        },
      },
      async (request, reply) => {
        const { user, session } = await auth.verifyEmailWithLink(request.body.token, metaOf(request));
        if (session) setSessionCookies(reply, cookies, session);
        return { user: await present(user) };
      },
    );

    // --- one's own account ---
    app.get(
      '/me',
      {
        schema: { tags: ['account'], summary: 'Who the caller is', response: { 200: User, ...errors(401) } },
      },
      async (request) => present(await auth.currentUser(requireActor(request))),
    );

    app.patch(
      '/me',
      {
        schema: {
          tags: ['account'],
          summary: 'Your name, and how notifications reach you by email',
          body: ProfileBody,
          response: { 200: UserEnvelope, ...errors(400, 401) },
        },
      },
      async (request) => ({
        user: await present(await auth.updateProfile(requireActor(request), request.body)),
      }),
    );

    app.post(
      '/me/email',
      {
        schema: {
          tags: ['account'],
          summary: 'Change your email: a confirmation link goes to the new address',
          body: EmailChangeBody,
          response: { 202: Accepted, ...errors(400, 401, 403, 409, 429) },
        },
      },
      async (request, reply) => {
        await auth.requestEmailChange(requireActor(request), request.body);
        return reply.status(202).send({ ok: true as const });
      },
    );

    app.post(
      '/me/password',
      {
        schema: {
          tags: ['account'],
          summary: 'Change your password (ends your other sessions); needs a confirmed address',
          body: PasswordChangeBody,
          response: { 204: NoContent, ...errors(400, 401, 403, 429) },
        },
      },
      async (request, reply) => {
        await auth.changePassword(requireActor(request), request.body);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/me/verify-email',
      {
        schema: {
          tags: ['account'],
          summary: 'Email your own address a new confirmation link (while it is not confirmed)',
          response: { 202: Accepted, ...errors(401, 409, 429) },
        },
      },
      async (request, reply) => {
        await auth.resendVerification(requireActor(request));
        return reply.status(202).send({ ok: true as const });
      },
    );

    app.post(
      '/me/sign-out-everywhere',
      {
        schema: {
          tags: ['account'],
          summary: 'End every session of your account',
          response: { 204: NoContent, ...errors(401) },
        },
      },
      async (request, reply) => {
        await auth.signOutEverywhere(requireActor(request));
        clearSessionCookies(reply, cookies);
        return reply.status(204).send(null);
      },
    );

    // --- users (staff) ---
    app.get(
      '/users',
      {
        schema: {
          tags: ['users'],
          summary: 'List users, newest first; search is a prefix of email or name',
          querystring: ListQuery,
          response: { 200: PageOf(User), ...errors(400, 401, 403) },
        },
      },
      async (request) => {
        const { search, cursor, limit } = request.query;
        const page = await users.listUsers(requireActor(request), {
          search,
          cursor,
          limit: limit ?? DEFAULT_PAGE_SIZE,
        });
        const currency = (await settings.getSettings()).defaultCurrency;
        return { data: page.data.map((row) => presentUser(row, currency)), nextCursor: page.nextCursor };
      },
    );

    app.post(
      '/users',
      {
        schema: {
          tags: ['users'],
          summary: 'Add User: the user is emailed a link to set a password',
          body: CreateUserBody,
          response: { 201: User, ...errors(400, 401, 403, 409) },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await present(await users.createUser(requireActor(request), request.body))),
    );

    app.get(
      '/users/:id',
      {
        schema: {
          tags: ['users'],
          summary: 'One user',
          params: IdParams,
          response: { 200: User, ...errors(401, 403, 404) },
        },
      },
      async (request) => present(await users.getUser(requireActor(request), request.params.id)),
    );

    app.patch(
      '/users/:id',
      {
        schema: {
          tags: ['users'],
          summary: 'Rename, make or unmake admin, deactivate or reactivate',
          params: IdParams,
          body: UpdateUserBody,
          response: { 200: User, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) =>
        present(await users.updateUser(requireActor(request), request.params.id, request.body)),
    );

    // --- API keys (staff) ---
    app.get(
      '/api-keys',
      {
        schema: {
          tags: ['api-keys'],
          summary: 'List API keys',
          querystring: Type.Pick(ListQuery, ['cursor', 'limit']),
          response: { 200: PageOf(ApiKey), ...errors(401, 403) },
        },
      },
      async (request) => {
        const page = await users.listApiKeys(requireActor(request), {
          cursor: request.query.cursor,
          limit: request.query.limit ?? DEFAULT_PAGE_SIZE,
        });
        return { data: page.data.map(presentApiKey), nextCursor: page.nextCursor };
      },
    );

    app.post(
      '/api-keys',
      {
        schema: {
          tags: ['api-keys'],
          summary: 'Create an API key acting as you; the key is shown once',
          body: CreateApiKeyBody,
          response: { 201: CreatedApiKey, ...errors(400, 401, 403) },
        },
      },
      async (request, reply) => {
        const { apiKey, key } = await users.createApiKey(requireActor(request), { name: request.body.name });
        return reply.status(201).send({ apiKey: presentApiKey(apiKey), key });
      },
    );

    app.delete(
      '/api-keys/:id',
      {
        schema: {
          tags: ['api-keys'],
          summary: 'Revoke an API key',
          params: IdParams,
          response: { 204: NoContent, ...errors(401, 403, 404) },
        },
      },
      async (request, reply) => {
        await users.revokeApiKey(requireActor(request), request.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}
