// The access rule as SQL: one query answers whether a user may enter a group, or which groups they may
// enter. One group is indexed probes (grants by (user, group), entitlements by (user, offer) through
// offer_hub_groups); the list reads the member's own grants and entitlements once. Never a scan of buyers.
import { type ExpressionBuilder, type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import { type Executor, locksRows } from '../../platform/db/executor.ts';
import { prepared } from '../../platform/db/prepared.ts';
import type { DB, EntitlementChangesTable, EntitlementsTable } from '../../platform/db/schema.ts';
import { ALWAYS_LIVE_STATES, LIVE_UNTIL_STATES } from './access.rules.ts';

type GroupScope = ExpressionBuilder<DB, 'hubGroups'>;

function liveGrantExists(eb: GroupScope, userId: string, now: number) {
  return eb.exists(
    eb
      .selectFrom('accessGrants')
      .select(sql.lit(1).as('one'))
      .whereRef('accessGrants.hubGroupId', '=', 'hubGroups.id')
      .where('accessGrants.userId', '=', userId)
      .where((inner) =>
        inner.or([inner('accessGrants.endsAt', 'is', null), inner('accessGrants.endsAt', '>', now)]),
      ),
  );
}

/**
 * `isEntitlementLive` (access.rules.ts) as SQL, the one place it is written: an always-live state, or a
 * live-until state whose access ends after `now`. tests/integration/access-parity.test.ts runs every row
 * of the rule's state table through each query that uses it, on both engines.
 */
export function entitlementIsLive(now: number) {
  return (eb: ExpressionBuilder<DB, 'entitlements'>) =>
    eb.or([
      eb('entitlements.state', 'in', ALWAYS_LIVE_STATES),
      eb.and([eb('entitlements.state', 'in', LIVE_UNTIL_STATES), eb('entitlements.accessUntil', '>', now)]),
    ]);
}

function liveEntitlementExists(eb: GroupScope, userId: string, now: number) {
  return eb.exists(
    eb
      .selectFrom('offerHubGroups')
      .innerJoin('entitlements', 'entitlements.offerId', 'offerHubGroups.offerId')
      .select(sql.lit(1).as('one'))
      .whereRef('offerHubGroups.hubGroupId', '=', 'hubGroups.id')
      .where('entitlements.userId', '=', userId)
      .where(entitlementIsLive(now)),
  );
}

/** The SQL form of can_enter for a member (staff are decided before any query). */
export function memberMayEnter(eb: GroupScope, userId: string, now: number) {
  return eb.or([
    eb('hubGroups.visibility', '=', 'public'),
    liveGrantExists(eb, userId, now),
    liveEntitlementExists(eb, userId, now),
  ]);
}

/**
 * can_enter(user, group) for many users and one group, correlated by the user: staff, a public group,
 * a live grant or a live entitlement (by the user's own rows, indexed). What a mention's completion and
 * its notifications ask: which of these people may see a post in this group.
 */
/**
 * Those a group could let in at all — its grants, the buyers of the offers that open it, staff — with
 * no regard to whether that is live (userMayEnterGroup decides). Someone may appear more than once.
 */
export function groupCandidates(db: Executor, groupId: string) {
  return db
    .selectFrom('accessGrants')
    .select('accessGrants.userId')
    .where('accessGrants.hubGroupId', '=', groupId)
    .unionAll(
      db
        .selectFrom('entitlements')
        .innerJoin('offerHubGroups', 'offerHubGroups.offerId', 'entitlements.offerId')
        .select('entitlements.userId')
        .where('offerHubGroups.hubGroupId', '=', groupId),
    )
    .unionAll(
      db.selectFrom('users').select('users.id as userId').where('users.role', 'in', ['owner', 'admin']),
    );
}

export function userMayEnterGroup(eb: ExpressionBuilder<DB, 'users'>, groupId: string, now: number) {
  return eb.or([
    eb('users.role', 'in', ['owner', 'admin']),
    eb.exists(
      eb
        .selectFrom('hubGroups')
        .select(sql.lit(1).as('one'))
        .where('hubGroups.id', '=', groupId)
        .where('hubGroups.visibility', '=', 'public'),
    ),
    eb.exists(
      eb
        .selectFrom('accessGrants')
        .select(sql.lit(1).as('one'))
        .whereRef('accessGrants.userId', '=', 'users.id')
        .where('accessGrants.hubGroupId', '=', groupId)
        .where((inner) =>
          inner.or([inner('accessGrants.endsAt', 'is', null), inner('accessGrants.endsAt', '>', now)]),
        ),
    ),
    eb.exists(
      eb
        .selectFrom('entitlements')
        .innerJoin('offerHubGroups', 'offerHubGroups.offerId', 'entitlements.offerId')
        .select(sql.lit(1).as('one'))
        .whereRef('entitlements.userId', '=', 'users.id')
        .where('offerHubGroups.hubGroupId', '=', groupId)
        .where(entitlementIsLive(now)),
    ),
  ]);
}

const groupColumns = [
  'hubGroups.id',
  'hubGroups.name',
  'hubGroups.slug',
  'hubGroups.description',
  'hubGroups.emoji',
  'hubGroups.imagePath',
  'hubGroups.visibility',
  'hubGroups.position',
  'hubGroups.paywallCta',
  'hubGroups.paywallDescription',
  'hubGroups.paywallUrl',
  'hubGroups.postCount',
  'hubGroups.feedVersion',
  'hubGroups.version',
  'hubGroups.createdAt',
  'hubGroups.updatedAt',
  'hubGroups.whoMayPost',
  'hubGroups.commentsOn',
  'hubGroups.directoryOn',
] as const;

const groupWithEntry = prepared((db: Executor, idOrSlug: string, userId: string, now: number) =>
  db
    .selectFrom('hubGroups')
    .select(groupColumns)
    .select((eb) => memberMayEnter(eb, userId, now).as('mayEnter'))
    .where((eb) => eb.or([eb('hubGroups.id', '=', idOrSlug), eb('hubGroups.slug', '=', idOrSlug)])),
);

/** One group by id or slug, with whether this member may enter it (every hub request asks: compiled once). */
export async function findGroupWithEntry(db: Executor, idOrSlug: string, userId: string, now: number) {
  return (await groupWithEntry(db, idOrSlug, userId, now))[0];
}

export async function findGroup(db: Executor, idOrSlug: string) {
  return db
    .selectFrom('hubGroups')
    .select(groupColumns)
    .where((eb) => eb.or([eb('hubGroups.id', '=', idOrSlug), eb('hubGroups.slug', '=', idOrSlug)]))
    .executeTakeFirst();
}

export type GroupRow = NonNullable<Awaited<ReturnType<typeof findGroup>>>;

/**
 * Whether a member may enter a group, in the shape that suits a list (of groups, or of posts across
 * groups): public, or among the ids of the groups the member holds a live grant or a live entitlement
 * to — the member's own rows (by user, then offer_hub_groups by offer), read once for the whole list
 * instead of probed per row.
 */
export function groupsEnteredBy(eb: GroupScope, userId: string, now: number) {
  return eb.or([
    eb('hubGroups.visibility', '=', 'public'),
    eb(
      'hubGroups.id',
      'in',
      eb
        .selectFrom('accessGrants')
        .select('accessGrants.hubGroupId')
        .where('accessGrants.userId', '=', userId)
        .where((inner) =>
          inner.or([inner('accessGrants.endsAt', 'is', null), inner('accessGrants.endsAt', '>', now)]),
        ),
    ),
    eb(
      'hubGroups.id',
      'in',
      eb
        .selectFrom('entitlements')
        .innerJoin('offerHubGroups', 'offerHubGroups.offerId', 'entitlements.offerId')
        .select('offerHubGroups.hubGroupId')
        .where('entitlements.userId', '=', userId)
        .where(entitlementIsLive(now)),
    ),
  ]);
}

const groupEntries = prepared((db: Executor, userId: string, now: number) =>
  db
    .selectFrom('hubGroups')
    .select(['hubGroups.id', 'hubGroups.version', 'hubGroups.feedVersion'])
    .select((eb) => groupsEnteredBy(eb, userId, now).as('mayEnter'))
    .orderBy('hubGroups.position')
    .orderBy('hubGroups.createdAt'),
);

/**
 * Every group in the creator's order, by id and versions, each with whether this member may enter it
 * (compiled once); the rest of each group comes from the rows kept by version (access.service.ts). The
 * same rule as memberMayEnter, in the shape that suits a list: the member's grants and entitlements are
 * read once (a handful of rows by index) rather than probed for every group.
 */
export async function listGroupEntries(db: Executor, userId: string, now: number) {
  return groupEntries(db, userId, now);
}

const accessChanges = prepared((db: Executor, userId: string, now: number) =>
  db
    .selectFrom('entitlements')
    .select('entitlements.accessUntil as at')
    .where('entitlements.userId', '=', userId)
    .where('entitlements.state', 'in', LIVE_UNTIL_STATES)
    .where('entitlements.accessUntil', '>', now)
    .unionAll(
      db
        .selectFrom('accessGrants')
        .select('accessGrants.endsAt as at')
        .where('accessGrants.userId', '=', userId)
        .where('accessGrants.endsAt', '>', now),
    ),
);

/**
 * When the member's access next changes by the clock alone (an entitlement paid up until then, a
 * grant ending then), or null when nothing of theirs ends by itself: until then, with no write, what
 * they may enter stays as it is.
 */
export async function nextAccessChange(db: Executor, userId: string, now: number): Promise<number | null> {
  const times = (await accessChanges(db, userId, now)).map((row) => Number(row.at));
  return times.length ? Math.min(...times) : null;
}

export async function listAllGroups(db: Executor) {
  return db.selectFrom('hubGroups').select(groupColumns).orderBy('position').orderBy('createdAt').execute();
}

/** The published offers that grant a group: what its paywall sells. */
export async function listOffersGranting(db: Executor, groupId: string, options: { publishedOnly: boolean }) {
  let query = db
    .selectFrom('offerHubGroups')
    .innerJoin('offers', 'offers.id', 'offerHubGroups.offerId')
    .select([
      'offers.id',
      'offers.title',
      'offers.slug',
      'offers.status',
      'offers.pricingModel',
      'offers.amountMinor',
      'offers.currency',
      'offers.interval',
      'offers.intervalCount',
      'offers.trialDays',
    ])
    .where('offerHubGroups.hubGroupId', '=', groupId)
    .orderBy('offers.title');
  if (options.publishedOnly) query = query.where('offers.status', '=', 'published');
  return query.execute();
}

// --- hand grants -------------------------------------------------------------------------------

export async function upsertGrant(
  db: Executor,
  row: {
    id: string;
    userId: string;
    hubGroupId: string;
    endsAt: number | null;
    note: string | null;
    grantedBy: string;
    createdAt: number;
  },
): Promise<void> {
  await db
    .insertInto('accessGrants')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['userId', 'hubGroupId']).doUpdateSet({
        endsAt: row.endsAt,
        note: row.note,
        grantedBy: row.grantedBy,
        createdAt: row.createdAt,
      }),
    )
    .execute();
}

