export { checkoutRoutes } from './checkout.routes.ts';
export { createPurchasesService, type JoinOutcome, type PurchasesService } from './purchase.service.ts';
