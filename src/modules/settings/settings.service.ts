// What the admin edits at run time: platform name, support email, default currency, outgoing email.
// The SMTP URL may hold a password, so it is sealed at rest with the app secret.

import type { Config } from '../../config.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Sealer } from '../../platform/crypto.ts';
import { type Changes, keptValues } from '../../platform/db/changes.ts';
import type { Database } from '../../platform/db/database.ts';
import type { Executor } from '../../platform/db/executor.ts';
import { type FieldProblem, ValidationError } from '../../platform/errors.ts';
import { isEmailAddress, isHttpUrl } from '../../platform/text.ts';
import { deleteSettingRow, readSettingRows, writeSettingRow } from './settings.repository.ts';

export interface PlatformSettings {
  platformName: string;
  supportEmail: string | null;
  /** Links the checkout page shows under its form (http or https), or null. */
  termsUrl: string | null;
  privacyUrl: string | null;
  defaultCurrency: string;
  /** The SMTP URL in force (database over SMTP_URL), unsealed; null means emails are only logged. */
  smtpUrl: string | null;
  mailFrom: string;
  /** How long a subscription whose payment failed keeps its access (days; Stripe retries meanwhile). */
  pastDueGraceDays: number;
  /** How long a referral link's cookie attributes a sale to its affiliate (days; last click wins). */
  affiliateCookieDays: number;
  /** How long a commission is held before it can be paid out (days; never shorter than a trial). */
  commissionHoldDays: number;
  /** The smallest balance paid out to an affiliate, in minor units of the default currency. */
  payoutMinimumMinor: number;
  /** What a group says to a member who has not posted there yet ("introduce yourself"); null: off. */
  welcomePrompt: string | null;
}

export interface SettingsPatch {
  platformName?: string;
  supportEmail?: string | null;
  termsUrl?: string | null;
  privacyUrl?: string | null;
  defaultCurrency?: string;
  smtpUrl?: string | null;
  mailFrom?: string | null;
  pastDueGraceDays?: number;
  affiliateCookieDays?: number;
  commissionHoldDays?: number;
  payoutMinimumMinor?: number;
  welcomePrompt?: string | null;
}

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
const KEYS = [
  'platformName',
  'supportEmail',
  'termsUrl',
  'privacyUrl',
  'defaultCurrency',
  'smtpUrl',
  'mailFrom',
  'pastDueGraceDays',
  'affiliateCookieDays',
  'commissionHoldDays',
  'payoutMinimumMinor',
  'welcomePrompt',
] as const;
/** Whole-number settings: their default and range. */
const NUMBERS = {
  pastDueGraceDays: { fallback: 7, min: 0, max: 60, unit: 'days' },
  affiliateCookieDays: { fallback: 30, min: 1, max: 365, unit: 'days' },
  commissionHoldDays: { fallback: 30, min: 0, max: 365, unit: 'days' },
  payoutMinimumMinor: { fallback: 1000, min: 0, max: 100_000_000, unit: 'minor units' },
} as const;
type NumberKey = keyof typeof NUMBERS;
const NUMBER_KEYS = Object.keys(NUMBERS) as NumberKey[];
export const DEFAULT_GRACE_DAYS = 7;
export const DEFAULT_PLATFORM_NAME = 'Guildhall';
export const DEFAULT_WELCOME_PROMPT = 'New here? Introduce yourself: who you are, and what brings you here.';
/** The longest welcome prompt. */
export const WELCOME_PROMPT_MAX = 300;

export interface SettingsDeps {
  db: Database;
  clock: Clock;
  config: Pick<Config, 'smtpUrl' | 'mailFrom' | 'publicUrl'>;
  sealer: Sealer;
  /** Tells the kept settings when any setting changes (the 'catalog' topic). */
  changes: Changes;
}

/** A URL as shown to the admin: the password replaced by ****. */
export function maskSmtpUrl(url: string | null): string | null {
  if (!url) return url;
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '****';
    return parsed.toString();
  } catch {
    return '****';
  }
}

/**
 * A masked password (****) keeps the stored one only for the very same account on the very same server:
 * otherwise "Send test email" would hand the stored password to whatever host was typed.
 */
export function withStoredPassword(given: string | null, stored: string | null): string | null {
  if (!given) return null;
  const next = new URL(given);
  if (next.password !== '****') return given;
  const previous = stored ? new URL(stored) : null;
  const sameAccount =
    previous !== null &&
    previous.protocol === next.protocol &&
    previous.hostname === next.hostname &&
    previous.port === next.port &&
    previous.username === next.username;
  if (!sameAccount) {
    throw ValidationError.field(
      'smtpUrl',
      'type the password again: the stored one is kept only for the same server, port and user',
    );
  }
  next.password = previous.password;
  return next.toString();
}

