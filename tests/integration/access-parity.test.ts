// The access rule's SQL against its JS form: every row of the state table (src/modules/access/
// access.cases.ts) through each query that decides entry — one group, the group list, the group's
// members, the live-entitlement lookup — and through the API a member uses, on this engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessUntilAt, ENTITLEMENT_CASES } from '../../src/modules/access/access.cases.ts';
import {
  findGroupWithEntry,
  findLiveEntitlement,
  listEntitlementMembers,
  listGroupEntries,
} from '../../src/modules/access/access.repository.ts';
import { isEntitlementLive } from '../../src/modules/access/access.rules.ts';
import { manualClock } from '../../src/platform/clock.ts';
import { createEntitlement, createGroup, createMember, createOffer, signIn } from '../support/factories.ts';
import { createTestContext, type TestContext } from '../support/test-app.ts';

const NOW = Date.UTC(2026, 5, 1, 12);
let ctx: TestContext;

beforeAll(async () => {
  // The app's clock stands still at NOW, so "ending now" means exactly now for the API too.
  ctx = await createTestContext({ clock: manualClock(NOW) });
});
afterAll(async () => ctx.close());

describe('the access rule in SQL', () => {
  it.each(ENTITLEMENT_CASES)('$state ending $accessUntil: live $live everywhere', async (row) => {
    const accessUntil = accessUntilAt(row.accessUntil, NOW);
    expect(isEntitlementLive({ state: row.state, accessUntil }, NOW)).toBe(row.live);

    const group = await createGroup(ctx, {
      name: `Private ${row.state} ${row.accessUntil}`,
      visibility: 'private',
    });
    const offer = await createOffer(ctx, [group], { title: `Offer ${row.state} ${row.accessUntil}` });
    const member = await createMember(ctx);
    await createEntitlement(ctx, member, offer, { state: row.state, accessUntil });

    const one = await findGroupWithEntry(ctx.db, group.id, member.id, NOW);
    expect(Boolean(one?.mayEnter)).toBe(row.live);
    const listed = (await listGroupEntries(ctx.db, member.id, NOW)).find((g) => g.id === group.id);
    expect(Boolean(listed?.mayEnter)).toBe(row.live);
    const members = await listEntitlementMembers(ctx.db, group.id, NOW, null, 10);
    expect(members.some((m) => m.userId === member.id)).toBe(row.live);
    expect(Boolean(await findLiveEntitlement(ctx.db, member.id, offer.id, NOW))).toBe(row.live);

    const session = await signIn(ctx, member);
    expect((await session.get(`/api/v1/hub/groups/${group.id}/posts`)).statusCode).toBe(row.live ? 200 : 403);
  });
});
