// Tokens, hashes, signatures and at-rest encryption. Secrets handed to people are random 256-bit values;
// only their SHA-256 is stored, so a leaked database hands out no sign-ins.
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  randomUUID,
  timingSafeEqual,
} from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

export function newId(): string {
  return randomUUID();
}

/** A random token for a link, cookie or key (base64url, 256 bits). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

export function hmac(secret: string, value: string): string {
  return createHmac('sha256', secret).update(value).digest('base64url');
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hashed: string, password: string): Promise<boolean>;
}

/** argon2id with the given memory cost (KiB); PASSWORD_HASH_COST lowers it in tests. */
export function createPasswordHasher(memoryCost: number): PasswordHasher {
  // Algorithm 2 is argon2id (the const enum is not importable under isolatedModules).
  const options = { algorithm: 2 as const, memoryCost, timeCost: 2, parallelism: 1 };
  return {
    hash: (password) => hash(password, options),
    async verify(hashed, password) {
      try {
        return await verify(hashed, password);
      } catch {
        // A malformed stored hash is a failed check, never a crash of the sign-in.
        return false;
      }
    },
  };
}

/** AES-256-GCM with a key derived from the app secret: for secrets kept at rest (Stripe keys, SMTP). */
export function createSealer(appSecret: string) {
  const key = createHash('sha256').update(`guildhall:seal:${appSecret}`).digest();
  // A sealed value always opens to the same text (the tag authenticates it), so the last few opened
  // are kept: a webhook reads the same key and signing secret on every delivery.
  const opened = new Map<string, string>();
  return {
    seal(plain: string): string {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
    },
    open(sealed: string): string {
      const known = opened.get(sealed);
      if (known !== undefined) return known;
      if (!sealed.startsWith('v1.')) throw new Error('unknown sealed format');
      const raw = Buffer.from(sealed.slice(3), 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      let plain: string;
      try {
        plain = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      } catch {
        // Said plainly in the log: the usual cause is a server started with another secret.
        throw new Error(
          'A secret stored in the database cannot be opened with this APP_SECRET: it was sealed with ' +
            'another one (set the APP_SECRET, or restore the DATA_DIR/secret.key, it was saved with).',
        );
      }
      if (opened.size >= 16) opened.clear();
      opened.set(sealed, plain);
      return plain;
    },
  };
}

export type Sealer = ReturnType<typeof createSealer>;
