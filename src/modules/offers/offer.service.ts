// Digital Offers: the creator's editor (every field of the reference page), publishing, archiving,
// media, the preview of a permission change, and what the public pages need.

import type { Block } from '../../pages/blocks.tsx';
import type { Clock } from '../../platform/clock.ts';
import { newId } from '../../platform/crypto.ts';
import type { Database } from '../../platform/db/database.ts';
import type { CommissionRecurring, RefundPolicy } from '../../platform/db/schema.ts';
import {
  AppError,
  ConflictError,
  type FieldProblem,
  NotFoundError,
  ValidationError,
} from '../../platform/errors.ts';
import { type Actor, isStaffRole, requireStaff } from '../../platform/http/auth.ts';
import type { Executor } from '../../platform/jobs.ts';
import type { Logger } from '../../platform/logger.ts';
import { type MediaStore, mediaUrl } from '../../platform/media.ts';
import { decodeCursor, pageOf } from '../../platform/pagination.ts';
import {
  formatMoney,
  type Interval,
  isSupportedCurrency,
  minimumCharge,
  type Pricing,
  type PricingModel,
} from '../../platform/pricing.ts';
import { normalizedHttpUrl, SLUG_PATTERN, slugify } from '../../platform/text.ts';
import {
  type EmailService,
  purchaseConfirmationEmail,
  TOKEN_VARIABLES,
  variablesIn,
} from '../email/index.ts';
import {
  dashboardUrlOf,
  type SettingsService,
  STRIPE_CONNECTION_KEY,
  type StripeConnection,
  type StripeConnectionState,
} from '../settings/index.ts';
import { parseBlocks } from './landing.ts';
import {
  deleteOfferRow,
  existingGroups,
  findOffer,
  incrementOfferCounters,
  insertOffer,
  listOfferGroupIds,
  listOfferGroups,
  listOfferRows,
  listResellPrograms,
  type OfferRow,
  offerHasEntitlements,
  offerHasPurchases,
  offerSlugTaken,
  setOfferGroups,
  updateOfferRow,
} from './offer.repository.ts';
import { ensureStripePrice } from './offer.stripe.ts';

