// The Hub's data for the benchmark, seeded set-based (one INSERT … SELECT per 100 000 rows): 20 hub
// groups, 50 published offers each opening 1–3 of them, `entitlements` spread over the seeded members
// and the offers in a realistic mix of states, `posts` spread over the groups (two likes each), and
// hand grants for one member in ten. Then one member with a password and exactly four entitlements
// of our choosing, so the feed scenario reads a private group that only a live entitlement opens to
// them.
//
// Every number is a function of the row number, so two runs seed the same rows (ids included).
import { type RawBuilder, sql } from 'kysely';
import type { Database, Engine } from '../../src/platform/db/database.ts';
import { createEntitlement, createMember, type TestUser } from '../support/factories.ts';
import { bulkLoad, insertSeries, MEMBER_TAG } from './seed.ts';

export const HUB_GROUPS = 20;
export const HUB_OFFERS = 50;
/** Pinned posts per group (the newest ones); the first feed page shows them above the 20 others. */
export const PINNED_PER_GROUP = 2;
/** Likes on every post (from two different members), so the feed's "liked by me" probe reads a full table. */
export const LIKES_PER_POST = 2;
/** Hand grants: one member in ten holds one, so the access rule's grant probe reads a full table. */
const GRANT_EVERY = 10;

const GROUP_TAG = 'b0000002';
const OFFER_TAG = 'b0000003';
const ENTITLEMENT_TAG = 'b0000004';
const POST_TAG = 'b0000005';
const GRANT_TAG = 'b0000006';
const PURCHASE_TAG = 'b0000007';

const DAY = 86_400_000;
/** What every Hub offer costs a month, in cents. */
const PRICE_MINOR = 900;

export interface HubSize {
  /** Entitlements spread over the seeded members (besides the benchmark member's own). */
  entitlements: number;
  /** Posts spread over the groups. */
  posts: number;
  /** Paid purchases, each with its payment, of the first entitlements (which become subscriptions). */
  purchases: number;
}

export interface SeededGroup {
  id: string;
  slug: string;
  number: number;
  visibility: 'public' | 'private' | 'hidden';
}

export interface HubFixture {
  size: HubSize;
  /** A member (password sign-in) whose only way into `feedGroup` is a live entitlement. */
  member: TestUser;
  /** Private; opened to the member by their active entitlement to offer 3, which opens nothing else. */
  feedGroup: SeededGroup;
  /** What the member's group list must say: groups they see, of which these they may enter. */
  memberSees: number;
  memberEnters: number;
  /** The ids of the groups the member may enter (ten): what their home feed shows. */
  enteredGroupIds: string[];
  /** A private group the member's ended entitlement used to open (listed, locked). */
  lockedGroup: SeededGroup;
  /** A hidden group the member's expired canceled entitlement used to open (not listed). */
  hiddenGroup: SeededGroup;
}

/** Group n (1–20): every fifth is hidden, the other odd ones private, the rest public (8/8/4). */
export function groupVisibility(n: number): SeededGroup['visibility'] {
  if (n % 5 === 0) return 'hidden';
  return n % 2 === 1 ? 'private' : 'public';
}

