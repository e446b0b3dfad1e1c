// Buying and joining: a pending purchase is written first, then one idempotent fulfilment grants the
// offer (DESIGN.md §3). Free offers are fulfilled at once; the paid path (Stripe) will call the same
// fulfilPurchase. An address that already has an account gets the membership only once its owner
// proves it is theirs: signed in, or through the link emailed to that address.

import type { Actor } from '../../platform/actor.ts';
import type { Clock } from '../../platform/clock.ts';
import { hmac, newId, safeEqual } from '../../platform/crypto.ts';
import { type Database, isUniqueViolation } from '../../platform/db/database.ts';
import type { Executor } from '../../platform/db/executor.ts';
import { inTransaction } from '../../platform/db/tallies.ts';
import {
  AppError,
  type FieldProblem,
  NotFoundError,
  stillThere,
  ValidationError,
} from '../../platform/errors.ts';
import type { RateLimiter } from '../../platform/http/rate-limit.ts';
import { enqueueJob } from '../../platform/jobs.ts';
import { normalizedHttpUrl } from '../../platform/text.ts';
import type { AccessService, StripeFacts } from '../access/index.ts';
import { type AuthService, emailProblem, nameProblem, type UsersService } from '../accounts/index.ts';
import { referralCodeOf } from '../affiliates/index.ts';
import { type EmailService, purchaseClaimEmail, purchaseConfirmationEmail } from '../email/index.ts';
import type { MetricsService } from '../metrics/index.ts';
import type { OfferRow, OffersService } from '../offers/index.ts';
import type { SettingsService } from '../settings/index.ts';
import type { Access } from './billing.rules.ts';
import {
  claimForFulfilment,
  findPurchase,
  findWaitingFreeJoin,
  insertPurchase,
  insertWaitingJoin,
  markConversionReported,
  movePurchase,
  type PurchaseRow,
  renewWaitingJoin,
  updatePurchase,
} from './purchase.repository.ts';

const LINK_TTL_MS = 7 * 24 * 3600_000;
/** A second join with an address waiting for its confirmation sends a new link only after this. */
const RESEND_CLAIM_AFTER_MS = 15 * 60_000;
export const SYNC_PURCHASE_JOB = 'billing.sync_purchase';
/** What a SYNC_PURCHASE_JOB carries (billing.service.ts, `syncPurchase`). */
export interface SyncPurchasePayload {
  purchaseId: string;
  /** A won dispute: the subscription lifts the dispute's lock. */
  lift?: 'disputed';
}
export const RECONCILE_JOB = 'billing.reconcile';

export interface RequestMeta {
  ip: string;
  userAgent: string | null;
}

export type JoinOutcome =
  | {
      kind: 'joined';
      purchase: PurchaseRow;
      session: { id: string; token: string } | null;
      destination: string;
    }
  | { kind: 'already_member'; destination: string }
  | { kind: 'confirm_email'; email: string };

export interface PurchasesDeps {
  db: Database;
  clock: Clock;
  appSecret: string;
  publicUrl: string;
  rateLimiter: RateLimiter;
  access: AccessService;
  auth: AuthService;
  users: UsersService;
  offers: OffersService;
  email: EmailService;
  settings: SettingsService;
  /** Counts each paid purchase completed as a sale. */
  metrics: Pick<MetricsService, 'saleMade'>;
}