export interface OfferInput {
  type?: string;
  title?: string;
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
interface Draft {
  title: string;
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
    else if (draft.title.length > 120) problem('title', 'must be at most 120 characters');
  }
  if (input.slug !== undefined) {
    draft.slug = input.slug.trim();
    if (!SLUG_PATTERN.test(draft.slug))
      problem('slug', 'must be lower-case letters, digits and single dashes');
    else if (draft.slug.length > 60) problem('slug', 'must be at most 60 characters');
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
      } else if (pricing.amountMinor > 99_999_999)
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
        (!Number.isInteger(pricing.trialDays) || pricing.trialDays < 0 || pricing.trialDays > 730)
      ) {
        problem('pricing.trialDays', 'must be a whole number of days from 0 to 730');
      }
    }
  }

  if (input.hubGroupIds !== undefined) {
    draft.hubGroupIds = [...new Set(input.hubGroupIds)];
    if (draft.hubGroupIds.length > 100) problem('hubGroupIds', 'must list at most 100 groups');
  }
  if (input.confirmationEmail !== undefined) {
    draft.confirmationSubject = emptyToNull(input.confirmationEmail.subject);
    draft.confirmationBody = emptyToNull(input.confirmationEmail.body);
    if ((draft.confirmationSubject?.length ?? 0) > 200)
      problem('confirmationEmail.subject', 'must be at most 200 characters');
    const subjectProblem = subjectTokenProblem(draft.confirmationSubject);
    if (subjectProblem) problem('confirmationEmail.subject', subjectProblem);
    if ((draft.confirmationBody?.length ?? 0) > 10_000)
      problem('confirmationEmail.body', 'must be at most 10000 characters');
  }
  if (input.destination !== undefined) {
    const given = emptyToNull(input.destination.customUrl);
    draft.destinationUrl = given && normalizedHttpUrl(given);
    if (given && (!draft.destinationUrl || draft.destinationUrl.length > 2000)) {
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
        (draft.resellMonths ?? 0) > 120)
    )
      problem('resell.months', 'must be a whole number of months from 1 to 120');
    if ((draft.resellDescription?.length ?? 0) > 2000)
      problem('resell.description', 'must be at most 2000 characters');
  }
  if (draft.resellEnabled) {
    const percent = draft.resellCommissionPercent;
    if (draft.pricing.model === 'free') problem('resell.enabled', 'is for paid offers only');
    else if (percent === null || !Number.isInteger(percent) || percent < 1 || percent > 90) {
      problem('resell.commissionPercent', 'must be a whole percentage from 1 to 90');
    }
  }
  if (input.customCode !== undefined) {
    draft.customCode = emptyToNull(input.customCode);
    if ((draft.customCode?.length ?? 0) > 50_000) problem('customCode', 'must be at most 50000 characters');
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

function draftOf(row: OfferRow, hubGroupIds: string[]): Draft {
  return {
    title: row.title,
    slug: row.slug,
    status: row.status,
    pricing: {
      model: row.pricingModel,
      amountMinor: Number(row.amountMinor),
      currency: row.currency,
      interval: row.interval,
      intervalCount: row.intervalCount,
      trialDays: row.trialDays,
    },
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
    landingBlocks: JSON.parse(row.landingBlocks) as Block[],
  };
}

export interface OffersDeps {
  db: Database;
  clock: Clock;
  settings: SettingsService;
  media: MediaStore;
  email: EmailService;
  publicUrl: string;
  stripe: Pick<StripeConnection, 'client'>;
  logger: Logger;
}

export interface OfferDetail {
  row: OfferRow;
  hubGroupIds: string[];
}

export function createOffersService(deps: OffersDeps) {
  const { db, clock, settings, media, email, publicUrl, stripe, logger } = deps;

  /** The Stripe price to sell the offer at, made or replaced as its pricing requires. */
  async function stripePriceOf(offerId: string) {
    return ensureStripePrice(db, stripe, (await detail(db, offerId)).row, clock.now());
  }

  /**
   * After a save: brings the offer's Stripe Product and Price up to date. Stripe being unreachable
   * does not undo the save; checkout makes the price when it is next needed.
   */
  async function syncToStripe(detailAfter: OfferDetail): Promise<OfferDetail> {
    if (detailAfter.row.pricingModel === 'free') return detailAfter;
    try {
      await ensureStripePrice(db, stripe, detailAfter.row, clock.now());
      return detail(db, detailAfter.row.id);
    } catch (error) {
      logger.warn(
        { err: error, offerId: detailAfter.row.id },
        'stripe: offer price not synced; checkout will retry',
      );
      return detailAfter;
    }
  }

  /** Refuses a paid offer until Stripe can take charges for the creator. */
  async function assertCanSell(executor: Executor): Promise<void> {
    const connection = (await settings.readInternal(
      STRIPE_CONNECTION_KEY,
      executor,
    )) as StripeConnectionState | null;
    if (!connection) {
      throw new ConflictError(
        'stripe_not_connected',
        'Connect a Stripe account before creating a paid offer: Settings → Stripe.',
        { connectPath: '/admin/settings#stripe' },
      );
    }
    if (!connection.chargesEnabled) {
      const needs = connection.requirements.length
        ? connection.requirements.join(', ')
        : 'verification of your account';
      throw new ConflictError(
        'stripe_charges_disabled',
        `Stripe cannot take payments for your account yet. Stripe still needs: ${needs}. Finish this in your Stripe dashboard.`,
        {
          requirements: connection.requirements,
          dashboardUrl: `${dashboardUrlOf(connection)}/account/onboarding`,
        },
      );
    }
  }

  /** Validates a change in the order the creator fixes things: fields, the price, then Stripe. */
  async function check(executor: Executor, base: Draft, input: OfferInput, offerId: string | null) {
    const { draft, problems, belowMinimum } = applyOfferInput(base, input);
    if (problems.length) {
      const fields = problems.filter((p, i) => problems.findIndex((q) => q.field === p.field) === i);
      if (belowMinimum) {
        const minimum = {
          amountMinor: minimumCharge(draft.pricing.currency),
          currency: draft.pricing.currency,
        };
        throw new AppError(
          'price_below_minimum',
          400,
          `The price must be at least ${formatMoney(minimum.amountMinor, minimum.currency)}, Stripe's minimum charge.`,
          {
            fields,
            minimum,
          },
        );
      }
      throw new ValidationError(fields);
    }
    if (input.hubGroupIds !== undefined) {
      const found = await existingGroups(executor, draft.hubGroupIds);
      if (found.length !== draft.hubGroupIds.length)
        throw ValidationError.field('hubGroupIds', 'names a hub group that does not exist');
    }
    if (await offerSlugTaken(executor, draft.slug, offerId)) {
      throw new ConflictError('slug_taken', 'slug: is already used by another offer', {
        fields: [{ field: 'slug', message: 'is already used by another offer' }],
      });
    }
    if (draft.pricing.model !== 'free') await assertCanSell(executor);
    return draft;
  }

  function rowPatch(draft: Draft) {
    return {
      title: draft.title,
      slug: draft.slug,
      status: draft.status,
      pricingModel: draft.pricing.model,
      amountMinor: draft.pricing.amountMinor,
      currency: draft.pricing.currency,
      interval: draft.pricing.interval,
      intervalCount: draft.pricing.intervalCount,
      trialDays: draft.pricing.trialDays,
      confirmationSubject: draft.confirmationSubject,
      confirmationBody: draft.confirmationBody,
      destinationUrl: draft.destinationUrl,
      resellEnabled: draft.resellEnabled ? 1 : 0,
      resellCommissionPercent: draft.resellCommissionPercent,
      resellDescription: draft.resellDescription,
      resellRecurring: draft.resellRecurring,
      resellMonths: draft.resellRecurring === 'months' ? draft.resellMonths : null,
      customCode: draft.customCode,
      landingEnabled: draft.landingEnabled ? 1 : 0,
      landingBlocks: JSON.stringify(draft.landingBlocks),
      allowPromotionCodes: draft.allowPromotionCodes ? 1 : 0,
      refundPolicy: draft.refundPolicy,
    };
  }

  async function detail(executor: Executor, id: string): Promise<OfferDetail> {
    const row = await findOffer(executor, id);
    if (!row) throw new NotFoundError('No such offer.');
    return { row, hubGroupIds: await listOfferGroupIds(executor, row.id) };
  }

  async function listOffers(actor: Actor, options: { search?: string; cursor?: string; limit: number }) {
    requireStaff(actor);
    const rows = await listOfferRows(db, {
      search: options.search?.trim() || null,
      after: decodeCursor(options.cursor),
      limit: options.limit,
    });
    return pageOf(rows, options.limit, (row) => ({ at: row.createdAt, id: row.id }));
  }

  async function getOffer(actor: Actor, id: string): Promise<OfferDetail> {
    requireStaff(actor);
    return detail(db, id);
  }

  /** A new draft: the type and title are enough; anything else given is checked like an edit. */
  async function createOffer(actor: Actor, input: OfferInput): Promise<OfferDetail> {
    requireStaff(actor);
    const { defaultCurrency } = await settings.getSettings();
    const title = input.title?.trim() ?? '';
    const base: Draft = {
      title,
      slug: input.slug ?? (slugify(title) || `offer-${newId().slice(0, 8)}`),
      status: 'draft',
      pricing: {
        model: 'free',
        amountMinor: 0,
        currency: isSupportedCurrency(defaultCurrency) ? defaultCurrency : 'usd',
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
    const change: OfferInput = { ...input, title, type: input.type ?? 'membership' };
    return db
      .transaction()
      .execute(async (trx) => {
        const draft = await check(trx, base, change, null).catch(async (error: unknown) => {
          // A taken slug made from the title gets a suffix; a slug the creator typed is their call.
          if (error instanceof ConflictError && error.code === 'slug_taken' && input.slug === undefined) {
            return check(trx, { ...base, slug: `${base.slug}-${newId().slice(0, 4)}` }, change, null);
          }
          throw error;
        });
        const id = newId();
        const now = clock.now();
        await insertOffer(trx, {
          id,
          ...rowPatch(draft),
          type: 'membership',
          thumbnailPath: null,
          coverPath: null,
          createdAt: now,
          updatedAt: now,
        });
        await setOfferGroups(trx, id, draft.hubGroupIds);
        return detail(trx, id);
      })
      .then(syncToStripe);
  }

  /** Saves a change; the groups buyers enter follow at once, for every buyer (nothing is copied). */
  async function updateOffer(actor: Actor, id: string, input: OfferInput): Promise<OfferDetail> {
    requireStaff(actor);
    return db
      .transaction()
      .execute(async (trx) => {
        const current = await detail(trx, id);
        const draft = await check(trx, draftOf(current.row, current.hubGroupIds), input, current.row.id);
        await updateOfferRow(trx, current.row.id, { ...rowPatch(draft), updatedAt: clock.now() });
        if (input.hubGroupIds !== undefined) await setOfferGroups(trx, current.row.id, draft.hubGroupIds);
        return detail(trx, current.row.id);
      })
      .then(syncToStripe);
  }

  /** No new buyers; existing buyers keep their access. */
  async function archiveOffer(actor: Actor, id: string): Promise<OfferDetail> {
    requireStaff(actor);
    const current = await detail(db, id);
    await updateOfferRow(db, current.row.id, { status: 'archived', updatedAt: clock.now() });
    return detail(db, current.row.id);
  }

  /** Deletes an offer nobody bought or joined. */
  async function deleteOffer(actor: Actor, id: string): Promise<void> {
    requireStaff(actor);
    await db.transaction().execute(async (trx) => {
      const current = await detail(trx, id);
      if (
        (await offerHasEntitlements(trx, current.row.id)) ||
        (await offerHasPurchases(trx, current.row.id))
      ) {
        throw new ConflictError(
          'offer_has_buyers',
          'This offer has buyers: archive it instead, so they keep their access.',
        );
      }
      await deleteOfferRow(trx, current.row.id);
    });
  }

  /** Thumbnail, cover, or an image for a landing-page block. */
  async function uploadMedia(
    actor: Actor,
    id: string,
    kind: 'thumbnail' | 'cover' | 'landing',
    body: unknown,
  ) {
    requireStaff(actor);
    const current = await detail(db, id);
    if (!Buffer.isBuffer(body))
      throw ValidationError.field('image', 'send the image bytes with an image/… Content-Type');
    const size =
      kind === 'thumbnail' ? { maxWidth: 800, maxHeight: 800 } : { maxWidth: 2000, maxHeight: 1200 };
    const stored = await media.saveImage('image', body, size);
    if (kind === 'landing') return { url: mediaUrl(stored.path)!, offer: current };
    await updateOfferRow(db, current.row.id, {
      [kind === 'thumbnail' ? 'thumbnailPath' : 'coverPath']: stored.path,
      updatedAt: clock.now(),
    });
    return { url: mediaUrl(stored.path)!, offer: await detail(db, current.row.id) };
  }

  async function removeMedia(actor: Actor, id: string, kind: 'thumbnail' | 'cover'): Promise<OfferDetail> {
    requireStaff(actor);
    const current = await detail(db, id);
    if (kind === 'thumbnail' && current.row.status === 'published') {
      throw ValidationError.field('thumbnail', 'is required while the offer is published');
    }
    await updateOfferRow(db, current.row.id, {
      [kind === 'thumbnail' ? 'thumbnailPath' : 'coverPath']: null,
      updatedAt: clock.now(),
    });
    return detail(db, current.row.id);
  }

  /**
   * What a change of Community Permissions would do, before saving it: the buyers of this offer gain the
   * added groups and lose the removed ones. One counter read, whatever the number of buyers.
   */
  async function permissionImpact(actor: Actor, id: string, hubGroupIds: string[]) {
    requireStaff(actor);
    const current = await detail(db, id);
    const wanted = [...new Set(hubGroupIds)];
    const groups = await existingGroups(db, [...new Set([...wanted, ...current.hubGroupIds])]);
    if (wanted.some((groupId) => !groups.some((g) => g.id === groupId)))
      throw ValidationError.field('hubGroupIds', 'names a hub group that does not exist');
    const buyers = Number(current.row.buyerCount);
    const name = (groupId: string) => groups.find((g) => g.id === groupId)?.name ?? groupId;
    return {
      buyerCount: buyers,
      added: wanted
        .filter((g) => !current.hubGroupIds.includes(g))
        .map((g) => ({ id: g, name: name(g), buyers })),
      removed: current.hubGroupIds
        .filter((g) => !wanted.includes(g))
        .map((g) => ({ id: g, name: name(g), buyers })),
    };
  }

  /** A published offer by slug for its public pages (drafts and archived: only as a staff preview). */
  async function publicOffer(slug: string, viewer: Actor | null, preview: boolean) {
    const row = await findOffer(db, slug);
    if (!row || row.slug !== slug) throw new NotFoundError('No such offer.');
    const isPreview = row.status !== 'published';
    const staffPreview = preview && viewer !== null && isStaffRole(viewer.role);
    if (isPreview && !staffPreview) throw new NotFoundError('No such offer.');
    // A hidden group does not exist for those who may not enter it: public pages never name it.
    const groups = (await listOfferGroups(db, row.id)).filter(
      (group) => staffPreview || group.visibility !== 'hidden',
    );
    return { row, groups, isPreview };
  }

  async function sampleConfirmation(
    executor: Executor,
    row: OfferRow,
    custom: { subject?: string | null; body?: string | null },
  ) {
    const { platformName, supportEmail } = await settings.getSettings(executor);
    const subject = emptyToNull(custom.subject);
    const body = emptyToNull(custom.body);
    if ((subject?.length ?? 0) > 200)
      throw ValidationError.field('subject', 'must be at most 200 characters');
    const subjectProblem = subjectTokenProblem(subject);
    if (subjectProblem) throw ValidationError.field('subject', subjectProblem);
    if ((body?.length ?? 0) > 10_000) throw ValidationError.field('body', 'must be at most 10000 characters');
    return purchaseConfirmationEmail(
      { platformName },
      { subject, body },
      {
        buyer_name: 'Alex Example',
        offer_title: row.title,
        platform_name: platformName,
        login_link: `${publicUrl}/auth/magic?token=example`,
        hub_link: `${publicUrl}/hub`,
        support_email: supportEmail ?? '',
      },
    );
  }

  /** The confirmation email as a buyer would get it, with sample values (the editor's live preview). */
  async function previewConfirmation(
    actor: Actor,
    id: string,
    custom: { subject?: string | null; body?: string | null },
  ) {
    requireStaff(actor);
    const current = await detail(db, id);
    return sampleConfirmation(db, current.row, custom);
  }

  /** Sends the (unsaved) confirmation email with sample values to an address, through the Emails log. */
  async function sendConfirmationTest(
    actor: Actor,
    id: string,
    input: { to: string; subject?: string | null; body?: string | null },
  ) {
    requireStaff(actor);
    const to = input.to.trim().toLowerCase();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(to)) throw ValidationError.field('to', 'must be an email address');
    return db.transaction().execute(async (trx) => {
      const current = await detail(trx, id);
      const message = await sampleConfirmation(trx, current.row, input);
      return email.queueEmail(trx, {
        to,
        kind: 'offer_confirmation_test',
        message: { ...message, subject: `[Test] ${message.subject}` },
      });
    });
  }

  /** Counts a sale on the offer's counters, inside the purchase's transaction. */
  async function recordSale(trx: Executor, offerId: string, amountMinor: number): Promise<void> {
    await incrementOfferCounters(trx, offerId, 1, amountMinor);
  }

  /** Adds a payment (or, negative, a refund) to the offer's revenue, inside the payment's transaction. */
  async function recordRevenue(trx: Executor, offerId: string, deltaMinor: number): Promise<void> {
    if (deltaMinor !== 0) await incrementOfferCounters(trx, offerId, 0, deltaMinor);
  }

  /** Which refunds end a buyer's access to this offer. */
  async function refundPolicyOf(executor: Executor, offerId: string): Promise<RefundPolicy> {
    return (await detail(executor, offerId)).row.refundPolicy;
  }

  return {
    grantedGroups: (offerId: string, executor: Executor = db) => listOfferGroups(executor, offerId),
    recordSale,
    recordRevenue,
    refundPolicyOf,
    stripePriceOf,
    resellPrograms: () => listResellPrograms(db),
    previewConfirmation,
    sendConfirmationTest,
    listOffers,
    getOffer,
    createOffer,
    updateOffer,
    archiveOffer,
    deleteOffer,
    uploadMedia,
    removeMedia,
    permissionImpact,
    publicOffer,
    offerDetail: (id: string, executor: Executor = db) => detail(executor, id),
  };
}

export type OffersService = ReturnType<typeof createOffersService>;

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
