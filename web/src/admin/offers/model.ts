// Digital Offers in the dashboard: the API's shapes, the editor's draft (every input as the creator
// typed it, so nothing is lost when the server says no), and the change a Save sends.

import type { Static } from 'typebox';
import type {
  OfferBody as OfferBodySchema,
  Offer as OfferSchema,
  OfferSummary as OfferSummarySchema,
} from '../../../../src/modules/offers/offer.routes.ts';
import type { Block } from '../../../../src/pages/blocks.tsx';
import {
  type Interval,
  isZeroDecimal,
  MINIMUM_CHARGE,
  type Pricing,
  type PricingModel,
  toMajor,
  toMinor,
} from '../../../../src/platform/pricing.ts';
import { slugify } from '../../../../src/platform/text.ts';
import { api } from '../../api.ts';

// The offer shapes are the server's response schemas, imported as types only (one source with the API).
export type OfferSummary = Static<typeof OfferSummarySchema>;
export type Offer = Static<typeof OfferSchema>;
export type OfferStatus = OfferSummary['status'];

/** Which refunds end a buyer's access. */
export type RefundPolicy = 'full' | 'any' | 'never';

export interface PermissionImpact {
  buyerCount: number;
  added: { id: string; name: string; buyers: number }[];
  removed: { id: string; name: string; buyers: number }[];
}

export const offerPath = (id: string) => `/offers/${encodeURIComponent(id)}`;

/** Media answers `{url, offer}`; an older server answered the offer itself. Both are read. */
export async function uploadOfferMedia(
  id: string,
  kind: 'thumbnail' | 'cover' | 'landing',
  file: File,
): Promise<{ url: string; offer: Offer | null }> {
  const answer = await api.sendFile<{ url?: string; offer?: Offer } & Partial<Offer>>(
    'PUT',
    `${offerPath(id)}/media/${kind}`,
    file,
  );
  if (answer.offer) return { url: answer.url ?? '', offer: answer.offer };
  if (answer.id) {
    const offer = answer as Offer;
    return { url: (kind === 'cover' ? offer.coverUrl : offer.thumbnailUrl) ?? '', offer };
  }
  return { url: answer.url ?? '', offer: null };
}

export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'];
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

/** The problem with a chosen file before it is sent, or null. */
export function imageProblem(file: File): string | null {
  if (!IMAGE_TYPES.includes(file.type)) return 'must be a PNG, JPEG, WebP or GIF image';
  if (file.size > MAX_IMAGE_BYTES) return 'must be at most 5 MB';
  return null;
}

// --- currencies -------------------------------------------------------------------------------

const FIRST = ['usd', 'eur', 'gbp', 'cad', 'aud', 'jpy', 'chf', 'sek', 'nok', 'dkk', 'nzd', 'sgd', 'hkd'];
const ORDERED = [
  ...FIRST,
  ...Object.keys(MINIMUM_CHARGE)
    .filter((code) => !FIRST.includes(code))
    .sort(),
];

let names: Intl.DisplayNames | null = null;
function currencyName(code: string): string {
  try {
    names ??= new Intl.DisplayNames(['en'], { type: 'currency' });
    return names.of(code.toUpperCase()) ?? '';
  } catch {
    return '';
  }
}

export function currencyOptions(current: string): { value: string; label: string }[] {
  const codes = ORDERED.includes(current) || !current ? ORDERED : [current, ...ORDERED];
  return codes.map((code) => {
    const name = currencyName(code);
    return { value: code, label: name ? `${code.toUpperCase()} — ${name}` : code.toUpperCase() };
  });
}

export function supportedCurrency(code: string | null | undefined): string {
  const lower = (code ?? '').toLowerCase();
  return lower in MINIMUM_CHARGE ? lower : 'usd';
}

// --- the draft --------------------------------------------------------------------------------

