export { formatMoney, type Pricing, priceLabel, trialLabel } from '../../platform/pricing.ts';
export type { OfferRow } from './offer.repository.ts';
export { offerRoutes } from './offer.routes.ts';
export { pricingOf } from './offer.rules.ts';
export { createOffersService, type OffersService } from './offer.service.ts';
