// CSV exports (sales, commissions, payouts): what a spreadsheet opens safely.
import { isZeroDecimal, toMajor } from './pricing.ts';

/** One field, quoted; a leading = + - @ is defused so a spreadsheet never runs it as a formula. */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${safe.replace(/"/g, '""')}"`;
}

/** A line of fields. */
export function csvLine(values: readonly string[]): string {
  return values.map(csvField).join(',');
}

/** An amount as a spreadsheet reads it: 0.50 for cents, 500 for yen. */
export function csvAmount(amountMinor: number, currency: string): string {
  return isZeroDecimal(currency) ? String(amountMinor) : toMajor(amountMinor, currency).toFixed(2);
}

/** Every page of a cursor-paged list, for an export (a batch, never a page view). */
export async function allPages<T>(
  page: (cursor: string | undefined) => Promise<{ data: T[]; nextCursor: string | null }>,
): Promise<T[]> {
  const rows: T[] = [];
  let cursor: string | undefined;
  do {
    const next = await page(cursor);
    rows.push(...next.data);
    cursor = next.nextCursor ?? undefined;
  } while (cursor);
  return rows;
}
