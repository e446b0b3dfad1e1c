// The admin's side of accounts: the Users list, Add User, roles, deactivation, and API keys.
// Rules: only staff (owner, admins) manage users; nobody changes the owner or their own role or status;
// only the owner makes, unmakes or deactivates admins.

import { type Actor, isStaffRole, requireStaff } from '../../platform/actor.ts';
import type { Clock } from '../../platform/clock.ts';
import { newId, type PasswordHasher, randomToken, sha256 } from '../../platform/crypto.ts';
import type { Database } from '../../platform/db/database.ts';
import type { Executor } from '../../platform/db/executor.ts';
import type { UserStatus } from '../../platform/db/schema.ts';
import { inTransaction } from '../../platform/db/tallies.ts';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  stillThere,
  ValidationError,
} from '../../platform/errors.ts';
import { decodeCursor, type Page, pageOf } from '../../platform/pagination.ts';
import type { EmailService } from '../email/index.ts';
import { invitationEmail } from '../email/index.ts';
import { authorRenamed } from '../hub/index.ts';
import type { MetricsService } from '../metrics/index.ts';
import type { SettingsService } from '../settings/index.ts';
import {
  type ApiKeyRow,
  addUserSpending,
  deleteSessionsOfUser,
  findApiKey,
  findOwner,
  findUserByEmail,
  findUserById,
  insertApiKey,
  insertUser,
  listApiKeyRows,
  listUserRows,
  revokeApiKeyRow,
  revokeApiKeysOfUser,
  setUserStripeCustomer,
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
import { type AuthService, LONG_LINK_TTL_MS } from './auth.service.ts';

export interface UsersDeps {
  db: Database;
  hasher: PasswordHasher;
  clock: Clock;
  auth: AuthService;
  email: EmailService;
  settings: SettingsService;
  /** Counts members as accounts are made and roles change. */
  metrics: Pick<MetricsService, 'memberAdded' | 'roleChanged'>;
}

export const API_KEY_PREFIX = 'gh_';

export function createUsersService(deps: UsersDeps) {
  const { db, clock, auth, email, settings, hasher, metrics } = deps;

  /** The Users list, newest first; `search` is a prefix of the email or the name. */
  async function listUsers(
    actor: Actor,
    options: { search?: string; cursor?: string; limit: number },
  ): Promise<Page<UserRow>> {
    requireStaff(actor);
    const rows = await listUserRows(db, {
      search: options.search?.trim().toLowerCase() || null,
      after: decodeCursor(options.cursor),
      limit: options.limit,
    });
    return pageOf(rows, options.limit, (row) => ({ at: row.createdAt, id: row.id }));
  }

  async function getUser(actor: Actor, id: string): Promise<UserRow> {
    requireStaff(actor);
    const user = await findUserById(db, id);
    if (!user) throw new NotFoundError('No user with that id.');
    return user;
  }

  /**
   * Add User: the account is made without a password and emailed a link to set one. With a password
   * (the CLI), it is set at once and nothing is sent.
   */
  async function createUser(
    actor: Actor,
    input: { email: string; name?: string; role?: 'member' | 'admin'; password?: string },
  ): Promise<UserRow> {
    requireStaff(actor);
    const name = input.name?.trim() ?? '';
    assertValid([
      emailProblem('email', input.email),
      nameProblem('name', name, false),
      input.password === undefined ? null : passwordProblem('password', input.password),
    ]);
    const passwordHash = input.password === undefined ? null : await hasher.hash(input.password);
    const role = input.role ?? 'member';
    if (role === 'admin' && actor.role !== 'owner')
      throw new ForbiddenError('Only the owner may add admins.');
    const address = normalizeEmail(input.email);
    return inTransaction(db, async (trx) => {
      if (await findUserByEmail(trx, address)) {
        throw new ConflictError('email_taken', 'email: is already taken', {
          fields: [{ field: 'email', message: 'is already taken' }],
        });
      }
      const now = clock.now();
      const id = newId();
      const displayName = name || address.split('@')[0] || address;
      const created = await insertUser(trx, {
        id,
        email: address,
        name: displayName,
        nameSearch: nameSearchKey(displayName),
        role,
        status: 'active',
        passwordHash,
        emailVerifiedAt: passwordHash ? now : null,
        createdAt: now,
        updatedAt: now,
        lastSeenAt: null,
      });
      if (role === 'member') await metrics.memberAdded(trx);
      if (!passwordHash) {
        const url = await auth.issueLink(trx, id, 'set_password', LONG_LINK_TTL_MS, '/auth/set-password');
        const { platformName } = await settings.getSettings(trx);
        const message = invitationEmail(
          { platformName },
          { name: displayName, url, invitedBy: actor.name || actor.email },
        );
        await email.queueEmail(trx, { to: address, kind: 'invitation', message, recipientUserId: id });
      }
      return created;
    });
  }

  /** Renames, makes or unmakes an admin, deactivates or reactivates. */
  async function updateUser(
    actor: Actor,
    id: string,
    patch: { name?: string; role?: 'member' | 'admin'; status?: UserStatus },
  ): Promise<UserRow> {
    requireStaff(actor);
    if (patch.name !== undefined) assertValid([nameProblem('name', patch.name, true)]);
    return inTransaction(db, async (trx) => {
      const user = await findUserById(trx, id);
      if (!user) throw new NotFoundError('No user with that id.');
      const changesAccess = patch.role !== undefined || patch.status !== undefined;
      if (changesAccess) {
        if (user.role === 'owner') throw new ForbiddenError('The owner’s role and status cannot be changed.');
        if (user.id === actor.userId) throw new ForbiddenError('You cannot change your own role or status.');
        const touchesAdmin = user.role === 'admin' || patch.role === 'admin';
        if (touchesAdmin && actor.role !== 'owner')
          throw new ForbiddenError('Only the owner may change an admin.');
      } else if (user.role === 'owner' && actor.role !== 'owner') {
        throw new ForbiddenError('Only the owner may edit the owner.');
      }
      const now = clock.now();
      const updated = await updateUserRow(trx, id, {
        ...(patch.name !== undefined
          ? { name: patch.name.trim(), nameSearch: nameSearchKey(patch.name) }
          : {}),
        ...(patch.role !== undefined ? { role: patch.role } : {}),
        ...(patch.status !== undefined ? { status: patch.status } : {}),
        updatedAt: now,
      });
      if (patch.name !== undefined && updated.name !== user.name) await authorRenamed(trx, id);
      await metrics.roleChanged(trx, user, user.role, updated.role);
      if (patch.status === 'deactivated' && user.status !== 'deactivated') {
        // Sessions and pending links end now; API keys are refused while the account is deactivated.
        await deleteSessionsOfUser(trx, id);
        await voidAuthTokensOfUser(trx, id, now);
      }
      if (patch.role === 'member' && user.role === 'admin') {
        // A former admin's keys stop acting with staff rights: keys are for staff only.
        await revokeApiKeysOfUser(trx, id, now);
      }
      return updated;
    });
  }

  /** A new API key acting as `userId` (the caller by default); the key is returned once, only its hash kept. */
  async function createApiKey(
    actor: Actor,
    input: { name: string; userId?: string },
  ): Promise<{ apiKey: ApiKeyRow; key: string }> {
    requireStaff(actor);
    assertValid([nameProblem('name', input.name, true)]);
    const userId = input.userId ?? actor.userId;
    if (userId !== actor.userId && actor.role !== 'owner')
      throw new ForbiddenError('Only the owner may create keys for others.');
    return inTransaction(db, async (trx) => {
      const user = await findUserById(trx, userId);
      if (!user || !isStaffRole(user.role))
        throw ValidationError.field('user', 'must be the owner or an admin');
      const key = `${API_KEY_PREFIX}${randomToken(32)}`;
      const id = newId();
      await insertApiKey(trx, {
        id,
        name: input.name.trim(),
        userId,
        prefix: key.slice(0, 10),
        keyHash: sha256(key),
        createdAt: clock.now(),
      });
      return { apiKey: stillThere(await findApiKey(trx, id), 'API key'), key };
    });
  }

  async function listApiKeys(
    actor: Actor,
    options: { cursor?: string; limit: number },
  ): Promise<Page<ApiKeyRow>> {
    requireStaff(actor);
    const rows = await listApiKeyRows(db, { after: decodeCursor(options.cursor), limit: options.limit });
    return pageOf(rows, options.limit, (row) => ({ at: row.createdAt, id: row.id }));
  }

  async function revokeApiKey(actor: Actor, id: string): Promise<void> {
    requireStaff(actor);
    const key = await findApiKey(db, id);
    if (!key) throw new NotFoundError('No API key with that id.');
    if (key.userId !== actor.userId && actor.role !== 'owner')
      throw new ForbiddenError('Only the owner may revoke others’ keys.');
    await revokeApiKeyRow(db, id, clock.now());
  }

  /** Whom the CLI acts as: the owner, or the staff account named by email (whoever runs it holds the data). */
  async function operatorActor(email?: string): Promise<Actor> {
    const user = email ? await findUserByEmail(db, normalizeEmail(email)) : await findOwner(db);
    if (!user) {
      throw new NotFoundError(
        email
          ? `No account has the email ${normalizeEmail(email)}.`
          : 'There is no owner yet: run `guildhall create-owner` or open the setup link.',
      );
    }
    if (!isStaffRole(user.role) || user.status !== 'active')
      throw new ForbiddenError(`${user.email} is not an active owner or admin.`);
    return {
      userId: user.id,
      role: user.role,
      email: user.email,
      name: user.name,
      via: 'api_key',
      sessionId: null,
    };
  }

  /** A member account made by a checkout for a new address: no password, unverified until its link is used. */
  async function createBuyerAccount(trx: Executor, input: { email: string; name: string }): Promise<UserRow> {
    const address = normalizeEmail(input.email);
    const now = clock.now();
    const id = newId();
    const name = input.name.trim() || address.split('@')[0] || address;
    await metrics.memberAdded(trx);
    return insertUser(trx, {
      id,
      email: address,
      name,
      nameSearch: nameSearchKey(name),
      role: 'member',
      status: 'active',
      passwordHash: null,
      emailVerifiedAt: null,
      createdAt: now,
      updatedAt: now,
      lastSeenAt: null,
    });
  }

  /** Remembers the Stripe customer a person pays as, so their next checkout and the portal use it. */
  async function linkStripeCustomer(trx: Executor, userId: string, customerId: string): Promise<void> {
    await setUserStripeCustomer(trx, userId, customerId);
  }

  /** The Stripe customer a person pays as, if they ever paid. */
  async function stripeCustomerOf(executor: Executor, userId: string): Promise<string | null> {
    return (await findUserById(executor, userId))?.stripeCustomerId ?? null;
  }

  /** Adds a payment to the user's total spending (the Users list column), in the payment's transaction. */
  async function addSpending(trx: Executor, userId: string, amountMinor: number): Promise<void> {
    if (amountMinor !== 0) await addUserSpending(trx, userId, amountMinor);
  }

  return {
    createBuyerAccount,
    addSpending,
    linkStripeCustomer,
    stripeCustomerOf,
    operatorActor,
    listUsers,
    getUser,
    createUser,
    updateUser,
    createApiKey,
    listApiKeys,
    revokeApiKey,
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
