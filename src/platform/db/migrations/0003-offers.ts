import type { Kysely } from 'kysely';

// Digital Offers: the rest of an offer's fields, and purchases (a pending row written before any
// payment or join, fulfilled once).
export async function up(db: Kysely<unknown>): Promise<void> {
  // SQLite adds one column per statement.
  const columns: [
    string,
    'text' | 'integer' | 'bigint',
    ((c: import('kysely').ColumnDefinitionBuilder) => import('kysely').ColumnDefinitionBuilder)?,
  ][] = [
    ['type', 'text', (c) => c.notNull().defaultTo('membership')],
    ['pricing_model', 'text', (c) => c.notNull().defaultTo('free')],
    ['amount_minor', 'bigint', (c) => c.notNull().defaultTo(0)],
    ['currency', 'text', (c) => c.notNull().defaultTo('usd')],
    ['interval', 'text'],
    ['interval_count', 'integer'],
    ['trial_days', 'integer'],
    ['thumbnail_path', 'text'],
    ['cover_path', 'text'],
    ['confirmation_subject', 'text'],
    ['confirmation_body', 'text'],
    ['destination_url', 'text'],
    ['resell_enabled', 'integer', (c) => c.notNull().defaultTo(0)],
    ['resell_commission_percent', 'integer'],
    ['resell_description', 'text'],
    ['custom_code', 'text'],
    ['landing_enabled', 'integer', (c) => c.notNull().defaultTo(0)],
    ['landing_blocks', 'text', (c) => c.notNull().defaultTo('[]')],
    ['buyer_count', 'bigint', (c) => c.notNull().defaultTo(0)],
    ['revenue_minor', 'bigint', (c) => c.notNull().defaultTo(0)],
  ];
  for (const [name, type, build] of columns) {
    await db.schema
      .alterTable('offers')
      .addColumn(name, type, build ?? ((c) => c))
      .execute();
  }
  await db.schema.createIndex('offers_created_at_id').on('offers').columns(['created_at', 'id']).execute();

  await db.schema
    .createTable('purchases')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('offer_id', 'text', (c) => c.notNull().references('offers.id'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    // The account the purchase is for, once known: the signed-in buyer, or the one made for a new address.
    .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('ref', 'text')
    .addColumn('entitlement_id', 'text', (c) => c.references('entitlements.id').onDelete('set null'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('fulfilled_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('purchases_offer_created')
    .on('purchases')
    .columns(['offer_id', 'created_at', 'id'])
    .execute();
  await db.schema.createIndex('purchases_user').on('purchases').column('user_id').execute();
}
