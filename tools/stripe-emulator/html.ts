// Every value interpolated into a page goes through escapeHtml; pages are built from tagged pieces so
// the one place that escapes is easy to audit.

export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

export class SafeHtml {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

/** A template tag: interpolations are escaped unless they are already SafeHtml (or arrays of it). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    const items = Array.isArray(value) ? value : [value];
    for (const item of items) out += item instanceof SafeHtml ? item.value : escapeHtml(item);
    out += strings[i + 1] ?? '';
  });
  return new SafeHtml(out);
}

export function formatAmount(amountMinor: number, currency: string): string {
  const zeroDecimal = ['jpy', 'krw', 'vnd', 'clp', 'isk', 'ugx', 'xof', 'xaf'].includes(currency);
  const major = zeroDecimal ? amountMinor : amountMinor / 100;
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() }).format(
      major,
    );
  } catch {
    // An unknown code still deserves a readable amount rather than a failed page.
    return `${major} ${currency.toUpperCase()}`;
  }
}
