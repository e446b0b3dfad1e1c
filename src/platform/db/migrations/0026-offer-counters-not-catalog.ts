import type { Kysely } from 'kysely';
import { watchUpdatesOf } from './helpers.ts';

// An offer's buyer and revenue counters move with every sale (offer.repository.ts, in the purchase's
// transaction) and no public page shows them: a sale is not a change of the 'catalog' topic
// (src/platform/db/changes.ts). Before this, every payment threw away each visitor's kept offer page and
// the kept settings, so during a launch the busiest pages were rendered again for every sale.
//
// The trigger names the columns it watches. A column added to `offers` later must be added here by a
// migration of its own: tests/integration/changes.test.ts fails until every column but these counters
// is watched.
export const OFFER_COUNTERS = ['buyer_count', 'revenue_minor'] as const;
const WATCHED = [
  'id',
  'title',
  'description',
  'slug',
  'status',
  'created_at',
  'updated_at',
  'type',
  'pricing_model',
  'amount_minor',
  'currency',
  'interval',
  'interval_count',
  'trial_days',
  'thumbnail_path',
  'cover_path',
  'confirmation_subject',
  'confirmation_body',
  'destination_url',
  'resell_enabled',
  'resell_commission_percent',
  'resell_description',
  'custom_code',
  'landing_enabled',
  'landing_blocks',
  'stripe_product_id',
  'stripe_price_id',
  'stripe_price_fingerprint',
  'allow_promotion_codes',
  'refund_policy',
  'resell_recurring',
  'resell_months',
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await watchUpdatesOf(db, 'offers', 'catalog', WATCHED, ['insert', 'delete']);
}
