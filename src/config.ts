// The only reader of process.env. One table of keys, read once at start, every bad key listed in one error,
// frozen and passed down. Every key has a default that works for a newcomer.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { compile as compileProxyAddresses } from '@fastify/proxy-addr';

/** A value's reason for being refused, named with its key in the one ConfigError. */
class Refused extends Error {}
const refuse = (reason: string): never => {
  throw new Refused(reason);
};

/** How one key is read: a set value through `read`, an unset (or empty) one as `absent`. */
interface Key<T> {
  read(value: string): T;
  absent: T;
}
const key = <T>(read: (value: string) => T, absent: T): Key<T> => ({ read, absent });
const optional = <T>(read: (value: string) => T): Key<T | undefined> => ({ read, absent: undefined });

const integer =
  (min: number, max: number) =>
  (value: string): number => {
    const number = /^\s*-?\d+\s*$/.test(value) ? Number(value) : refuse('must be a whole number');
    return number >= min && number <= max ? number : refuse(`must be between ${min} and ${max}`);
  };
const text =
  (min = 1) =>
  (value: string): string =>
    value.length >= min ? value : refuse(`must be at least ${min} characters`);
const matching =
  (pattern: RegExp, reason: string) =>
  (value: string): string =>
    pattern.test(value) ? value : refuse(reason);
const oneOf =
  <T extends string>(values: readonly T[]) =>
  (value: string): T =>
    values.includes(value as T) ? (value as T) : refuse(`must be one of ${values.join(', ')}`);
const httpUrl = (value: string): string => {
  const url = value.trim();
  return /^https?:\/\/./.test(url) && URL.canParse(url) ? url : refuse('must be an http:// or https:// URL');
};
const flag = (value: string): boolean => {
  const word = value.toLowerCase();
  if (word === 'true' || word === '1' || word === 'yes') return true;
  if (word === 'false' || word === '0' || word === 'no') return false;
  return refuse('must be true or false');
};

/** proxy-addr's names for ranges, which Fastify's trustProxy takes as addresses. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];
/**
 * Whether Fastify will take these as its trusted proxies, by proxy-addr's own check (what Fastify
 * compiles `trustProxy` with: addresses, CIDR or netmask ranges, its names), so a value is refused
 * here, naming the variable, never inside Fastify. Each address must be written out in full as well:
 * proxy-addr reads `1.2.3` as 1.2.0.3, which is more likely a typo.
 */
const areProxyAddresses = (entries: string[]): boolean => {
  const written = entries.every(
    (entry) => PROXY_RANGE_NAMES.includes(entry) || isIP(entry.split('/')[0] ?? '') !== 0,
  );
  if (!written) return false;
  try {
    compileProxyAddresses(entries);
    return true;
  } catch {
    return false;
  }
};
/** TRUST_PROXY: true or false, a hop count (0: none), or the proxies' addresses and ranges. */
const trustProxy = (value: string): boolean | number | string => {
  const word = value.trim().toLowerCase();
  if (word === 'true' || word === 'yes') return true;
  if (word === 'false' || word === 'no') return false;
  if (/^\d+$/.test(word)) return Number(word) || false;
  const entries = word.split(',').map((entry) => entry.trim());
  return areProxyAddresses(entries)
    ? entries.join(',')
    : refuse(
        'must be true, false, a hop count, or the proxies’ addresses (IPs, CIDR or netmask ranges, comma-separated)',
      );
};

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

