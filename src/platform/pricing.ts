// Money and pricing rules, pure (shared with the web app's editor): Stripe's minimum charge per
// currency, zero-decimal currencies, and the price as a buyer reads it.

export type PricingModel = 'free' | 'one_time' | 'recurring';
export type Interval = 'week' | 'month' | 'year';

export interface Pricing {
  model: PricingModel;
  /** Integer minor units (cents; yen for JPY). 0 for free. */
  amountMinor: number;
  /** Lower-case ISO 4217, as Stripe writes it. */
  currency: string;
  interval: Interval | null;
  intervalCount: number | null;
  trialDays: number | null;
}

// Currencies Stripe charges in whole units (no minor unit).
const ZERO_DECIMAL = new Set([
  'bif',
  'clp',
  'djf',
  'gnf',
  'jpy',
  'kmf',
  'krw',
  'mga',
  'pyg',
  'rwf',
  'ugx',
  'vnd',
  'vuv',
  'xaf',
  'xof',
  'xpf',
]);
// Three-decimal currencies Stripe supports (amounts must end in 0 there; we do not sell in them).
const THREE_DECIMAL = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);

/** Stripe's minimum charge, in minor units, for the currencies it lists; others use about USD 0.50. */
export const MINIMUM_CHARGE: Readonly<Record<string, number>> = {
  usd: 50,
  aed: 200,
  aud: 50,
  bgn: 100,
  brl: 50,
  cad: 50,
  chf: 50,
  czk: 1500,
  dkk: 250,
  eur: 50,
  gbp: 30,
  hkd: 400,
  huf: 17500,
  inr: 50,
  jpy: 50,
  mxn: 1000,
  myr: 200,
  nok: 300,
  nzd: 50,
  pln: 200,
  ron: 200,
  sek: 300,
  sgd: 50,
  thb: 1000,
};

export function isZeroDecimal(currency: string): boolean {
  return ZERO_DECIMAL.has(currency.toLowerCase());
}

export function isSupportedCurrency(currency: string): boolean {
  const code = currency.toLowerCase();
  return /^[a-z]{3}$/.test(code) && !THREE_DECIMAL.has(code) && code in MINIMUM_CHARGE;
}

export function minimumCharge(currency: string): number {
  return MINIMUM_CHARGE[currency.toLowerCase()] ?? 50;
}

/** Minor units to a decimal amount, e.g. 999 usd → 9.99, 500 jpy → 500. */
export function toMajor(amountMinor: number, currency: string): number {
  return isZeroDecimal(currency) ? amountMinor : amountMinor / 100;
}

/** A decimal amount typed by a person to minor units, exactly (no float drift). */
export function toMinor(amount: string, currency: string): number | null {
  const trimmed = amount.trim();
  const decimals = isZeroDecimal(currency) ? 0 : 2;
  const pattern = decimals === 0 ? /^\d+$/ : /^\d+(\.\d{1,2})?$/;
  if (!pattern.test(trimmed)) return null;
  if (decimals === 0) return Number(trimmed);
  const [whole, fraction = ''] = trimmed.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

export function formatMoney(amountMinor: number, currency: string, locale = 'en-US'): string {
  const major = toMajor(amountMinor, currency);
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: currency.toUpperCase(),
    minimumFractionDigits: isZeroDecimal(currency) || Number.isInteger(major) ? 0 : 2,
    maximumFractionDigits: isZeroDecimal(currency) ? 0 : 2,
  }).format(major);
}

/** The price as a buyer reads it: "$9.99 / month", "$49 one-time", "Free", "$90 every 3 months". */
export function priceLabel(pricing: Pricing, locale = 'en-US'): string {
  if (pricing.model === 'free') return 'Free';
  const money = formatMoney(pricing.amountMinor, pricing.currency, locale);
  if (pricing.model === 'one_time') return `${money} one-time`;
  const count = pricing.intervalCount ?? 1;
  const unit = pricing.interval ?? 'month';
  return count === 1 ? `${money} / ${unit}` : `${money} every ${count} ${unit}s`;
}

/** "7-day free trial", or null. */
export function trialLabel(pricing: Pricing): string | null {
  return pricing.model === 'recurring' && pricing.trialDays ? `${pricing.trialDays}-day free trial` : null;
}