const grantColumns = [
  'accessGrants.id',
  'accessGrants.userId',
  'accessGrants.hubGroupId',
  'accessGrants.endsAt',
  'accessGrants.note',
  'accessGrants.grantedBy',
  'accessGrants.createdAt',
  'hubGroups.name as hubGroupName',
] as const;

export async function listGrantsOfUser(db: Executor, userId: string) {
  return db
    .selectFrom('accessGrants')
    .innerJoin('hubGroups', 'hubGroups.id', 'accessGrants.hubGroupId')
    .select(grantColumns)
    .where('accessGrants.userId', '=', userId)
    .orderBy('hubGroups.position')
    .execute();
}

export type GrantRow = Awaited<ReturnType<typeof listGrantsOfUser>>[number];

export async function findGrantOfUser(db: Executor, userId: string, grantId: string) {
  return db
    .selectFrom('accessGrants')
    .innerJoin('hubGroups', 'hubGroups.id', 'accessGrants.hubGroupId')
    .select(grantColumns)
    .where('accessGrants.userId', '=', userId)
    .where((eb) => eb.or([eb('accessGrants.id', '=', grantId), eb('accessGrants.hubGroupId', '=', grantId)]))
    .executeTakeFirst();
}

export async function deleteGrant(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('accessGrants').where('id', '=', id).execute();
}