export function createPurchasesService(deps: PurchasesDeps) {
  const {
    db,
    clock,
    appSecret,
    publicUrl,
    rateLimiter,
    access,
    auth,
    users,
    offers,
    email,
    settings,
    metrics,
  } = deps;

  /** Where a buyer goes after joining: the creator's link, or into the first group the offer grants. */
  async function destinationOf(offer: OfferRow, executor: Executor = db): Promise<string> {
    // Normalized again on the way out: a URL stored before normalization must not break the redirect.
    const custom = offer.destinationUrl && normalizedHttpUrl(offer.destinationUrl);
    if (custom) return custom;
    const [first] = await offers.grantedGroups(offer.id, executor);
    return first ? `/hub/g/${first.slug}` : '/hub';
  }

  async function sendConfirmation(
    trx: Executor,
    offer: OfferRow,
    user: { id: string; email: string; name: string },
  ): Promise<void> {
    const { platformName, supportEmail } = await settings.getSettings(trx);
    const loginLink = await auth.issueLink(trx, user.id, 'verify_email', LINK_TTL_MS, '/auth/verify-email');
    const { leftOut: _leftOut, ...message } = purchaseConfirmationEmail(
      { platformName },
      { subject: offer.confirmationSubject, body: offer.confirmationBody },
      {
        buyer_name: user.name,
        offer_title: offer.title,
        platform_name: platformName,
        login_link: loginLink,
        hub_link: `${publicUrl}/hub`,
        support_email: supportEmail ?? '',
      },
    );
    await email.queueEmail(trx, {
      to: user.email,
      kind: 'purchase_confirmation',
      message,
      recipientUserId: user.id,
    });
  }

  /**
   * Fulfils a purchase: the one way an offer is ever granted. It first *claims* the purchase (one
   * UPDATE that only a waiting purchase with its buyer passes), then grants: a retried webhook, the
   * return URL after the webhook, or two of them at once change nothing more. Runs inside the
   * caller's transaction. `paid` is what a payment gives now (a subscription may be trialing).
   */
  async function fulfilPurchase(
    trx: Executor,
    purchaseId: string,
    paid: { access: Access; stripe: StripeFacts | null } | null = null,
    /** The buyer, when the caller has just read or made their account (not read again). */
    known?: { id: string; email: string; name: string },
  ): Promise<{ purchase: PurchaseRow; alreadyMember: boolean }> {
    const claimed = await claimForFulfilment(trx, purchaseId, clock.now());
    if (!claimed) {
      const purchase = await findPurchase(trx, purchaseId);
      if (!purchase) throw new NotFoundError('No such purchase.');
      if (purchase.status === 'fulfilled') return { purchase, alreadyMember: false };
      throw new AppError('purchase_without_buyer', 409, 'This purchase has no confirmed buyer yet.');
    }
    const user = !claimed.userId
      ? undefined
      : known?.id === claimed.userId
        ? known
        : await auth.findAccountById(trx, claimed.userId);
    if (!user)
      throw new AppError('purchase_without_buyer', 409, 'The buyer of this purchase no longer exists.');
    const offer = await offers.offerRow(claimed.offerId, trx);
    const isPaid = Number(claimed.amountMinor) > 0;
    // Joining a free offer twice changes nothing; a payment always gets its own entitlement, so its
    // subscription, refunds and disputes have one to act on.
    const existing = isPaid ? undefined : await access.liveEntitlement(trx, user.id, offer.id);
    if (existing) {
      const purchase = await updatePurchase(trx, claimed.id, { entitlementId: existing.id });
      return { purchase, alreadyMember: true };
    }
    // Counted at the end of the transaction (platform/db/tallies.ts).
    await offers.recordSale(trx, offer.id, 0);
    if (isPaid) await metrics.saleMade(trx);
    const entitlement = await access.grantEntitlement(
      trx,
      {
        userId: user.id,
        offerId: offer.id,
        state: paid?.access.state ?? 'active',
        accessUntil: paid?.access.accessUntil ?? null,
        source: 'purchase',
        purchaseId: claimed.id,
        stripe: paid?.stripe ?? null,
      },
      { reason: 'purchase', stripeObjectId: claimed.stripeSubscriptionId ?? claimed.stripePaymentIntentId },
    );
    const purchase = await updatePurchase(trx, claimed.id, { entitlementId: entitlement.id });
    await sendConfirmation(trx, offer, user);
    return { purchase, alreadyMember: false };
  }

  /**
   * A paid purchase whose payment Stripe confirmed: decides whose it is, then fulfils. The signed-in
   * buyer's; or a new account for a new address (its browser is signed in on return); or, for an
   * address that has an account, the owner of that address confirms through an emailed link first
   * (the payment is kept; nothing is granted until then).
   */
  async function settlePaidPurchase(
    trx: Executor,
    /** As the caller's transaction has just written it. */
    paidFor: PurchaseRow,
    paid: { access: Access; stripe: StripeFacts | null },
  ): Promise<PurchaseRow> {
    let purchase = paidFor;
    if (purchase.status === 'fulfilled' || purchase.status === 'awaiting_confirmation') return purchase;
    if (purchase.status === 'canceled') {
      // Paid after the checkout was given up (an async payment, a late webhook): the money decides.
      purchase = (await movePurchase(trx, purchase.id, ['canceled'], { status: 'pending' })) ?? purchase;
    }
    if (!purchase.userId) {
      const account = await auth.findAccountByEmail(trx, purchase.email);
      if (account) {
        const moved = await movePurchase(trx, purchase.id, ['pending'], {
          status: 'awaiting_confirmation',
          userId: account.id,
        });
        if (moved) await sendClaim(trx, moved, account);
        return moved ?? stillThere(await findPurchase(trx, purchase.id), 'purchase');
      }
      const user = await users.createBuyerAccount(trx, { email: purchase.email, name: purchase.name });
      purchase = await updatePurchase(trx, purchase.id, { userId: user.id, accountCreated: 1 });
      return (await fulfilPurchase(trx, purchase.id, paid, user)).purchase;
    }
    return (await fulfilPurchase(trx, purchase.id, paid)).purchase;
  }

  /** Emails the owner of an address the link that confirms a join or purchase made with it. */
  async function sendClaim(
    trx: Executor,
    purchase: PurchaseRow,
    account: { id: string; email: string; name: string },
  ): Promise<void> {
    const offer = await offers.offerRow(purchase.offerId, trx);
    const url = await auth.issueLink(trx, account.id, 'claim_purchase', LINK_TTL_MS, `/checkout/claim`, {
      purchaseId: purchase.id,
    });
    const { platformName } = await settings.getSettings(trx);
    await email.queueEmail(trx, {
      to: account.email,
      kind: 'purchase_claim',
      recipientUserId: account.id,
      message: purchaseClaimEmail({ platformName }, { name: account.name, offerTitle: offer.title, url }),
    });
  }

  /** The checkout form: the same rules as everywhere else; a signed-in buyer may leave both empty. */
  function validate(input: { email: string; name: string }, signedIn: boolean): FieldProblem[] {
    return [
      signedIn && !input.email.trim() ? null : emailProblem('email', input.email),
      nameProblem('name', input.name, !signedIn),
    ].filter((problem): problem is FieldProblem => problem !== null);
  }

  /** A visitor joins a free offer from its checkout page. */
  async function joinFreeOffer(
    slug: string,
    input: { email: string; name: string; ref: string | null },
    viewer: Actor | null,
    meta: RequestMeta,
  ): Promise<JoinOutcome> {
    const { row: offer } = await offers.publicOffer(slug, null, false);
    if (offer.pricingModel !== 'free') {
      throw new AppError('checkout_unavailable', 409, 'Paid checkout opens once Stripe is connected.');
    }
    const problems = validate(input, viewer !== null);
    if (problems.length) throw new ValidationError(problems);
    await rateLimiter.hit(`join:${meta.ip}`, 30, 15 * 60_000);
    const address = (input.email.trim() || viewer?.email || '').toLowerCase();
    const ref = referralCodeOf(input.ref);

    // Two joins with one new address at once: the loser's insert of the account fails on the unique
    // address (PostgreSQL aborts its transaction), and its retry takes the existing-account path.
    const attempt = () =>
      inTransaction(db, async (trx) => {
        const destination = await destinationOf(offer, trx);
        const account = await auth.findAccountByEmail(trx, address);
        const signedInAsBuyer =
          viewer !== null &&
          (!account || account.id === viewer.userId) &&
          (address === viewer.email || !input.email.trim());
        const buyerId = signedInAsBuyer ? viewer.userId : null;
        if (buyerId && (await access.liveEntitlement(trx, buyerId, offer.id)))
          return { kind: 'already_member' as const, destination };

        const purchaseId = newId();
        const now = clock.now();
        const base = {
          id: purchaseId,
          offerId: offer.id,
          email: address,
          name: input.name.trim() || viewer?.name || '',
          amountMinor: 0,
          currency: offer.currency,
          ref,
          entitlementId: null,
          createdAt: now,
          fulfilledAt: null,
        };
        if (buyerId) {
          await insertPurchase(trx, { ...base, userId: buyerId, status: 'pending' });
          const { purchase } = await fulfilPurchase(trx, purchaseId);
          return { kind: 'joined' as const, purchase, session: null, destination };
        }
        if (account) {
          // The address has an account and this browser has not proven it owns it: the owner of the
          // address confirms through a link, and only then is anything granted. One link at a time:
          // asking again within a quarter of an hour sends nothing more; later, the same join is
          // sent again.
          const waiting = await findWaitingFreeJoin(trx, offer.id, account.id);
          if (waiting) {
            if (waiting.createdAt > now - RESEND_CLAIM_AFTER_MS) {
              return { kind: 'confirm_email' as const, email: address };
            }
            const renewed = await renewWaitingJoin(trx, waiting, now);
            if (renewed) await sendClaim(trx, renewed, account);
            return { kind: 'confirm_email' as const, email: address };
          }
          const purchase = await insertWaitingJoin(trx, {
            ...base,
            userId: account.id,
            status: 'awaiting_confirmation',
          });
          if (purchase) await sendClaim(trx, purchase, account);
          return { kind: 'confirm_email' as const, email: address };
        }
        const user = await users.createBuyerAccount(trx, { email: address, name: base.name });
        await insertPurchase(trx, { ...base, userId: user.id, status: 'pending' });
        const { purchase } = await fulfilPurchase(trx, purchaseId);
        const session = await auth.createSession(trx, user.id, meta);
        return { kind: 'joined' as const, purchase, session, destination };
      });
    try {
      return await attempt();
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return attempt();
    }
  }

  /** The emailed link of an existing account: confirms the join, fulfils, signs this browser in. */
  async function claimPurchase(token: string, meta: RequestMeta) {
    return inTransaction(db, async (trx) => {
      const { token: link, user } = await auth.consumeLink(trx, token, ['claim_purchase']);
      const { purchaseId } = JSON.parse(link.data ?? '{}') as { purchaseId?: string };
      const purchase = purchaseId ? await findPurchase(trx, purchaseId) : undefined;
      if (!purchase || purchase.userId !== user.id) throw new NotFoundError('No such purchase.');
      const offer = await offers.offerRow(purchase.offerId, trx);
      const { alreadyMember } = await fulfilPurchase(trx, purchase.id);
      // A paid subscription waited for this confirmation: its state is read from Stripe next.
      if (purchase.stripeSubscriptionId)
        await enqueueJob(trx, clock, SYNC_PURCHASE_JOB, { purchaseId: purchase.id }, { maxAttempts: 10 });
      const session = await auth.createSession(trx, user.id, meta);
      // The link came to the address: it proves the account is this person's, whoever held it before.
      await auth.markVerified(trx, user, session.id);
      return {
        offer,
        alreadyMember,
        session,
        destination: await destinationOf(offer, trx),
        purchase: stillThere(await findPurchase(trx, purchase.id), 'purchase'),
      };
    });
  }

  /**
   * For the public pages: when the signed-in visitor already has the offer, where it takes them and
   * how to say it ("Open Yoga"), instead of selling it again.
   */
  async function ownedBy(
    viewer: Actor | null,
    offer: OfferRow,
  ): Promise<{ label: string; href: string } | null> {
    if (!viewer || !(await access.liveEntitlement(db, viewer.userId, offer.id))) return null;
    const [first] = await offers.grantedGroups(offer.id);
    const href = await destinationOf(offer);
    return { label: first && !offer.destinationUrl ? `Open ${first.name}` : 'Open', href };
  }

  /** The signed value of the checkout cookie that binds this browser to its purchase. */
  function checkoutCookieFor(purchaseId: string): string {
    return `${purchaseId}.${hmac(appSecret, `checkout:${purchaseId}`)}`;
  }

  /** The fulfilled purchase of `offerId` this browser made, if the cookie is ours and names it. */
  async function purchaseOfBrowser(cookie: string | undefined, purchaseId: string, offerId: string) {
    if (!cookie) return null;
    const expected = checkoutCookieFor(purchaseId);
    if (!safeEqual(cookie, expected)) return null;
    const purchase = await findPurchase(db, purchaseId);
    return purchase && purchase.offerId === offerId && purchase.status === 'fulfilled' ? purchase : null;
  }

  /** Whether the completion page should pass the conversion to the creator's code: once per purchase. */
  async function takeConversion(purchaseId: string): Promise<boolean> {
    return markConversionReported(db, purchaseId, clock.now());
  }

  return {
    joinFreeOffer,
    claimPurchase,
    fulfilPurchase,
    settlePaidPurchase,
    checkoutCookieFor,
    purchaseOfBrowser,
    takeConversion,
    destinationOf,
    ownedBy,
  };
}

export type PurchasesService = ReturnType<typeof createPurchasesService>;
