// Small text rules shared by modules.

/** A URL slug from a name: lower-case ASCII letters, digits and single dashes, at most 60 characters. */
export function slugify(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/g, '');
}

export const SLUG_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;

const EMAIL_PATTERN = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;

/**
 * Whether a value is one email address (at most 254 characters, a dot in the domain, nothing that
 * would make it a list or a display name): the one check every address goes through.
 */
export function isEmailAddress(value: string): boolean {
  return value.length <= 254 && EMAIL_PATTERN.test(value);
}

/** Whether a value is an absolute http(s) URL with a host (no javascript:, data:, relative paths). */
export function isHttpUrl(value: string): boolean {
  return normalizedHttpUrl(value) !== null;
}

/**
 * An absolute http(s) URL as the URL parser writes it (tabs and line breaks gone, the rest
 * percent-encoded), or null. What is stored and later put in a Location header is always this form.
 */
export function normalizedHttpUrl(value: string): string | null {
  try {
    const url = new URL(value.trim());
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0
      ? url.href
      : null;
  } catch {
    return null;
  }
}
