// Typed reading of decoded parameters. Every failure names the parameter the way Stripe does
// (`line_items[0][price]`), so the SDK's error `param` points at the caller's mistake.
import { invalidParam, missingParam } from './errors.ts';
import type { ParamObject, ParamValue } from './form.ts';

const localPart = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const domainPart = /^([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}$/;

/**
 * What Stripe takes as an email address: `local@domain.tld`, ASCII, no spaces (a leading or trailing
 * one included), a domain with a dot and a top-level name. Refused, as on Stripe: `a@com`, `a@gmail`,
 * ` a@b.com`, `a＠b.com`, `a@b..com`.
 */
export function isEmailAddress(value: string): boolean {
  const at = value.lastIndexOf('@');
  if (at <= 0 || value.length > 512) return false;
  return localPart.test(value.slice(0, at)) && domainPart.test(value.slice(at + 1));
}

export class Params {
  readonly raw: ParamObject;
  private readonly prefix: string;

  constructor(raw: ParamObject, prefix = '') {
    this.raw = raw;
    this.prefix = prefix;
  }

  name(key: string): string {
    return this.prefix ? `${this.prefix}[${key}]` : key;
  }

  has(key: string): boolean {
    return this.raw[key] !== undefined;
  }

  string(key: string): string | undefined {
    const value = this.raw[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'object') throw invalidParam(this.name(key), `Invalid string: ${this.name(key)}`);
    return String(value);
  }

  /**
   * An email address, refused as Stripe refuses a malformed one (400 `email_invalid`, `Invalid email
   * address: …`, `param` naming it). An empty value is `''` (it clears the field on updates).
   */
  email(key: string): string | undefined {
    const value = this.string(key);
    if (value === undefined || value === '') return value;
    if (!isEmailAddress(value)) {
      throw invalidParam(this.name(key), `Invalid email address: ${value}`, 'email_invalid');
    }
    return value;
  }

  /** An http(s) URL, refused otherwise as Stripe refuses one (400 `url_invalid`). `''` stays `''`. */
  url(key: string): string | undefined {
    const value = this.string(key);
    if (value === undefined || value === '') return value;
    let valid = false;
    try {
      const parsed = new URL(value);
      valid = (parsed.protocol === 'http:' || parsed.protocol === 'https:') && /^https?:\/\//i.test(value);
    } catch {
      valid = false;
    }
    if (!valid) {
      throw invalidParam(
        this.name(key),
        `Invalid URL: ${value}. URLs must begin with http or https.`,
        'url_invalid',
      );
    }
    return value;
  }

  requiredString(key: string): string {
    const value = this.string(key);
    if (value === undefined || value === '') throw missingParam(this.name(key));
    return value;
  }

  integer(key: string): number | undefined {
    const value = this.string(key);
    if (value === undefined || value === '') return undefined;
    if (!/^-?\d+$/.test(value))
      throw invalidParam(this.name(key), `Invalid integer: ${value}`, 'parameter_invalid_integer');
    return Number(value);
  }

  requiredInteger(key: string): number {
    const value = this.integer(key);
    if (value === undefined) throw missingParam(this.name(key));
    return value;
  }

  boolean(key: string): boolean | undefined {
    const value = this.string(key);
    if (value === undefined || value === '') return undefined;
    if (value !== 'true' && value !== 'false')
      throw invalidParam(this.name(key), `Invalid boolean: ${value}`);
    return value === 'true';
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const value = this.string(key);
    if (value === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(value)) {
      throw invalidParam(this.name(key), `Invalid ${this.name(key)}: must be one of ${allowed.join(', ')}`);
    }
    return value as T;
  }

  child(key: string): Params | undefined {
    const value = this.raw[key];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw invalidParam(this.name(key), `Invalid object: ${this.name(key)}`);
    }
    return new Params(value, this.name(key));
  }

  children(key: string): Params[] {
    const value = this.raw[key];
    if (value === undefined || value === null || value === '') return [];
    const items: ParamValue[] = Array.isArray(value)
      ? value
      : typeof value === 'object'
        ? Object.values(value)
        : [];
    if (items.length === 0 && typeof value !== 'object')
      throw invalidParam(this.name(key), `Invalid array: ${this.name(key)}`);
    return items.map((item, i) => {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) {
        throw invalidParam(`${this.name(key)}[${i}]`, `Invalid object: ${this.name(key)}[${i}]`);
      }
      return new Params(item, `${this.name(key)}[${i}]`);
    });
  }

  strings(key: string): string[] {
    const value = this.raw[key];
    if (value === undefined || value === null || value === '') return [];
    if (Array.isArray(value)) return value.map(String);
    if (typeof value === 'object') return Object.values(value).map(String);
    return [String(value)];
  }

  /** Stripe's metadata semantics: `metadata=''` clears, `metadata[k]=''` removes one key. */
  metadata(current: Record<string, string> = {}): Record<string, string> {
    const value = this.raw.metadata;
    if (value === undefined || value === null) return { ...current };
    if (value === '') return {};
    if (typeof value !== 'object' || Array.isArray(value))
      throw invalidParam(this.name('metadata'), 'Invalid metadata');
    const out = { ...current };
    for (const [k, v] of Object.entries(value)) {
      if (v === '' || v === null) delete out[k];
      else out[k] = String(v);
    }
    if (Object.keys(out).length > 50)
      throw invalidParam(this.name('metadata'), 'Metadata may have at most 50 keys');
    return out;
  }
}
