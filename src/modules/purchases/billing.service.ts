// Keeping access true to every payment: Stripe's webhooks, the return from checkout and the daily
// reconciliation all end in the same few transitions (DESIGN.md §3–§4). Stripe objects are treated as
// notifications: each handler re-reads the current object from Stripe, so a replayed, late or
// reordered event never applies older state over newer. A delivery waits in the webhook inbox
// (billing.inbox.ts) until a drainer applies it; the event's id is recorded in `stripe_events` in the
// same transaction as its effects, so a replay changes nothing.

import { sql } from 'kysely';
import { type Actor, isStaffRole, requireStaff } from '../../platform/actor.ts';
import { batched } from '../../platform/batched.ts';
import type { Clock } from '../../platform/clock.ts';
import { type Database, inboxOf, processRole, retryingConflicts } from '../../platform/db/database.ts';
import { type Executor, locksRows } from '../../platform/db/executor.ts';
import type { EntitlementState, PurchaseStatus } from '../../platform/db/schema.ts';
import { forgetTalliesAfter, inTransaction, tallyMark } from '../../platform/db/tallies.ts';
import { AppError, NotFoundError, stillThere, ValidationError } from '../../platform/errors.ts';
import { enqueueJob } from '../../platform/jobs.ts';
import type { Logger } from '../../platform/logger.ts';
import { decodeCursor, pageOf } from '../../platform/pagination.ts';
import type { Stripe } from '../../platform/stripe.ts';
import {
  type AccessService,
  type EntitlementRow,
  isEntitlementLive,
  type StripeFacts,
} from '../access/index.ts';
import type { UsersService } from '../accounts/index.ts';
import type { AffiliatesService } from '../affiliates/index.ts';
import type { MetricsService } from '../metrics/index.ts';
import type { OffersService } from '../offers/index.ts';
import type { SettingsService, StripeConnection, WebhookKind } from '../settings/index.ts';
import { createWebhookInbox, nextAttemptAt } from './billing.inbox.ts';
import {
  type Access,
  accessForSubscription,
  graceMsOf,
  refundEndsAccess,
  STICKY_STATES,
  type SubscriptionView,
} from './billing.rules.ts';
import {
  addPurchaseRefund,
  appliedStripeEvents,
  type ClaimedEvent,
  deferStripeEvent,
  findPayment,
  findPaymentByIntent,
  findPaymentByIntentForChange,
  findPurchase,
  type InboxEntry,
  insertPaymentOnce,
  isOurCustomer,
  latestRefundedPaymentAt,
  listPaymentsOfPurchases,
  listPurchasesOfUser,
  listPurchasesWithStripe,
  listSaleRows,
  markInboxApplied,
  movePurchase,
  type PaymentRow,
  type PurchaseRow,
  receiveStripeEvents,
  recordStripeEvents,
  stripeInboxCounts,
  updatePayment,
  updatePurchase,
  updatePurchaseIfAny,
} from './purchase.repository.ts';
import { type PurchasesService, SYNC_PURCHASE_JOB, type SyncPurchasePayload } from './purchase.service.ts';

/**
 * An event that cannot be applied yet (an object it depends on has not arrived): it waits in the inbox
 * and is tried again (billing.inbox.ts); a caller outside the inbox (the Refund button) sees a 503.
 */
export class RetryLaterError extends AppError {
  constructor(message: string) {
    super('retry_later', 503, message);
  }
}

export interface BillingDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
  stripe: Pick<StripeConnection, 'client' | 'webhookSecret' | 'applyAccount'>;
  verifyEvent(rawBody: Buffer | string, signature: string | undefined, secret: string): Promise<Stripe.Event>;
  purchases: Pick<PurchasesService, 'settlePaidPurchase'>;
  access: Pick<
    AccessService,
    'changeEntitlement' | 'entitlementOfPurchase' | 'entitlementOfPurchaseForChange'
  >;
  offers: Pick<OffersService, 'recordRevenue' | 'refundPolicyOf' | 'offerRow'>;
  users: Pick<UsersService, 'addSpending' | 'linkStripeCustomer' | 'stripeCustomerOf'>;
  settings: Pick<SettingsService, 'getSettings'>;
  affiliates: Pick<
    AffiliatesService,
    'earnOnPayment' | 'reverseOnRefund' | 'applyDispute' | 'refreshPayoutAccount'
  >;
  /** Counts revenue and refunds by day, and lists them as recent activity. */
  metrics: Pick<MetricsService, 'paymentTaken' | 'refundMade'>;
}

const seconds = (value: number | null | undefined) => (value ? value * 1000 : null);
const idOf = (value: string | { id: string } | null | undefined) =>
  value == null ? null : typeof value === 'string' ? value : value.id;

/** Why an entitlement changes, for its ledger: the reason, the event behind it, the states it may lift. */
interface Why {
  reason: string;
  eventId?: string | null;
  lift?: EntitlementState[];
}

/** How an inbox event, its reads done (`prepareEvent`), writes its effects in a transaction. */
type Apply = (trx: Executor, grace: number) => Promise<unknown>;

/**
 * An event made ready to apply; the object it applies as Stripe has it now, if that is all it does
 * (events of a batch that name the same object are applied once, `prepareBatch`); and the Stripe
 * customer whose rows it writes (a buyer's events are applied in one transaction on PostgreSQL, not
 * in two waiting on each other's locks, `applyInShares`).
 */
interface Ready {
  apply: Apply;
  object?: string;
  customer?: string | null;
}

/** A batch's reads from Stripe, each object once, by what was read. */
type Reads = Map<string, Promise<unknown>>;

function once<T>(reads: Reads, key: string, read: () => Promise<T>): Promise<T> {
  let found = reads.get(key) as Promise<T> | undefined;
  if (!found) {
    found = read();
    reads.set(key, found);
  }
  return found;
}

/** Transactions applying a batch's events side by side on PostgreSQL. */
const APPLIED_AT_ONCE = 8;

/**
 * Stripe reads a batch has in flight at once. More make the next batch ready sooner while one is written,
 * but take a web process's attention from the deliveries it answers meanwhile (32 was slower than 8 in
 * the chaos run with kills, where one process answers most of them).
 */
const READS_AT_ONCE = 8;

/** `work` on every item, `limit` at a time; the results in the items' order. */
async function eachAtOnce<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Payments first, then what names them: checkouts, subscriptions, invoices, then charges. */
function rankOf(type: string): number {
  if (type.startsWith('checkout.')) return 0;
  if (type.startsWith('customer.subscription.')) return 1;
  if (type.startsWith('invoice.')) return 2;
  if (type.startsWith('charge.')) return 3;
  return 4;
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 500);
}

/** What the inbox keeps of a verified event. */
export function inboxEntryOf(event: Stripe.Event, kind: WebhookKind) {
  const object = event.data.object as { id?: unknown };
  return {
    id: event.id,
    type: event.type,
    kind,
    account: event.account ?? null,
    objectId: typeof object.id === 'string' ? object.id : null,
    relatedId:
      event.type === 'invoice.payment_failed'
        ? idOf((object as Stripe.Invoice).parent?.subscription_details?.subscription)
        : null,
  };
}

