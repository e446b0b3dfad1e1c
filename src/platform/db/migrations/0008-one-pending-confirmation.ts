import { type Kysely, sql } from 'kysely';

// One pending confirmation per address and free offer: forty-nine joins racing with one address used to
// send forty-nine links. Older duplicates (from before this index) are canceled, keeping the first.
const WAITING_FREE = sql`status = 'awaiting_confirmation' and stripe_checkout_session_id is null`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    update purchases set status = 'canceled'
    where ${WAITING_FREE} and user_id is not null and id not in (
      select min(id) from purchases where ${WAITING_FREE} and user_id is not null group by offer_id, user_id
    )`.execute(db);
  await sql`
    create unique index purchases_one_free_confirmation on purchases (offer_id, user_id)
    where ${WAITING_FREE}`.execute(db);
}
