import { toIso } from '../../platform/clock.ts';
import { mediaUrl } from '../../platform/media.ts';
import { priceLabel } from '../../platform/pricing.ts';
import type { OfferRow } from './offer.repository.ts';
import { pricingOf } from './offer.rules.ts';

export function presentOfferSummary(row: OfferRow) {
  const pricing = pricingOf(row);
  return {
    id: row.id,
    type: row.type,
    title: row.title,
    slug: row.slug,
    status: row.status,
    pricing,
    priceLabel: priceLabel(pricing),
    buyerCount: Number(row.buyerCount),
    revenue: { amountMinor: Number(row.revenueMinor), currency: row.currency },
    thumbnailUrl: mediaUrl(row.thumbnailPath),
    createdAt: toIso(row.createdAt),
    updatedAt: toIso(row.updatedAt),
  };
}

export function presentOffer(detail: { row: OfferRow; hubGroupIds: string[] }) {
  const { row } = detail;
  return {
    ...presentOfferSummary(row),
    description: row.description,
    hubGroupIds: detail.hubGroupIds,
    coverUrl: mediaUrl(row.coverPath),
    confirmationEmail: { subject: row.confirmationSubject, body: row.confirmationBody },
    destination: { customUrl: row.destinationUrl },
    resell: {
      enabled: Boolean(row.resellEnabled),
      commissionPercent: row.resellCommissionPercent,
      description: row.resellDescription,
      recurring: row.resellRecurring,
      months: row.resellMonths,
    },
    customCode: row.customCode,
    landingPage: { enabled: Boolean(row.landingEnabled), blocks: row.landingBlocks },
    checkout: { allowPromotionCodes: Boolean(row.allowPromotionCodes), refundPolicy: row.refundPolicy },
    stripe: { productId: row.stripeProductId, priceId: row.stripePriceId },
    publicUrl: `/offers/${row.slug}`,
  };
}
