// Ids with Stripe's prefixes and its base62 look; random so ids never collide across resets.
import { createHash, randomBytes } from 'node:crypto';

const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function randomToken(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += alphabet[byte % alphabet.length];
  return out;
}

export function newId(prefix: string, length = 24): string {
  return `${prefix}_${randomToken(length)}`;
}

/** An account id derived from its key, so a restarted emulator gives a stored key the same account. */
export function accountIdForKey(key: string): string {
  const digest = createHash('sha256').update(key).digest();
  let out = '';
  for (const byte of digest.subarray(0, 16)) out += alphabet[byte % alphabet.length];
  return `acct_${out}`;
}
