// Customer resell rights (DESIGN.md §5): a member who holds a paid offer with resell rights resells it
// with one link; a click is counted and remembered in a first-party cookie (last click wins, and the
// code also rides in the checkout form and the Stripe metadata); every payment of a referred sale earns
// the offer's percentage, frozen at the sale, while the affiliate still holds the offer; refunds and
// disputes write reversals; a ledger, never a counter. Payouts go by Stripe transfer to the affiliate's
// own connected account, or are marked paid by the creator.
import { randomBytes } from 'node:crypto';
import { type Actor, isStaffRole, requireStaff } from '../../platform/actor.ts';
import type { Clock } from '../../platform/clock.ts';
import { newId } from '../../platform/crypto.ts';
import type { Database } from '../../platform/db/database.ts';
import type { Executor } from '../../platform/db/executor.ts';
import type { CommissionRecurring } from '../../platform/db/schema.ts';
import { inTransaction } from '../../platform/db/tallies.ts';
import { AppError, ConflictError, ForbiddenError, NotFoundError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import { decodeCursor, pageOf } from '../../platform/pagination.ts';
import { formatMoney } from '../../platform/pricing.ts';
import type { AccessService } from '../access/index.ts';
import { affiliateSaleEmail, type EmailService, payoutSentEmail } from '../email/index.ts';
import type { SettingsService, StripeConnection } from '../settings/index.ts';
import {
  advancePayoutAttempt,
  affiliatesWithDue,
  attachCommissions,
  balancesOf,
  cardFingerprintsOfUser,
  clicksOf,
  countClick,
  earnedByDay,
  ensureAffiliateRow,
  failPayoutAttempt,
  findAffiliate,
  findAffiliateByCode,
  findAffiliateByStripeAccount,
  findAffiliateByUser,
  findCommissionOfPayment,
  findOpenPayout,
  findPayout,
  insertCommission,
  insertEntryOnce,
  insertPayout,
  lastPayoutOf,
  listAffiliateRows,
  listCommissionRows,
  listPayoutRows,
  lockAffiliate,
  markPayoutPaid,
  paymentsOfPurchase,
  salesOf,
  stateTotalsByOffer,
  updateAffiliate,
  worthOfCommission,
} from './affiliates.repository.ts';
import {
  type CommissionState,
  commissionOf,
  commissionState,
  DAY_MS,
  flagOf,
  payableAt,
  REFERRAL_CODE,
  referralCode,
  renewalEarns,
  shareAfterRefund,
} from './affiliates.rules.ts';

export const REF_COOKIE = 'gh_ref';
export const PAY_DUE_JOB = 'affiliates.pay_due';

export interface AffiliatesDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
  publicUrl: string;
  settings: Pick<SettingsService, 'getSettings'>;
  access: Pick<AccessService, 'liveEntitlement'>;
  email: Pick<EmailService, 'queueEmail'>;
  stripe: Pick<StripeConnection, 'client'>;
  /** Published paid offers with resell rights on (the offers module). */
  programs(): Promise<ResellProgram[]>;
}

export interface ResellProgram {
  id: string;
  title: string;
  slug: string;
  pricingModel: string;
  resellCommissionPercent: number | null;
  resellDescription: string | null;
  resellRecurring: CommissionRecurring;
  resellMonths: number | null;
}

/** The sale a payment belongs to, as the purchases module knows it. */
export interface ReferredPayment {
  purchase: {
    id: string;
    ref: string | null;
    userId: string | null;
    email: string;
    offerId: string;
    commissionPercent: number | null;
    commissionRecurring: CommissionRecurring | null;
    commissionMonths: number | null;
  };
  payment: {
    id: string;
    amountMinor: number;
    currency: string;
    paidAt: number;
    cardFingerprint: string | null;
  };
  offer: {
    id: string;
    title: string;
    resellEnabled: boolean;
    resellCommissionPercent: number | null;
    resellRecurring: CommissionRecurring;
    resellMonths: number | null;
    trialDays: number | null;
  };
}

