// Kysely only: rows in, rows out. Decisions live in the services.
import type { Insertable, Updateable } from 'kysely';
import type { Executor } from '../../platform/db/executor.ts';
import { prepared } from '../../platform/db/prepared.ts';
import type { AuthTokenPurpose, AuthTokensTable, UsersTable } from '../../platform/db/schema.ts';
import { addTo, type TallyKind } from '../../platform/db/tallies.ts';
import type { Cursor } from '../../platform/pagination.ts';

const userColumns = [
  'users.id',
  'users.email',
  'users.name',
  'users.role',
  'users.status',
  'users.passwordHash',
  'users.emailVerifiedAt',
  'users.totalSpentMinor',
  'users.createdAt',
  'users.updatedAt',
  'users.lastSeenAt',
  'users.stripeCustomerId',
  'users.notifyEmail',
  'users.emailReplies',
  'users.emailMentions',
  'users.emailPosts',
] as const;

const userById = prepared((db: Executor, id: string) =>
  db.selectFrom('users').select(userColumns).where('id', '=', id),
);
const userByEmail = prepared((db: Executor, email: string) =>
  db.selectFrom('users').select(userColumns).where('email', '=', email),
);

/** A user by id (every `/me` and most services ask: compiled once). */
export async function findUserById(db: Executor, id: string) {
  return (await userById(db, id))[0];
}

export async function findUserByEmail(db: Executor, email: string) {
  return (await userByEmail(db, email))[0];
}

export type UserRow = NonNullable<Awaited<ReturnType<typeof findUserById>>>;

export async function findOwner(db: Executor) {
  return db.selectFrom('users').select(userColumns).where('role', '=', 'owner').executeTakeFirst();
}

/** Writes a user and answers the row as stored (RETURNING: no second read). */
export async function insertUser(db: Executor, row: Insertable<UsersTable>): Promise<UserRow> {
  return db.insertInto('users').values(row).returning(userColumns).executeTakeFirstOrThrow();
}

/** Changes a user and answers the row as it now is; throws when there is no such user. */
export async function updateUserRow(
  db: Executor,
  id: string,
  patch: Updateable<UsersTable>,
): Promise<UserRow> {
  return db
    .updateTable('users')
    .set(patch)
    .where('id', '=', id)
    .returning(userColumns)
    .executeTakeFirstOrThrow();
}

export async function listUserRows(
  db: Executor,
  options: { search: string | null; after: Cursor | null; limit: number },
) {
  let query = db
    .selectFrom('users')
    .select(userColumns)
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit + 1);
  const search = options.search;
  if (search) {
    // Prefix ranges on two indexed columns: a search never scans the members.
    const end = `${search}\uffff`;
    query = query.where((eb) =>
      eb.or([
        eb.and([eb('email', '>=', search), eb('email', '<', end)]),
        eb.and([eb('nameSearch', '>=', search), eb('nameSearch', '<', end)]),
      ]),
    );
  }
  const after = options.after;
  if (after) {
    query = query.where((eb) => eb(eb.refTuple('createdAt', 'id'), '<', eb.tuple(after.at, after.id)));
  }
  return query.execute();
}

export async function insertSession(
  db: Executor,
  row: {
    id: string;
    tokenHash: string;
    userId: string;
    now: number;
    expiresAt: number;
    userAgent: string | null;
    ip: string | null;
  },
): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      id: row.id,
      tokenHash: row.tokenHash,
      userId: row.userId,
      createdAt: row.now,
      expiresAt: row.expiresAt,
      lastSeenAt: row.now,
      userAgent: row.userAgent,
      ip: row.ip,
    })
    .execute();
}

/** The live session and its active user for a token hash. */
const activeSession = prepared((db: Executor, tokenHash: string, now: number) =>
  db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.userId')
    .select([
      'sessions.id as sessionId',
      'sessions.lastSeenAt as sessionLastSeenAt',
      'sessions.expiresAt',
      'users.id as userId',
      'users.role',
      'users.email',
      'users.name',
    ])
    .where('sessions.tokenHash', '=', tokenHash)
    .where('sessions.expiresAt', '>', now)
    .where('users.status', '=', 'active'),
);

export type SessionActorRow = Awaited<ReturnType<typeof activeSession>>[number];

/** The signed-in session of a cookie, with its user (every signed-in request asks: compiled once). */
export async function findActiveSession(
  db: Executor,
  tokenHash: string,
  now: number,
): Promise<SessionActorRow | undefined> {
  return (await activeSession(db, tokenHash, now))[0];
}

export async function touchSession(
  db: Executor,
  sessionId: string,
  userId: string,
  now: number,
): Promise<void> {
  await db.updateTable('sessions').set({ lastSeenAt: now }).where('id', '=', sessionId).execute();
  await db.updateTable('users').set({ lastSeenAt: now }).where('id', '=', userId).execute();
}

export async function deleteSession(db: Executor, sessionId: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', sessionId).execute();
}

/** Ends every session of a user but the one kept (if any). */
export async function deleteSessionsOfUser(
  db: Executor,
  userId: string,
  keepSessionId: string | null = null,
): Promise<void> {
  let query = db.deleteFrom('sessions').where('userId', '=', userId);
  if (keepSessionId) query = query.where('id', '!=', keepSessionId);
  await query.execute();
}

export async function insertAuthToken(db: Executor, row: Insertable<AuthTokensTable>): Promise<void> {
  await db.insertInto('authTokens').values(row).execute();
}

