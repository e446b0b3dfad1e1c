import { type Kysely, sql } from 'kysely';
import { addColumns } from './helpers.ts';

// The dashboard's numbers, kept as the events happen (DESIGN §7: counters, never a scan per view):
// - metric_days: per UTC day, metric and currency ('' for counts), what happened that day (members who
//   joined, entitlements granted, sales, revenue, refunds, subscriptions started and ended, cancellations);
// - metric_totals: what is true now (members, subscriptions by state, MRR per currency);
// - activity: the latest joins, purchases, cancellations and refunds, newest first.
// Each counter row is split over a few slots, picked at random by each write, so two purchases at once
// on PostgreSQL rarely wait for the same row; a read sums the slots.
// entitlements.mrr_minor is what a subscription adds to MRR now, so that the change taking it out
// subtracts exactly what was added.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('metric_days')
    .addColumn('day', 'bigint', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('slot', 'integer', (c) => c.notNull())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('metric_days_pk', ['day', 'metric', 'currency', 'slot'])
    .execute();
  await db.schema
    .createTable('metric_totals')
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('slot', 'integer', (c) => c.notNull())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('metric_totals_pk', ['metric', 'currency', 'slot'])
    .execute();
  await db.schema
    .createTable('activity')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('offer_id', 'text')
    .addColumn('amount_minor', 'bigint')
    .addColumn('currency', 'text')
    .execute();
  await db.schema.createIndex('activity_at').on('activity').columns(['at', 'id']).execute();
  await addColumns(db, 'entitlements', [['mrr_minor', 'bigint', (c) => c.notNull().defaultTo(0)]]);
  // How often a subscription bought with this purchase renews, as it was sold (an offer's interval may
  // change later; its subscribers keep theirs). Purchases made before: the offer's interval now.
  await addColumns(db, 'purchases', [
    ['interval', 'text'],
    ['interval_count', 'integer'],
  ]);
  await sql`update purchases set "interval" = (select offers."interval" from offers where offers.id = purchases.offer_id),
      interval_count = (select offers.interval_count from offers where offers.id = purchases.offer_id)
    where offer_id in (select id from offers where pricing_model = 'recurring')`.execute(db);
  await backfillMetrics(db);
}

/** What a subscription adds to MRR each month, rounded half up, in SQL (metrics.rules.ts says it in TS). */
const monthlyMinor = sql`case purchases."interval"
    when 'year' then (2 * purchases.amount_minor + 12 * purchases.interval_count) / (24 * purchases.interval_count)
    when 'week' then (104 * purchases.amount_minor + 12 * purchases.interval_count) / (24 * purchases.interval_count)
    else (2 * purchases.amount_minor + purchases.interval_count) / (2 * purchases.interval_count)
  end`;
const RUNNING = sql`('active', 'trialing', 'past_due', 'canceled')`;
const OVER = sql`('ended', 'refunded', 'disputed', 'revoked')`;

const DAY = 86_400_000;
const dayOf = (column: string) => sql`(${sql.ref(column)} / ${sql.lit(DAY)}) * ${sql.lit(DAY)}`;

/**
 * Counts everything already in the database into the metrics, from nothing: at this migration, and by
 * the benchmark after it seeds with SQL. Refunds made before the metrics existed are counted on the day
 * of the payment they refunded (when they were made was not kept).
 */