/** a…@example.test: enough for an affiliate to tell sales apart, not to know who bought. */
export function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}…@${domain}`;
}

const money = (amountMinor: number, currency: string) => formatMoney(amountMinor, currency);

export function createAffiliatesService(deps: AffiliatesDeps) {
  const { db, clock, logger, publicUrl, settings, access, email, stripe } = deps;
  const partnerUrl = `${publicUrl}/hub/partner`;

  // --- attribution -------------------------------------------------------------------------------

  /** A visit through `?ref=`: counted once per page view, on the day. Answers whether the code is real. */
  async function recordClick(code: string, offer: { id: string; resellEnabled: boolean }): Promise<boolean> {
    if (!REFERRAL_CODE.test(code) || !offer.resellEnabled) return false;
    const affiliate = await findAffiliateByCode(db, code);
    if (!affiliate) return false;
    const now = clock.now();
    await countClick(db, affiliate.id, offer.id, now - (now % DAY_MS));
    return true;
  }

  async function cookieMaxAgeSeconds(): Promise<number> {
    return (await settings.getSettings()).affiliateCookieDays * 86_400;
  }

  // --- commissions, inside the payment's transaction ----------------------------------------------

  /**
   * A payment of a referred sale: writes its commission once, if the program is on, the affiliate
   * is not the buyer, holds the offer right now, is not staff, and this payment earns under the sale's
   * terms (frozen at its first payment). Answers the commission, or null.
   */
  async function earnOnPayment(trx: Executor, sale: ReferredPayment) {
    const { purchase, payment, offer } = sale;
    if (!purchase.ref || !REFERRAL_CODE.test(purchase.ref) || !offer.resellEnabled) return null;
    if (await findCommissionOfPayment(trx, payment.id)) return null;
    const affiliate = await findAffiliateByCode(trx, purchase.ref);
    if (!affiliate || affiliate.status !== 'active' || isStaffRole(affiliate.role)) return null;
    const selfReferral =
      affiliate.userId === purchase.userId || affiliate.email === purchase.email.toLowerCase();
    if (selfReferral) return null;
    // Resell rights: only someone who holds the offer at the moment of the sale (or renewal) earns.
    if (!(await access.liveEntitlement(trx, affiliate.userId, offer.id))) return null;

    // The purchases module froze these at the sale's first payment.
    const terms = {
      percent: purchase.commissionPercent ?? 0,
      recurring: purchase.commissionRecurring ?? 'every',
      months: purchase.commissionMonths,
    };
    const payments = await paymentsOfPurchase(trx, purchase.id);
    const index = payments.findIndex((row) => row.id === payment.id) + 1;
    const firstPaidAt = Number(payments[0]?.paidAt ?? payment.paidAt);
    if (!renewalEarns(terms, { index: index || payments.length, paidAt: payment.paidAt, firstPaidAt }))
      return null;
    const amount = commissionOf(payment.amountMinor, terms.percent);
    if (amount <= 0) return null;

    const { commissionHoldDays, platformName } = await settings.getSettings(trx);
    const buyerAffiliate = purchase.userId ? await findAffiliateByUser(trx, purchase.userId) : undefined;
    const flagged = flagOf(
      { cardFingerprint: payment.cardFingerprint, payoutAccountId: buyerAffiliate?.stripeAccountId ?? null },
      {
        cardFingerprints: await cardFingerprintsOfUser(trx, affiliate.userId),
        payoutAccountId: affiliate.stripeAccountId,
      },
    );
    const now = clock.now();
    const commission = await insertCommission(trx, {
      id: newId(),
      affiliateId: affiliate.id,
      purchaseId: purchase.id,
      paymentId: payment.id,
      offerId: offer.id,
      paidMinor: payment.amountMinor,
      currency: payment.currency,
      percent: terms.percent,
      amountMinor: amount,
      payableAt: payableAt(payment.paidAt, commissionHoldDays, offer.trialDays),
      payoutId: null,
      flagged,
      createdAt: now,
    });
    if (!commission) return null;
    await insertEntryOnce(trx, {
      id: newId(),
      commissionId: commission.id,
      affiliateId: affiliate.id,
      kind: 'earn',
      amountMinor: amount,
      currency: payment.currency,
      stripeObjectId: payment.id,
      dedupeKey: 'earn',
      createdAt: now,
    });
    await email.queueEmail(trx, {
      to: affiliate.email,
      kind: 'affiliate_sale',
      message: affiliateSaleEmail(
        { platformName },
        {
          name: affiliate.name,
          offerTitle: offer.title,
          commission: money(amount, payment.currency),
          payableOn: new Date(Number(commission.payableAt)).toISOString().slice(0, 10),
          url: partnerUrl,
        },
      ),
    });
    return commission;
  }

  /** Brings a commission's worth down to `target`, once per distinct cause. */
  async function reverseTo(
    trx: Executor,
    paymentId: string,
    target: (commission: { paidMinor: number; percent: number; amountMinor: number }) => number,
    cause: { key: string; kind: 'reverse' | 'restore'; stripeObjectId: string | null },
  ): Promise<void> {
    const commission = await findCommissionOfPayment(trx, paymentId);
    if (!commission) return;
    const worth = await worthOfCommission(trx, commission.id);
    const wanted = target({
      paidMinor: Number(commission.paidMinor),
      percent: commission.percent,
      amountMinor: Number(commission.amountMinor),
    });
    const delta = wanted - worth;
    if (delta === 0 || (cause.kind === 'reverse' && delta > 0)) return;
    await insertEntryOnce(trx, {
      id: newId(),
      commissionId: commission.id,
      affiliateId: commission.affiliateId,
      kind: cause.kind,
      amountMinor: delta,
      currency: commission.currency,
      stripeObjectId: cause.stripeObjectId,
      dedupeKey: cause.key,
      createdAt: clock.now(),
    });
  }

  /** A refund (of `refundedMinor` in all): the commission keeps its share of what was kept. */
  async function reverseOnRefund(
    trx: Executor,
    paymentId: string,
    refund: { refundedMinor: number; paymentMinor: number },
    stripeObjectId: string,
  ) {
    const { refundedMinor, paymentMinor } = refund;
    await reverseTo(
      trx,
      paymentId,
      (c) => Math.min(c.amountMinor, shareAfterRefund(c.paidMinor, refundedMinor, c.percent, paymentMinor)),
      {
        key: `refund:${refundedMinor}`,
        kind: 'reverse',
        stripeObjectId,
      },
    );
  }

  /** A dispute takes the whole commission back; won, it is restored (less what refunds took). */
  async function applyDispute(
    trx: Executor,
    paymentId: string,
    dispute: { id: string; status: 'open' | 'won' | 'lost'; refundedMinor: number; paymentMinor: number },
  ) {
    if (dispute.status === 'won') {
      await reverseTo(
        trx,
        paymentId,
        (c) =>
          Math.min(
            c.amountMinor,
            shareAfterRefund(c.paidMinor, dispute.refundedMinor, c.percent, dispute.paymentMinor),
          ),
        { key: `dispute:${dispute.id}:won`, kind: 'restore', stripeObjectId: dispute.id },
      );
      return;
    }
    await reverseTo(trx, paymentId, () => 0, {
      key: `dispute:${dispute.id}`,
      kind: 'reverse',
      stripeObjectId: dispute.id,
    });
  }

  // --- the member: Become a Partner ---------------------------------------------------------------

  function requireMember(actor: Actor): void {
    if (isStaffRole(actor.role))
      throw new ForbiddenError(
        'Staff are never affiliates: resell rights are for members.',
        'staff_not_affiliate',
      );
  }

  async function ensureAffiliate(userId: string) {
    return ensureAffiliateRow(db, {
      id: newId(),
      userId,
      code: referralCode(randomBytes(8)),
      stripeAccountId: null,
      createdAt: clock.now(),
    });
  }

  /** Programs open to the member (paid offers with resell rights they hold), their link, their numbers. */
  async function partnerOverview(actor: Actor) {
    requireMember(actor);
    const affiliate = await ensureAffiliate(actor.userId);
    const now = clock.now();
    const open = [];
    for (const offer of await deps.programs()) {
      if (await access.liveEntitlement(db, actor.userId, offer.id)) open.push(offer);
    }
    const since = now - 90 * DAY_MS;
    const [clicks, sales, byOffer, balances, byDay, recent, payout] = await Promise.all([
      clicksOf(db, affiliate.id, since),
      salesOf(db, affiliate.id),
      stateTotalsByOffer(db, affiliate.id, now),
      balancesOf(db, affiliate.id, now),
      earnedByDay(db, affiliate.id, since),
      listCommissionRows(db, {
        affiliateId: affiliate.id,
        offerId: null,
        flaggedOnly: false,
        after: null,
        limit: 20,
      }),
      lastPayoutOf(db, affiliate.id),
    ]);
    return {
      affiliate,
      programs: open,
      clicks,
      sales,
      byOffer,
      balances,
      byDay,
      recent,
      lastPayout: payout ?? null,
      now,
    };
  }

  /** Stripe Connect Express onboarding for the member's payouts: answers the onboarding link. */
  async function startPayoutOnboarding(actor: Actor): Promise<string> {
    requireMember(actor);
    const affiliate = await ensureAffiliate(actor.userId);
    const { stripe: client } = await stripe.client();
    let accountId = affiliate.stripeAccountId;
    if (!accountId) {
      const account = await client.accounts.create(
        {
          type: 'express',
          email: actor.email,
          capabilities: { transfers: { requested: true } },
          metadata: { guildhall_affiliate: affiliate.id },
        },
        { idempotencyKey: `gh-affiliate-account-${affiliate.id}` },
      );
      accountId = account.id;
      await updateAffiliate(db, affiliate.id, { stripeAccountId: accountId });
    }
    const link = await client.accountLinks.create({
      account: accountId,
      type: 'account_onboarding',
      refresh_url: `${partnerUrl}?payouts=refresh`,
      return_url: `${partnerUrl}?payouts=done`,
    });
    return link.url;
  }

  /** What Stripe says of an affiliate's connected account (`account.updated`, or their return). */
  async function refreshPayoutAccount(accountId: string): Promise<void> {
    const affiliate = await findAffiliateByStripeAccount(db, accountId);
    if (!affiliate) return;
    const { stripe: client } = await stripe.client();
    const account = await client.accounts.retrieve(accountId);
    const enabled = account.payouts_enabled === true && account.capabilities?.transfers === 'active';
    await updateAffiliate(db, affiliate.id, { payoutsEnabled: enabled ? 1 : 0 });
  }

  async function refreshOwnPayoutAccount(actor: Actor): Promise<void> {
    const affiliate = await findAffiliateByUser(db, actor.userId);
    if (affiliate?.stripeAccountId) await refreshPayoutAccount(affiliate.stripeAccountId);
  }

  // --- the creator: Affiliates ----------------------------------------------------------------------

  async function listAffiliates(actor: Actor, options: { cursor?: string; limit: number }) {
    requireStaff(actor);
    const rows = await listAffiliateRows(db, decodeCursor(options.cursor), options.limit);
    const page = pageOf(rows, options.limit, (row) => ({ at: Number(row.createdAt), id: row.id }));
    const now = clock.now();
    const data = await Promise.all(
      page.data.map(async (row) => {
        const [sales, balances, clicks, last] = await Promise.all([
          salesOf(db, row.id),
          balancesOf(db, row.id, now),
          clicksOf(db, row.id, now),
          lastPayoutOf(db, row.id),
        ]);
        return { affiliate: row, sales, balances, clicks: clicks.byOffer, lastPayout: last ?? null };
      }),
    );
    return { data, nextCursor: page.nextCursor };
  }

  async function listCommissions(
    actor: Actor,
    options: {
      affiliateId?: string;
      offerId?: string;
      flagged?: boolean;
      state?: CommissionState;
      cursor?: string;
      limit: number;
    },
  ) {
    requireStaff(actor);
    const rows = await listCommissionRows(db, {
      affiliateId: options.affiliateId ?? null,
      offerId: options.offerId ?? null,
      flaggedOnly: options.flagged === true,
      state: options.state ? { is: options.state, now: clock.now() } : null,
      after: decodeCursor(options.cursor),
      limit: options.limit,
    });
    const page = pageOf(rows, options.limit, (row) => ({ at: Number(row.createdAt), id: row.id }));
    const now = clock.now();
    return {
      data: page.data.map((row) => ({
        ...row,
        state: commissionState(
          { payableAt: Number(row.payableAt), paidOut: row.payoutStatus === 'paid' },
          Number(row.worthMinor),
          now,
        ),
      })),
      nextCursor: page.nextCursor,
    };
  }

  async function listPayouts(
    actor: Actor,
    options: { affiliateId?: string; cursor?: string; limit: number },
  ) {
    requireStaff(actor);
    const rows = await listPayoutRows(
      db,
      options.affiliateId ?? null,
      decodeCursor(options.cursor),
      options.limit,
    );
    return pageOf(rows, options.limit, (row) => ({ at: Number(row.createdAt), id: row.id }));
  }

  /** The payable balance of an affiliate in one currency (the default currency when they have several). */
  async function dueOf(affiliateId: string, executor: Executor = db) {
    const { defaultCurrency, payoutMinimumMinor } = await settings.getSettings(executor);
    const balances = await balancesOf(executor, affiliateId, clock.now());
    const balance =
      balances.find((b) => b.currency === defaultCurrency) ??
      balances.find((b) => b.payableMinor > 0) ??
      null;
    return { balance, minimum: payoutMinimumMinor };
  }

  /**
   * Pays an affiliate what is payable: by Stripe transfer to their connected account (`stripe`), or
   * recorded as paid by the creator with a reference (`manual`). A failed transfer must be retried
   * (never superseded), so nothing is paid twice.
   */
  async function createPayout(
    actor: Actor | null,
    affiliateId: string,
    input: { method: 'stripe' | 'manual'; reference?: string | null },
  ) {
    if (actor) requireStaff(actor, 'Only the owner and admins may pay affiliates.');
    const affiliate = await findAffiliate(db, affiliateId);
    if (!affiliate) throw new NotFoundError('No such affiliate.');
    // Checked and written in one transaction, the affiliate's row held: a payout is always of a balance
    // no other payout has taken.
    const payout = await inTransaction(db, async (trx) => {
      await lockAffiliate(trx, affiliate.id);
      const failed = await findOpenPayout(trx, affiliate.id);
      if (failed)
        throw new ConflictError(
          'payout_open',
          'This affiliate has a payout that is not finished: retry it first.',
          { payoutId: failed.id },
        );
      const { balance, minimum } = await dueOf(affiliate.id, trx);
      if (!balance || balance.payableMinor <= 0)
        throw new ConflictError('nothing_payable', 'Nothing is payable to this affiliate yet.');
      if (input.method === 'stripe' && balance.payableMinor < minimum)
        throw new ConflictError(
          'below_minimum',
          `The payable balance ${money(balance.payableMinor, balance.currency)} is below the payout minimum ${money(minimum, balance.currency)}.`,
        );
      if (input.method === 'stripe' && (!affiliate.stripeAccountId || affiliate.payoutsEnabled !== 1))
        throw new ConflictError(
          'payouts_not_connected',
          'This affiliate has not connected a Stripe account for payouts: pay them by hand and mark it paid.',
        );
      const now = clock.now();
      const row = await insertPayout(trx, {
        id: newId(),
        affiliateId: affiliate.id,
        amountMinor: balance.payableMinor,
        currency: balance.currency,
        method: input.method,
        status: input.method === 'manual' ? 'paid' : 'pending',
        stripeTransferId: null,
        reference: input.reference?.trim() || null,
        error: null,
        createdBy: actor?.userId ?? null,
        createdAt: now,
        paidAt: input.method === 'manual' ? now : null,
      });
      await attachCommissions(trx, affiliate.id, row.id, balance.currency, now);
      if (input.method === 'manual') await notifyPaid(trx, affiliate, row);
      return row;
    });
    return input.method === 'stripe' ? sendTransfer(payout.id) : payout;
  }

  async function notifyPaid(
    trx: Executor,
    affiliate: { email: string; name: string },
    payout: { amountMinor: number; currency: string; method: string; reference: string | null },
  ) {
    const { platformName } = await settings.getSettings(trx);
    const amount = money(Number(payout.amountMinor), payout.currency);
    await email.queueEmail(trx, {
      to: affiliate.email,
      kind: 'affiliate_payout',
      message: payoutSentEmail(
        { platformName },
        {
          name: affiliate.name,
          amount,
          how:
            payout.method === 'stripe'
              ? `${platformName} sent ${amount} to your Stripe account; Stripe pays it out to your bank on its schedule.`
              : `${platformName} paid you ${amount}${payout.reference ? ` (reference: ${payout.reference})` : ''}.`,
          url: partnerUrl,
        },
      ),
    });
  }

  /**
   * Sends (or resends) a payout's transfer, once whoever sends it and however often. Every sender agrees
   * on the attempt's number, which is its idempotency key at Stripe: a payout never sent, or failed,
   * moves to its next attempt in one conditional update (of two senders at once, one moves it and the
   * other uses that attempt); a pending one — in flight elsewhere, or cut off by a crash — is sent again
   * under the same number, so Stripe answers with the one transfer. Before sending, the transfers of
   * this payout's group are looked up: an attempt that went through at Stripe but was never recorded is
   * found instead of paid again.
   */
  async function sendTransfer(payoutId: string) {
    const current = async () => {
      const row = await findPayout(db, payoutId);
      if (!row) throw new NotFoundError('No such payout.');
      return row;
    };
    let payout = await current();
    if (payout.status === 'paid') return payout;
    const affiliate = await findAffiliate(db, payout.affiliateId);
    if (!affiliate?.stripeAccountId)
      throw new ConflictError('payouts_not_connected', 'No connected account.');
    const { stripe: client } = await stripe.client();
    if (payout.status === 'failed' || payout.attempts === 0) {
      const read = { status: payout.status, attempts: Number(payout.attempts) };
      payout = (await advancePayoutAttempt(db, payout.id, read)) ?? (await current());
      if (payout.status !== 'pending') return payout;
    }
    const attempt = Number(payout.attempts);
    // Looked up first every time: a transfer made by an attempt cut off before it was recorded (even
    // after Stripe forgot that attempt's key, 24 hours on) is recorded instead of sent again.
    const earlier = await client.transfers.list({ transfer_group: payout.id, limit: 1 });
    let transferId: string | null = earlier.data[0]?.id ?? null;
    if (!transferId) {
      try {
        const transfer = await client.transfers.create(
          {
            amount: Number(payout.amountMinor),
            currency: payout.currency,
            destination: affiliate.stripeAccountId,
            transfer_group: payout.id,
            metadata: { guildhall_payout: payout.id },
          },
          { idempotencyKey: `gh-payout-${payout.id}-${attempt}` },
        );
        transferId = transfer.id;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        // The same attempt in flight elsewhere: that sender records what Stripe does. (A key reused with
        // other parameters — the affiliate's account changed — is a failure: the next try is a new attempt.)
        const inFlight =
          (error as { type?: string }).type === 'StripeIdempotencyError' && !/same parameters/i.test(message);
        if (inFlight) return payout;
        logger.warn({ err: error, payoutId: payout.id }, 'affiliate payout failed');
        return (await failPayoutAttempt(db, payout.id, attempt, message.slice(0, 500))) ?? (await current());
      }
    }
    // Of the senders that got the transfer, the first records it and tells the affiliate.
    const paid = await inTransaction(db, async (trx) => {
      const recorded = await markPayoutPaid(trx, payout.id, transferId, clock.now());
      if (recorded) await notifyPaid(trx, affiliate, recorded);
      return recorded;
    });
    return paid ?? (await current());
  }

  async function retryPayout(actor: Actor, payoutId: string) {
    requireStaff(actor, 'Only the owner and admins may pay affiliates.');
    const payout = await findPayout(db, payoutId);
    if (!payout) throw new NotFoundError('No such payout.');
    if (payout.method !== 'stripe' || payout.status === 'paid')
      throw new AppError(
        'payout_not_retryable',
        409,
        'Only a Stripe payout that did not go through can be retried.',
      );
    return sendTransfer(payout.id);
  }

  /**
   * For paying by hand (PayPal, Wise): every affiliate without a connected Stripe account whose payable
   * balance reaches the minimum. A batch over affiliates, for an export, never a page view.
   */
  async function dueByHand(actor: Actor) {
    requireStaff(actor);
    const { payoutMinimumMinor } = await settings.getSettings();
    const due: { email: string; name: string; amountMinor: number; currency: string }[] = [];
    // Only affiliates with commissions due (an indexed read), never every affiliate there is.
    let after: string | null = null;
    for (;;) {
      const ids = await affiliatesWithDue(db, clock.now(), after, 100);
      if (ids.length === 0) break;
      for (const id of ids) {
        const row = await findAffiliate(db, id);
        if (!row || row.payoutsEnabled === 1) continue;
        for (const balance of await balancesOf(db, id, clock.now())) {
          if (balance.payableMinor > 0 && balance.payableMinor >= payoutMinimumMinor)
            due.push({
              email: row.email,
              name: row.name,
              amountMinor: balance.payableMinor,
              currency: balance.currency,
            });
        }
      }
      after = ids[ids.length - 1] as string;
    }
    return due;
  }

  /** The daily job: every affiliate with a connected account and a payable balance over the minimum. */
  async function payDue(): Promise<{ paid: number; failed: number }> {
    let after: string | null = null;
    let paid = 0;
    let failed = 0;
    for (;;) {
      const ids = await affiliatesWithDue(db, clock.now(), after, 100);
      if (ids.length === 0) break;
      for (const id of ids) {
        try {
          const payout = await createPayout(null, id, { method: 'stripe' });
          if (payout.status === 'paid') paid += 1;
          else failed += 1;
        } catch (error) {
          // Not connected, below the minimum, nothing payable, a payout open: the creator sees why.
          if (!(error instanceof AppError)) throw error;
        }
      }
      after = ids[ids.length - 1] as string;
    }
    return { paid, failed };
  }

  return {
    recordClick,
    cookieMaxAgeSeconds,
    earnOnPayment,
    reverseOnRefund,
    applyDispute,
    partnerOverview,
    startPayoutOnboarding,
    refreshPayoutAccount,
    refreshOwnPayoutAccount,
    listAffiliates,
    listCommissions,
    listPayouts,
    createPayout,
    retryPayout,
    payDue,
    dueByHand,
  };
}

export type AffiliatesService = ReturnType<typeof createAffiliatesService>;
