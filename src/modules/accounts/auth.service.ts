// Signing in and out, the first-run setup, single-use links (magic link, set password, email
// confirmation) and a person's own account. Every link is single-use, hashed at rest and expiring.

import type { Actor } from '../../platform/actor.ts';
import type { Clock } from '../../platform/clock.ts';
import { newId, type PasswordHasher, randomToken, sha256 } from '../../platform/crypto.ts';
import { type Changes, keptValues } from '../../platform/db/changes.ts';
import type { Database } from '../../platform/db/database.ts';
import type { Executor } from '../../platform/db/executor.ts';
import type { AuthTokenPurpose, NotifyEmail, UserRole } from '../../platform/db/schema.ts';
import { inTransaction } from '../../platform/db/tallies.ts';
import {
  AppError,
  BadRequestError,
  ConflictError,
  ForbiddenError,
  UnauthorizedError,
  ValidationError,
} from '../../platform/errors.ts';
import { SESSION_TTL_MS } from '../../platform/http/auth.ts';
import type { RateLimiter } from '../../platform/http/rate-limit.ts';
import type { Logger } from '../../platform/logger.ts';
import type { EmailService } from '../email/index.ts';
import {
  confirmAddressEmail,
  confirmEmailChangeEmail,
  emailChangedNoticeEmail,
  magicLinkEmail,
  passwordResetEmail,
} from '../email/index.ts';
import { authorRenamed } from '../hub/index.ts';
import type { SettingsService } from '../settings/index.ts';
import {
  type ApiKeyActorRow,
  consumeAuthToken,
  deleteSession,
  deleteSessionsOfUser,
  findActiveApiKey,
  findActiveSession,
  findAuthToken,
  findOwner,
  findUserByEmail,
  findUserById,
  insertAuthToken,
  insertSession,
  insertUser,
  type SessionActorRow,
  touchApiKey,
  touchSession,
  type UserRow,
  updateUserRow,
  voidAuthTokensOfUser,
} from './accounts.repository.ts';
import {
  assertValid,
  emailProblem,
  nameProblem,
  nameSearchKey,
  normalizeEmail,
  passwordProblem,
} from './accounts.rules.ts';

export const MAGIC_LINK_TTL_MS = 15 * 60_000;
export const LONG_LINK_TTL_MS = 7 * 24 * 3600_000;
const LIMIT_WINDOW_MS = 15 * 60_000;
// Wrong passwords are counted per address *and client*: a stranger's guesses lock out only the
// stranger. Across clients an address takes this many failures before clients that have themselves
// failed are refused too (guessing spread over many addresses); a client with no failure still signs in.
const FAILURES_PER_CLIENT = 10;
const FAILURES_PER_ADDRESS = 100;
// Last-seen times are written at most this often, so reading pages costs no write per request.
export const TOUCH_EVERY_MS = 5 * 60_000;

export interface RequestMeta {
  ip: string;
  userAgent: string | null;
}

export interface NewSession {
  id: string;
  token: string;
}

export interface AuthDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
  hasher: PasswordHasher;
  rateLimiter: RateLimiter;
  email: EmailService;
  settings: SettingsService;
  publicUrl: string;
  /** Tells the kept actors when sessions, keys or people change (src/platform/db/changes.ts). */
  changes: Changes;
}

export class LinkError extends AppError {
  constructor(code: 'link_expired' | 'link_used' | 'link_invalid') {
    const messages = {
      link_expired: 'This link has expired.',
      link_used: 'This link has already been used.',
      link_invalid: 'This link is not valid.',
    };
    super(code, 400, messages[code]);
  }
}

