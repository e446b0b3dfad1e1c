import type { Insertable, Updateable } from 'kysely';
import type { PurchasesTable } from '../../platform/db/schema.ts';
import type { Executor } from '../../platform/jobs.ts';

export async function insertPurchase(db: Executor, row: Insertable<PurchasesTable>): Promise<void> {
  await db.insertInto('purchases').values(row).execute();
}

export async function findPurchase(db: Executor, id: string) {
  return db.selectFrom('purchases').selectAll().where('id', '=', id).executeTakeFirst();
}

export type PurchaseRow = NonNullable<Awaited<ReturnType<typeof findPurchase>>>;

/** Marks a purchase fulfilled unless it already is; answers whether this call did it. */
export async function markPurchaseFulfilled(
  db: Executor,
  id: string,
  patch: Pick<Updateable<PurchasesTable>, 'userId' | 'entitlementId'> & { fulfilledAt: number },
): Promise<boolean> {
  const result = await db
    .updateTable('purchases')
    .set({ ...patch, status: 'fulfilled' })
    .where('id', '=', id)
    .where('status', '!=', 'fulfilled')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Marks the purchase's conversion as reported; answers whether this call did it (it happens once). */
export async function markConversionReported(db: Executor, id: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('purchases')
    .set({ conversionReportedAt: now })
    .where('id', '=', id)
    .where('conversionReportedAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
