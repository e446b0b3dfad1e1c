// Digital Offers: the creator's editor (every field of the reference page), publishing, archiving,
// media, the preview of a permission change, and what the public pages need.

import { type Actor, isStaffRole, requireStaff } from '../../platform/actor.ts';
import type { Clock } from '../../platform/clock.ts';
import { newId } from '../../platform/crypto.ts';
import type { Database } from '../../platform/db/database.ts';
import type { Executor } from '../../platform/db/executor.ts';
import type { RefundPolicy } from '../../platform/db/schema.ts';
import { inTransaction } from '../../platform/db/tallies.ts';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import { type MediaStore, mediaUrl } from '../../platform/media.ts';
import { decodeCursor, pageOf } from '../../platform/pagination.ts';
import { formatMoney, isSupportedCurrency, minimumCharge } from '../../platform/pricing.ts';
import { isEmailAddress, slugify } from '../../platform/text.ts';
import type { AccessService } from '../access/index.ts';
import { type EmailService, purchaseConfirmationEmail } from '../email/index.ts';
import {
  dashboardUrlOf,
  type SettingsService,
  STRIPE_CONNECTION_KEY,
  type StripeConnection,
  type StripeConnectionState,
} from '../settings/index.ts';
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
import {
  applyOfferInput,
  type Draft,
  draftOf,
  emailDraftOf,
  newOfferDraft,
  type OfferInput,
} from './offer.rules.ts';
import { ensureStripePrice } from './offer.stripe.ts';

export interface OffersDeps {
  db: Database;
  clock: Clock;
  settings: SettingsService;
  media: MediaStore;
  email: EmailService;
  publicUrl: string;
  stripe: Pick<StripeConnection, 'client'>;
  logger: Logger;
  access: Pick<AccessService, 'liveBuyerCount'>;
}

export interface OfferDetail {
  row: OfferRow;
  hubGroupIds: string[];
}

export function createOffersService(deps: OffersDeps) {
  const { db, clock, settings, media, email, publicUrl, stripe, logger, access } = deps;

  /** The Stripe price to sell the offer at, made or replaced as its pricing requires. */
  async function stripePriceOf(offerId: string) {
    return ensureStripePrice(db, stripe, await offerRow(offerId), clock.now());
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
      description: draft.description,
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
    const row = await offerRow(id, executor);
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
    const base = newOfferDraft(
      title,
      input.slug ?? (slugify(title) || `offer-${newId().slice(0, 8)}`),
      isSupportedCurrency(defaultCurrency) ? defaultCurrency : 'usd',
    );
    const change: OfferInput = { ...input, title, type: input.type ?? 'membership' };
    return inTransaction(db, async (trx) => {
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
    }).then(syncToStripe);
  }

  /** Saves a change; the groups buyers enter follow at once, for every buyer (nothing is copied). */
  async function updateOffer(actor: Actor, id: string, input: OfferInput): Promise<OfferDetail> {
    requireStaff(actor);
    return inTransaction(db, async (trx) => {
      const current = await detail(trx, id);
      const draft = await check(trx, draftOf(current.row, current.hubGroupIds), input, current.row.id);
      await updateOfferRow(trx, current.row.id, { ...rowPatch(draft), updatedAt: clock.now() });
      if (input.hubGroupIds !== undefined) await setOfferGroups(trx, current.row.id, draft.hubGroupIds);
      return detail(trx, current.row.id);
    }).then(syncToStripe);
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
    await inTransaction(db, async (trx) => {
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
    // Who the change reaches: buyers whose access is live now (the offer's buyer count also counts
    // those whose access has ended).
    const buyers = await access.liveBuyerCount(id);
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
    const { subject, body, problems } = emailDraftOf(custom);
    if (problems.length) throw new ValidationError(problems);
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
    if (!isEmailAddress(to)) throw ValidationError.field('to', 'must be an email address');
    return inTransaction(db, async (trx) => {
      const current = await detail(trx, id);
      const { leftOut: _leftOut, ...message } = await sampleConfirmation(trx, current.row, input);
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
    return (await offerRow(offerId, executor)).refundPolicy;
  }

  /** An offer as stored, without its groups (what a purchase needs of it). */
  async function offerRow(id: string, executor: Executor = db): Promise<OfferRow> {
    const row = await findOffer(executor, id);
    if (!row) throw new NotFoundError('No such offer.');
    return row;
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
    offerRow,
  };
}

export type OffersService = ReturnType<typeof createOffersService>;