function defaultMailFrom(publicUrl: string): string {
  const host = new URL(publicUrl).hostname;
  return `no-reply@${host === 'localhost' || !host.includes('.') ? 'localhost.localdomain' : host}`;
}

export function createSettingsService(deps: SettingsDeps) {
  const { db, clock, config, sealer } = deps;

  // Read by most requests and changed rarely: kept in the process while no setting has changed (the
  // 'catalog' topic, src/platform/db/changes.ts). A transaction always reads its own.
  const keptSettings = keptValues<Readonly<PlatformSettings>>(deps.changes, 'catalog', 1);
  const keptInternals = keptValues<ReadonlyMap<string, unknown>>(deps.changes, 'catalog', 50);

  async function getSettings(executor: Executor = db): Promise<Readonly<PlatformSettings>> {
    const read = async () => Object.freeze(await readSettings(executor));
    return executor === db ? keptSettings.get('settings', read) : read();
  }

  async function readSettings(executor: Executor): Promise<PlatformSettings> {
    const rows = await readSettingRows(executor, KEYS);
    const sealed = rows.get('smtpUrl');
    return {
      platformName: (rows.get('platformName') as string | undefined) ?? DEFAULT_PLATFORM_NAME,
      supportEmail: (rows.get('supportEmail') as string | undefined) ?? null,
      termsUrl: (rows.get('termsUrl') as string | undefined) ?? null,
      privacyUrl: (rows.get('privacyUrl') as string | undefined) ?? null,
      defaultCurrency: (rows.get('defaultCurrency') as string | undefined) ?? 'usd',
      smtpUrl: typeof sealed === 'string' ? (sealed === '' ? null : sealer.open(sealed)) : config.smtpUrl,
      mailFrom:
        (rows.get('mailFrom') as string | undefined) ?? config.mailFrom ?? defaultMailFrom(config.publicUrl),
      pastDueGraceDays: (rows.get('pastDueGraceDays') as number | undefined) ?? DEFAULT_GRACE_DAYS,
      affiliateCookieDays:
        (rows.get('affiliateCookieDays') as number | undefined) ?? NUMBERS.affiliateCookieDays.fallback,
      commissionHoldDays:
        (rows.get('commissionHoldDays') as number | undefined) ?? NUMBERS.commissionHoldDays.fallback,
      payoutMinimumMinor:
        (rows.get('payoutMinimumMinor') as number | undefined) ?? NUMBERS.payoutMinimumMinor.fallback,
      // Never set: the default; set to '' by the creator: off.
      welcomePrompt: ((rows.get('welcomePrompt') as string | undefined) ?? DEFAULT_WELCOME_PROMPT) || null,
    };
  }

  /** Throws one ValidationError naming every bad field of a patch; reads nothing. */
  function validate(patch: SettingsPatch): void {
    const problems: FieldProblem[] = [];
    if (patch.welcomePrompt && patch.welcomePrompt.trim().length > WELCOME_PROMPT_MAX) {
      problems.push({ field: 'welcomePrompt', message: `must be at most ${WELCOME_PROMPT_MAX} characters` });
    }
    if (patch.platformName !== undefined && patch.platformName.trim().length === 0) {
      problems.push({ field: 'platformName', message: 'must not be empty' });
    }
    if (patch.supportEmail && !isEmailAddress(patch.supportEmail)) {
      problems.push({ field: 'supportEmail', message: 'must be an email address' });
    }
    for (const key of ['termsUrl', 'privacyUrl'] as const) {
      const url = patch[key]?.trim();
      if (url && !isHttpUrl(url)) problems.push({ field: key, message: 'must be an http or https URL' });
    }
    if (patch.defaultCurrency !== undefined && !CURRENCIES.has(patch.defaultCurrency.toUpperCase())) {
      problems.push({
        field: 'defaultCurrency',
        message: 'must be an ISO 4217 currency code, such as usd or eur',
      });
    }
    if (patch.smtpUrl) {
      let valid = false;
      try {
        const url = new URL(patch.smtpUrl);
        valid = (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname.length > 0;
      } catch {
        valid = false;
      }
      if (!valid)
        problems.push({ field: 'smtpUrl', message: 'must be an smtp:// or smtps:// URL with a host' });
    }
    if (patch.mailFrom) {
      const address = /<([^>]+)>\s*$/.exec(patch.mailFrom)?.[1] ?? patch.mailFrom;
      if (!isEmailAddress(address.trim())) {
        problems.push({
          field: 'mailFrom',
          message: 'must be an email address, optionally as "Name <address>"',
        });
      }
    }
    for (const [key, rule] of Object.entries(NUMBERS) as [
      keyof typeof NUMBERS,
      (typeof NUMBERS)[keyof typeof NUMBERS],
    ][]) {
      const value = patch[key];
      if (value !== undefined && (!Number.isInteger(value) || value < rule.min || value > rule.max)) {
        problems.push({
          field: key,
          message: `must be a whole number of ${rule.unit} from ${rule.min} to ${rule.max}`,
        });
      }
    }
    if (problems.length > 0) throw new ValidationError(problems);
  }

  /**
   * Saves the given settings; a masked SMTP password (****) keeps the stored one for the same server.
   * Who may change what is decided by the settings admin service; this one only stores.
   */
  async function updateSettings(patch: SettingsPatch, executor: Executor = db): Promise<PlatformSettings> {
    validate(patch);
    const now = clock.now();
    const current = await getSettings(executor);
    // Worked out before anything is written: a refusal changes nothing.
    const smtpUrl =
      patch.smtpUrl === undefined
        ? undefined
        : withStoredPassword(patch.smtpUrl?.trim() || null, current.smtpUrl);
    if (patch.platformName !== undefined)
      await writeSettingRow(executor, 'platformName', patch.platformName.trim(), now);
    if (patch.supportEmail !== undefined) {
      if (patch.supportEmail)
        await writeSettingRow(executor, 'supportEmail', patch.supportEmail.trim().toLowerCase(), now);
      else await deleteSettingRow(executor, 'supportEmail');
    }
    for (const key of ['termsUrl', 'privacyUrl'] as const) {
      const url = patch[key];
      if (url === undefined) continue;
      if (url?.trim()) await writeSettingRow(executor, key, url.trim(), now);
      else await deleteSettingRow(executor, key);
    }
    if (patch.defaultCurrency !== undefined) {
      await writeSettingRow(executor, 'defaultCurrency', patch.defaultCurrency.toLowerCase(), now);
    }
    if (patch.welcomePrompt !== undefined)
      await writeSettingRow(executor, 'welcomePrompt', patch.welcomePrompt?.trim() ?? '', now);
    if (smtpUrl !== undefined) {
      // An empty string is stored (sealed as '') so that clearing it here wins over SMTP_URL.
      await writeSettingRow(executor, 'smtpUrl', smtpUrl ? sealer.seal(smtpUrl) : '', now);
    }
    for (const key of NUMBER_KEYS) {
      const value = patch[key];
      if (value !== undefined) await writeSettingRow(executor, key, value, now);
    }
    if (patch.mailFrom !== undefined) {
      if (patch.mailFrom) await writeSettingRow(executor, 'mailFrom', patch.mailFrom.trim(), now);
      else await deleteSettingRow(executor, 'mailFrom');
    }
    return getSettings(executor);
  }

  /** A value the platform keeps for itself (never shown in Settings), e.g. the setup code's hash. */
  async function readInternal(key: string, executor: Executor = db): Promise<unknown> {
    return (await readInternals([key], executor)).get(key) ?? null;
  }

  /** Several internal values in one read; a key with no value is absent from the map. */
  async function readInternals(
    keys: readonly string[],
    executor: Executor = db,
  ): Promise<ReadonlyMap<string, unknown>> {
    const read = async (): Promise<ReadonlyMap<string, unknown>> => {
      const rows = await readSettingRows(
        executor,
        keys.map((key) => `internal:${key}`),
      );
      return new Map(
        keys.filter((key) => rows.has(`internal:${key}`)).map((key) => [key, rows.get(`internal:${key}`)]),
      );
    };
    // A transaction reads its own; the code asks for a few sets of keys, each kept once.
    return executor === db ? keptInternals.get(keys.join('\n'), read) : read();
  }

  async function writeInternal(key: string, value: unknown, executor: Executor = db): Promise<void> {
    if (value === null) await deleteSettingRow(executor, `internal:${key}`);
    else await writeSettingRow(executor, `internal:${key}`, value, clock.now());
  }

  return { getSettings, updateSettings, checkPatch: validate, readInternal, readInternals, writeInternal };
}

export type SettingsService = ReturnType<typeof createSettingsService>;