/** Marks a live token used and returns it; undefined when it is unknown, used or expired. */
export async function consumeAuthToken(
  db: Executor,
  tokenHash: string,
  purposes: AuthTokenPurpose[],
  now: number,
) {
  return db
    .updateTable('authTokens')
    .set({ usedAt: now })
    .where('tokenHash', '=', tokenHash)
    .where('purpose', 'in', purposes)
    .where('usedAt', 'is', null)
    .where('expiresAt', '>', now)
    .returningAll()
    .executeTakeFirst();
}

export async function findAuthToken(db: Executor, tokenHash: string) {
  return db.selectFrom('authTokens').selectAll().where('tokenHash', '=', tokenHash).executeTakeFirst();
}

/** Voids every unused link of a user (of the given purposes, or all). */
export async function voidAuthTokensOfUser(
  db: Executor,
  userId: string,
  now: number,
  purposes: AuthTokenPurpose[] | null = null,
): Promise<void> {
  let query = db
    .updateTable('authTokens')
    .set({ usedAt: now })
    .where('userId', '=', userId)
    .where('usedAt', 'is', null);
  if (purposes) query = query.where('purpose', 'in', purposes);
  await query.execute();
}

export async function insertApiKey(
  db: Executor,
  row: { id: string; name: string; userId: string; prefix: string; keyHash: string; createdAt: number },
): Promise<void> {
  await db
    .insertInto('apiKeys')
    .values({ ...row, lastUsedAt: null, revokedAt: null })
    .execute();
}

const activeApiKey = prepared((db: Executor, keyHash: string) =>
  db
    .selectFrom('apiKeys')
    .innerJoin('users', 'users.id', 'apiKeys.userId')
    .select([
      'apiKeys.id as keyId',
      'apiKeys.lastUsedAt',
      'users.id as userId',
      'users.role',
      'users.email',
      'users.name',
    ])
    .where('apiKeys.keyHash', '=', keyHash)
    .where('apiKeys.revokedAt', 'is', null)
    .where('users.status', '=', 'active'),
);

export type ApiKeyActorRow = Awaited<ReturnType<typeof activeApiKey>>[number];

/** An API key that still acts, with its user (every API request with a key asks: compiled once). */
export async function findActiveApiKey(db: Executor, keyHash: string): Promise<ApiKeyActorRow | undefined> {
  return (await activeApiKey(db, keyHash))[0];
}

export async function touchApiKey(db: Executor, keyId: string, now: number): Promise<void> {
  await db.updateTable('apiKeys').set({ lastUsedAt: now }).where('id', '=', keyId).execute();
}

const apiKeyColumns = [
  'apiKeys.id',
  'apiKeys.name',
  'apiKeys.prefix',
  'apiKeys.createdAt',
  'apiKeys.lastUsedAt',
  'users.id as userId',
  'users.email as userEmail',
] as const;

export async function listApiKeyRows(db: Executor, options: { after: Cursor | null; limit: number }) {
  let query = db
    .selectFrom('apiKeys')
    .innerJoin('users', 'users.id', 'apiKeys.userId')
    .select(apiKeyColumns)
    .where('apiKeys.revokedAt', 'is', null)
    .orderBy('apiKeys.createdAt', 'desc')
    .orderBy('apiKeys.id', 'desc')
    .limit(options.limit + 1);
  const after = options.after;
  if (after) {
    query = query.where((eb) =>
      eb(eb.refTuple('apiKeys.createdAt', 'apiKeys.id'), '<', eb.tuple(after.at, after.id)),
    );
  }
  return query.execute();
}

export async function findApiKey(db: Executor, id: string) {
  return db
    .selectFrom('apiKeys')
    .innerJoin('users', 'users.id', 'apiKeys.userId')
    .select(apiKeyColumns)
    .where('apiKeys.id', '=', id)
    .where('apiKeys.revokedAt', 'is', null)
    .executeTakeFirst();
}

export type ApiKeyRow = NonNullable<Awaited<ReturnType<typeof findApiKey>>>;

export async function revokeApiKeyRow(db: Executor, id: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('apiKeys')
    .set({ revokedAt: now })
    .where('id', '=', id)
    .where('revokedAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function revokeApiKeysOfUser(db: Executor, userId: string, now: number): Promise<void> {
  await db
    .updateTable('apiKeys')
    .set({ revokedAt: now })
    .where('userId', '=', userId)
    .where('revokedAt', 'is', null)
    .execute();
}

/** What each buyer spent in all (at the end of a `withTallies` transaction: platform/db/tallies.ts). */
const SPENDING: TallyKind<string> = {
  order: 0,
  keyOf: (userId) => userId,
  async write(db, rows) {
    for (const { key: userId, deltas } of rows) {
      await db
        .updateTable('users')
        .set((eb) => ({ totalSpentMinor: eb('totalSpentMinor', '+', deltas[0] as number) }))
        .where('id', '=', userId)
        .execute();
    }
  },
};

export async function addUserSpending(db: Executor, userId: string, amountMinor: number): Promise<void> {
  await addTo(db, SPENDING, [{ key: userId, deltas: [amountMinor] }]);
}

/** Sets the user's Stripe customer unless one is already set (the first checkout's customer stays). */
export async function setUserStripeCustomer(db: Executor, userId: string, customerId: string): Promise<void> {
  await db
    .updateTable('users')
    .set({ stripeCustomerId: customerId })
    .where('id', '=', userId)
    .where('stripeCustomerId', 'is', null)
    .execute();
}
