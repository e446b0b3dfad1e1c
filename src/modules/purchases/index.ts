export { billingRoutes } from './billing.routes.ts';
export { type BillingService, createBillingService } from './billing.service.ts';
export { checkoutRoutes } from './checkout.routes.ts';
export { type CheckoutService, createCheckoutService } from './checkout.service.ts';
export {
  createPurchasesService,
  type JoinOutcome,
  type PurchasesService,
  RECONCILE_JOB,
  SYNC_PURCHASE_JOB,
  type SyncPurchasePayload,
} from './purchase.service.ts';
export { webhookRoutes } from './webhooks.routes.ts';
