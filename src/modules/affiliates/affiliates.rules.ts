// The arithmetic of resell rights (DESIGN.md §5), pure and table-tested: what a payment earns, what a
// refund takes back, which renewals count, when a commission becomes payable. Money is integer minor
// units, so "rounded down to the minor unit" is integer division, right for zero-decimal currencies too.
import type { CommissionRecurring } from '../../platform/db/schema.ts';

export const DAY_MS = 24 * 3600_000;

/** A commission: `percent` of what was paid, rounded down. */
export function commissionOf(paidMinor: number, percent: number): number {
  if (paidMinor <= 0 || percent <= 0) return 0;
  return Math.floor((paidMinor * percent) / 100);
}

/**
 * What a commission is still worth after `refundedMinor` of its payment came back: its share of what
 * was kept, never more than it earned. A reversal is the difference, so the ledger of a commission
 * never sums to more than its share of paid minus refunded.
 */
export function shareAfterRefund(
  paidMinor: number,
  refundedMinor: number,
  percent: number,
  grossMinor: number = paidMinor,
): number {
  // Commission was earned on the payment without its tax (`paidMinor` of `grossMinor`): a refund takes
  // back the same proportion of that, not its tax-included amount.
  const refunded = grossMinor > 0 ? Math.round((refundedMinor * paidMinor) / grossMinor) : refundedMinor;
  return commissionOf(Math.max(0, paidMinor - Math.min(refunded, paidMinor)), percent);
}

/** Whether the payment made at `paidAt` earns commission under the sale's frozen terms. */
export function renewalEarns(
  terms: { recurring: CommissionRecurring; months: number | null },
  payment: { index: number; paidAt: number; firstPaidAt: number },
): boolean {
  if (terms.recurring === 'every') return true;
  if (terms.recurring === 'first') return payment.index === 1;
  const months = terms.months ?? 0;
  return payment.paidAt < addMonths(payment.firstPaidAt, months);
}

/** Calendar months later (the 31st becomes the month's last day). */
export function addMonths(at: number, months: number): number {
  const date = new Date(at);
  const day = date.getUTCDate();
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() + months);
  const last = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(day, last));
  return date.getTime();
}

/** A commission is held for the hold period, and never less than the offer's trial. */
export function payableAt(paidAt: number, holdDays: number, trialDays: number | null): number {
  return paidAt + Math.max(holdDays, trialDays ?? 0) * DAY_MS;
}

export type CommissionState = 'pending' | 'payable' | 'paid' | 'reversed';

/** Where a commission stands, from its ledger and whether a payout covered it. */
export function commissionState(
  commission: { payableAt: number; paidOut: boolean },
  worthMinor: number,
  now: number,
): CommissionState {
  if (worthMinor <= 0) return 'reversed';
  if (commission.paidOut) return 'paid';
  return commission.payableAt <= now ? 'payable' : 'pending';
}

/** Why a referred sale needs the creator's look (not blocked): the same card or payout account. */
export function flagOf(
  buyer: { cardFingerprint: string | null; payoutAccountId: string | null },
  affiliate: { cardFingerprints: readonly string[]; payoutAccountId: string | null },
): string | null {
  if (buyer.cardFingerprint && affiliate.cardFingerprints.includes(buyer.cardFingerprint))
    return 'The buyer paid with a card the affiliate has used.';
  if (buyer.payoutAccountId && buyer.payoutAccountId === affiliate.payoutAccountId)
    return 'The buyer and the affiliate are paid out to the same Stripe account.';
  return null;
}

/** A referral code: 8 characters that read unambiguously. */
export function referralCode(random: Uint8Array): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  return [...random.slice(0, 8)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

export const REFERRAL_CODE = /^[a-z0-9]{4,32}$/;

/** A referral code as it arrived (a link's `?ref=`, a cookie, a form field), or null when it is not one. */
export function referralCodeOf(value: unknown): string | null {
  return typeof value === 'string' && REFERRAL_CODE.test(value) ? value : null;
}
