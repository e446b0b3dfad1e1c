// Paid checkout (DESIGN.md §3): a pending purchase is written first, then a Stripe Checkout Session
// (payment or subscription) is opened for it and the browser sent there. What happens after payment is
// one fulfilment, from the webhook or from the return URL, whichever comes first.

import type { Actor } from '../../platform/actor.ts';
import type { Clock } from '../../platform/clock.ts';
import { newId } from '../../platform/crypto.ts';
import type { Database } from '../../platform/db/database.ts';
import { inTransaction } from '../../platform/db/tallies.ts';
import {
  AppError,
  type FieldProblem,
  NotFoundError,
  stillThere,
  ValidationError,
} from '../../platform/errors.ts';
import type { RateLimiter } from '../../platform/http/rate-limit.ts';
import type { Logger } from '../../platform/logger.ts';
import { isStripeRefusal, type Stripe } from '../../platform/stripe.ts';
import type { AccessService } from '../access/index.ts';
import { type AuthService, emailProblem, nameProblem } from '../accounts/index.ts';
import { referralCodeOf } from '../affiliates/index.ts';
import type { OffersService } from '../offers/index.ts';
import type { StripeConnection } from '../settings/index.ts';
import type { BillingService, SessionRead } from './billing.service.ts';
import {
  findOpenCheckout,
  findPurchase,
  findPurchaseBySession,
  insertPurchase,
  type PurchaseRow,
  updatePurchase,
} from './purchase.repository.ts';
import type { PurchasesService, RequestMeta } from './purchase.service.ts';

export interface CheckoutDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
  publicUrl: string;
  rateLimiter: RateLimiter;
  stripe: Pick<StripeConnection, 'client'>;
  access: Pick<AccessService, 'liveEntitlement'>;
  auth: Pick<AuthService, 'findAccountByEmail' | 'findAccountById' | 'createSession' | 'requestMagicLink'>;
  offers: Pick<OffersService, 'publicOffer' | 'stripePriceOf' | 'offerRow'>;
  purchases: Pick<PurchasesService, 'purchaseOfBrowser' | 'destinationOf'>;
  billing: Pick<BillingService, 'completeCheckout' | 'readCheckoutSession'>;
}

export type CheckoutStart =
  | { kind: 'redirect'; url: string; purchaseId: string }
  | { kind: 'already_member'; destination: string; emailed: string | null };

export type CheckoutReturn =
  | { kind: 'joined'; purchase: PurchaseRow; signIn: { id: string; token: string } | null }
  | { kind: 'confirm_email'; purchase: PurchaseRow }
  | { kind: 'check_email'; purchase: PurchaseRow }
  | { kind: 'still_open'; url: string }
  | { kind: 'not_paid'; slug: string };

// A session is reused while it has at least this long left; Stripe keeps one open for 24 hours.
const REUSE_MARGIN_MS = 10 * 60_000;