/** A user's entitlements with the groups each opens (bounded by what one user bought). */
export async function listEntitlementGroupsOfUser(db: Executor, userId: string) {
  return db
    .selectFrom('entitlements')
    .innerJoin('offers', 'offers.id', 'entitlements.offerId')
    .innerJoin('offerHubGroups', 'offerHubGroups.offerId', 'entitlements.offerId')
    .select([
      'entitlements.id as entitlementId',
      'entitlements.state',
      'entitlements.accessUntil',
      'offers.id as offerId',
      'offers.title as offerTitle',
      'offerHubGroups.hubGroupId',
    ])
    .where('entitlements.userId', '=', userId)
    .execute();
}

// --- who is in a group ---------------------------------------------------------------------------

export async function listGrantMembers(
  db: Executor,
  groupId: string,
  now: number,
  after: { at: number; id: string } | null,
  limit: number,
) {
  let query = db
    .selectFrom('accessGrants')
    .innerJoin('users', 'users.id', 'accessGrants.userId')
    .select([
      'accessGrants.id',
      'accessGrants.createdAt',
      'accessGrants.endsAt',
      'accessGrants.note',
      'users.id as userId',
      'users.name',
      'users.email',
    ])
    .where('accessGrants.hubGroupId', '=', groupId)
    .where((eb) => eb.or([eb('accessGrants.endsAt', 'is', null), eb('accessGrants.endsAt', '>', now)]))
    .orderBy('accessGrants.createdAt', 'desc')
    .orderBy('accessGrants.id', 'desc')
    .limit(limit + 1);
  if (after) {
    query = query.where((eb) =>
      eb(eb.refTuple('accessGrants.createdAt', 'accessGrants.id'), '<', eb.tuple(after.at, after.id)),
    );
  }
  return query.execute();
}

