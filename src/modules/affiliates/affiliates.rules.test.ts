import { describe, expect, it } from 'vitest';
import {
  addMonths,
  commissionOf,
  commissionState,
  DAY_MS,
  flagOf,
  payableAt,
  referralCode,
  referralCodeOf,
  renewalEarns,
  shareAfterRefund,
} from './affiliates.rules.ts';

describe('commission arithmetic', () => {
  it.each([
    [50, 30, 15],
    [999, 33, 329],
    [1, 90, 0],
    [500, 25, 125], // 500 yen, zero-decimal: the same integer rule
    [0, 50, 0],
    [1999, 1, 19],
  ])('%i at %i%% earns %i (rounded down)', (paid, percent, expected) => {
    expect(commissionOf(paid, percent)).toBe(expected);
  });

  it('refunds take back a proportional share; a full refund takes it all', () => {
    expect(shareAfterRefund(1000, 0, 30)).toBe(300);
    expect(shareAfterRefund(1000, 250, 30)).toBe(225);
    expect(shareAfterRefund(1000, 1000, 30)).toBe(0);
    expect(shareAfterRefund(1000, 5000, 30)).toBe(0);
  });

  it('never leaves a ledger worth more than its share of paid minus refunded (property)', () => {
    let seed = 7;
    const next = (max: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % max;
    };
    for (let i = 0; i < 2000; i += 1) {
      const paid = 1 + next(1_000_000);
      const percent = 1 + next(90);
      let worth = commissionOf(paid, percent);
      let refunded = 0;
      for (let step = 0; step < 4; step += 1) {
        refunded = Math.min(paid, refunded + next(paid));
        const target = shareAfterRefund(paid, refunded, percent);
        worth += Math.min(0, target - worth); // a reversal only ever takes back
        expect(worth).toBeLessThanOrEqual(Math.floor(((paid - refunded) * percent) / 100));
        expect(worth).toBeGreaterThanOrEqual(0);
      }
    }
  });
});

describe('renewals', () => {
  const first = Date.UTC(2026, 0, 31);
  it('every, first only, or the first N months', () => {
    const second = { index: 2, paidAt: addMonths(first, 1), firstPaidAt: first };
    expect(renewalEarns({ recurring: 'every', months: null }, second)).toBe(true);
    expect(renewalEarns({ recurring: 'first', months: null }, second)).toBe(false);
    expect(renewalEarns({ recurring: 'first', months: null }, { ...second, index: 1, paidAt: first })).toBe(
      true,
    );
    expect(renewalEarns({ recurring: 'months', months: 3 }, { ...second, paidAt: addMonths(first, 2) })).toBe(
      true,
    );
    expect(renewalEarns({ recurring: 'months', months: 3 }, { ...second, paidAt: addMonths(first, 3) })).toBe(
      false,
    );
  });

  it('adds calendar months, clamping to the month’s end', () => {
    expect(new Date(addMonths(first, 1)).toISOString().slice(0, 10)).toBe('2026-02-28');
    expect(new Date(addMonths(first, 12)).toISOString().slice(0, 10)).toBe('2027-01-31');
  });
});

describe('holds and states', () => {
  it('holds for the hold period, never shorter than the trial', () => {
    expect(payableAt(0, 30, null)).toBe(30 * DAY_MS);
    expect(payableAt(0, 30, 45)).toBe(45 * DAY_MS);
    expect(payableAt(0, 0, 7)).toBe(7 * DAY_MS);
  });

  it('pending, payable, paid, reversed', () => {
    expect(commissionState({ payableAt: 10, paidOut: false }, 100, 5)).toBe('pending');
    expect(commissionState({ payableAt: 10, paidOut: false }, 100, 10)).toBe('payable');
    expect(commissionState({ payableAt: 10, paidOut: true }, 100, 50)).toBe('paid');
    expect(commissionState({ payableAt: 10, paidOut: true }, 0, 50)).toBe('reversed');
  });
});

describe('review flags and codes', () => {
  it('flags the same card or payout account, never blocks', () => {
    expect(
      flagOf(
        { cardFingerprint: 'fp1', payoutAccountId: null },
        { cardFingerprints: ['fp1'], payoutAccountId: null },
      ),
    ).toMatch(/card/);
    expect(
      flagOf(
        { cardFingerprint: null, payoutAccountId: 'acct_1' },
        { cardFingerprints: [], payoutAccountId: 'acct_1' },
      ),
    ).toMatch(/Stripe account/);
    expect(
      flagOf(
        { cardFingerprint: 'fp2', payoutAccountId: null },
        { cardFingerprints: ['fp1'], payoutAccountId: null },
      ),
    ).toBeNull();
  });

  it('makes 8-character codes from an unambiguous alphabet', () => {
    const code = referralCode(new Uint8Array([0, 1, 2, 3, 250, 251, 252, 253]));
    expect(code).toMatch(/^[a-z2-9]{8}$/);
    expect(code).not.toMatch(/[ilo01]/);
  });
});

describe('referral codes as they arrive', () => {
  it('takes a code as issued and nothing else, from a link, a cookie or a form', () => {
    expect(referralCodeOf('k7mq2xhp')).toBe('k7mq2xhp');
    for (const odd of ['partner-1', 'ABCDEFGH', 'abc', 'x'.repeat(33), ['k7mq2xhp'], 42, null, undefined])
      expect(referralCodeOf(odd)).toBeNull();
  });
});

describe('a refund of a payment that carried tax', () => {
  it('takes back the refund’s share of the tax-free amount the commission was earned on', () => {
    // 110 paid of which 10 tax: 10 % of 100 earned. Half refunded (55): half the commission stays.
    expect(shareAfterRefund(100, 55, 10, 110)).toBe(5);
    // All but the tax refunded (100 of 110): 100/110 of the tax-free 100 came back, 9 kept → 0.
    expect(shareAfterRefund(100, 100, 10, 110)).toBe(0);
    expect(shareAfterRefund(100, 110, 10, 110)).toBe(0);
    expect(shareAfterRefund(100, 0, 10, 110)).toBe(10);
  });
});
