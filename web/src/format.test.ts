import { describe, expect, it } from 'vitest';
import { formatDate, formatMoney } from './format.ts';

describe('formatting', () => {
  it('shows money in the currency’s own minor units', () => {
    expect(formatMoney(1999, 'usd')).toContain('19.99');
    expect(formatMoney(500, 'jpy')).toContain('500');
    expect(formatMoney(500, 'jpy')).not.toContain('5.00');
    expect(formatMoney(1234, 'zzz1')).toBe('1234 ZZZ1');
  });

  it('shows a missing date as a dash and a broken one as it is', () => {
    expect(formatDate(null)).toBe('—');
    expect(formatDate('not a date')).toBe('not a date');
  });
});
