import { describe, expect, it } from 'vitest';
import { formatMoney, isSupportedCurrency, minimumCharge, priceLabel, toMinor } from './pricing.ts';

const base = {
  amountMinor: 0,
  currency: 'usd',
  interval: null,
  intervalCount: null,
  trialDays: null,
} as const;

describe('prices as a buyer reads them', () => {
  it.each([
    [{ ...base, model: 'free' as const }, 'Free'],
    [{ ...base, model: 'one_time' as const, amountMinor: 4900 }, '$49 one-time'],
    [
      {
        ...base,
        model: 'recurring' as const,
        amountMinor: 999,
        interval: 'month' as const,
        intervalCount: 1,
      },
      '$9.99 / month',
    ],
    [
      {
        ...base,
        model: 'recurring' as const,
        amountMinor: 9000,
        interval: 'month' as const,
        intervalCount: 3,
      },
      '$90 every 3 months',
    ],
    [{ ...base, model: 'one_time' as const, amountMinor: 500, currency: 'jpy' }, '¥500 one-time'],
    [
      {
        ...base,
        model: 'recurring' as const,
        amountMinor: 1250,
        currency: 'eur',
        interval: 'year' as const,
        intervalCount: 1,
      },
      '€12.50 / year',
    ],
  ])('%j reads %s', (pricing, label) => {
    expect(priceLabel(pricing)).toBe(label);
  });
});

describe('amounts typed by people', () => {
  it('become exact minor units, zero-decimal currencies included', () => {
    expect(toMinor('9.99', 'usd')).toBe(999);
    expect(toMinor('0.5', 'usd')).toBe(50);
    expect(toMinor('19', 'usd')).toBe(1900);
    expect(toMinor('0.1', 'usd')).toBe(10);
    expect(toMinor('500', 'jpy')).toBe(500);
    expect(toMinor('5.5', 'jpy')).toBeNull();
    expect(toMinor('1.234', 'usd')).toBeNull();
    expect(toMinor('-1', 'usd')).toBeNull();
    expect(toMinor('abc', 'usd')).toBeNull();
  });

  it('formats money without float noise', () => {
    expect(formatMoney(1, 'usd')).toBe('$0.01');
    expect(formatMoney(100000, 'usd')).toBe('$1,000');
  });
});

describe('Stripe minimums', () => {
  it('follow the currency', () => {
    expect(minimumCharge('usd')).toBe(50);
    expect(minimumCharge('EUR')).toBe(50);
    expect(minimumCharge('gbp')).toBe(30);
    expect(minimumCharge('jpy')).toBe(50);
    expect(isSupportedCurrency('USD')).toBe(true);
    expect(isSupportedCurrency('kwd')).toBe(false);
    expect(isSupportedCurrency('zzz')).toBe(false);
  });
});