const keys = {
  /** TCP port the web server listens on. */
  PORT: key(integer(0, 65535), 3000),
  /** Interface to listen on; 0.0.0.0 to be reachable from other machines. */
  HOST: key(text(), '127.0.0.1'),
  /** Where the SQLite database, the generated secret and uploads live. */
  DATA_DIR: key(text(), './data'),
  /** The address people use to reach Guildhall; used in emails and to set Secure cookies. */
  PUBLIC_URL: optional(httpUrl),
  /** postgres://… to run on PostgreSQL; unset means SQLite in DATA_DIR. */
  DATABASE_URL: optional(
    matching(/^(postgres(ql)?:\/\/|sqlite:)/, 'must start with postgres://, postgresql:// or sqlite:'),
  ),
  /** Default outgoing mail server (smtp:// or smtps://); Settings → Outgoing email overrides it. */
  SMTP_URL: optional(matching(/^smtps?:\/\//, 'must start with smtp:// or smtps://')),
  /** Default sender address for outgoing email. */
  MAIL_FROM: optional(text(3)),
  /** Secret for signing and encryption; generated into DATA_DIR on first start when unset. */
  APP_SECRET: optional(text(32)),
  /** Trust X-Forwarded-* from proxies in front: a hop count (1 = the one proxy in front), true, or addresses. */
  TRUST_PROXY: key(trustProxy, false),
  /** trace, debug, info, warn, error, fatal or silent. */
  LOG_LEVEL: key(oneOf(LOG_LEVELS), 'info'),
  /** argon2id memory cost in KiB; the default follows OWASP, tests lower it to stay fast. */
  PASSWORD_HASH_COST: key(integer(8, 1_048_576), 19_456),
  /** Run the job worker inside the web process (set false when running `guildhall worker` apart). */
  RUN_WORKER: key(flag, true),
  /** Stripe API base, for pointing the SDK at the emulator (http://127.0.0.1:12111); unset is Stripe. */
  STRIPE_API_URL: optional(httpUrl),
  /** A demonstration (`guildhall demo`): every page says so; payments go to the offline emulator. */
  DEMO: key(flag, false),
  /** Web processes `guildhall start` runs on one port; unset means one per core (`--processes` wins). */
  PROCESSES: optional(integer(1, 64)),
  /**
   * PostgreSQL only: send hot queries as named prepared statements (planned once per connection). Set
   * false behind a pooler in transaction mode that does not support them (PgBouncer before 1.21).
   */
  DATABASE_PREPARED_STATEMENTS: key(flag, true),
  /**
   * PostgreSQL only: where each process's listening connection goes (LISTEN, for in-process caches);
   * defaults to DATABASE_URL. Point it past PgBouncer in transaction mode, which cannot listen.
   */
  DATABASE_LISTEN_URL: optional(matching(/^postgres(ql)?:\/\//, 'must start with postgres://')),
  /** Keep hot values (who a session is, public offer pages) in each process, told of every change. */
  IN_PROCESS_CACHE: key(flag, true),
  /** redis://… for rate limits shared by several processes or machines; without it they use the database. */
  REDIS_URL: optional(matching(/^rediss?:\/\//, 'must start with redis:// or rediss://')),
};

export type Env = { [Name in keyof typeof keys]: (typeof keys)[Name] extends Key<infer T> ? T : never };

/** Reads every key; throws one ConfigError naming every key it refused and why. */
function readKeys(raw: NodeJS.ProcessEnv): Env {
  const env: Record<string, unknown> = {};
  const refused: string[] = [];
  for (const [name, spec] of Object.entries(keys) as [string, Key<unknown>][]) {
    const value = raw[name];
    try {
      env[name] = value === undefined || value === '' ? spec.absent : spec.read(value);
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      refused.push(`  ${name}: ${error.message}`);
    }
  }
  if (refused.length > 0) throw new ConfigError(`Invalid configuration:\n${refused.join('\n')}`);
  return env as Env;
}

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  publicUrl: string;
  /** True when the public URL is https: cookies get the Secure flag. */
  secureCookies: boolean;
  database:
    | { kind: 'sqlite'; file: string; inProcessCache?: boolean }
    | {
        kind: 'postgres';
        url: string;
        preparedStatements?: boolean;
        /** The listening connection's URL (in-process caches); `url` when unset. */
        listenUrl?: string;
        inProcessCache?: boolean;
      };
  smtpUrl: string | null;
  mailFrom: string | null;
  appSecret: string;
  trustProxy: boolean | number | string;
  logLevel: Env['LOG_LEVEL'];
  passwordHashCost: number;
  runWorker: boolean;
  stripeApiUrl: string | null;
  demo: boolean;
  /** PROCESSES as given; `guildhall start` sets it for the processes it runs. Null: one process. */
  processes: number | null;
  redisUrl: string | null;
}

export class ConfigError extends Error {}

/** Reads `.env` in the working directory (when present) under the real environment, which wins. */
function readEnv(source: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const file = resolve('.env');
  if (source !== process.env || !existsSync(file)) return source;
  const fromFile: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const match = /^\s*([A-Z_][A-Z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match?.[1]) continue;
    fromFile[match[1]] = (match[2] ?? '').replace(/^(['"])(.*)\1$/, '$2');
  }
  return { ...fromFile, ...source };
}

/**
 * The data directory holds the database (and, without SMTP, live sign-in links in the Emails log):
 * only the account that runs Guildhall may enter it. An existing one made by an older version is
 * tightened too.
 */
function makePrivateDirectory(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if ((statSync(dir).mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

function loadSecret(dataDir: string, given: string | undefined): string {
  if (given) return given;
  const file = join(dataDir, 'secret.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return secret;
}

/** Parses and validates the environment once; throws one ConfigError naming every bad key. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const env = readKeys(readEnv(source));
  const dataDir = resolve(env.DATA_DIR);
  makePrivateDirectory(dataDir);
  const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
  const database: Config['database'] =
    env.DATABASE_URL && !env.DATABASE_URL.startsWith('sqlite:')
      ? {
          kind: 'postgres',
          url: env.DATABASE_URL,
          preparedStatements: env.DATABASE_PREPARED_STATEMENTS,
          ...(env.DATABASE_LISTEN_URL ? { listenUrl: env.DATABASE_LISTEN_URL } : {}),
          inProcessCache: env.IN_PROCESS_CACHE,
        }
      : {
          kind: 'sqlite',
          file: env.DATABASE_URL
            ? resolve(env.DATABASE_URL.slice('sqlite:'.length).replace(/^\/\//, ''))
            : join(dataDir, 'guildhall.sqlite'),
          inProcessCache: env.IN_PROCESS_CACHE,
        };
  return Object.freeze({
    port: env.PORT,
    host: env.HOST,
    dataDir,
    publicUrl,
    secureCookies: publicUrl.startsWith('https://'),
    database,
    smtpUrl: env.SMTP_URL ?? null,
    mailFrom: env.MAIL_FROM ?? null,
    appSecret: loadSecret(dataDir, env.APP_SECRET),
    trustProxy: env.TRUST_PROXY,
    logLevel: env.LOG_LEVEL,
    passwordHashCost: env.PASSWORD_HASH_COST,
    runWorker: env.RUN_WORKER,
    stripeApiUrl: env.STRIPE_API_URL ?? null,
    demo: env.DEMO,
    processes: env.PROCESSES ?? null,
    redisUrl: env.REDIS_URL ?? null,
  });
}