export function createCheckoutService(deps: CheckoutDeps) {
  const {
    db,
    clock,
    logger,
    publicUrl,
    rateLimiter,
    stripe: connection,
    access,
    auth,
    offers,
    purchases,
    billing,
  } = deps;

  function validate(input: { email: string; name: string }, signedIn: boolean): FieldProblem[] {
    return [
      signedIn && !input.email.trim() ? null : emailProblem('email', input.email),
      nameProblem('name', input.name, !signedIn),
    ].filter((problem): problem is FieldProblem => problem !== null);
  }

  /**
   * The pay button: a buyer who already has the offer is told so (and, when not signed in as its
   * owner, their address is sent a sign-in link) instead of paying twice; a second click while a
   * Checkout Session is open goes back to it; otherwise a pending purchase and a new session.
   */
  async function startCheckout(
    slug: string,
    input: { email: string; name: string; ref: string | null },
    viewer: Actor | null,
    meta: RequestMeta,
  ): Promise<CheckoutStart> {
    const { row: offer } = await offers.publicOffer(slug, null, false);
    if (offer.pricingModel === 'free')
      throw new AppError('offer_is_free', 409, 'This offer is free: join it.');
    const problems = validate(input, viewer !== null);
    if (problems.length) throw new ValidationError(problems);
    await rateLimiter.hit(`checkout:${meta.ip}`, 30, 15 * 60_000);
    const address = (input.email.trim() || viewer?.email || '').toLowerCase();
    const ref = referralCodeOf(input.ref);
    const account = await auth.findAccountByEmail(db, address);
    const signedInAsBuyer =
      viewer !== null && (!account || account.id === viewer.userId) && address === viewer.email;
    const destination = await purchases.destinationOf(offer);
    if (account && (await access.liveEntitlement(db, account.id, offer.id))) {
      if (signedInAsBuyer) return { kind: 'already_member', destination, emailed: null };
      await auth.requestMagicLink(address, meta);
      return { kind: 'already_member', destination, emailed: address };
    }

    const open = await findOpenCheckout(db, offer.id, address, clock.now() + REUSE_MARGIN_MS);
    if (open?.checkoutUrl) return { kind: 'redirect', url: open.checkoutUrl, purchaseId: open.id };

    let price: { stripe: Stripe; priceId: string };
    try {
      price = await offers.stripePriceOf(offer.id);
    } catch (error) {
      logger.error({ err: error, offerId: offer.id }, 'stripe: no price to sell');
      throw new AppError(
        'payments_unavailable',
        503,
        'Payments are not available right now. Try again in a moment.',
      );
    }
    const purchase = await insertPurchase(db, {
      id: newId(),
      offerId: offer.id,
      email: address,
      name: input.name.trim() || viewer?.name || '',
      userId: signedInAsBuyer ? viewer.userId : null,
      status: 'pending',
      amountMinor: Number(offer.amountMinor),
      currency: offer.currency,
      ...(offer.pricingModel === 'recurring'
        ? { interval: offer.interval, intervalCount: offer.intervalCount ?? 1 }
        : {}),
      ref,
      entitlementId: null,
      createdAt: clock.now(),
      fulfilledAt: null,
    });
    const buyer = signedInAsBuyer ? await auth.findAccountById(db, viewer.userId) : undefined;
    const metadata = { guildhall_purchase: purchase.id, guildhall_offer: offer.id, ...(ref ? { ref } : {}) };
    const subscription = offer.pricingModel === 'recurring';
    let session: Stripe.Checkout.Session;
    try {
      session = await price.stripe.checkout.sessions.create(
        {
          mode: subscription ? 'subscription' : 'payment',
          line_items: [{ price: price.priceId, quantity: 1 }],
          client_reference_id: purchase.id,
          metadata,
          ...(buyer?.stripeCustomerId ? { customer: buyer.stripeCustomerId } : { customer_email: address }),
          ...(subscription
            ? {
                subscription_data: {
                  metadata,
                  ...(offer.trialDays ? { trial_period_days: offer.trialDays } : {}),
                },
              }
            : {
                payment_intent_data: { metadata },
                ...(buyer?.stripeCustomerId ? {} : { customer_creation: 'always' as const }),
              }),
          ...(offer.allowPromotionCodes ? { allow_promotion_codes: true } : {}),
          success_url: `${publicUrl}/checkout/return?session_id={CHECKOUT_SESSION_ID}`,
          cancel_url: `${publicUrl}/checkout/${offer.slug}`,
        },
        { idempotencyKey: `gh-checkout-${purchase.id}` },
      );
    } catch (error) {
      await updatePurchase(db, purchase.id, { status: 'canceled' });
      if (isStripeRefusal(error)) {
        logger.error({ err: error, purchaseId: purchase.id }, 'stripe refused a checkout session');
      }
      throw new AppError(
        'payments_unavailable',
        503,
        'Payments are not available right now. Try again in a moment.',
      );
    }
    await updatePurchase(db, purchase.id, {
      stripeCheckoutSessionId: session.id,
      checkoutUrl: session.url,
      checkoutExpiresAt: session.expires_at * 1000,
    });
    if (!session.url) throw new AppError('payments_unavailable', 503, 'Stripe gave no checkout page.');
    return { kind: 'redirect', url: session.url, purchaseId: purchase.id };
  }

  /**
   * The success URL: the session is read from Stripe (the URL alone proves nothing), the purchase is
   * settled if the webhook has not done it, and only the browser holding the checkout cookie of a
   * purchase that made a new account, or made by its signed-in buyer, goes in signed in.
   */
  async function returnFromCheckout(
    sessionId: string,
    cookie: string | undefined,
    viewer: Actor | null,
    meta: RequestMeta,
  ): Promise<CheckoutReturn> {
    // Ours first: a made-up session id costs one indexed read, never a call to Stripe.
    const known = await findPurchaseBySession(db, sessionId);
    if (!known) throw new NotFoundError('No such checkout.');
    const { stripe } = await connection.client();
    let read: SessionRead;
    try {
      read = await billing.readCheckoutSession(stripe, sessionId);
    } catch (error) {
      if (isStripeRefusal(error)) throw new NotFoundError('No such checkout.');
      throw error;
    }
    const { session } = read;
    if (session.metadata?.guildhall_purchase !== known.id) throw new NotFoundError('No such checkout.');
    if (session.status === 'open' && session.url) return { kind: 'still_open', url: session.url };
    const { purchase } = await billing.completeCheckout(read);
    const current = purchase ?? stillThere(await findPurchase(db, known.id), 'purchase');
    const offer = await offers.offerRow(current.offerId);
    if (current.status === 'awaiting_confirmation') return { kind: 'confirm_email', purchase: current };
    if (current.status !== 'fulfilled') return { kind: 'not_paid', slug: offer.slug };
    const ownsBrowser = (await purchases.purchaseOfBrowser(cookie, current.id, offer.id)) !== null;
    const alreadyBuyer = viewer !== null && viewer.userId === current.userId;
    if (!ownsBrowser || (!alreadyBuyer && current.accountCreated !== 1))
      return { kind: 'check_email', purchase: current };
    const signIn =
      alreadyBuyer || !current.userId
        ? null
        : await inTransaction(db, (trx) => auth.createSession(trx, current.userId!, meta));
    return { kind: 'joined', purchase: current, signIn };
  }

  return { startCheckout, returnFromCheckout };
}

export type CheckoutService = ReturnType<typeof createCheckoutService>;
