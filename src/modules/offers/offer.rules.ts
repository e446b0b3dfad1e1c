// The offer editor's rules, pure: what a change may hold and what it makes of the offer. The limits
// are also the request schema's bounds (offer.routes.ts), so the OpenAPI document states them; these
// functions add what a schema cannot say — a title that is only spaces, a price under Stripe's minimum
// for its currency, a trial on a one-time price, what publishing needs — in the editor's words.

import type { CommissionRecurring, RefundPolicy } from '../../platform/db/schema.ts';
import type { FieldProblem } from '../../platform/errors.ts';
import {
  formatMoney,
  type Interval,
  isSupportedCurrency,
  minimumCharge,
  type Pricing,
  type PricingModel,
} from '../../platform/pricing.ts';
import { normalizedHttpUrl, SLUG_PATTERN } from '../../platform/text.ts';
import { TOKEN_VARIABLES, variablesIn } from '../email/index.ts';
import type { Block } from './landing.ts';
import { parseBlocks } from './landing.ts';
import type { OfferRow } from './offer.repository.ts';

/** What a creator may type into the editor; the request schema's bounds. */
export const OFFER_LIMITS = {
  title: 120,
  description: 300,
  slug: 60,
  /** Stripe's largest single charge, in minor units. */
  amountMinor: 99_999_999,
  trialDays: 730,
  hubGroups: 100,
  emailSubject: 200,
  emailBody: 10_000,
  url: 2000,
  resellDescription: 2000,
  resellMonths: 120,
  commissionPercent: { min: 1, max: 90 },
  customCode: 50_000,
} as const;

export interface OfferInput {
  type?: string;
  title?: string;
  description?: string;
  slug?: string;
  status?: string;
  pricing?: Partial<{
    model: string;
    amountMinor: number;
    currency: string;
    interval: string | null;
    intervalCount: number | null;
    trialDays: number | null;
  }>;
  hubGroupIds?: string[];
  confirmationEmail?: { subject?: string | null; body?: string | null };
  destination?: { customUrl?: string | null };
  resell?: {
    enabled?: boolean;
    commissionPercent?: number | null;
    description?: string | null;
    recurring?: CommissionRecurring;
    months?: number | null;
  };
  customCode?: string | null;
  landingPage?: { enabled?: boolean; blocks?: unknown };
  checkout?: { allowPromotionCodes?: boolean; refundPolicy?: RefundPolicy };
}

const MODELS: readonly PricingModel[] = ['free', 'one_time', 'recurring'];
const INTERVALS: readonly Interval[] = ['week', 'month', 'year'];
// Stripe bills at most once a year: 52 weeks, 12 months or 1 year per period.
const MAX_INTERVAL_COUNT: Record<Interval, number> = { week: 52, month: 12, year: 1 };

/** An offer as the rules see it: the stored row with a change applied. */
export interface Draft {
  title: string;
  description: string;
  slug: string;
  status: 'draft' | 'published' | 'archived';
  pricing: Pricing;
  hubGroupIds: string[];
  thumbnailPath: string | null;
  confirmationSubject: string | null;
  confirmationBody: string | null;
  destinationUrl: string | null;
  resellEnabled: boolean;
  resellCommissionPercent: number | null;
  resellDescription: string | null;
  resellRecurring: CommissionRecurring;
  resellMonths: number | null;
  customCode: string | null;
  landingEnabled: boolean;
  landingBlocks: Block[];
  allowPromotionCodes: boolean;
  refundPolicy: RefundPolicy;
}

/** A subject is listed to every admin and kept after sending: no sign-in link may go there. */
function subjectTokenProblem(subject: string | null): string | null {
  const token = subject ? variablesIn(subject).find((name) => TOKEN_VARIABLES.includes(name)) : undefined;
  return token ? `cannot contain {{${token}}}: a sign-in link goes in the body only` : null;
}

