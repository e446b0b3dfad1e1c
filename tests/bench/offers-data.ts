// The Digital Offers data set: a published offer with a landing page (the public page's benchmark),
// and two offers whose Community Permissions change is timed, one with 1 000 buyers and one with
// 1 000 000 (entitlements over the seeded members, ten per member at most: the change never reads them,
// which is what the timing shows).
import { sql } from 'kysely';
import type { Database, Engine } from '../../src/platform/db/database.ts';
import { bulkLoad, insertSeries, MEMBER_TAG } from './seed.ts';

const OFFER_PAGE_TAG = 'c0ffee01';
const SMALL_TAG = 'c0ffee02';
const LARGE_TAG = 'c0ffee03';

export interface OffersFixture {
  pageSlug: string;
  pageTitle: string;
  groups: [string, string];
  /** Offers whose permissions the bench changes back and forth, by buyer count. */
  permissionOffers: { buyers: number; id: string }[];
}

const BLOCKS = [
  {
    id: 'hero',
    type: 'hero',
    heading: 'Train with us',
    subheading: 'Programs, form checks and a community that shows up.',
    showCover: true,
  },
  {
    id: 'benefits',
    type: 'benefits',
    heading: 'What you get',
    items: ['Weekly programs', 'Form checks', 'Live Q&A every month', 'A private community'],
  },
  {
    id: 'faq',
    type: 'faq',
    heading: 'Questions',
    items: [
      { question: 'Can I cancel any time?', answer: 'Yes.' },
      { question: 'Is it for beginners?', answer: 'Yes: every program has a beginner track.' },
    ],
  },
  { id: 'price', type: 'price', heading: 'Join today', buttonLabel: 'Join now' },
];

function offerRow(id: string, slug: string, title: string, now: number, landing: boolean) {
  return {
    id,
    title,
    slug,
    status: 'published' as const,
    createdAt: now,
    updatedAt: now,
    thumbnailPath: 'ab/abababababababababababababababab.webp',
    coverPath: 'cd/cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd.webp',
    landingEnabled: landing ? 1 : 0,
    landingBlocks: JSON.stringify(landing ? BLOCKS : []),
  };
}

export async function seedOffers(
  db: Database,
  engine: Engine,
  options: { members: number; largeBuyers: number; now: number; timings: Record<string, number> },
): Promise<OffersFixture> {
  const { now } = options;
  const groups: [string, string] = [
    `${OFFER_PAGE_TAG}-0000-4000-8000-000000000001`,
    `${OFFER_PAGE_TAG}-0000-4000-8000-000000000002`,
  ];
  for (const [index, id] of groups.entries()) {
    await db
      .insertInto('hubGroups')
      .values({
        id,
        name: index === 0 ? 'Strength' : 'Mobility',
        slug: index === 0 ? 'bench-strength' : 'bench-mobility',
        description: '',
        emoji: null,
        imagePath: null,
        // Hidden, so the Hub scenarios' member (who may not enter them) does not see them in the list.
        visibility: 'hidden',
        position: 100 + index,
        paywallCta: null,
        paywallDescription: null,
        paywallUrl: null,
        createdAt: now,
        updatedAt: now,
      })
      .execute();
  }
  const page = offerRow(
    `${OFFER_PAGE_TAG}-0000-4000-8000-000000000101`,
    'bench-strength-club',
    'Strength Club',
    now,
    true,
  );
  const small = offerRow(
    `${SMALL_TAG}-0000-4000-8000-000000000001`,
    'bench-permissions-1k',
    'Permissions 1 000',
    now,
    false,
  );
  const large = offerRow(
    `${LARGE_TAG}-0000-4000-8000-000000000001`,
    'bench-permissions-1m',
    'Permissions 1 000 000',
    now,
    false,
  );
  await db.insertInto('offers').values([page, small, large]).execute();
  await db
    .insertInto('offerHubGroups')
    .values([page, small, large].map((offer) => ({ offerId: offer.id, hubGroupId: groups[0] })))
    .execute();

  const buyers = [
    { offer: small, count: 1_000 },
    { offer: large, count: options.largeBuyers },
  ];
  for (const { offer, count } of buyers) {
    const tag = offer.id.slice(0, 8).replace('c0ffee', 'e1e1e1');
    const started = Date.now();
    await bulkLoad(db, engine, ['entitlements'], () =>
      insertSeries(db, engine, {
        table: 'entitlements',
        count,
        columns: (row) => ({
          id: row.uuid(tag),
          userId: row.uuidOf(MEMBER_TAG, sql`(${row.n} - 1) % ${sql.lit(options.members)} + 1`),
          offerId: offer.id,
          state: 'active',
          accessUntil: null,
          source: 'bench',
          createdAt: now,
          updatedAt: now,
        }),
      }),
    );
    await db.updateTable('offers').set({ buyerCount: count }).where('id', '=', offer.id).execute();
    options.timings[`offer buyers (${count.toLocaleString('en-US')})`] = Date.now() - started;
  }
  return {
    pageSlug: page.slug,
    pageTitle: page.title,
    groups,
    permissionOffers: [
      { buyers: 1_000, id: small.id },
      { buyers: options.largeBuyers, id: large.id },
    ],
  };
}
