import type { Kysely } from 'kysely';
import { addColumns } from './helpers.ts';

// Customer resell rights (DESIGN.md §5): affiliates, their clicks, commissions as a ledger, payouts.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Which payments of a recurring offer earn commission: 'every' renewal, the 'first' only, or the
  // first N 'months'.
  await addColumns(db, 'offers', [
    ['resell_recurring', 'text', (c) => c.notNull().defaultTo('every')],
    ['resell_months', 'integer'],
  ]);
  // The terms a sale was made under, frozen at its first payment; and the card behind each payment
  // (the same card on both sides of a sale is flagged for review).
  await addColumns(db, 'purchases', [
    ['commission_percent', 'integer'],
    ['commission_recurring', 'text'],
    ['commission_months', 'integer'],
  ]);
  await addColumns(db, 'payments', [['card_fingerprint', 'text']]);

  await db.schema
    .createTable('affiliates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().unique().references('users.id').onDelete('cascade'))
    .addColumn('code', 'text', (c) => c.notNull().unique())
    // The affiliate's own Stripe (Connect Express) account, once they started onboarding.
    .addColumn('stripe_account_id', 'text')
    .addColumn('payouts_enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  // Clicks are counted per affiliate, offer and day: a counter, never a row per visit.
  await db.schema
    .createTable('affiliate_clicks')
    .addColumn('affiliate_id', 'text', (c) => c.notNull().references('affiliates.id').onDelete('cascade'))
    .addColumn('offer_id', 'text', (c) => c.notNull().references('offers.id').onDelete('cascade'))
    .addColumn('day', 'bigint', (c) => c.notNull())
    .addColumn('clicks', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('affiliate_clicks_pk', ['affiliate_id', 'offer_id', 'day'])
    .execute();

  await db.schema
    .createTable('commissions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('affiliate_id', 'text', (c) => c.notNull().references('affiliates.id'))
    .addColumn('purchase_id', 'text', (c) => c.notNull().references('purchases.id'))
    // One commission per payment, whatever replays of its webhook.
    .addColumn('payment_id', 'text', (c) => c.notNull().unique().references('payments.id'))
    .addColumn('offer_id', 'text', (c) => c.notNull().references('offers.id'))
    .addColumn('paid_minor', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('percent', 'integer', (c) => c.notNull())
    // What it earned at the sale; the ledger below says what it is worth now.
    .addColumn('amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('payable_at', 'bigint', (c) => c.notNull())
    .addColumn('payout_id', 'text')
    .addColumn('flagged', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('commissions_affiliate_created')
    .on('commissions')
    .columns(['affiliate_id', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('commissions_created')
    .on('commissions')
    .columns(['created_at', 'id'])
    .execute();
  // What is due and not paid out yet: the payout job's probe.
  await db.schema
    .createIndex('commissions_unpaid')
    .on('commissions')
    .columns(['payout_id', 'payable_at', 'affiliate_id'])
    .execute();

  // The ledger: every change of what a commission is worth. Its sum is what the affiliate earned.
  await db.schema
    .createTable('commission_entries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('commission_id', 'text', (c) => c.notNull().references('commissions.id'))
    .addColumn('affiliate_id', 'text', (c) => c.notNull().references('affiliates.id'))
    // 'earn', 'reverse' (a refund or dispute), 'restore' (a dispute won)
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('stripe_object_id', 'text')
    // Makes each entry once: 'earn', 'refund:<total refunded>', 'dispute:<id>:<status>'.
    .addColumn('dedupe_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('commission_entries_once', ['commission_id', 'dedupe_key'])
    .execute();
  await db.schema
    .createIndex('commission_entries_affiliate')
    .on('commission_entries')
    .columns(['affiliate_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('payouts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('affiliate_id', 'text', (c) => c.notNull().references('affiliates.id'))
    .addColumn('amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    // 'stripe' (a transfer to their connected account) or 'manual' (PayPal, Wise, … marked paid)
    .addColumn('method', 'text', (c) => c.notNull())
    // 'pending', 'paid', 'failed'
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('stripe_transfer_id', 'text')
    .addColumn('reference', 'text')
    .addColumn('error', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('paid_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('payouts_affiliate')
    .on('payouts')
    .columns(['affiliate_id', 'created_at'])
    .execute();
  await db.schema.createIndex('payouts_created').on('payouts').columns(['created_at', 'id']).execute();
}