function emptyToNull(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/**
 * A confirmation email as typed (empty means "the default"), trimmed, with what is wrong with it;
 * `prefix` puts the fields where the form has them.
 */
export function emailDraftOf(input: { subject?: string | null; body?: string | null }, prefix = '') {
  const subject = emptyToNull(input.subject);
  const body = emptyToNull(input.body);
  const problems: FieldProblem[] = [];
  if ((subject?.length ?? 0) > OFFER_LIMITS.emailSubject)
    problems.push({
      field: `${prefix}subject`,
      message: `must be at most ${OFFER_LIMITS.emailSubject} characters`,
    });
  const subjectProblem = subjectTokenProblem(subject);
  if (subjectProblem) problems.push({ field: `${prefix}subject`, message: subjectProblem });
  if ((body?.length ?? 0) > OFFER_LIMITS.emailBody)
    problems.push({
      field: `${prefix}body`,
      message: `must be at most ${OFFER_LIMITS.emailBody} characters`,
    });
  return { subject, body, problems };
}

/** Applies a change to an offer and lists every field problem, in the order the editor shows them. */
export function applyOfferInput(
  base: Draft,
  input: OfferInput,
): { draft: Draft; problems: FieldProblem[]; belowMinimum: boolean } {
  const problems: FieldProblem[] = [];
  const problem = (field: string, message: string) => problems.push({ field, message });
  const draft: Draft = { ...base, pricing: { ...base.pricing } };

  if (input.type !== undefined && input.type !== 'membership') problem('type', 'must be membership');
  if (input.title !== undefined) {
    draft.title = input.title.trim();
    if (!draft.title) problem('title', 'is required');
    else if (draft.title.length > OFFER_LIMITS.title)
      problem('title', `must be at most ${OFFER_LIMITS.title} characters`);
  }
  if (input.description !== undefined) {
    draft.description = input.description.trim();
    if (draft.description.length > OFFER_LIMITS.description)
      problem('description', `must be at most ${OFFER_LIMITS.description} characters`);
  }
  if (input.slug !== undefined) {
    draft.slug = input.slug.trim();
    if (!SLUG_PATTERN.test(draft.slug))
      problem('slug', 'must be lower-case letters, digits and single dashes');
    else if (draft.slug.length > OFFER_LIMITS.slug)
      problem('slug', `must be at most ${OFFER_LIMITS.slug} characters`);
  }
  if (input.status !== undefined) {
    if (input.status !== 'draft' && input.status !== 'published' && input.status !== 'archived')
      problem('status', 'must be draft, published or archived');
    else draft.status = input.status;
  }

  let belowMinimum = false;
  if (input.pricing !== undefined) {
    const p = input.pricing;
    const model = (p.model ?? draft.pricing.model) as PricingModel;
    if (!MODELS.includes(model)) problem('pricing.model', 'must be free, one_time or recurring');
    const currency = (p.currency ?? draft.pricing.currency).toLowerCase();
    if (!isSupportedCurrency(currency))
      problem('pricing.currency', 'is not a currency offers can be sold in');
    draft.pricing = {
      model,
      currency,
      amountMinor: model === 'free' ? 0 : (p.amountMinor ?? draft.pricing.amountMinor),
      interval:
        model === 'recurring' ? ((p.interval ?? draft.pricing.interval ?? 'month') as Interval) : null,
      intervalCount: model === 'recurring' ? (p.intervalCount ?? draft.pricing.intervalCount ?? 1) : null,
      trialDays:
        model === 'recurring'
          ? (p.trialDays === undefined ? draft.pricing.trialDays : p.trialDays) || null
          : null,
    };
    const pricing = draft.pricing;
    if (model !== 'free' && MODELS.includes(model)) {
      if (!Number.isInteger(pricing.amountMinor) || pricing.amountMinor < 0)
        problem('pricing.amountMinor', 'must be a whole number of minor units (cents)');
      else if (isSupportedCurrency(currency) && pricing.amountMinor < minimumCharge(currency)) {
        belowMinimum = true;
        problem(
          'pricing.amountMinor',
          `must be at least ${formatMoney(minimumCharge(currency), currency)}, Stripe's minimum charge`,
        );
      } else if (pricing.amountMinor > OFFER_LIMITS.amountMinor)
        problem('pricing.amountMinor', 'is more than Stripe can charge at once');
    }
    if (model === 'recurring') {
      if (!INTERVALS.includes(pricing.interval as Interval))
        problem('pricing.interval', 'must be week, month or year');
      else {
        const max = MAX_INTERVAL_COUNT[pricing.interval as Interval];
        if (
          !Number.isInteger(pricing.intervalCount) ||
          (pricing.intervalCount ?? 0) < 1 ||
          (pricing.intervalCount ?? 0) > max
        ) {
          problem('pricing.intervalCount', `must be a whole number from 1 to ${max}`);
        }
      }
      if (
        pricing.trialDays !== null &&
        (!Number.isInteger(pricing.trialDays) ||
          pricing.trialDays < 0 ||
          pricing.trialDays > OFFER_LIMITS.trialDays)
      ) {
        problem('pricing.trialDays', `must be a whole number of days from 0 to ${OFFER_LIMITS.trialDays}`);
      }
    }
  }

  if (input.hubGroupIds !== undefined) {
    draft.hubGroupIds = [...new Set(input.hubGroupIds)];
    if (draft.hubGroupIds.length > OFFER_LIMITS.hubGroups)
      problem('hubGroupIds', `must list at most ${OFFER_LIMITS.hubGroups} groups`);
  }
  if (input.confirmationEmail !== undefined) {
    const email = emailDraftOf(input.confirmationEmail, 'confirmationEmail.');
    draft.confirmationSubject = email.subject;
    draft.confirmationBody = email.body;
    problems.push(...email.problems);
  }
  if (input.destination !== undefined) {
    const given = emptyToNull(input.destination.customUrl);
    draft.destinationUrl = given && normalizedHttpUrl(given);
    if (given && (!draft.destinationUrl || draft.destinationUrl.length > OFFER_LIMITS.url)) {
      problem('destination.customUrl', 'must be an http or https URL');
    }
  }
  if (input.checkout !== undefined) {
    draft.allowPromotionCodes = input.checkout.allowPromotionCodes ?? draft.allowPromotionCodes;
    draft.refundPolicy = input.checkout.refundPolicy ?? draft.refundPolicy;
  }
  if (input.resell !== undefined) {
    draft.resellEnabled = input.resell.enabled ?? draft.resellEnabled;
    if (input.resell.commissionPercent !== undefined)
      draft.resellCommissionPercent = input.resell.commissionPercent;
    if (input.resell.description !== undefined)
      draft.resellDescription = emptyToNull(input.resell.description);
    if (input.resell.recurring !== undefined) draft.resellRecurring = input.resell.recurring;
    if (input.resell.months !== undefined) draft.resellMonths = input.resell.months;
    if (
      draft.resellRecurring === 'months' &&
      (!Number.isInteger(draft.resellMonths) ||
        (draft.resellMonths ?? 0) < 1 ||
        (draft.resellMonths ?? 0) > OFFER_LIMITS.resellMonths)
    )
      problem('resell.months', `must be a whole number of months from 1 to ${OFFER_LIMITS.resellMonths}`);
    if ((draft.resellDescription?.length ?? 0) > OFFER_LIMITS.resellDescription)
      problem('resell.description', `must be at most ${OFFER_LIMITS.resellDescription} characters`);
  }
  if (draft.resellEnabled) {
    const percent = draft.resellCommissionPercent;
    if (draft.pricing.model === 'free') problem('resell.enabled', 'is for paid offers only');
    else {
      const { min, max } = OFFER_LIMITS.commissionPercent;
      if (percent === null || !Number.isInteger(percent) || percent < min || percent > max)
        problem('resell.commissionPercent', `must be a whole percentage from ${min} to ${max}`);
    }
  }
  if (input.customCode !== undefined) {
    draft.customCode = emptyToNull(input.customCode);
    if ((draft.customCode?.length ?? 0) > OFFER_LIMITS.customCode)
      problem('customCode', `must be at most ${OFFER_LIMITS.customCode} characters`);
  }
  if (input.landingPage !== undefined) {
    if (input.landingPage.enabled !== undefined) draft.landingEnabled = input.landingPage.enabled;
    if (input.landingPage.blocks !== undefined) {
      const parsed = parseBlocks(input.landingPage.blocks);
      draft.landingBlocks = parsed.blocks;
      problems.push(...parsed.problems);
    }
  }
  if (draft.status === 'published') {
    if (!draft.thumbnailPath)
      problem('thumbnail', 'is required to publish (it is shown on the checkout page)');
    if (draft.hubGroupIds.length === 0)
      problem('hubGroupIds', 'must name at least one hub group buyers gain');
  }
  return { draft, problems, belowMinimum };
}

/** The price a stored offer sells at. */
export function pricingOf(row: OfferRow): Pricing {
  return {
    model: row.pricingModel,
    amountMinor: Number(row.amountMinor),
    currency: row.currency,
    interval: row.interval,
    intervalCount: row.intervalCount,
    trialDays: row.trialDays,
  };
}

/** A new offer before its first change: a free draft with nothing chosen yet. */
export function newOfferDraft(title: string, slug: string, currency: string): Draft {
  return {
    title,
    description: '',
    slug,
    status: 'draft',
    pricing: {
      model: 'free',
      amountMinor: 0,
      currency,
      interval: null,
      intervalCount: null,
      trialDays: null,
    },
    hubGroupIds: [],
    thumbnailPath: null,
    confirmationSubject: null,
    confirmationBody: null,
    destinationUrl: null,
    resellEnabled: false,
    resellCommissionPercent: null,
    resellDescription: null,
    resellRecurring: 'every',
    resellMonths: null,
    customCode: null,
    landingEnabled: false,
    landingBlocks: [],
    allowPromotionCodes: false,
    refundPolicy: 'full',
  };
}

export function draftOf(row: OfferRow, hubGroupIds: string[]): Draft {
  return {
    title: row.title,
    description: row.description,
    slug: row.slug,
    status: row.status,
    pricing: pricingOf(row),
    hubGroupIds,
    thumbnailPath: row.thumbnailPath,
    confirmationSubject: row.confirmationSubject,
    confirmationBody: row.confirmationBody,
    destinationUrl: row.destinationUrl,
    resellEnabled: Boolean(row.resellEnabled),
    resellCommissionPercent: row.resellCommissionPercent,
    resellDescription: row.resellDescription,
    resellRecurring: row.resellRecurring,
    resellMonths: row.resellMonths,
    allowPromotionCodes: Boolean(row.allowPromotionCodes),
    refundPolicy: row.refundPolicy,
    customCode: row.customCode,
    landingEnabled: Boolean(row.landingEnabled),
    landingBlocks: row.landingBlocks,
  };
}
