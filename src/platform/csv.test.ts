import { describe, expect, it } from 'vitest';
import { allPages, csvAmount, csvLine } from './csv.ts';

describe('CSV exports', () => {
  it('quotes every field and defuses what a spreadsheet would run as a formula', () => {
    expect(csvLine(['a', 'say "hi"', '=HYPERLINK("x")', '+1', '-2', '@me'])).toBe(
      `"a","say ""hi""","'=HYPERLINK(""x"")","'+1","'-2","'@me"`,
    );
  });

  it('writes amounts in the currency’s own units', () => {
    expect(csvAmount(50, 'usd')).toBe('0.50');
    expect(csvAmount(500, 'jpy')).toBe('500');
  });

  it('reads every page of a cursor list', async () => {
    const pages: Record<string, { data: number[]; nextCursor: string | null }> = {
      first: { data: [1, 2], nextCursor: 'b' },
      b: { data: [3], nextCursor: null },
    };
    expect(await allPages(async (cursor) => pages[cursor ?? 'first'] as (typeof pages)[string])).toEqual([
      1, 2, 3,
    ]);
  });
});
