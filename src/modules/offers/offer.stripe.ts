// An offer's Stripe Product and Price. Stripe prices are immutable: a change of amount, currency or
// interval makes a new Price and archives the old one, and existing subscribers stay on theirs.
// Every create carries an idempotency key derived from what it creates, so a retry never makes two.
import { createHash } from 'node:crypto';
import type { Executor } from '../../platform/db/executor.ts';
import { AppError } from '../../platform/errors.ts';
import type { Stripe } from '../../platform/stripe.ts';
import type { StripeConnection } from '../settings/index.ts';
import { type OfferRow, updateOfferRow } from './offer.repository.ts';

/** What a Stripe price must stand for, on which account: when it differs, a new price is made. */
export function priceFingerprint(accountId: string, row: OfferRow): string {
  const recurring = row.pricingModel === 'recurring' ? `${row.interval}/${row.intervalCount ?? 1}` : 'once';
  return `${accountId}|${row.amountMinor}|${row.currency}|${recurring}`;
}

const short = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 24);

/**
 * Makes sure the offer has a Stripe Product (named as the offer) and a Price for its current pricing;
 * answers the price to sell. Outside any transaction: it talks to Stripe.
 */
export async function ensureStripePrice(
  db: Executor,
  connection: Pick<StripeConnection, 'client'>,
  row: OfferRow,
  now: number,
): Promise<{ stripe: Stripe; priceId: string }> {
  if (row.pricingModel === 'free') throw new AppError('offer_is_free', 409, 'A free offer has no price.');
  const { stripe, connection: account } = await connection.client();
  const fingerprint = priceFingerprint(account.accountId, row);
  const sameAccount = row.stripePriceFingerprint?.startsWith(`${account.accountId}|`) ?? false;
  let productId = sameAccount ? row.stripeProductId : null;
  if (!productId) {
    const product = await stripe.products.create(
      { name: row.title, metadata: { guildhall_offer: row.id } },
      { idempotencyKey: `gh-product-${row.id}-${account.accountId}` },
    );
    productId = product.id;
  } else {
    await stripe.products.update(productId, { name: row.title });
  }
  if (row.stripePriceFingerprint === fingerprint && row.stripePriceId) {
    return { stripe, priceId: row.stripePriceId };
  }
  const previous = sameAccount ? row.stripePriceId : null;
  const price = await stripe.prices.create(
    {
      product: productId,
      unit_amount: Number(row.amountMinor),
      currency: row.currency,
      ...(row.pricingModel === 'recurring' && row.interval
        ? { recurring: { interval: row.interval, interval_count: row.intervalCount ?? 1 } }
        : {}),
      metadata: { guildhall_offer: row.id },
    },
    // One key per change of price: a retry replays, a later change back makes a new price.
    { idempotencyKey: `gh-price-${row.id}-${short(fingerprint)}-${previous ?? 'first'}` },
  );
  if (previous) await stripe.prices.update(previous, { active: false });
  await updateOfferRow(db, row.id, {
    stripeProductId: productId,
    stripePriceId: price.id,
    stripePriceFingerprint: fingerprint,
    updatedAt: now,
  });
  return { stripe, priceId: price.id };
}
