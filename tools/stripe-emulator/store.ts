// In-memory state. One AccountState per secret key; every Stripe object lives in its account's one
// `objects` map by id (so expansion resolves any id), while what Stripe keeps hidden (card numbers,
// signing secrets, a subscription told to fail) lives in side maps beside it.
import type Stripe from 'stripe';
import type { TestCard } from './cards.ts';
import type { PortalConfiguration, PortalProduct } from './portal-configuration.ts';

export type EventType = Stripe.Event.Type;

export interface EventObject {
  id: string;
  object: 'event';
  /** The connected account the event happened on (Connect events only; absent on the platform's own). */
  account?: string;
  api_version: string;
  created: number;
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: EventType;
}

export interface PortalSessionObject extends Stripe.BillingPortal.Session {}

export interface ObjectTypes {
  account: Stripe.Account;
  product: Stripe.Product;
  price: Stripe.Price;
  customer: Stripe.Customer;
  'checkout.session': Stripe.Checkout.Session;
  payment_intent: Stripe.PaymentIntent;
  payment_method: Stripe.PaymentMethod;
  charge: Stripe.Charge;
  subscription: Stripe.Subscription;
  invoice: Stripe.Invoice;
  invoice_payment: Stripe.InvoicePayment;
  refund: Stripe.Refund;
  dispute: Stripe.Dispute;
  'billing_portal.session': PortalSessionObject;
  'billing_portal.configuration': PortalConfiguration;
  webhook_endpoint: Stripe.WebhookEndpoint;
  event: EventObject;
  transfer: Stripe.Transfer;
  transfer_reversal: Stripe.TransferReversal;
}

export type Kind = keyof ObjectTypes;
export type StoredObject = ObjectTypes[Kind];

export interface IdempotentResult {
  fingerprint: string;
  status: number;
  body: string;
}

/** An account link's single-use URL (`/setup/e/{account}/{token}`); Stripe keeps no retrievable object. */
export interface AccountLinkRecord {
  token: string;
  account: string;
  refreshUrl: string;
  returnUrl: string;
  created: number;
  expiresAt: number;
  /** Opened once: a second visit goes to `refresh_url`, as on Stripe. */
  used: boolean;
}

/** The onboarding form an opened account link leads to (`/connect/onboarding/{token}`). */
export interface OnboardingSession {
  token: string;
  account: string;
  refreshUrl: string;
  returnUrl: string;
  /** `open` until the person submits the form or leaves it; then the page sends them to `return_url`. */
  status: 'open' | 'submitted' | 'left';
}

export interface AccountState {
  id: string;
  account: Stripe.Account;
  objects: Map<string, StoredObject>;
  /** The same objects by kind, in the order they were stored: lists read one kind, not every object. */
  byKind: Map<Kind, Map<string, StoredObject>>;
  /** Ids of deleted objects, so a retrieve answers `{ deleted: true }` as Stripe does. */
  deleted: Map<string, Kind>;
  idempotency: Map<string, IdempotentResult>;
  webhookSecrets: Map<string, string>;
  paymentMethodCards: Map<string, TestCard>;
  /** Subscriptions whose payments fail until the customer's card is replaced. */
  failingSubscriptions: Set<string>;
  checkoutLineItems: Map<string, Stripe.LineItem[]>;
  /**
   * A portal configuration's `features.subscription_update.products`, which Stripe includes only when
   * asked (`expand[]=features.subscription_update.products`).
   */
  portalProducts: Map<string, PortalProduct[]>;
  /** Trialing subscriptions already sent `customer.subscription.trial_will_end`. */
  trialWillEndSent: Set<string>;
  /**
   * Webhook endpoints created with `connect: true`: they receive the events of this platform's connected
   * accounts (which carry `account`), and only those. The object itself has no field saying so.
   */
  connectEndpoints: Set<string>;
  /** Account links by the token in their URL. */
  accountLinks: Map<string, AccountLinkRecord>;
  /** Onboarding forms opened from account links, by token. */
  onboardingSessions: Map<string, OnboardingSession>;
}

export function storedKind(object: StoredObject): Kind {
  return object.object as Kind;
}

export function getObject<K extends Kind>(
  state: AccountState,
  kind: K,
  id: string,
): ObjectTypes[K] | undefined {
  const found = state.objects.get(id);
  // The one narrowing cast of the store: `object` is the discriminant every stored value carries.
  return found && found.object === kind ? (found as ObjectTypes[K]) : undefined;
}

export function allOfKind<K extends Kind>(state: AccountState, kind: K): ObjectTypes[K][] {
  const ofKind = state.byKind.get(kind);
  // Every value under `kind` was stored with that `object`, the discriminant (see `putObject`).
  return ofKind ? ([...ofKind.values()] as ObjectTypes[K][]) : [];
}

export function putObject(state: AccountState, value: StoredObject): void {
  state.objects.set(value.id, value);
  const kind = storedKind(value);
  let ofKind = state.byKind.get(kind);
  if (!ofKind) {
    ofKind = new Map();
    state.byKind.set(kind, ofKind);
  }
  ofKind.set(value.id, value);
}

/** Removes an object from the store (not a Stripe deletion: see `deleted` for what retrieves answer). */
export function dropObject(state: AccountState, id: string): void {
  const value = state.objects.get(id);
  if (!value) return;
  state.objects.delete(id);
  state.byKind.get(storedKind(value))?.delete(id);
}

export function idOf(value: string | { id: string } | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : value.id;
}