/**
 * A Checkout Session as `completeCheckout` needs it — its subscription, or its payment intent with the
 * charge, expanded (one request to Stripe, not two) — and when the read began, which dates its facts.
 */
export interface SessionRead {
  session: Stripe.Checkout.Session;
  readAt: number;
}

/** An expanded field of a Stripe object (a bare id means the object was read without expanding it). */
function expanded<T>(value: string | T | null | undefined, what: string): T | null {
  if (typeof value === 'string')
    throw new Error(`${what} was not expanded: read it with readCheckoutSession`);
  return value ?? null;
}

/** Our purchase id on a Stripe object, if the object is ours at all. */
function purchaseIdOf(object: { metadata?: Stripe.Metadata | null } | null | undefined): string | null {
  return object?.metadata?.guildhall_purchase ?? null;
}

export function subscriptionView(subscription: Stripe.Subscription): SubscriptionView {
  const ends = subscription.items.data.map((item) => item.current_period_end);
  return {
    status: subscription.status,
    cancelAtPeriodEnd: subscription.cancel_at_period_end,
    currentPeriodEnd: ends.length ? Math.max(...ends) * 1000 : null,
  };
}

export function createBillingService(deps: BillingDeps) {
  const {
    db,
    clock,
    logger,
    stripe: connection,
    purchases,
    access,
    offers,
    users,
    settings,
    affiliates,
    metrics,
  } = deps;

  /** Where deliveries wait (on SQLite a file of its own: database.ts). */
  const inboxDb = inboxOf(db);

  async function graceMs(): Promise<number> {
    return graceMsOf((await settings.getSettings()).pastDueGraceDays);
  }

  function factsOf(subscription: Stripe.Subscription, readAt: number): StripeFacts {
    const view = subscriptionView(subscription);
    return {
      subscriptionId: subscription.id,
      status: subscription.status,
      currentPeriodEnd: view.currentPeriodEnd,
      cancelAtPeriodEnd: view.cancelAtPeriodEnd,
      readAt,
    };
  }

  // --- payments ------------------------------------------------------------------------------------

  /** Records a payment once, and counts it in the offer's revenue and the buyer's spending. */
  async function recordPayment(
    trx: Executor,
    purchase: PurchaseRow,
    payment: {
      paymentIntentId: string;
      chargeId: string | null;
      invoiceId: string | null;
      amountMinor: number;
      currency: string;
      receiptUrl: string | null;
      paidAt: number;
      cardFingerprint: string | null;
      /** Tax Stripe collected within the amount: commission is on what was paid without it. */
      taxMinor: number;
    },
  ): Promise<PaymentRow | undefined> {
    if (payment.amountMinor <= 0) return undefined;
    const row = await insertPaymentOnce(trx, {
      id: payment.paymentIntentId,
      purchaseId: purchase.id,
      userId: purchase.userId,
      offerId: purchase.offerId,
      stripePaymentIntentId: payment.paymentIntentId,
      stripeChargeId: payment.chargeId,
      stripeInvoiceId: payment.invoiceId,
      amountMinor: payment.amountMinor,
      currency: payment.currency,
      receiptUrl: payment.receiptUrl,
      paidAt: payment.paidAt,
      cardFingerprint: payment.cardFingerprint,
    });
    if (row) {
      await offers.recordRevenue(trx, purchase.offerId, payment.amountMinor);
      await metrics.paymentTaken(trx, {
        userId: purchase.userId,
        offerId: purchase.offerId,
        amountMinor: payment.amountMinor,
        currency: payment.currency,
        paidAt: payment.paidAt,
      });
      if (purchase.userId) await users.addSpending(trx, purchase.userId, payment.amountMinor);
      if (purchase.ref) await earnCommission(trx, purchase, row, payment.taxMinor);
    }
    return row;
  }

  /** A referred sale's payment: the offer's commission terms are frozen at its first, then earned. */
  async function earnCommission(
    trx: Executor,
    sale: PurchaseRow,
    payment: PaymentRow,
    taxMinor: number,
  ): Promise<void> {
    const offer = await offers.offerRow(sale.offerId, trx);
    const purchase =
      sale.commissionPercent === null && offer.resellEnabled && offer.resellCommissionPercent
        ? await updatePurchase(trx, sale.id, {
            commissionPercent: offer.resellCommissionPercent,
            commissionRecurring: offer.resellRecurring,
            commissionMonths: offer.resellMonths,
          })
        : sale;
    await affiliates.earnOnPayment(trx, {
      purchase,
      payment: {
        id: payment.id,
        amountMinor: Math.max(0, Number(payment.amountMinor) - taxMinor),
        currency: payment.currency,
        paidAt: Number(payment.paidAt),
        cardFingerprint: payment.cardFingerprint,
      },
      offer: {
        id: offer.id,
        title: offer.title,
        resellEnabled: Boolean(offer.resellEnabled),
        resellCommissionPercent: offer.resellCommissionPercent,
        resellRecurring: offer.resellRecurring,
        resellMonths: offer.resellMonths,
        trialDays: offer.trialDays,
      },
    });
  }

  // --- checkout ------------------------------------------------------------------------------------

  /** The Checkout Session `id`, read as `completeCheckout` needs it. */
  async function readCheckoutSession(stripe: Stripe, id: string): Promise<SessionRead> {
    const readAt = clock.now();
    const session = await stripe.checkout.sessions.retrieve(id, {
      expand: ['subscription', 'payment_intent.latest_charge'],
    });
    return { session, readAt };
  }

  /**
   * A completed Checkout Session, inside the caller's transaction: the purchase is settled (fulfilled,
   * or waiting for the owner of an existing address) and a one-time payment recorded. Null when the
   * session is not a paid one of ours. The session as `readCheckoutSession` reads it.
   */
  async function completeCheckoutIn(
    trx: Executor,
    { session, readAt }: SessionRead,
    grace: number,
  ): Promise<PurchaseRow | null> {
    const purchaseId = purchaseIdOf(session) ?? session.client_reference_id;
    if (!purchaseId || purchaseIdOf(session) !== purchaseId) return null;
    const paidUp = session.payment_status === 'paid' || session.payment_status === 'no_payment_required';
    if (session.status !== 'complete' || !paidUp) return null;
    const subscription =
      session.mode === 'subscription' ? expanded(session.subscription, "the session's subscription") : null;
    const intent =
      session.mode === 'payment' ? expanded(session.payment_intent, "the session's payment intent") : null;
    const charge = intent ? expanded(intent.latest_charge, "the payment intent's charge") : null;
    const purchase = await updatePurchaseIfAny(trx, purchaseId, {
      stripeCheckoutSessionId: session.id,
      stripeCustomerId: idOf(session.customer),
      stripeSubscriptionId: subscription?.id ?? null,
      stripePaymentIntentId: intent?.id ?? null,
      checkoutUrl: null,
    });
    if (!purchase) return null;
    const paid = subscription
      ? {
          access: accessForSubscription(subscriptionView(subscription), null, clock.now(), grace),
          stripe: factsOf(subscription, readAt),
        }
      : { access: { state: 'active' as const, accessUntil: null }, stripe: null };
    const settled = await purchases.settlePaidPurchase(trx, purchase, paid);
    const customer = idOf(session.customer);
    if (customer && settled.userId && settled.status === 'fulfilled')
      await users.linkStripeCustomer(trx, settled.userId, customer);
    if (intent && intent.status === 'succeeded') {
      await recordPayment(trx, settled, {
        paymentIntentId: intent.id,
        chargeId: charge?.id ?? null,
        invoiceId: null,
        amountMinor: intent.amount_received || intent.amount,
        currency: intent.currency,
        receiptUrl: charge?.receipt_url ?? null,
        paidAt: clock.now(),
        cardFingerprint: charge?.payment_method_details?.card?.fingerprint ?? null,
        taxMinor: session.total_details?.amount_tax ?? 0,
      });
    }
    return settled;
  }

  /**
   * A completed Checkout Session (`completeCheckoutIn`) in a transaction of its own: the return URL and
   * the reconciliation call it, and so does the webhook's batch; whichever comes first settles the
   * purchase, the others change nothing.
   */
  async function completeCheckout(read: SessionRead) {
    return applyInTransaction((trx, { grace }) => completeCheckoutIn(trx, read, grace));
  }

  /** An expired or failed checkout: the pending purchase is given up; nothing was granted. */
  async function abandonCheckoutIn(trx: Executor, session: Stripe.Checkout.Session) {
    const purchaseId = purchaseIdOf(session);
    if (!purchaseId) return null;
    return (
      (await movePurchase(trx, purchaseId, ['pending'], { status: 'canceled', checkoutUrl: null })) ?? null
    );
  }

  // --- subscriptions -------------------------------------------------------------------------------

  /**
   * Applies a subscription as Stripe has it now, inside the caller's transaction. A purchase still
   * waiting (the subscription's events came before the checkout's) is settled here; a sticky state
   * (revoked, disputed, refunded) is kept unless `lift` names it.
   */
  async function applySubscription(
    trx: Executor,
    purchase: PurchaseRow,
    subscription: Stripe.Subscription,
    readAt: number,
    why: Why,
    grace: number,
  ): Promise<PurchaseRow> {
    const facts = factsOf(subscription, readAt);
    const view = subscriptionView(subscription);
    if (purchase.status === 'pending' || purchase.status === 'canceled') {
      if (view.status !== 'active' && view.status !== 'trialing' && view.status !== 'past_due')
        return purchase;
      const paidFor = await updatePurchase(trx, purchase.id, {
        stripeSubscriptionId: subscription.id,
        stripeCustomerId: idOf(subscription.customer),
      });
      return purchases.settlePaidPurchase(trx, paidFor, {
        access: accessForSubscription(view, null, clock.now(), grace),
        stripe: facts,
      });
    }
    const entitlement = await access.entitlementOfPurchaseForChange(trx, purchase.id);
    if (!entitlement) return purchase;
    const reason = {
      reason: why.reason,
      stripeObjectId: subscription.id,
      stripeEventId: why.eventId ?? null,
    };
    const sticky = STICKY_STATES.includes(entitlement.state) && !(why.lift ?? []).includes(entitlement.state);
    const next = sticky
      ? { state: entitlement.state, accessUntil: entitlement.accessUntil }
      : accessForSubscription(view, entitlement, clock.now(), grace);
    await access.changeEntitlement(trx, entitlement, { ...next, stripe: facts }, reason);
    return purchase;
  }

  /** A subscription applied to its purchase, inside the caller's transaction (null: not ours). */
  async function syncSubscriptionIn(
    trx: Executor,
    subscription: Stripe.Subscription,
    readAt: number,
    why: Why,
    grace: number,
  ): Promise<PurchaseRow | null> {
    const purchaseId = purchaseIdOf(subscription);
    const purchase = purchaseId ? await findPurchase(trx, purchaseId) : undefined;
    if (!purchase) return null;
    return applySubscription(trx, purchase, subscription, readAt, why, grace);
  }

  /** A subscription as Stripe has it, applied in a transaction of its own (members' actions, repairs). */
  async function syncSubscription(
    subscription: Stripe.Subscription,
    readAt: number,
    why: Why = { reason: 'subscription' },
  ) {
    return applyInTransaction((trx, { grace }) => syncSubscriptionIn(trx, subscription, readAt, why, grace));
  }

  /** What applying a paid invoice needs from Stripe: the invoice, its subscription, its charge. */
  async function readPaidInvoice(stripe: Stripe, invoiceId: string, reads: Reads) {
    const readAt = clock.now();
    // The invoice and its subscription in one read.
    const invoice = await stripe.invoices.retrieve(invoiceId, {
      expand: ['payments', 'parent.subscription_details.subscription'],
    });
    const given = invoice.parent?.subscription_details?.subscription;
    if (!given) return null;
    const subscription =
      typeof given === 'string' ? (await readSubscription(stripe, given, reads)).subscription : given;
    if (!purchaseIdOf(subscription)) return null;
    const intentId =
      invoice.payments?.data
        .map((payment) => idOf(payment.payment.payment_intent))
        .find((id): id is string => id !== null) ?? null;
    // The charge behind the payment: refunds and disputes name it, and its receipt is the member's.
    const intent = intentId
      ? await stripe.paymentIntents.retrieve(intentId, { expand: ['latest_charge'] })
      : null;
    const charge = intent && typeof intent.latest_charge === 'object' ? intent.latest_charge : null;
    return { invoice, subscription, intentId, charge, readAt };
  }

  /**
   * A paid invoice, inside the caller's transaction: records the payment (the first, a renewal, the
   * first after a trial) and applies the subscription as it now is. A new payment lifts a refund's
   * lock: they paid again.
   */
  async function applyPaidInvoiceIn(
    trx: Executor,
    {
      invoice,
      subscription,
      intentId,
      charge,
      readAt,
    }: NonNullable<Awaited<ReturnType<typeof readPaidInvoice>>>,
    eventId: string,
    grace: number,
  ): Promise<PurchaseRow | null> {
    const found = await findPurchase(trx, purchaseIdOf(subscription) as string);
    if (!found) return null;
    const renewal = { reason: 'renewal', eventId };
    // A purchase whose checkout event has not come yet is settled by its subscription first.
    const settledNow = found.status !== 'fulfilled';
    const purchase = settledNow
      ? await applySubscription(trx, found, subscription, readAt, renewal, grace)
      : found;
    const payment = intentId
      ? await recordPayment(trx, purchase, {
          paymentIntentId: intentId,
          chargeId: charge?.id ?? null,
          invoiceId: invoice.id,
          amountMinor: invoice.amount_paid,
          currency: invoice.currency,
          receiptUrl: invoice.hosted_invoice_url ?? charge?.receipt_url ?? null,
          paidAt: seconds(invoice.status_transitions?.paid_at) ?? clock.now(),
          cardFingerprint: charge?.payment_method_details?.card?.fingerprint ?? null,
          taxMinor: (invoice.total_taxes ?? []).reduce((sum, tax) => sum + tax.amount, 0),
        })
      : undefined;
    if (settledNow) return purchase;
    // A payment made after the refunded one lifts the refund's lock (they paid again); a late
    // event for an older invoice does not.
    const refundedAt = payment ? await latestRefundedPaymentAt(trx, purchase.id) : null;
    const paidAgain = payment !== undefined && (refundedAt === null || Number(payment.paidAt) > refundedAt);
    return applySubscription(
      trx,
      purchase,
      subscription,
      readAt,
      { ...renewal, ...(paidAgain ? { lift: ['refunded' as const] } : {}) },
      grace,
    );
  }

  // --- refunds and disputes ------------------------------------------------------------------------

  /**
   * Whether a charge is Guildhall's even though its payment is not recorded yet (its checkout or
   * invoice event has not been applied): then the event waits, else it is someone else's charge.
   */
  async function chargeIsOurs(charge: Stripe.Charge, client?: Stripe): Promise<boolean> {
    const intentId = idOf(charge.payment_intent);
    if (intentId && (await findPaymentByIntent(db, intentId))) return true;
    const customer = idOf(charge.customer);
    if (purchaseIdOf(charge) !== null || (customer !== null && (await isOurCustomer(db, customer))))
      return true;
    if (!intentId) return false;
    const stripe = client ?? (await connection.client()).stripe;
    if (purchaseIdOf(await stripe.paymentIntents.retrieve(intentId)) !== null) return true;
    // A subscription's payment: its invoice names the subscription, whose metadata is ours.
    const paid = await stripe.invoicePayments.list({
      payment: { type: 'payment_intent', payment_intent: intentId },
      expand: ['data.invoice'],
      limit: 1,
    });
    const invoice = paid.data[0]?.invoice;
    return (
      typeof invoice === 'object' &&
      invoice !== null &&
      'parent' in invoice &&
      purchaseIdOf(invoice.parent?.subscription_details) !== null
    );
  }

  /** The payment a charge belongs to; RetryLater when the charge is ours but not recorded yet. */
  async function paymentOfCharge(
    trx: Executor,
    charge: Stripe.Charge,
    ours: boolean,
  ): Promise<PaymentRow | null> {
    const intentId = idOf(charge.payment_intent);
    const payment = intentId ? await findPaymentByIntentForChange(trx, intentId) : undefined;
    if (payment) return payment;
    if (ours) throw new RetryLaterError('The payment of this charge is not recorded yet.');
    return null;
  }

  /**
   * A refund, inside the caller's transaction: the payment, revenue and spending follow; access
   * follows the offer's refund policy. `ours` as `chargeIsOurs` answered.
   */
  async function applyRefundIn(trx: Executor, charge: Stripe.Charge, ours: boolean, eventId: string | null) {
    const payment = await paymentOfCharge(trx, charge, ours);
    if (!payment) return null;
    const refunded = Math.max(Number(payment.refundedMinor), charge.amount_refunded);
    const delta = refunded - Number(payment.refundedMinor);
    const purchase = (await findPurchase(trx, payment.purchaseId)) ?? null;
    if (delta > 0) {
      await updatePayment(trx, payment.id, { refundedMinor: refunded, stripeChargeId: charge.id });
      await affiliates.reverseOnRefund(
        trx,
        payment.id,
        { refundedMinor: refunded, paymentMinor: Number(payment.amountMinor) },
        charge.id,
      );
      await offers.recordRevenue(trx, payment.offerId, -delta);
      await metrics.refundMade(trx, {
        userId: payment.userId,
        offerId: payment.offerId,
        amountMinor: delta,
        currency: payment.currency,
      });
      if (payment.userId) await users.addSpending(trx, payment.userId, -delta);
      if (purchase) await addPurchaseRefund(trx, purchase.id, delta);
    }
    if (!purchase) return null;
    const policy = await offers.refundPolicyOf(trx, payment.offerId);
    if (refundEndsAccess(policy, refunded, Number(payment.amountMinor))) {
      const entitlement = await access.entitlementOfPurchaseForChange(trx, purchase.id);
      if (entitlement && entitlement.state !== 'revoked') {
        await access.changeEntitlement(
          trx,
          entitlement,
          { state: 'refunded', accessUntil: null },
          { reason: 'refund', stripeObjectId: charge.id, stripeEventId: eventId },
        );
      }
    }
    return purchase;
  }

  /** A refund applied in a transaction of its own (the Refund button, the reconciliation). */
  async function applyRefund(charge: Stripe.Charge) {
    const ours = await chargeIsOurs(charge);
    return applyInTransaction((trx) => applyRefundIn(trx, charge, ours, null));
  }

  /**
   * A dispute, inside the caller's transaction: it ends access at once; won, a one-time purchase's
   * access comes back, and a subscription's is what the subscription now says: a job booked in this
   * transaction reads it and applies it (`syncPurchase`), so a crash cannot lose it.
   */
  async function applyDisputeIn(
    trx: Executor,
    dispute: Stripe.Dispute,
    charge: Stripe.Charge,
    ours: boolean,
    eventId: string,
  ): Promise<PurchaseRow | null> {
    const open = !['won', 'lost', 'warning_closed'].includes(dispute.status);
    const won = dispute.status === 'won' || dispute.status === 'warning_closed';
    const payment = await paymentOfCharge(trx, charge, ours);
    if (!payment) return null;
    await updatePayment(trx, payment.id, {
      disputeStatus: open ? 'open' : won ? 'won' : 'lost',
      stripeChargeId: charge.id,
    });
    await affiliates.applyDispute(trx, payment.id, {
      id: dispute.id,
      status: open ? 'open' : won ? 'won' : 'lost',
      refundedMinor: Number(payment.refundedMinor),
      paymentMinor: Number(payment.amountMinor),
    });
    const purchase = (await findPurchase(trx, payment.purchaseId)) ?? null;
    const entitlement = purchase ? await access.entitlementOfPurchaseForChange(trx, purchase.id) : undefined;
    if (!purchase || !entitlement || entitlement.state === 'revoked') return purchase;
    const why = { reason: 'dispute', stripeObjectId: dispute.id, stripeEventId: eventId };
    if (open || !won) {
      await access.changeEntitlement(trx, entitlement, { state: 'disputed', accessUntil: null }, why);
    } else if (entitlement.state === 'disputed' && !purchase.stripeSubscriptionId) {
      await access.changeEntitlement(trx, entitlement, { state: 'active', accessUntil: null }, why);
    } else if (purchase.stripeSubscriptionId) {
      const payload: SyncPurchasePayload = { purchaseId: purchase.id, lift: 'disputed' };
      await enqueueJob(trx, clock, SYNC_PURCHASE_JOB, payload, { maxAttempts: 10 });
    }
    return purchase;
  }

  // --- the webhook ---------------------------------------------------------------------------------

  /**
   * Runs `apply` in a transaction of its own (the callers that are not the webhook's batch). A renewal
   * and a refund of one purchase lock its rows in different orders: PostgreSQL aborts one of two such
   * transactions, which then runs again.
   */
  async function applyInTransaction(
    apply: (trx: Executor, read: { grace: number }) => Promise<PurchaseRow | null>,
  ): Promise<{ purchase: PurchaseRow | null }> {
    // The grace period, read before the transaction, where the kept settings answer without a query;
    // a change of it a moment before the commit is no different from one a moment after.
    const read = { grace: await graceMs() };
    return retryingConflicts(() => inTransaction(db, async (trx) => ({ purchase: await apply(trx, read) })));
  }

  /** A subscription read once per batch (several events of a batch often name the same one). */
  function readSubscription(stripe: Stripe, id: string, reads: Reads) {
    return once(reads, `subscription:${id}`, async () => {
      const readAt = clock.now();
      return { subscription: await stripe.subscriptions.retrieve(id), readAt };
    });
  }

  /**
   * One inbox event made ready: what it needs from Stripe (and, for a connected account, its refresh)
   * is read now, outside the batch's transaction; the answer writes inside it. Unknown types and
   * foreign objects apply as nothing.
   */
  async function prepareEvent(event: ClaimedEvent, stripe: Stripe, reads: Reads): Promise<Ready> {
    const id = event.objectId;
    const eventId = event.id;
    const nothing: Ready = { apply: async () => null };
    if (!id) return nothing;
    switch (event.type) {
      case 'checkout.session.completed':
      case 'checkout.session.async_payment_succeeded':
      case 'checkout.session.expired':
      case 'checkout.session.async_payment_failed': {
        const read = await once(reads, `checkout:${id}`, () => readCheckoutSession(stripe, id));
        const completes =
          event.type === 'checkout.session.completed' ||
          event.type === 'checkout.session.async_payment_succeeded' ||
          (read.session.status === 'complete' && read.session.payment_status === 'paid');
        return {
          apply: (trx, grace) =>
            completes ? completeCheckoutIn(trx, read, grace) : abandonCheckoutIn(trx, read.session),
          customer: idOf(read.session.customer),
        };
      }
      case 'customer.subscription.created':
      case 'customer.subscription.updated':
      case 'customer.subscription.deleted':
      case 'invoice.payment_failed': {
        const failed = event.type === 'invoice.payment_failed';
        const subscriptionId = failed ? event.relatedId : id;
        if (!subscriptionId) return nothing;
        const { subscription, readAt } = await readSubscription(stripe, subscriptionId, reads);
        const why = { reason: failed ? 'payment_failed' : 'subscription', eventId };
        return {
          apply: (trx, grace) => syncSubscriptionIn(trx, subscription, readAt, why, grace),
          object: `subscription:${subscriptionId}`,
          customer: idOf(subscription.customer),
        };
      }
      case 'invoice.paid': {
        const read = await readPaidInvoice(stripe, id, reads);
        if (!read) return nothing;
        return {
          apply: (trx, grace) => applyPaidInvoiceIn(trx, read, eventId, grace),
          customer: idOf(read.invoice.customer),
        };
      }
      case 'charge.refunded': {
        const charge = await once(reads, `charge:${id}`, () => stripe.charges.retrieve(id));
        const ours = await chargeIsOurs(charge, stripe);
        return {
          apply: (trx) => applyRefundIn(trx, charge, ours, eventId),
          object: `charge:${id}`,
          customer: idOf(charge.customer),
        };
      }
      case 'charge.dispute.created':
      case 'charge.dispute.closed': {
        const dispute = await stripe.disputes.retrieve(id, { expand: ['charge'] });
        const charge =
          typeof dispute.charge === 'object' ? dispute.charge : await stripe.charges.retrieve(dispute.charge);
        const ours = await chargeIsOurs(charge, stripe);
        return {
          apply: (trx) => applyDisputeIn(trx, dispute, charge, ours, eventId),
          customer: idOf(charge.customer),
        };
      }
      case 'account.updated': {
        // A connected account (an affiliate's payouts) names itself on the event, and is read and
        // written now: doing it twice changes nothing. The platform's own account is applied in the batch.
        if (event.account) {
          await affiliates.refreshPayoutAccount(event.account);
          return nothing;
        }
        const account = await once(reads, 'account', () => stripe.accounts.retrieveCurrent());
        return { apply: (trx) => connection.applyAccount(trx, account) };
      }
      default:
        return nothing;
    }
  }

  /**
   * An event of a batch made ready, or what its reads failed with. `sameAs`: the first event of the
   * batch that applies the same object as Stripe has it now (`Ready.object`): once that one is applied
   * in this batch, this one is applied by it (recorded, not run again).
   */
  type Prepared = (Ready | { error: unknown }) & {
    event: ClaimedEvent;
    sameAs?: Prepared;
  };
  /** What applying a batch came to: events applied now, applied before (by another), failed. */
  interface Outcome {
    applied: ClaimedEvent[];
    before: string[];
    failed: { event: ClaimedEvent; error: unknown }[];
  }

  /**
   * SQLite: the batch in one transaction (one writer: a commit, its log write and its lock once for
   * all), each event under a savepoint of its own, so one that fails (its payment has not arrived, a
   * bug) is rolled back alone while the others commit.
   */
  async function applyTogether(prepared: Prepared[], grace: number, now: number): Promise<Outcome> {
    return retryingConflicts(() =>
      inTransaction(db, async (trx) => {
        // Applied already: by another process whose claim on them ran out, or before a crash that
        // came between this transaction and the inbox hearing of it.
        const before = await appliedStripeEvents(
          trx,
          prepared.map((item) => item.event.id),
        );
        const outcome: Outcome = { applied: [], before: [...before], failed: [] };
        const appliedNow = new Set<Prepared>();
        for (const item of prepared) {
          if (before.has(item.event.id)) continue;
          if ('error' in item) {
            outcome.failed.push(item);
            continue;
          }
          if (item.sameAs && appliedNow.has(item.sameAs)) {
            outcome.applied.push(item.event);
            continue;
          }
          await sql`savepoint inbox_event`.execute(trx);
          const tallied = tallyMark(trx);
          try {
            await item.apply(trx, grace);
            await sql`release savepoint inbox_event`.execute(trx);
            outcome.applied.push(item.event);
            appliedNow.add(item);
          } catch (error) {
            await sql`rollback to savepoint inbox_event`.execute(trx);
            forgetTalliesAfter(trx, tallied);
            await sql`release savepoint inbox_event`.execute(trx);
            outcome.failed.push({ event: item.event, error });
          }
        }
        await recordStripeEvents(trx, outcome.applied, now);
        return outcome;
      }),
    );
  }

  /** A batch's first events of their objects, and the events each applies for (`sameAs`). */
  function leadersOf(prepared: Prepared[]) {
    const following = new Map<Prepared, Prepared[]>();
    const leading: Prepared[] = [];
    for (const item of prepared) {
      if (!item.sameAs) leading.push(item);
      else if (following.has(item.sameAs)) following.get(item.sameAs)?.push(item);
      else following.set(item.sameAs, [item]);
    }
    const followersOf = (item: Prepared) => following.get(item) ?? [];
    // Side by side within a rank only: payments are written before the refunds that name them.
    const ranks = [...new Set(leading.map((item) => rankOf(item.event.type)))].map((rank) =>
      leading.filter((item) => rankOf(item.event.type) === rank),
    );
    return { ranks, followersOf };
  }

  /**
   * A rank's events in up to APPLIED_AT_ONCE shares of about the same size, a customer's events in
   * one share (each in the order received).
   */
  function sharesOf(items: Prepared[]): Prepared[][] {
    const shares: Prepared[][] = Array.from({ length: Math.min(APPLIED_AT_ONCE, items.length) }, () => []);
    const shareOf = new Map<string, Prepared[]>();
    for (const item of items) {
      const customer = 'apply' in item ? item.customer : null;
      let share = customer ? shareOf.get(customer) : undefined;
      if (!share) {
        share = shares.reduce((smallest, next) => (next.length < smallest.length ? next : smallest));
        if (customer) shareOf.set(customer, share);
      }
      share.push(item);
    }
    return shares.filter((share) => share.length > 0);
  }

  /**
   * PostgreSQL: a batch in shares (`sharesOf`), side by side, each a transaction applying its share's
   * events one after the other: a commit, and the counters' writes (an offer's buyers, the day's
   * sales), once a share rather than once an event, and fewer transactions waiting in line for those
   * rows. A share records its events first (one statement says which were applied before): another
   * process applying one of them meanwhile waits there, not on a row this transaction locks next; the
   * events each applies for (`sameAs`) are recorded with it. An event that fails rolls its share back
   * (PostgreSQL cannot go on in a transaction after an error), and the share's events are then applied
   * one a transaction (`applyEach`), so the failure stays that event's own.
   */
  function applyInShares(prepared: Prepared[], grace: number, now: number): Promise<Outcome> {
    return applyShared(prepared, sharesOf, grace, now);
  }

  /** Each event in a transaction of its own, APPLIED_AT_ONCE side by side (what a failed share falls back to). */
  function applyEach(prepared: Prepared[], grace: number, now: number): Promise<Outcome> {
    return applyShared(prepared, (items) => items.map((item) => [item]), grace, now);
  }

  async function applyShared(
    prepared: Prepared[],
    split: (items: Prepared[]) => Prepared[][],
    grace: number,
    now: number,
  ): Promise<Outcome> {
    const outcome: Outcome = { applied: [], before: [], failed: [] };
    const onTheirOwn: Prepared[] = [];
    const { ranks, followersOf } = leadersOf(prepared);
    for (const rank of ranks) {
      const ready: Prepared[] = [];
      for (const item of rank) {
        // (An event whose reads failed names no object, so none follows it.)
        if ('error' in item) outcome.failed.push(item);
        else ready.push(item);
      }
      await eachAtOnce(split(ready), APPLIED_AT_ONCE, async (share) => {
        try {
          const fresh = await retryingConflicts(() =>
            inTransaction(db, async (trx) => {
              const recorded = await recordStripeEvents(
                trx,
                share.map((item) => item.event),
                now,
              );
              const applying = share.filter((item) => recorded.has(item.event.id));
              await recordStripeEvents(
                trx,
                applying.flatMap((item) => followersOf(item).map((follower) => follower.event)),
                now,
              );
              for (const item of applying) if ('apply' in item) await item.apply(trx, grace);
              return recorded;
            }),
          );
          for (const item of share) {
            if (fresh.has(item.event.id)) {
              outcome.applied.push(item.event, ...followersOf(item).map((follower) => follower.event));
            } else {
              outcome.before.push(item.event.id);
              onTheirOwn.push(...followersOf(item));
            }
          }
        } catch (error) {
          const [only] = share;
          if (share.length === 1 && only) {
            // Tried again later (billing.inbox.ts); what it applies for, on their own now.
            outcome.failed.push({ event: only.event, error });
            onTheirOwn.push(...followersOf(only));
            return;
          }
          const alone = await applyEach(
            share.flatMap((item) => [item, ...followersOf(item)]),
            grace,
            now,
          );
          outcome.applied.push(...alone.applied);
          outcome.before.push(...alone.before);
          outcome.failed.push(...alone.failed);
        }
      });
    }
    if (onTheirOwn.length === 0) return outcome;
    // Events whose first was not applied now (applied before, or failed) are applied on their own.
    const rest = await applyEach(
      onTheirOwn.map(({ sameAs: _first, ...item }) => item),
      grace,
      now,
    );
    return {
      applied: [...outcome.applied, ...rest.applied],
      before: [...outcome.before, ...rest.before],
      failed: [...outcome.failed, ...rest.failed],
    };
  }

  /**
   * Makes claimed inbox events ready to apply: their reads now, outside any transaction (READS_AT_ONCE
   * at a time, each object once); the step it answers writes their effects, each recorded in
   * `stripe_events` in the transaction that writes it (`applyTogether` on SQLite, `applyInShares` on
   * PostgreSQL). Payments before what refers to them: checkouts, subscriptions and invoices first, then
   * refunds and disputes, each group in the order it was received. An event that failed is tried again
   * later (billing.inbox.ts).
   */
  async function prepareBatch(events: ClaimedEvent[]): Promise<() => Promise<void>> {
    const ordered = [...events].sort((a, b) => rankOf(a.type) - rankOf(b.type));
    const reads: Reads = new Map();
    const client = () => once(reads, 'client', async () => (await connection.client()).stripe);
    const prepared = await eachAtOnce(ordered, READS_AT_ONCE, async (event): Promise<Prepared> => {
      try {
        return { event, ...(await prepareEvent(event, await client(), reads)) };
      } catch (error) {
        return { event, error };
      }
    });
    // Events that apply the same object as Stripe has it now (a subscription's created, updated and
    // failed payment; a charge refunded twice) read it once, and are applied once.
    const firstOf = new Map<string, Prepared>();
    for (const item of prepared) {
      if (!('object' in item) || item.object === undefined) continue;
      const first = firstOf.get(item.object);
      if (!first) firstOf.set(item.object, item);
      else {
        item.sameAs = first;
        // The same subscription either way; the ledger names the failed payment behind a past_due.
        if (item.event.type === 'invoice.payment_failed' && 'apply' in first) first.apply = item.apply;
      }
    }
    return () => applyPrepared(prepared);
  }

  /** Writes a prepared batch (`prepareBatch`), then tells the inbox what came of each event. */
  async function applyPrepared(prepared: Prepared[]): Promise<void> {
    const grace = await graceMs();
    const now = clock.now();
    const { applied, before, failed } = locksRows(db)
      ? await applyInShares(prepared, grace, now)
      : await applyTogether(prepared, grace, now).catch((error: unknown) => {
          // Something outside the events' savepoints failed (the counters' writes, the commit): each
          // event is then applied alone, so one that keeps failing is tried again later on its own
          // instead of holding the whole inbox up behind its batch.
          logger.error({ err: error }, 'stripe webhook batch failed; its events are applied one by one');
          return applyEach(prepared, grace, now);
        });
    // The inbox hears after the commit: a crash in between leaves the events claimed, and whoever
    // claims them next finds them recorded.
    await markInboxApplied(inboxDb, [...before, ...applied.map((event) => event.id)], now);
    for (const { event, error } of failed) {
      const attempts = event.attempts + 1;
      const dueAt = nextAttemptAt(attempts, event.receivedAt, now);
      await deferStripeEvent(inboxDb, event.id, { attempts, dueAt, error: messageOf(error) });
      const fields = { eventId: event.id, type: event.type, attempts };
      if (dueAt === null) {
        logger.error({ ...fields, err: error }, 'stripe webhook given up');
      } else if (error instanceof RetryLaterError) {
        logger.info(fields, `stripe webhook later: ${error.message}`);
      } else {
        logger.error({ ...fields, err: error }, 'stripe webhook failed; it is tried again later');
      }
    }
  }

  const inbox = createWebhookInbox({
    db: inboxDb,
    clock,
    logger,
    prepareBatch,
    role: processRole(db, 'inbox-drainer'),
  });

  /**
   * Deliveries into the inbox: those that come while one is being written are written together; on
   * SQLite, whose write is over before the next request is read, those read in the same turn of the
   * event loop (20–25 % more events a second in the chaos run; on PostgreSQL waiting for the turn
   * made it slower).
   */
  const takeIn = batched((entries: InboxEntry[]) => receiveStripeEvents(inboxDb, entries, clock.now()), {
    gather: !locksRows(db),
  });

  /**
   * `POST /webhooks/stripe`: verifies the signature on the raw body (400 and nothing changes when it
   * is missing, wrong or stale), takes the event into the inbox and answers; the drainer applies it.
   */
  async function handleWebhook(
    rawBody: Buffer,
    signature: string | undefined,
    kind: WebhookKind = 'account',
  ): Promise<{ status: number }> {
    // Set while Stripe is connected (disconnecting forgets it).
    const secret = await connection.webhookSecret(kind);
    if (!secret) throw new AppError('stripe_not_connected', 400, 'Stripe is not connected.');
    let event: Stripe.Event;
    try {
      event = await deps.verifyEvent(rawBody, signature, secret);
    } catch {
      throw new AppError('invalid_signature', 400, 'The Stripe-Signature header does not verify.');
    }
    await takeIn(inboxEntryOf(event, kind));
    inbox.kick();
    return { status: 200 };
  }

  // --- reconciliation ------------------------------------------------------------------------------

  /**
   * Compares every purchase that went through Stripe with Stripe, and repairs differences through the
   * same transitions (ledgered as 'reconcile'): a lost webhook never costs a buyer access for long.
   * With `dryRun`, only says what it would change. A batch job over all purchases, never a request.
   */
  async function reconcile(options: { dryRun: boolean; pageSize?: number } = { dryRun: false }) {
    const { stripe } = await connection.client();
    const differences: { purchaseId: string; email: string; what: string }[] = [];
    let checked = 0;
    let after: { at: number; id: string } | null = null;
    for (;;) {
      const page = await listPurchasesWithStripe(db, after, options.pageSize ?? 100);
      if (page.length === 0) break;
      for (const purchase of page) {
        checked += 1;
        const found = await compareWithStripe(stripe, purchase, options.dryRun);
        if (found) differences.push({ purchaseId: purchase.id, email: purchase.email, what: found });
      }
      const last = page[page.length - 1] as PurchaseRow;
      after = { at: Number(last.createdAt), id: last.id };
    }
    return { checked, differences };
  }

  /** One purchase against Stripe; answers what differed (and, unless dry, was repaired). */
  async function compareWithStripe(
    stripe: Stripe,
    purchase: PurchaseRow,
    dryRun: boolean,
  ): Promise<string | null> {
    if (purchase.status === 'pending') {
      const read = await readCheckoutSession(stripe, purchase.stripeCheckoutSessionId as string);
      const { session } = read;
      const paidUp = session.payment_status === 'paid' || session.payment_status === 'no_payment_required';
      if (session.status === 'complete' && paidUp) {
        if (!dryRun) await completeCheckout(read);
        return 'paid, but not fulfilled';
      }
      if (session.status === 'expired') {
        if (!dryRun) await applyInTransaction((trx) => abandonCheckoutIn(trx, session));
        return 'checkout expired';
      }
      return null;
    }
    const entitlement = await access.entitlementOfPurchase(db, purchase.id);
    if (purchase.stripeSubscriptionId && entitlement) {
      const readAt = clock.now();
      const subscription = await stripe.subscriptions.retrieve(purchase.stripeSubscriptionId);
      if (STICKY_STATES.includes(entitlement.state)) return null;
      const expected = accessForSubscription(
        subscriptionView(subscription),
        entitlement,
        clock.now(),
        await graceMs(),
      );
      if (expected.state === entitlement.state && expected.accessUntil === entitlement.accessUntil)
        return null;
      if (!dryRun) await syncSubscription(subscription, readAt, { reason: 'reconcile' });
      return `${entitlement.state} → ${expected.state} (subscription ${subscription.status})`;
    }
    if (purchase.stripePaymentIntentId) {
      const intent = await stripe.paymentIntents.retrieve(purchase.stripePaymentIntentId, {
        expand: ['latest_charge'],
      });
      const charge = typeof intent.latest_charge === 'object' ? intent.latest_charge : null;
      const payment = await findPaymentByIntent(db, intent.id);
      if (charge && payment && charge.amount_refunded > Number(payment.refundedMinor)) {
        if (!dryRun) await applyRefund(charge);
        return `refund of ${charge.amount_refunded - Number(payment.refundedMinor)} not applied`;
      }
    }
    return null;
  }

  /**
   * The SYNC_PURCHASE_JOB: a purchase's subscription as Stripe has it now, after a paid purchase is
   * claimed by its address's owner, or (`lift: 'disputed'`) after a dispute of it was won.
   */
  async function syncPurchase({ purchaseId, lift }: SyncPurchasePayload): Promise<void> {
    const purchase = await findPurchase(db, purchaseId);
    if (!purchase?.stripeSubscriptionId) return;
    const { stripe } = await connection.client();
    const readAt = clock.now();
    await syncSubscription(
      await stripe.subscriptions.retrieve(purchase.stripeSubscriptionId),
      readAt,
      lift ? { reason: 'dispute', lift: [lift] } : { reason: 'subscription' },
    );
  }

  // --- people: members' billing, the creator's sales -------------------------------------------------

  /** A person's purchases with their payments and subscription, newest first (Billing, the user card). */
  async function billingOf(userId: string) {
    const rows = await listPurchasesOfUser(db, userId, 100);
    const payments = await listPaymentsOfPurchases(
      db,
      rows.map((row) => row.id),
    );
    const now = clock.now();
    return rows.map((row) => ({
      ...row,
      live: row.entitlementState
        ? isEntitlementLive({ state: row.entitlementState, accessUntil: row.accessUntil }, now)
        : false,
      payments: payments.filter((payment) => payment.purchaseId === row.id),
    }));
  }

  /** The member's own Billing page. */
  async function memberBilling(actor: Actor) {
    return billingOf(actor.userId);
  }

  /** A buyer's payments and subscriptions on the user card. */
  async function userBilling(actor: Actor, userId: string) {
    requireStaff(actor);
    return billingOf(userId);
  }

  /** The purchase of `purchaseId` if the actor may act on it: its buyer, or staff. Others: 404. */
  /**
   * The purchase a subscription action is about: the caller's own (Billing), or any buyer's for staff
   * on the user card. Billing never acts on another's purchase, staff included: resuming a member's
   * canceled subscription would charge them again.
   */
  async function purchaseFor(
    actor: Actor,
    purchaseId: string,
    whose: 'own' | 'any buyer',
  ): Promise<PurchaseRow> {
    const purchase = await findPurchase(db, purchaseId);
    const allowed = whose === 'own' ? purchase?.userId === actor.userId : isStaffRole(actor.role);
    if (!purchase || !allowed) throw new NotFoundError('No such purchase.');
    return purchase;
  }

  /**
   * A subscription that has already ended cannot be canceled or resumed: Stripe would refuse in its own
   * words. It is read first, and the caller gets a 409 of ours; a refused request changes nothing (the
   * ending itself arrives by its webhook, or the daily reconciliation).
   */
  async function refuseEnded(stripe: Stripe, subscriptionId: string) {
    const current = await stripe.subscriptions.retrieve(subscriptionId);
    if (current.status === 'canceled' || current.status === 'incomplete_expired')
      throw new AppError('subscription_ended', 409, 'This subscription has already ended.');
  }

  async function applyUpdatedSubscription(subscription: Stripe.Subscription, readAt: number, actor: Actor) {
    const result = await syncSubscription(subscription, readAt, { reason: 'subscription' });
    if (result.purchase?.entitlementId)
      logger.info(
        { purchaseId: result.purchase.id, by: actor.userId },
        `subscription ${subscription.status}`,
      );
  }

  /**
   * Cancels a subscription: at the period end (the member, or staff), or now (staff). Access follows
   * at once through the same transition a webhook would make.
   */
  async function cancelSubscription(
    actor: Actor,
    purchaseId: string,
    when: 'period_end' | 'now',
    whose: 'own' | 'any buyer' = 'own',
  ) {
    const purchase = await purchaseFor(actor, purchaseId, whose);
    if (!purchase.stripeSubscriptionId)
      throw new AppError('not_a_subscription', 409, 'This purchase is not a subscription.');
    if (when === 'now') requireStaff(actor, 'Only the owner and admins may end a subscription at once.');
    const { stripe } = await connection.client();
    const readAt = clock.now();
    await refuseEnded(stripe, purchase.stripeSubscriptionId);
    const subscription =
      when === 'now'
        ? await stripe.subscriptions.cancel(
            purchase.stripeSubscriptionId,
            {},
            { idempotencyKey: `gh-cancel-${purchase.id}` },
          )
        : await stripe.subscriptions.update(purchase.stripeSubscriptionId, { cancel_at_period_end: true });
    await applyUpdatedSubscription(subscription, readAt, actor);
  }

  /** The user card's cancel: staff only, now or at the period end. */
  async function cancelForBuyer(actor: Actor, purchaseId: string, when: 'period_end' | 'now') {
    requireStaff(actor, 'Only the owner and admins may cancel for a buyer.');
    await cancelSubscription(actor, purchaseId, when, 'any buyer');
  }

  /** Undoes a cancel at period end while the period runs. */
  async function resumeSubscription(actor: Actor, purchaseId: string) {
    const purchase = await purchaseFor(actor, purchaseId, 'own');
    if (!purchase.stripeSubscriptionId)
      throw new AppError('not_a_subscription', 409, 'This purchase is not a subscription.');
    const { stripe } = await connection.client();
    const readAt = clock.now();
    await refuseEnded(stripe, purchase.stripeSubscriptionId);
    const subscription = await stripe.subscriptions.update(purchase.stripeSubscriptionId, {
      cancel_at_period_end: false,
    });
    await applyUpdatedSubscription(subscription, readAt, actor);
  }

  /** "Update payment method": a billing portal session for the member's Stripe customer. */
  async function portalUrl(actor: Actor, returnUrl: string): Promise<string> {
    const user = await users.stripeCustomerOf(db, actor.userId);
    if (!user) throw new AppError('no_billing', 409, 'There is nothing to manage yet: no paid purchase.');
    const { stripe, connection: account } = await connection.client();
    const session = await stripe.billingPortal.sessions.create({
      customer: user,
      return_url: returnUrl,
      ...(account.portalConfigurationId ? { configuration: account.portalConfigurationId } : {}),
    });
    return session.url;
  }

  /**
   * Refunds a payment, all of it or `amountMinor`. The idempotency key names the payment and how much
   * was refunded before, so a double click refunds once and a second partial refund is its own.
   */
  async function refundPayment(actor: Actor, paymentId: string, amountMinor: number | null) {
    requireStaff(actor, 'Only the owner and admins may refund.');
    const payment = await findPayment(db, paymentId);
    if (!payment) throw new NotFoundError('No such payment.');
    const left = Number(payment.amountMinor) - Number(payment.refundedMinor);
    const amount = amountMinor ?? left;
    if (left <= 0) throw new AppError('already_refunded', 409, 'This payment is already refunded in full.');
    if (!Number.isInteger(amount) || amount < 1 || amount > left)
      throw ValidationError.field('amountMinor', `must be a whole amount from 1 to ${left}`);
    const { stripe } = await connection.client();
    await stripe.refunds.create(
      { payment_intent: payment.stripePaymentIntentId, amount, metadata: { guildhall_payment: payment.id } },
      { idempotencyKey: `gh-refund-${payment.id}-${payment.refundedMinor}-${amount}` },
    );
    const intent = await stripe.paymentIntents.retrieve(payment.stripePaymentIntentId, {
      expand: ['latest_charge'],
    });
    const charge = typeof intent.latest_charge === 'object' ? intent.latest_charge : null;
    if (charge) await applyRefund(charge);
    return stillThere(await findPayment(db, paymentId), 'payment');
  }

  /** Sales: every purchase, newest first, with filters and an address prefix search. */
  async function listSales(
    actor: Actor,
    options: { offerId?: string; status?: PurchaseStatus; search?: string; cursor?: string; limit: number },
  ) {
    requireStaff(actor);
    const rows = await listSaleRows(db, {
      offerId: options.offerId ?? null,
      status: options.status ?? null,
      search: options.search?.trim().toLowerCase() || null,
      after: decodeCursor(options.cursor),
      limit: options.limit,
    });
    return pageOf(rows, options.limit, (row) => ({ at: Number(row.createdAt), id: row.id }));
  }

  return {
    memberBilling,
    userBilling,
    cancelSubscription,
    cancelForBuyer,
    resumeSubscription,
    portalUrl,
    refundPayment,
    listSales,
    reconcile,
    syncPurchase,
    handleWebhook,
    inbox,
    /** The inbox at a glance, for staff: events waiting, given up. */
    async inboxStatus(actor: Actor) {
      requireStaff(actor);
      return stripeInboxCounts(inboxDb);
    },
    readCheckoutSession,
    completeCheckout,
    syncSubscription,
    applyRefund,
    recordPayment,
    graceMs,
  };
}

export type BillingService = ReturnType<typeof createBillingService>;
export type { Access, EntitlementRow };