export async function listEntitlementMembers(
  db: Executor,
  groupId: string,
  now: number,
  after: { at: number; id: string } | null,
  limit: number,
) {
  let query = db
    .selectFrom('offerHubGroups')
    .innerJoin('entitlements', 'entitlements.offerId', 'offerHubGroups.offerId')
    .innerJoin('offers', 'offers.id', 'entitlements.offerId')
    .innerJoin('users', 'users.id', 'entitlements.userId')
    .select([
      'entitlements.id',
      'entitlements.createdAt',
      'entitlements.state',
      'entitlements.accessUntil',
      'offers.id as offerId',
      'offers.title as offerTitle',
      'users.id as userId',
      'users.name',
      'users.email',
    ])
    .where('offerHubGroups.hubGroupId', '=', groupId)
    .where(entitlementIsLive(now))
    .orderBy('entitlements.createdAt', 'desc')
    .orderBy('entitlements.id', 'desc')
    .limit(limit + 1);
  if (after) {
    query = query.where((eb) =>
      eb(eb.refTuple('entitlements.createdAt', 'entitlements.id'), '<', eb.tuple(after.at, after.id)),
    );
  }
  return query.execute();
}

// --- entitlements ---

/** How many people an offer's groups are open to through it now: its buyers with a live entitlement. */
export async function countLiveBuyers(db: Executor, offerId: string, now: number): Promise<number> {
  const row = await db
    .selectFrom('entitlements')
    .select((eb) => eb.fn.count<number>('entitlements.userId').distinct().as('n'))
    .where('entitlements.offerId', '=', offerId)
    .where(entitlementIsLive(now))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function findLiveEntitlement(db: Executor, userId: string, offerId: string, now: number) {
  return db
    .selectFrom('entitlements')
    .select(['id', 'state', 'accessUntil'])
    .where('userId', '=', userId)
    .where('offerId', '=', offerId)
    .where(entitlementIsLive(now))
    .executeTakeFirst();
}

export type EntitlementRow = Selectable<EntitlementsTable>;

export async function insertEntitlement(
  db: Executor,
  row: Insertable<EntitlementsTable>,
): Promise<EntitlementRow> {
  return db.insertInto('entitlements').values(row).returningAll().executeTakeFirstOrThrow();
}

/**
 * An entitlement read to be changed in the caller's transaction: locked until it ends (PostgreSQL), so
 * two changes at once take turns and the second sees the first's result.
 */
export async function findEntitlementForChange(
  db: Executor,
  id: string,
): Promise<EntitlementRow | undefined> {
  const query = db.selectFrom('entitlements').selectAll().where('id', '=', id);
  return (locksRows(db) ? query.forUpdate() : query).executeTakeFirst();
}

const entitlementOfPurchase = prepared((db: Executor, purchaseId: string) =>
  db.selectFrom('entitlements').selectAll().where('purchaseId', '=', purchaseId),
);

export async function findEntitlementOfPurchase(db: Executor, purchaseId: string) {
  return (await entitlementOfPurchase(db, purchaseId))[0];
}

/**
 * The entitlement of a purchase, read to decide how to change it in the caller's transaction: locked
 * until that ends (PostgreSQL), so a change committed meanwhile is seen instead of overwritten.
 */
export async function findEntitlementOfPurchaseForChange(db: Executor, purchaseId: string) {
  const query = db.selectFrom('entitlements').selectAll().where('purchaseId', '=', purchaseId);
  return (locksRows(db) ? query.forUpdate() : query).executeTakeFirst();
}

export async function updateEntitlementRow(
  db: Executor,
  id: string,
  patch: Updateable<EntitlementsTable>,
): Promise<EntitlementRow> {
  return db
    .updateTable('entitlements')
    .set(patch)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertEntitlementChange(db: Executor, row: Insertable<EntitlementChangesTable>) {
  await db.insertInto('entitlementChanges').values(row).execute();
}

export async function listEntitlementChangesOfUser(db: Executor, userId: string, limit: number) {
  return db
    .selectFrom('entitlementChanges')
    .innerJoin('entitlements', 'entitlements.id', 'entitlementChanges.entitlementId')
    .innerJoin('offers', 'offers.id', 'entitlements.offerId')
    .selectAll('entitlementChanges')
    .select(['offers.title as offerTitle', 'entitlements.offerId'])
    .where('entitlementChanges.userId', '=', userId)
    .orderBy('entitlementChanges.createdAt', 'desc')
    .orderBy('entitlementChanges.id', 'desc')
    .limit(limit)
    .execute();
}