export function createAuthService(deps: AuthDeps) {
  const { db, clock, hasher, rateLimiter, email, settings, publicUrl } = deps;
  // A real hash to compare against when the account does not exist, so timing does not tell.
  let decoyHash: Promise<string> | null = null;

  async function createSession(trx: Executor, userId: string, meta: RequestMeta): Promise<NewSession> {
    const token = randomToken();
    const id = newId();
    const now = clock.now();
    await insertSession(trx, {
      id,
      tokenHash: sha256(token),
      userId,
      now,
      expiresAt: now + SESSION_TTL_MS,
      userAgent: meta.userAgent?.slice(0, 300) ?? null,
      ip: meta.ip,
    });
    await updateUserRow(trx, userId, { lastSeenAt: now });
    return { id, token };
  }

  async function issueLink(
    trx: Executor,
    userId: string,
    purpose: AuthTokenPurpose,
    ttlMs: number,
    path: string,
    data: unknown = null,
  ): Promise<string> {
    const token = randomToken();
    const now = clock.now();
    await insertAuthToken(trx, {
      id: newId(),
      userId,
      purpose,
      tokenHash: sha256(token),
      data: data === null ? null : JSON.stringify(data),
      createdAt: now,
      expiresAt: now + ttlMs,
      usedAt: null,
    });
    return `${publicUrl}${path}?token=${token}`;
  }

  /** Uses up a link; throws the LinkError that says why it cannot be used. */
  async function consumeLink(trx: Executor, token: string, purposes: AuthTokenPurpose[]) {
    const tokenHash = sha256(token);
    const now = clock.now();
    const row = await consumeAuthToken(trx, tokenHash, purposes, now);
    if (row) {
      const user = await findUserById(trx, row.userId);
      if (!user || user.status !== 'active') throw new LinkError('link_invalid');
      return { token: row, user };
    }
    const known = await findAuthToken(trx, tokenHash);
    if (!known || !purposes.includes(known.purpose)) throw new LinkError('link_invalid');
    if (known.usedAt !== null) throw new LinkError('link_used');
    throw new LinkError('link_expired');
  }

  /**
   * The first use of a link emailed to the address (verify, magic, set password, claim) proves who owns
   * it. Whatever was done before by whoever held the unverified account goes: any password set, and
   * every other session.
   */
  /** Marks the address proven (the first time), and answers the user as it now is. */
  async function markVerified(trx: Executor, user: UserRow, keepSessionId: string | null): Promise<UserRow> {
    if (user.emailVerifiedAt !== null) return user;
    const verified = await updateUserRow(trx, user.id, {
      emailVerifiedAt: clock.now(),
      passwordHash: null,
      updatedAt: clock.now(),
    });
    await deleteSessionsOfUser(trx, user.id, keepSessionId);
    return verified;
  }

  async function assertPassword(hash: string, given: string | undefined): Promise<void> {
    if (!(await hasher.verify(hash, given ?? ''))) {
      throw new BadRequestError('invalid_password', 'currentPassword: is not your current password', {
        fields: [{ field: 'currentPassword', message: 'is not your current password' }],
      });
    }
  }

  /** An account whose address nobody has proven yet may not set credentials that outlive the proof. */
  function requireVerified(user: UserRow): void {
    if (user.emailVerifiedAt === null) {
      throw new ForbiddenError(
        'Confirm your email address first: open the link we emailed you, or ask for a new one.',
        'email_unverified',
      );
    }
  }

  async function templateContext(trx: Executor) {
    return { platformName: (await settings.getSettings(trx)).platformName };
  }

  // --- credentials, for the HTTP layer ---------------------------------------------------------

  /** The actor behind a session cookie, or null when it is unknown, expired or its user deactivated. */
  // Who each recent session and API key acts as, kept while no session, key or person has changed
  // (the 'actors' topic: ended or moved sessions and keys, a role, status, address or name changed),
  // so a signed-in request runs no query but the occasional touch. Unknown tokens are never kept.
  const keptSessions = keptValues<SessionActorRow>(deps.changes, 'actors', 10_000);
  const keptKeys = keptValues<ApiKeyActorRow>(deps.changes, 'actors', 1_000);

  function sessionRow(tokenHash: string, now: number): Promise<SessionActorRow | undefined> {
    return keptSessions.get(
      tokenHash,
      () => findActiveSession(db, tokenHash, now),
      (row) => row.expiresAt > now,
    );
  }

  /** The actor behind a session cookie, or null; the session's last use is written every few minutes. */
  async function actorBySessionToken(token: string): Promise<Actor | null> {
    const now = clock.now();
    const row = await sessionRow(sha256(token), now);
    if (!row) return null;
    if (now - row.sessionLastSeenAt > TOUCH_EVERY_MS) {
      await touchSession(db, row.sessionId, row.userId, now);
      row.sessionLastSeenAt = now;
    }
    return {
      userId: row.userId,
      role: row.role,
      email: row.email,
      name: row.name,
      via: 'session',
      sessionId: row.sessionId,
    };
  }

  /** The actor behind an API key, or null. */
  async function actorByApiKey(key: string): Promise<Actor | null> {
    const now = clock.now();
    const keyHash = sha256(key);
    const row = await keptKeys.get(keyHash, () => findActiveApiKey(db, keyHash));
    if (!row) return null;
    if (row.lastUsedAt === null || now - row.lastUsedAt > 60_000) {
      await touchApiKey(db, row.keyId, now);
      row.lastUsedAt = now;
    }
    return {
      userId: row.userId,
      role: row.role,
      email: row.email,
      name: row.name,
      via: 'api_key',
      sessionId: null,
    };
  }

  // --- first run -------------------------------------------------------------------------------

  /** Whether the platform still waits for its owner. */
  async function needsSetup(): Promise<boolean> {
    return (await findOwner(db)) === undefined;
  }

  /** A fresh one-time setup code (printed by `start`), or null when the owner exists. */
  async function issueSetupCode(): Promise<string | null> {
    if (!(await needsSetup())) return null;
    const code = randomToken(12);
    await settings.writeInternal('setupCodeHash', sha256(code));
    return code;
  }

  async function createOwnerIn(
    trx: Executor,
    input: { email: string; name: string; passwordHash: string },
  ): Promise<UserRow> {
    if (await findOwner(trx)) throw new ConflictError('owner_exists', 'This platform already has an owner.');
    const email = normalizeEmail(input.email);
    if (await findUserByEmail(trx, email)) {
      throw new ConflictError('email_taken', 'An account with this email already exists.', {
        fields: [{ field: 'email', message: 'is already taken' }],
      });
    }
    const now = clock.now();
    const id = newId();
    const owner = await insertUser(trx, {
      id,
      email,
      name: input.name.trim(),
      nameSearch: nameSearchKey(input.name),
      role: 'owner',
      status: 'active',
      passwordHash: input.passwordHash,
      emailVerifiedAt: now,
      createdAt: now,
      updatedAt: now,
      lastSeenAt: null,
    });
    await settings.writeInternal('setupCodeHash', null, trx);
    return owner;
  }

  /** The setup page: checks the one-time code, creates the owner and names the platform. */
  async function completeSetup(
    input: {
      code: string;
      platformName: string;
      name: string;
      email: string;
      password: string;
      supportEmail?: string | undefined;
    },
    meta: RequestMeta,
  ): Promise<{ user: UserRow; session: NewSession }> {
    await rateLimiter.hit(`setup:${meta.ip}`, 20, 15 * 60_000);
    const supportEmail = input.supportEmail?.trim() ? normalizeEmail(input.supportEmail) : null;
    assertValid([
      nameProblem('platformName', input.platformName, true),
      nameProblem('name', input.name, true),
      emailProblem('email', input.email),
      passwordProblem('password', input.password),
      supportEmail === null ? null : emailProblem('supportEmail', supportEmail),
    ]);
    const passwordHash = await hasher.hash(input.password);
    return inTransaction(db, async (trx) => {
      const stored = await settings.readInternal('setupCodeHash', trx);
      if (await findOwner(trx))
        throw new ConflictError('owner_exists', 'Guildhall is already set up. Sign in instead.');
      if (typeof stored !== 'string' || stored !== sha256(input.code.trim())) {
        throw new ForbiddenError(
          'The setup code is not right. Use the setup link the server printed when it started.',
          'setup_code_invalid',
        );
      }
      const user = await createOwnerIn(trx, { email: input.email, name: input.name, passwordHash });
      await settings.updateSettings(
        { platformName: input.platformName, ...(supportEmail ? { supportEmail } : {}) },
        trx,
      );
      const session = await createSession(trx, user.id, meta);
      return { user, session };
    });
  }

  /** `guildhall create-owner`: the owner without the setup page. */
  async function createOwner(input: { email: string; name?: string; password: string }): Promise<UserRow> {
    const name = input.name?.trim() || input.email.split('@')[0] || 'Owner';
    assertValid([
      emailProblem('email', input.email),
      passwordProblem('password', input.password),
      nameProblem('name', name, true),
    ]);
    const passwordHash = await hasher.hash(input.password);
    return inTransaction(db, (trx) => createOwnerIn(trx, { email: input.email, name, passwordHash }));
  }

  // --- signing in and out ----------------------------------------------------------------------

  /**
   * Email and password. Failures are counted per address and client, so a stranger's guesses never
   * lock the owner out. An account whose address is not verified has no password to sign in with.
   */
  async function login(input: { email: string; password: string }, meta: RequestMeta) {
    const email = normalizeEmail(input.email);
    const client = `${email}|${meta.ip}`;
    await rateLimiter.hit(`login:ip:${meta.ip}`, 200, LIMIT_WINDOW_MS);
    await rateLimiter.check(`login:fail:${client}`, FAILURES_PER_CLIENT);
    // Only clients that have failed here are refused for the address's total: a first try from the
    // owner's browser is never refused because of guesses made elsewhere.
    if ((await rateLimiter.count(`login:fail:${client}`)) > 0)
      await rateLimiter.check(`login:fail:${email}`, FAILURES_PER_ADDRESS);
    const user = await findUserByEmail(db, email);
    const hash = user?.passwordHash && user.emailVerifiedAt !== null ? user.passwordHash : null;
    let passwordOk = false;
    if (hash) {
      passwordOk = await hasher.verify(hash, input.password);
    } else {
      decoyHash ??= hasher.hash(randomToken());
      await hasher.verify(await decoyHash, input.password);
    }
    if (!user || !passwordOk) {
      await rateLimiter.record(`login:fail:${client}`, LIMIT_WINDOW_MS);
      await rateLimiter.record(`login:fail:${email}`, LIMIT_WINDOW_MS);
      throw new UnauthorizedError('The email or password is not right.', 'invalid_credentials');
    }
    // Said only to someone who knows the password.
    if (user.status !== 'active')
      throw new UnauthorizedError('This account is deactivated.', 'account_deactivated');
    await rateLimiter.reset(`login:fail:${client}`);
    const session = await inTransaction(db, (trx) => createSession(trx, user.id, meta));
    return { user, session };
  }

  async function logout(sessionId: string): Promise<void> {
    await deleteSession(db, sessionId);
  }

  /** Emails a sign-in link when the address has an active account; the answer never says which. */
  async function requestMagicLink(rawEmail: string, meta: RequestMeta): Promise<void> {
    assertValid([emailProblem('email', rawEmail)]);
    const address = normalizeEmail(rawEmail);
    // Per client and per address and client: nobody can spend the owner's quota from elsewhere.
    await rateLimiter.hit(`magic:ip:${meta.ip}`, 30, LIMIT_WINDOW_MS);
    await rateLimiter.hit(`magic:email:${address}|${meta.ip}`, 5, LIMIT_WINDOW_MS);
    await inTransaction(db, async (trx) => {
      const user = await findUserByEmail(trx, address);
      if (!user || user.status !== 'active') return;
      const url = await issueLink(trx, user.id, 'magic_link', MAGIC_LINK_TTL_MS, '/auth/magic');
      const message = magicLinkEmail(await templateContext(trx), { name: user.name, url });
      await email.queueEmail(trx, { to: user.email, kind: 'magic_link', message, recipientUserId: user.id });
    });
  }

  /** `guildhall user login-link`: a sign-in link printed for the operator, sent nowhere. */
  async function createLoginLink(rawEmail: string): Promise<string> {
    const address = normalizeEmail(rawEmail);
    return inTransaction(db, async (trx) => {
      const user = await findUserByEmail(trx, address);
      if (!user) throw new BadRequestError('user_not_found', `No account has the email ${address}.`);
      if (user.status !== 'active')
        throw new BadRequestError('account_deactivated', 'This account is deactivated.');
      return issueLink(trx, user.id, 'magic_link', MAGIC_LINK_TTL_MS, '/auth/magic');
    });
  }

  /** Uses a magic link: signs the browser in and counts as proof of the address. */
  async function verifyMagicLink(token: string, meta: RequestMeta) {
    return inTransaction(db, async (trx) => {
      const { user } = await consumeLink(trx, token, ['magic_link']);
      const session = await createSession(trx, user.id, meta);
      return { user: await markVerified(trx, user, session.id), session };
    });
  }

  /** Emails a set-password link when the address has an active account; the answer never says which. */
  async function requestPasswordReset(rawEmail: string, meta: RequestMeta): Promise<void> {
    assertValid([emailProblem('email', rawEmail)]);
    const address = normalizeEmail(rawEmail);
    await rateLimiter.hit(`reset:ip:${meta.ip}`, 30, LIMIT_WINDOW_MS);
    await rateLimiter.hit(`reset:email:${address}|${meta.ip}`, 5, LIMIT_WINDOW_MS);
    await inTransaction(db, async (trx) => {
      const user = await findUserByEmail(trx, address);
      if (!user || user.status !== 'active') return;
      const url = await issueLink(trx, user.id, 'set_password', LONG_LINK_TTL_MS, '/auth/set-password');
      const message = passwordResetEmail(await templateContext(trx), { name: user.name, url });
      await email.queueEmail(trx, {
        to: user.email,
        kind: 'password_reset',
        message,
        recipientUserId: user.id,
      });
    });
  }

  /** Sets a password through an invitation or reset link; signs in and ends every other session. */
  async function setPasswordWithLink(input: { token: string; password: string }, meta: RequestMeta) {
    assertValid([passwordProblem('password', input.password)]);
    const passwordHash = await hasher.hash(input.password);
    return inTransaction(db, async (trx) => {
      const { user } = await consumeLink(trx, input.token, ['set_password']);
      await deleteSessionsOfUser(trx, user.id);
      await voidAuthTokensOfUser(trx, user.id, clock.now(), ['set_password', 'magic_link']);
      const session = await createSession(trx, user.id, meta);
      // Verifying first: it clears a password set before the proof, and this one is set after it.
      await markVerified(trx, user, session.id);
      const updated = await updateUserRow(trx, user.id, { passwordHash, updatedAt: clock.now() });
      return { user: updated, session };
    });
  }

  /** Confirms an address: an email change, or the address of an account made for someone else. */
  async function verifyEmailWithLink(token: string, meta: RequestMeta) {
    return inTransaction(db, async (trx) => {
      const { token: row, user } = await consumeLink(trx, token, ['verify_email', 'change_email']);
      const now = clock.now();
      if (row.purpose === 'change_email') {
        const newEmail = (JSON.parse(row.data ?? '{}') as { email?: string }).email;
        if (!newEmail) throw new LinkError('link_invalid');
        const holder = await findUserByEmail(trx, newEmail);
        if (holder && holder.id !== user.id) {
          throw new ConflictError('email_taken', 'Another account now uses this address.');
        }
        const changed = await updateUserRow(trx, user.id, {
          email: newEmail,
          emailVerifiedAt: now,
          updatedAt: now,
        });
        const message = emailChangedNoticeEmail(await templateContext(trx), { name: user.name, newEmail });
        await email.queueEmail(trx, { to: user.email, kind: 'email_changed', message });
        // Links already in the old inbox no longer speak for this account.
        await voidAuthTokensOfUser(trx, user.id, now);
        return { user: changed, session: null };
      }
      const session = await createSession(trx, user.id, meta);
      return { user: await markVerified(trx, user, session.id), session };
    });
  }

  // --- one's own account -----------------------------------------------------------------------

  // Each recent caller's own row, kept while no person's row has changed (the 'users' topic: any
  // column but their last visit) and for no longer than a visit goes unwritten, so `/me` runs no query
  // and the last visit it shows is as recent as the column. Shared: read it, never change it.
  const keptUsers = keptValues<{ row: UserRow; readAt: number }>(deps.changes, 'users', 10_000);

  async function currentUser(actor: Actor): Promise<UserRow> {
    const now = clock.now();
    const kept = await keptUsers.get(
      actor.userId,
      async () => {
        const row = await findUserById(db, actor.userId);
        return row && { row, readAt: now };
      },
      ({ readAt }) => now - readAt <= TOUCH_EVERY_MS,
    );
    if (!kept) throw new UnauthorizedError();
    return kept.row;
  }

  /**
   * The caller's row as the database has it now, for what checks or changes a password or an address:
   * another process's change is never a notification away.
   */
  async function freshUser(actor: Actor): Promise<UserRow> {
    const user = await findUserById(db, actor.userId);
    if (!user) throw new UnauthorizedError();
    return user;
  }

  /**
   * Asks for the caller's password again before a power that could hand the account to someone else
   * (the outgoing mail server). Rate-limited like signing in.
   */
  async function confirmPassword(actor: Actor, given: string | undefined): Promise<void> {
    const failures = `confirm-password:fail:${actor.userId}`;
    await rateLimiter.check(failures, FAILURES_PER_CLIENT);
    const user = await freshUser(actor);
    if (!user.passwordHash) {
      throw new ForbiddenError(
        'Set a password on your Account page first: this change asks for it.',
        'password_required',
      );
    }
    if (!given) throw ValidationError.field('currentPassword', 'is needed for this change');
    if (!(await hasher.verify(user.passwordHash, given))) {
      await rateLimiter.record(failures, LIMIT_WINDOW_MS);
      throw new BadRequestError('invalid_password', 'currentPassword: is not right', {
        fields: [{ field: 'currentPassword', message: 'is not right' }],
      });
    }
  }

  /** The caller's name, how notifications reach them by email and which kinds do; any of them. */
  async function updateProfile(
    actor: Actor,
    input: {
      name?: string;
      notifyEmail?: NotifyEmail;
      emailAbout?: { replies?: boolean; mentions?: boolean; posts?: boolean };
    },
  ): Promise<UserRow> {
    const { name, notifyEmail, emailAbout = {} } = input;
    const flag = (on: boolean | undefined) => (on === undefined ? undefined : on ? 1 : 0);
    const switches = {
      emailReplies: flag(emailAbout.replies),
      emailMentions: flag(emailAbout.mentions),
      emailPosts: flag(emailAbout.posts),
    };
    if (name !== undefined) assertValid([nameProblem('name', name, true)]);
    await inTransaction(db, async (trx) => {
      await updateUserRow(trx, actor.userId, {
        ...(name !== undefined ? { name: name.trim(), nameSearch: nameSearchKey(name) } : {}),
        ...(notifyEmail !== undefined ? { notifyEmail } : {}),
        ...Object.fromEntries(Object.entries(switches).filter(([, value]) => value !== undefined)),
        updatedAt: clock.now(),
      });
      if (name !== undefined) await authorRenamed(trx, actor.userId);
    });
    return freshUser(actor);
  }

  /** Starts an email change: a confirmation link goes to the new address; nothing changes until it is used. */
  async function requestEmailChange(
    actor: Actor,
    input: { email: string; currentPassword?: string },
  ): Promise<void> {
    assertValid([emailProblem('email', input.email)]);
    const newEmail = normalizeEmail(input.email);
    await rateLimiter.hit(`email-change:${actor.userId}`, 5, LIMIT_WINDOW_MS);
    const user = await freshUser(actor);
    requireVerified(user);
    if (user.passwordHash) await assertPassword(user.passwordHash, input.currentPassword);
    if (newEmail === user.email) {
      throw new BadRequestError('email_unchanged', 'email: is already your address', {
        fields: [{ field: 'email', message: 'is already your address' }],
      });
    }
    await inTransaction(db, async (trx) => {
      if (await findUserByEmail(trx, newEmail)) {
        throw new ConflictError('email_taken', 'email: is already taken', {
          fields: [{ field: 'email', message: 'is already taken' }],
        });
      }
      await voidAuthTokensOfUser(trx, user.id, clock.now(), ['change_email']);
      const url = await issueLink(trx, user.id, 'change_email', LONG_LINK_TTL_MS, '/auth/verify-email', {
        email: newEmail,
      });
      const message = confirmEmailChangeEmail(await templateContext(trx), { name: user.name, url, newEmail });
      await email.queueEmail(trx, { to: newEmail, kind: 'email_change', message, recipientUserId: user.id });
    });
  }

  /** Changes the password; every other session of the account ends. */
  async function changePassword(
    actor: Actor,
    input: { currentPassword?: string; newPassword: string },
  ): Promise<void> {
    assertValid([passwordProblem('newPassword', input.newPassword)]);
    await rateLimiter.hit(`password-change:${actor.userId}`, 10, LIMIT_WINDOW_MS);
    const user = await freshUser(actor);
    requireVerified(user);
    if (user.passwordHash) await assertPassword(user.passwordHash, input.currentPassword);
    const passwordHash = await hasher.hash(input.newPassword);
    await inTransaction(db, async (trx) => {
      await updateUserRow(trx, user.id, { passwordHash, updatedAt: clock.now() });
      await deleteSessionsOfUser(trx, user.id, actor.sessionId);
      await voidAuthTokensOfUser(trx, user.id, clock.now(), ['set_password', 'magic_link']);
    });
  }

  /** Emails the account's own address a new confirmation link (for an account nobody verified yet). */
  async function resendVerification(actor: Actor): Promise<void> {
    await rateLimiter.hit(`verify-resend:${actor.userId}`, 5, LIMIT_WINDOW_MS);
    await inTransaction(db, async (trx) => {
      const user = await findUserById(trx, actor.userId);
      if (!user) throw new UnauthorizedError();
      if (user.emailVerifiedAt !== null)
        throw new ConflictError('email_verified', 'Your email address is already confirmed.');
      const url = await issueLink(trx, user.id, 'verify_email', LONG_LINK_TTL_MS, '/auth/verify-email');
      const message = confirmAddressEmail(await templateContext(trx), { name: user.name, url });
      await email.queueEmail(trx, {
        to: user.email,
        kind: 'verify_email',
        message,
        recipientUserId: user.id,
      });
    });
  }

  /** Ends every session of the account, this one included. */
  async function signOutEverywhere(actor: Actor): Promise<void> {
    await deleteSessionsOfUser(db, actor.userId);
  }

  return {
    actorBySessionToken,
    actorByApiKey,
    needsSetup,
    issueSetupCode,
    completeSetup,
    createOwner,
    login,
    logout,
    requestMagicLink,
    createLoginLink,
    verifyMagicLink,
    requestPasswordReset,
    setPasswordWithLink,
    verifyEmailWithLink,
    currentUser,
    updateProfile,
    requestEmailChange,
    changePassword,
    resendVerification,
    confirmPassword,
    signOutEverywhere,
    // For other modules (users, purchases): links and sessions are made one way only.
    issueLink,
    createSession,
    markVerified,
    findAccountByEmail: (trx: Executor, email: string) => findUserByEmail(trx, normalizeEmail(email)),
    findAccountById: (trx: Executor, id: string) => findUserById(trx, id),
    consumeLink,
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
export type { UserRole };