export interface Draft {
  title: string;
  description: string;
  slug: string;
  /** The slug follows the title until the creator edits it. */
  slugFollowsTitle: boolean;
  model: PricingModel;
  currency: string;
  amount: string;
  interval: Interval;
  intervalCount: string;
  trialDays: string;
  hubGroupIds: string[];
  emailSubject: string;
  emailBody: string;
  redirect: boolean;
  customUrl: string;
  resellEnabled: boolean;
  commission: string;
  resellDescription: string;
  resellRecurring: 'every' | 'first' | 'months';
  resellMonths: string;
  customCode: string;
  landingEnabled: boolean;
  blocks: Block[];
  allowPromotionCodes: boolean;
  refundPolicy: RefundPolicy;
}

// The URL slug the server derives from a title: the server's own function.
export { slugify };

function amountText(pricing: Pricing): string {
  if (pricing.model === 'free' || !pricing.amountMinor) return '';
  const major = toMajor(pricing.amountMinor, pricing.currency);
  return isZeroDecimal(pricing.currency) ? String(major) : major.toFixed(2);
}

export function newDraft(currency: string): Draft {
  return {
    title: '',
    description: '',
    slug: '',
    slugFollowsTitle: true,
    model: 'free',
    currency: supportedCurrency(currency),
    amount: '',
    interval: 'month',
    intervalCount: '1',
    trialDays: '',
    hubGroupIds: [],
    emailSubject: '',
    emailBody: '',
    redirect: false,
    customUrl: '',
    resellEnabled: false,
    commission: '',
    resellDescription: '',
    resellRecurring: 'every',
    resellMonths: '',
    customCode: '',
    landingEnabled: false,
    blocks: [],
    allowPromotionCodes: false,
    refundPolicy: 'full',
  };
}

export function draftOf(offer: Offer): Draft {
  const { pricing } = offer;
  return {
    title: offer.title,
    description: offer.description,
    slug: offer.slug,
    // A draft whose slug still is its title's keeps following it; a published URL never moves by itself.
    slugFollowsTitle: offer.status === 'draft' && offer.slug === slugify(offer.title),
    model: pricing.model,
    currency: pricing.currency,
    amount: amountText(pricing),
    interval: pricing.interval ?? 'month',
    intervalCount: String(pricing.intervalCount ?? 1),
    trialDays: pricing.trialDays ? String(pricing.trialDays) : '',
    hubGroupIds: [...offer.hubGroupIds],
    emailSubject: offer.confirmationEmail.subject ?? '',
    emailBody: offer.confirmationEmail.body ?? '',
    redirect: offer.destination.customUrl !== null,
    customUrl: offer.destination.customUrl ?? '',
    resellEnabled: offer.resell.enabled,
    commission: offer.resell.commissionPercent === null ? '' : String(offer.resell.commissionPercent),
    resellDescription: offer.resell.description ?? '',
    resellRecurring: offer.resell.recurring ?? 'every',
    resellMonths:
      offer.resell.months === null || offer.resell.months === undefined ? '' : String(offer.resell.months),
    customCode: offer.customCode ?? '',
    landingEnabled: offer.landingPage.enabled,
    blocks: offer.landingPage.blocks,
    allowPromotionCodes: offer.checkout.allowPromotionCodes,
    refundPolicy: offer.checkout.refundPolicy,
  };
}

/** The pricing the draft describes, or the field problems that stop it being sent. */
export function pricingOf(draft: Draft): { pricing: Pricing; problems: Record<string, string> } {
  const problems: Record<string, string> = {};
  const { model, currency } = draft;
  let amountMinor = 0;
  if (model !== 'free') {
    const parsed = toMinor(draft.amount, currency);
    if (draft.amount.trim() === '') problems['pricing.amountMinor'] = 'is required for a paid offer';
    else if (parsed === null)
      problems['pricing.amountMinor'] = isZeroDecimal(currency)
        ? `must be a whole amount in ${currency.toUpperCase()} (no decimals), e.g. 500`
        : 'must be an amount like 9.99';
    else amountMinor = parsed;
  }
  let intervalCount: number | null = null;
  let trialDays: number | null = null;
  if (model === 'recurring') {
    if (!/^\d+$/.test(draft.intervalCount.trim()) || Number(draft.intervalCount) < 1)
      problems['pricing.intervalCount'] = 'must be a whole number, 1 or more';
    else intervalCount = Number(draft.intervalCount);
    const trial = draft.trialDays.trim();
    if (trial !== '') {
      if (!/^\d+$/.test(trial)) problems['pricing.trialDays'] = 'must be a whole number of days';
      else trialDays = Number(trial) || null;
    }
  }
  return {
    pricing: {
      model,
      amountMinor,
      currency,
      interval: model === 'recurring' ? draft.interval : null,
      intervalCount,
      trialDays,
    },
    problems,
  };
}

