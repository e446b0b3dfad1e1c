import type { Kysely } from 'kysely';
import { addColumns } from './helpers.ts';

// Paid checkout through Stripe: what links an offer, a purchase and an entitlement to their Stripe
// objects; the webhook inbox; and the history of every change to an entitlement (the access ledger).
export async function up(db: Kysely<unknown>): Promise<void> {
  await addColumns(db, 'offers', [
    ['stripe_product_id', 'text'],
    ['stripe_price_id', 'text'],
    // What the Stripe price stands for (amount, currency, interval): a change makes a new price.
    ['stripe_price_fingerprint', 'text'],
    ['allow_promotion_codes', 'integer', (c) => c.notNull().defaultTo(0)],
    // Which refunds end access: 'full' (default), 'any', or 'never'.
    ['refund_policy', 'text', (c) => c.notNull().defaultTo('full')],
  ]);
  await addColumns(db, 'purchases', [
    ['stripe_checkout_session_id', 'text'],
    ['checkout_url', 'text'],
    ['checkout_expires_at', 'bigint'],
    ['stripe_customer_id', 'text'],
    ['stripe_subscription_id', 'text'],
    ['stripe_payment_intent_id', 'text'],
    ['refunded_minor', 'bigint', (c) => c.notNull().defaultTo(0)],
    // The account was made by this purchase (a new address): only then is the paying browser signed in.
    ['account_created', 'integer', (c) => c.notNull().defaultTo(0)],
  ]);
  await db.schema
    .createIndex('purchases_checkout_session')
    .on('purchases')
    .column('stripe_checkout_session_id')
    .execute();
  await db.schema
    .createIndex('purchases_subscription')
    .on('purchases')
    .column('stripe_subscription_id')
    .execute();
  // A charge whose payment is not recorded yet is ours when its customer is one of our buyers.
  await db.schema.createIndex('purchases_customer').on('purchases').column('stripe_customer_id').execute();
  await db.schema
    .createIndex('purchases_payment_intent')
    .on('purchases')
    .column('stripe_payment_intent_id')
    .execute();
  // An open checkout for the same address and offer is reused; Sales lists newest first.
  await db.schema
    .createIndex('purchases_offer_email_status')
    .on('purchases')
    .columns(['offer_id', 'email', 'status'])
    .execute();
  await db.schema.createIndex('purchases_created').on('purchases').columns(['created_at', 'id']).execute();
  await db.schema
    .createIndex('purchases_user_created')
    .on('purchases')
    .columns(['user_id', 'created_at', 'id'])
    .execute();

  await addColumns(db, 'entitlements', [
    ['purchase_id', 'text'],
    ['stripe_subscription_id', 'text'],
    // Stripe's own word for the subscription, as last read (shown to people; access uses state).
    ['stripe_status', 'text'],
    ['current_period_end', 'bigint'],
    ['cancel_at_period_end', 'integer', (c) => c.notNull().defaultTo(0)],
    // When the Stripe object last applied was read: an older read never overwrites a newer one.
    ['stripe_synced_at', 'bigint'],
  ]);
  // One entitlement per purchase, whatever races: the database says no to a second.
  await db.schema
    .createIndex('entitlements_purchase')
    .unique()
    .on('entitlements')
    .column('purchase_id')
    .execute();
  await db.schema
    .createIndex('entitlements_subscription')
    .on('entitlements')
    .column('stripe_subscription_id')
    .execute();

  await addColumns(db, 'users', [['stripe_customer_id', 'text']]);

  await db.schema
    .createTable('entitlement_changes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('entitlement_id', 'text', (c) => c.notNull().references('entitlements.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('from_state', 'text')
    .addColumn('to_state', 'text', (c) => c.notNull())
    .addColumn('access_until', 'bigint')
    // Why: 'purchase', 'subscription', 'refund', 'dispute', 'reconcile', 'admin' …
    .addColumn('reason', 'text', (c) => c.notNull())
    // The Stripe object behind the change (sub_…, ch_…, du_…, re_…) and the event that told us.
    .addColumn('stripe_object_id', 'text')
    .addColumn('stripe_event_id', 'text')
    .addColumn('actor_user_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('entitlement_changes_user')
    .on('entitlement_changes')
    .columns(['user_id', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('entitlement_changes_entitlement')
    .on('entitlement_changes')
    .columns(['entitlement_id', 'created_at'])
    .execute();

  // Every payment Stripe took for a purchase: the first and each renewal, with what was refunded.
  await db.schema
    .createTable('payments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('purchase_id', 'text', (c) => c.notNull().references('purchases.id'))
    .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('offer_id', 'text', (c) => c.notNull().references('offers.id'))
    .addColumn('stripe_payment_intent_id', 'text', (c) => c.notNull().unique())
    .addColumn('stripe_charge_id', 'text')
    .addColumn('stripe_invoice_id', 'text')
    .addColumn('amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('refunded_minor', 'bigint', (c) => c.notNull().defaultTo(0))
    // 'none', 'open', 'won', 'lost'
    .addColumn('dispute_status', 'text', (c) => c.notNull().defaultTo('none'))
    .addColumn('receipt_url', 'text')
    .addColumn('paid_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('payments_purchase')
    .on('payments')
    .columns(['purchase_id', 'paid_at'])
    .execute();
  await db.schema.createIndex('payments_user').on('payments').columns(['user_id', 'paid_at']).execute();
  await db.schema.createIndex('payments_charge').on('payments').column('stripe_charge_id').execute();

  // Recurring jobs (the daily reconciliation) look for a waiting job of their name.
  await db.schema.createIndex('jobs_name_status').on('jobs').columns(['name', 'status']).execute();

  // The webhook inbox: an event id is written in the same transaction as its effects, so a replay is
  // a no-op.
  await db.schema
    .createTable('stripe_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .execute();
}
