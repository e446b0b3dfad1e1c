// Never older state over newer, with two transactions at once: a change read from Stripe earlier that
// commits later must not overwrite a change read later that committed first. On PostgreSQL the second
// transaction waits for the first's row lock and then sees the newer version; on SQLite transactions
// take turns.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEntitlement, createMember, createOffer } from '../support/factories.ts';
import { signal } from '../support/signal.ts';
import { createTestContext, type TestContext } from '../support/test-app.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx.close());

const facts = (status: string, readAt: number) => ({
  subscriptionId: 'sub_order',
  status,
  currentPeriodEnd: null,
  cancelAtPeriodEnd: false,
  readAt,
});

describe('changes of one entitlement from Stripe at once', () => {
  it('keep the newer read when the older one commits second', async () => {
    const member = await createMember(ctx);
    const offer = await createOffer(ctx, []);
    const id = await createEntitlement(ctx, member, offer);
    const why = { reason: 'subscription' };
    const commit = signal();
    const newerApplied = signal();
    // The newer read (at 2000) changes first and holds its transaction open...
    const newer = ctx.db.transaction().execute(async (trx) => {
      await ctx.services.access.changeEntitlement(
        trx,
        await ctx.services.access.entitlementForChange(trx, id),
        { state: 'canceled', accessUntil: null, stripe: facts('canceled', 2000) },
        why,
      );
      newerApplied.fire();
      await commit.reached;
    });
    await newerApplied.reached;
    // ...while the older read (at 1000) tries to apply; the newer one then commits.
    const older = ctx.db
      .transaction()
      .execute(async (trx) =>
        ctx.services.access.changeEntitlement(
          trx,
          await ctx.services.access.entitlementForChange(trx, id),
          { state: 'active', accessUntil: null, stripe: facts('active', 1000) },
          why,
        ),
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
    commit.fire();
    await Promise.all([newer, older]);
    const row = await ctx.db
      .selectFrom('entitlements')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect({ state: row.state, stripeStatus: row.stripeStatus, stripeSyncedAt: row.stripeSyncedAt }).toEqual({
      state: 'canceled',
      stripeStatus: 'canceled',
      stripeSyncedAt: 2000,
    });
  });
});