/** What a Save sends: the server's request schema. */
export type OfferChange = Static<typeof OfferBodySchema>;

const orNull = (value: string) => (value.trim() === '' ? null : value);

/** Every field of the draft as the API takes it, or the problems found before asking the server. */
export function changeOf(draft: Draft): {
  change: Required<Omit<OfferChange, 'status' | 'type'>>;
  problems: Record<string, string>;
} {
  const { pricing, problems } = pricingOf(draft);
  let commissionPercent: number | null = null;
  const commission = draft.commission.trim();
  if (commission !== '') {
    if (/^\d+$/.test(commission)) commissionPercent = Number(commission);
    else if (draft.resellEnabled && draft.model !== 'free')
      problems['resell.commissionPercent'] = 'must be a whole percentage from 1 to 90';
  }
  return {
    change: {
      title: draft.title,
      description: draft.description,
      slug: draft.slug,
      pricing,
      // A set: the order of ticking is not a change.
      hubGroupIds: [...draft.hubGroupIds].sort(),
      confirmationEmail: { subject: orNull(draft.emailSubject), body: orNull(draft.emailBody) },
      destination: { customUrl: draft.redirect ? draft.customUrl.trim() : null },
      resell: {
        // Resell rights are for paid offers; a switch to Free turns them off rather than failing.
        enabled: draft.resellEnabled && draft.model !== 'free',
        commissionPercent,
        description: orNull(draft.resellDescription),
        recurring: draft.model === 'recurring' ? draft.resellRecurring : 'every',
        months:
          draft.model === 'recurring' &&
          draft.resellRecurring === 'months' &&
          /^\d+$/.test(draft.resellMonths.trim())
            ? Number(draft.resellMonths.trim())
            : null,
      },
      customCode: orNull(draft.customCode),
      landingPage: { enabled: draft.landingEnabled, blocks: draft.blocks },
      checkout: { allowPromotionCodes: draft.allowPromotionCodes, refundPolicy: draft.refundPolicy },
    },
    problems,
  };
}

/** Only the parts that differ from the saved offer (so an untouched permission list is not re-sent). */
export function diffOf(
  saved: Offer,
  draft: Draft,
): { change: OfferChange; problems: Record<string, string> } {
  const { change: next, problems } = changeOf(draft);
  const { change: before } = changeOf(draftOf(saved));
  const out: OfferChange = {};
  for (const key of Object.keys(next) as (keyof typeof next)[]) {
    if (JSON.stringify(next[key]) !== JSON.stringify(before[key])) {
      (out as Record<string, unknown>)[key] = next[key];
    }
  }
  return { change: out, problems };
}

export function isDirty(saved: Offer | null, draft: Draft, blank: Draft): boolean {
  if (!saved) return JSON.stringify({ ...draft, slugFollowsTitle: true }) !== JSON.stringify(blank);
  return Object.keys(diffOf(saved, draft).change).length > 0;
}

// --- server errors about blocks, kept with the block they name --------------------------------

/** `landingPage.blocks.2.heading` → block id of the 3rd block as it was sent, and `heading`. */
export function blockErrorsOf(
  fields: Record<string, string>,
  sent: Block[],
): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const [field, message] of Object.entries(fields)) {
    const match = /^landingPage\.blocks\.(\d+)(?:\.(.+))?$/.exec(field);
    if (!match) continue;
    const block = sent[Number(match[1])];
    if (!block) continue;
    out[block.id] ??= {};
    (out[block.id] as Record<string, string>)[match[2] ?? ''] = message;
  }
  return out;
}

export const STATUS_LABELS: Record<OfferStatus, { label: string; tone: string }> = {
  draft: { label: 'Draft', tone: 'muted' },
  published: { label: 'Published', tone: 'success' },
  archived: { label: 'Archived', tone: 'info' },
};
