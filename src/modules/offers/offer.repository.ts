import { type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import { Compile } from 'typebox/compile';
import type { Executor } from '../../platform/db/executor.ts';
import { prepared } from '../../platform/db/prepared.ts';
import type { OffersTable } from '../../platform/db/schema.ts';
import { addTo, type TallyKind } from '../../platform/db/tallies.ts';
import type { Cursor } from '../../platform/pagination.ts';
import { type Block, LandingBlock } from './landing.ts';

/** An offer as the code sees it: the stored row with its landing blocks read (once, here). */
export type OfferRow = Omit<Selectable<OffersTable>, 'landingBlocks'> & { landingBlocks: Block[] };

const isBlock = Compile(LandingBlock);

/**
 * The stored JSON of the landing blocks, checked against their schema: only the editor's rules write
 * it, so a block that does not match is one an older version wrote — it is left out, never served.
 */
function offerOf(row: Selectable<OffersTable>): OfferRow {
  const parsed: unknown = JSON.parse(row.landingBlocks);
  const blocks = Array.isArray(parsed) ? parsed.filter((block): block is Block => isBlock.Check(block)) : [];
  return { ...row, landingBlocks: blocks };
}

// Every public offer page reads these two: compiled once.
const offerByIdOrSlug = prepared((db: Executor, idOrSlug: string) =>
  db
    .selectFrom('offers')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', idOrSlug), eb('slug', '=', idOrSlug)])),
);

export async function findOffer(db: Executor, idOrSlug: string): Promise<OfferRow | undefined> {
  const [row] = await offerByIdOrSlug(db, idOrSlug);
  return row && offerOf(row);
}

export async function insertOffer(db: Executor, row: Insertable<OffersTable>): Promise<void> {
  await db.insertInto('offers').values(row).execute();
}

export async function updateOfferRow(
  db: Executor,
  id: string,
  patch: Updateable<OffersTable>,
): Promise<void> {
  await db.updateTable('offers').set(patch).where('id', '=', id).execute();
}

export async function deleteOfferRow(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('offers').where('id', '=', id).execute();
}

export async function offerSlugTaken(db: Executor, slug: string, exceptId: string | null): Promise<boolean> {
  let query = db.selectFrom('offers').select('id').where('slug', '=', slug);
  if (exceptId) query = query.where('id', '!=', exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

export async function listOfferRows(
  db: Executor,
  options: { search: string | null; after: Cursor | null; limit: number },
) {
  let query = db
    .selectFrom('offers')
    .selectAll()
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit + 1);
  // A creator has tens of offers, not thousands: a substring match on the title is fine here.
  const search = options.search?.replace(/[%_\\]/g, (c) => `\\${c}`);
  if (search) query = query.where(sql`lower(title)`, 'like', sql`${`%${search.toLowerCase()}%`} escape '\\'`);
  const after = options.after;
  if (after) {
    query = query.where((eb) => eb(eb.refTuple('createdAt', 'id'), '<', eb.tuple(after.at, after.id)));
  }
  return (await query.execute()).map(offerOf);
}

export async function listOfferGroupIds(db: Executor, offerId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('offerHubGroups')
    .innerJoin('hubGroups', 'hubGroups.id', 'offerHubGroups.hubGroupId')
    .select('offerHubGroups.hubGroupId')
    .where('offerHubGroups.offerId', '=', offerId)
    .orderBy('hubGroups.position')
    .execute();
  return rows.map((row) => row.hubGroupId);
}

const offerGroups = prepared((db: Executor, offerId: string) =>
  db
    .selectFrom('offerHubGroups')
    .innerJoin('hubGroups', 'hubGroups.id', 'offerHubGroups.hubGroupId')
    .select(['hubGroups.id', 'hubGroups.name', 'hubGroups.slug', 'hubGroups.emoji', 'hubGroups.visibility'])
    .where('offerHubGroups.offerId', '=', offerId)
    .orderBy('hubGroups.position'),
);

export async function listOfferGroups(db: Executor, offerId: string) {
  return offerGroups(db, offerId);
}

/**
 * Replaces the groups an offer grants: a write per group changed, whatever the number of buyers —
 * buyers' access is derived from this table at request time (DESIGN.md §1).
 */
export async function setOfferGroups(db: Executor, offerId: string, groupIds: string[]): Promise<void> {
  const current = new Set(await listOfferGroupIds(db, offerId));
  const wanted = new Set(groupIds);
  const removed = [...current].filter((id) => !wanted.has(id));
  const added = [...wanted].filter((id) => !current.has(id));
  if (removed.length)
    await db
      .deleteFrom('offerHubGroups')
      .where('offerId', '=', offerId)
      .where('hubGroupId', 'in', removed)
      .execute();
  if (added.length)
    await db
      .insertInto('offerHubGroups')
      .values(added.map((hubGroupId) => ({ offerId, hubGroupId })))
      .execute();
}

export async function existingGroups(db: Executor, ids: string[]) {
  if (ids.length === 0) return [];
  return db.selectFrom('hubGroups').select(['id', 'name']).where('id', 'in', ids).execute();
}

export async function offerHasEntitlements(db: Executor, offerId: string): Promise<boolean> {
  return (
    (await db
      .selectFrom('entitlements')
      .select('id')
      .where('offerId', '=', offerId)
      .limit(1)
      .executeTakeFirst()) !== undefined
  );
}

export async function offerHasPurchases(db: Executor, offerId: string): Promise<boolean> {
  return (
    (await db
      .selectFrom('purchases')
      .select('id')
      .where('offerId', '=', offerId)
      .limit(1)
      .executeTakeFirst()) !== undefined
  );
}

/** An offer's buyers and revenue (at the end of a `withTallies` transaction: platform/db/tallies.ts). */
const OFFER_COUNTERS: TallyKind<string> = {
  order: 3,
  keyOf: (offerId) => offerId,
  async write(db, rows) {
    for (const { key: offerId, deltas } of rows) {
      const [buyers = 0, revenueMinor = 0] = deltas;
      await db
        .updateTable('offers')
        .set((eb) => ({
          buyerCount: eb('buyerCount', '+', buyers),
          revenueMinor: eb('revenueMinor', '+', revenueMinor),
        }))
        .where('id', '=', offerId)
        .execute();
    }
  },
};

export async function incrementOfferCounters(
  db: Executor,
  offerId: string,
  buyers: number,
  revenueMinor: number,
): Promise<void> {
  await addTo(db, OFFER_COUNTERS, [{ key: offerId, deltas: [buyers, revenueMinor] }]);
}

/** Published paid offers whose buyers may resell them. */
export async function listResellPrograms(db: Executor) {
  return db
    .selectFrom('offers')
    .select([
      'id',
      'title',
      'slug',
      'pricingModel',
      'resellCommissionPercent',
      'resellDescription',
      'resellRecurring',
      'resellMonths',
    ])
    .where('resellEnabled', '=', 1)
    .where('status', '=', 'published')
    .where('pricingModel', '!=', 'free')
    .orderBy('title')
    .limit(200)
    .execute();
}