export function groupId(n: number): string {
  return `${GROUP_TAG}-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

export function offerId(n: number): string {
  return `${OFFER_TAG}-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

function group(n: number): SeededGroup {
  return { id: groupId(n), slug: `bench-group-${n}`, number: n, visibility: groupVisibility(n) };
}

/**
 * The groups offer o opens: group (o-1) mod 20 + 1 always; the one 7 further on unless o is a multiple
 * of 3; the one 13 further on when o mod 3 = 2. (0, 7 and 13 are distinct mod 20, so no pair repeats.)
 * Every group is opened by at least two offers.
 */
export function groupsOfOffer(o: number): number[] {
  const at = (offset: number) => ((o - 1 + offset) % HUB_GROUPS) + 1;
  const groups = [at(0)];
  if (o % 3 !== 0) groups.push(at(7));
  if (o % 3 === 2) groups.push(at(13));
  return groups;
}

/** SQL `case` over an integer expression: the first branch whose `below` bound it is under wins. */
function caseBelow<T>(value: RawBuilder<number>, branches: [number, RawBuilder<T> | string | null][]) {
  const last = branches.at(-1);
  if (!last) throw new Error('caseBelow: no branches');
  const whens = branches
    .slice(0, -1)
    .map(([below, result]) => sql`when ${value} < ${sql.lit(below)} then ${literal(result)}`);
  return sql<T>`(case ${sql.join(whens, sql` `)} else ${literal(last[1])} end)`;
}

function literal<T>(value: RawBuilder<T> | string | null): RawBuilder<unknown> {
  return value === null || typeof value === 'string' ? sql.lit(value) : value;
}

export async function seedHub(
  db: Database,
  engine: Engine,
  options: { members: number; size: HubSize; now: number; timings: Record<string, number> },
): Promise<HubFixture> {
  const { members, size, now, timings } = options;
  if (members < 1) throw new Error('the Hub data set needs at least one seeded member (BENCH_MEMBERS)');
  const timed = async <T>(label: string, step: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    const result = await step();
    timings[label] = Date.now() - started;
    return result;
  };
  const at = (ms: RawBuilder<number>) => sql<number>`${sql.lit(now)} + ${ms}`;

  await timed('groups, offers, links', async () => {
    await insertSeries(db, engine, {
      table: 'hubGroups',
      count: HUB_GROUPS,
      columns: (row) => ({
        id: row.uuid(GROUP_TAG),
        name: sql<string>`'Bench Group ' || ${row.text}`,
        slug: sql<string>`'bench-group-' || ${row.text}`,
        description: 'A group of the benchmark data set.',
        visibility: sql<string>`(case when ${row.n} % 5 = 0 then 'hidden' when ${row.n} % 2 = 1 then 'private' else 'public' end)`,
        position: row.n,
        paywallCta: sql<
          string | null
        >`(case when ${row.n} % 2 = 1 then 'Join to read this group' else null end)`,
        createdAt: at(sql`-${row.n} * ${sql.lit(DAY)}`),
        updatedAt: at(sql`-${row.n} * ${sql.lit(DAY)}`),
      }),
    });
    await insertSeries(db, engine, {
      table: 'offers',
      count: HUB_OFFERS,
      columns: (row) => ({
        id: row.uuid(OFFER_TAG),
        title: sql<string>`'Bench Offer ' || ${row.text}`,
        slug: sql<string>`'bench-offer-' || ${row.text}`,
        status: 'published',
        pricingModel: 'recurring',
        amountMinor: PRICE_MINOR,
        currency: 'usd',
        interval: 'month',
        intervalCount: 1,
        createdAt: at(sql`-${row.n} * ${sql.lit(DAY)}`),
        updatedAt: at(sql`-${row.n} * ${sql.lit(DAY)}`),
      }),
    });
    // The three links of groupsOfOffer, one statement each.
    const links: [number, ((n: RawBuilder<number>) => RawBuilder<unknown>) | null][] = [
      [0, null],
      [7, (n) => sql`${n} % 3 <> 0`],
      [13, (n) => sql`${n} % 3 = 2`],
    ];
    for (const [offset, condition] of links) {
      await insertSeries(db, engine, {
        table: 'offerHubGroups',
        count: HUB_OFFERS,
        columns: (row) => ({
          offerId: row.uuid(OFFER_TAG),
          hubGroupId: row.uuidOf(
            GROUP_TAG,
            sql`(${row.n} - 1 + ${sql.lit(offset)}) % ${sql.lit(HUB_GROUPS)} + 1`,
          ),
        }),
        ...(condition ? { where: (row: { n: RawBuilder<number> }) => condition(row.n) } : {}),
      });
    }
  });

  // Entitlement n is the k-th of member u, where each member holds K = ⌈entitlements / members⌉ of
  // them in a row (u = (n-1) div K + 1, k = (n-1) mod K): rows arrive in (user, …) order, as the
  // index the access rule probes is laid out, which keeps the load fast. Its offer is
  // (7u + 5k) mod 50 + 1 (distinct for a member's first ten), its state comes from
  // s = (13u + 31k) mod 100, so one member's entitlements do not all share a state:
  //   0–69 active · 70–74 trialing · 75–79 past_due (grace ahead) · 80–83 canceled, paid up until
  //   ahead · 84–87 canceled, access ended · 88–95 ended · 96–97 refunded · 98 revoked · 99 disputed.
  // Live: 0–83, about 84 %. Created one every 30 s going back (about a year for 1 000 000).
  const perMember = Math.max(1, Math.ceil(size.entitlements / members));
  await timed('entitlements', () =>
    bulkLoad(db, engine, ['entitlements'], () =>
      insertSeries(db, engine, {
        table: 'entitlements',
        count: size.entitlements,
        columns: (row) => {
          const user = sql<number>`((${row.n} - 1) / ${sql.lit(perMember)} + 1)`;
          const k = sql<number>`((${row.n} - 1) % ${sql.lit(perMember)})`;
          const s = sql<number>`((13 * ${user} + 31 * ${k}) % 100)`;
          const days = sql<number>`((${row.n} % 30 + 1) * ${sql.lit(DAY)})`;
          const createdAt = at(sql`-${row.n} * 30000`);
          return {
            id: row.uuid(ENTITLEMENT_TAG),
            userId: row.uuidOf(MEMBER_TAG, user),
            offerId: row.uuidOf(OFFER_TAG, sql`(7 * ${user} + 5 * ${k}) % ${sql.lit(HUB_OFFERS)} + 1`),
            state: caseBelow<string>(s, [
              [70, 'active'],
              [75, 'trialing'],
              [80, 'past_due'],
              [88, 'canceled'],
              [96, 'ended'],
              [98, 'refunded'],
              [99, 'revoked'],
              [100, 'disputed'],
            ]),
            accessUntil: caseBelow<number | null>(s, [
              [70, null],
              [75, at(sql`7 * ${sql.lit(DAY)}`)],
              [80, at(sql`3 * ${sql.lit(DAY)}`)],
              [84, at(days)],
              [100, at(sql`-${days}`)],
            ]),
            source: 'purchase',
            createdAt,
            updatedAt: createdAt,
          };
        },
      }),
    ),
  );

  // Post n goes to group (n-1) mod 20 + 1, one minute older than post n-1; the newest two of each
  // group are pinned. Authors are spread over the members.
  await timed('posts and likes', async () => {
    await bulkLoad(db, engine, ['posts'], () =>
      insertSeries(db, engine, {
        table: 'posts',
        count: size.posts,
        columns: (row) => {
          const createdAt = at(sql`-${row.n} * 60000`);
          return {
            id: row.uuid(POST_TAG),
            hubGroupId: row.uuidOf(GROUP_TAG, sql`(${row.n} - 1) % ${sql.lit(HUB_GROUPS)} + 1`),
            authorId: row.uuidOf(MEMBER_TAG, sql`(${row.n} * 7919) % ${sql.lit(members)} + 1`),
            title: sql<
              string | null
            >`(case when ${row.n} % 4 = 0 then null else 'Bench post ' || ${row.text} end)`,
            body: sql<string>`'Post ' || ${row.text} || ' of the bench feed: a **short** line of text.'`,
            bodyHtml: sql<string>`'<p>Post ' || ${row.text} || ' of the bench feed: a <strong>short</strong> line of text.</p>'`,
            pinnedAt: sql<
              number | null
            >`(case when ${row.n} <= ${sql.lit(PINNED_PER_GROUP * HUB_GROUPS)} then ${createdAt} else null end)`,
            likeCount: members > 1 ? LIKES_PER_POST : 0,
            commentCount: sql<number>`${row.n} % 7`,
            createdAt,
            updatedAt: createdAt,
            editedAt: null,
            // Its comments came up to six hours after it (the home feed's "Active" order).
            activityAt: at(sql`-${row.n} * 60000 + (${row.n} % 7) * 3600000`),
          };
        },
      }),
    );
    // Like l is the j-th like (j = (l-1) div posts) of post p = (l-1) mod posts + 1, by member
    // (7p + 13j) mod M + 1: different members for j = 0 and 1.
    if (members > 13) {
      await bulkLoad(db, engine, ['postLikes'], () =>
        insertSeries(db, engine, {
          table: 'postLikes',
          count: size.posts * LIKES_PER_POST,
          columns: (row) => {
            const post = sql<number>`((${row.n} - 1) % ${sql.lit(size.posts)} + 1)`;
            const j = sql<number>`((${row.n} - 1) / ${sql.lit(size.posts)})`;
            return {
              postId: row.uuidOf(POST_TAG, post),
              userId: row.uuidOf(MEMBER_TAG, sql`(7 * ${post} + 13 * ${j}) % ${sql.lit(members)} + 1`),
              createdAt: at(sql`-${post} * 60000 + 1000`),
            };
          },
        }),
      );
    }
    // The counter the app keeps in the same transaction as each post, set once for the lot.
    await sql`update hub_groups set post_count = (select count(*) from posts where posts.hub_group_id = hub_groups.id)`.execute(
      db,
    );
  });

  // Purchase n bought entitlement n (its member, its offer) and paid for it once, one every five minutes
  // going back (about a year for 100 000); one payment in twenty was refunded. Entitlement n becomes a
  // subscription of that purchase. The dashboard reads none of these rows: its counters are counted from
  // them once, as the migration does (dataset.ts).
  if (size.purchases > 0) {
    const count = Math.min(size.purchases, size.entitlements);
    const user = (n: RawBuilder<number>) => sql<number>`((${n} - 1) / ${sql.lit(perMember)} + 1)`;
    const k = (n: RawBuilder<number>) => sql<number>`((${n} - 1) % ${sql.lit(perMember)})`;
    const paidAt = (n: RawBuilder<number>) => at(sql`-${n} * 300000`);
    await timed('purchases and payments', async () => {
      await insertSeries(db, engine, {
        table: 'purchases',
        count,
        columns: (row) => ({
          id: row.uuid(PURCHASE_TAG),
          offerId: row.uuidOf(
            OFFER_TAG,
            sql`(7 * ${user(row.n)} + 5 * ${k(row.n)}) % ${sql.lit(HUB_OFFERS)} + 1`,
          ),
          email: sql<string>`'bench-user-' || ${user(row.n)} || '@example.test'`,
          name: 'Bench Buyer',
          userId: row.uuidOf(MEMBER_TAG, user(row.n)),
          status: 'fulfilled',
          amountMinor: PRICE_MINOR,
          currency: 'usd',
          interval: 'month',
          intervalCount: 1,
          entitlementId: row.uuid(ENTITLEMENT_TAG),
          createdAt: paidAt(row.n),
          fulfilledAt: paidAt(row.n),
          refundedMinor: sql<number>`(case when ${row.n} % 20 = 0 then ${sql.lit(PRICE_MINOR)} else 0 end)`,
        }),
      });
      await insertSeries(db, engine, {
        table: 'payments',
        count,
        columns: (row) => ({
          id: sql<string>`'pi_bench_' || ${row.text}`,
          purchaseId: row.uuid(PURCHASE_TAG),
          userId: row.uuidOf(MEMBER_TAG, user(row.n)),
          offerId: row.uuidOf(
            OFFER_TAG,
            sql`(7 * ${user(row.n)} + 5 * ${k(row.n)}) % ${sql.lit(HUB_OFFERS)} + 1`,
          ),
          stripePaymentIntentId: sql<string>`'pi_bench_' || ${row.text}`,
          amountMinor: PRICE_MINOR,
          currency: 'usd',
          refundedMinor: sql<number>`(case when ${row.n} % 20 = 0 then ${sql.lit(PRICE_MINOR)} else 0 end)`,
          paidAt: paidAt(row.n),
        }),
      });
      const last = sql.lit(`${ENTITLEMENT_TAG}-0000-4000-8000-${String(count).padStart(12, '0')}`);
      await sql`update entitlements
        set purchase_id = ${sql.lit(`${PURCHASE_TAG}-0000-4000-8000-`)} || substr(id, 25),
            stripe_subscription_id = 'sub_bench_' || substr(id, 25)
        where id >= ${sql.lit(`${ENTITLEMENT_TAG}-0000-4000-8000-000000000001`)} and id <= ${last}`.execute(
        db,
      );
    });
  }

  // Grant g opens group (g-1) mod 20 + 1 to member 10g - 9, by hand; one in four has ended.
  await timed('hand grants', () =>
    insertSeries(db, engine, {
      table: 'accessGrants',
      count: Math.floor(members / GRANT_EVERY),
      columns: (row) => ({
        id: row.uuid(GRANT_TAG),
        userId: row.uuidOf(MEMBER_TAG, sql`${sql.lit(GRANT_EVERY)} * ${row.n} - ${sql.lit(GRANT_EVERY - 1)}`),
        hubGroupId: row.uuidOf(GROUP_TAG, sql`(${row.n} - 1) % ${sql.lit(HUB_GROUPS)} + 1`),
        endsAt: sql<
          number | null
        >`(case when ${row.n} % 4 = 0 then ${at(sql`-${row.n} * 60000`)} else null end)`,
        note: 'bench',
        grantedBy: null,
        createdAt: at(sql`-${row.n} * 600000`),
      }),
    }),
  );

  // The benchmark member: a password to sign in with, and exactly these entitlements.
  const member = await createMember({ db }, { email: 'member@bench.test', name: 'Bench Member' });
  const entitle = (offer: number, state: Parameters<typeof createEntitlement>[3]) =>
    createEntitlement({ db }, member, { id: offerId(offer) }, state);
  // Offer 3 opens group 3 (private) and nothing else: the feed's access comes from here alone.
  await entitle(3, { state: 'active' });
  // Offer 11 opens 11 (private), 18 and 4 (public): canceled, paid up for ten more days, still live.
  await entitle(11, { state: 'canceled', accessUntil: now + 10 * DAY });
  // Offer 7 opens 7 (private) and 14 (public): ended, no longer live.
  await entitle(7, { state: 'ended', accessUntil: now - 30 * DAY });
  // Offer 5 opens 5 (hidden), 12 and 18 (public): canceled and its paid-up period is over.
  await entitle(5, { state: 'canceled', accessUntil: now - DAY });

  const numbers = Array.from({ length: HUB_GROUPS }, (_, i) => i + 1);
  const enters = new Set([3, 11, ...numbers.filter((n) => groupVisibility(n) === 'public')]);
  return {
    size,
    member,
    feedGroup: group(3),
    memberSees: numbers.filter((n) => groupVisibility(n) !== 'hidden' || enters.has(n)).length,
    memberEnters: enters.size,
    enteredGroupIds: [...enters].map(groupId),
    lockedGroup: group(7),
    hiddenGroup: group(5),
  };
}