export async function backfillMetrics(db: Kysely<unknown>): Promise<void> {
  for (const table of ['metric_days', 'metric_totals', 'activity'])
    await sql`delete from ${sql.table(table)}`.execute(db);
  await sql`update entitlements set mrr_minor = coalesce((
      select ${monthlyMinor} from purchases
      where purchases.id = entitlements.purchase_id and purchases."interval" is not null
    ), 0)
    where stripe_subscription_id is not null and state in ('active', 'past_due')`.execute(db);

  await sql`insert into metric_totals (metric, currency, slot, value)
    select 'members', '', 0, count(*) from users where role = 'member'`.execute(db);
  await sql`insert into metric_totals (metric, currency, slot, value)
    select 'subscriptions_' || state, '', 0, count(*) from entitlements
    where stripe_subscription_id is not null and state in ${RUNNING}
    group by state`.execute(db);
  await sql`insert into metric_totals (metric, currency, slot, value)
    select 'mrr', purchases.currency, 0, sum(entitlements.mrr_minor)
    from entitlements join purchases on purchases.id = entitlements.purchase_id
    where entitlements.mrr_minor <> 0 group by purchases.currency`.execute(db);

  const days = (select: ReturnType<typeof sql>) =>
    sql`insert into metric_days (day, metric, currency, slot, value) ${select}`.execute(db);
  await days(sql`select ${dayOf('created_at')}, 'members', '', 0, count(*) from users
    where role = 'member' group by ${dayOf('created_at')}`);
  await days(sql`select ${dayOf('created_at')}, 'joins', '', 0, count(*) from entitlements
    group by ${dayOf('created_at')}`);
  await days(sql`select ${dayOf('created_at')}, 'subscriptions_started', '', 0, count(*) from entitlements
    where stripe_subscription_id is not null group by ${dayOf('created_at')}`);
  // A subscription back from an end (a dispute won) runs again: started once more.
  await days(sql`select ${dayOf('entitlement_changes.created_at')}, 'subscriptions_restarted', '', 0, count(*)
    from entitlement_changes join entitlements on entitlements.id = entitlement_changes.entitlement_id
    where entitlements.stripe_subscription_id is not null
      and entitlement_changes.from_state in ${OVER} and entitlement_changes.to_state in ${RUNNING}
    group by ${dayOf('entitlement_changes.created_at')}`);
  await days(sql`select ${dayOf('fulfilled_at')}, 'sales', '', 0, count(*) from purchases
    where status = 'fulfilled' and amount_minor > 0 and fulfilled_at is not null
    group by ${dayOf('fulfilled_at')}`);
  await days(sql`select ${dayOf('paid_at')}, 'revenue', currency, 0, sum(amount_minor) from payments
    group by ${dayOf('paid_at')}, currency`);
  await days(sql`select ${dayOf('paid_at')}, 'refunds', currency, 0, sum(refunded_minor) from payments
    where refunded_minor > 0 group by ${dayOf('paid_at')}, currency`);
  await days(sql`select ${dayOf('entitlement_changes.created_at')}, 'cancellations', '', 0, count(*)
    from entitlement_changes where to_state = 'canceled' and (from_state is null or from_state <> 'canceled')
    group by ${dayOf('entitlement_changes.created_at')}`);
  await days(sql`select ${dayOf('entitlement_changes.created_at')}, 'subscriptions_ended', '', 0, count(*)
    from entitlement_changes join entitlements on entitlements.id = entitlement_changes.entitlement_id
    where entitlements.stripe_subscription_id is not null
      and entitlement_changes.to_state in ${OVER}
      and entitlement_changes.from_state in ${RUNNING}
    group by ${dayOf('entitlement_changes.created_at')}`);

  // The latest 50 of each kind, enough for the dashboard's list.
  await sql`insert into activity (id, at, kind, user_id, offer_id, amount_minor, currency)
    select * from (select 'join:' || id, created_at, 'join', user_id, offer_id, cast(null as bigint) as amount_minor,
      cast(null as text) as currency from entitlements order by created_at desc limit 50) as joins`.execute(
    db,
  );
  await sql`insert into activity (id, at, kind, user_id, offer_id, amount_minor, currency)
    select * from (select 'payment:' || id, paid_at, 'payment', user_id, offer_id, amount_minor, currency
      from payments order by paid_at desc limit 50) as paid`.execute(db);
  await sql`insert into activity (id, at, kind, user_id, offer_id, amount_minor, currency)
    select * from (select 'change:' || entitlement_changes.id, entitlement_changes.created_at,
      case entitlement_changes.to_state when 'canceled' then 'cancellation' else 'ended' end,
      entitlement_changes.user_id, entitlements.offer_id, cast(null as bigint) as amount_minor, cast(null as text) as currency
      from entitlement_changes join entitlements on entitlements.id = entitlement_changes.entitlement_id
      where (entitlement_changes.to_state = 'canceled' and entitlement_changes.from_state <> 'canceled')
        or (entitlement_changes.to_state in ${OVER} and entitlement_changes.from_state not in ${OVER})
      order by entitlement_changes.created_at desc limit 50) as changes`.execute(db);
}
