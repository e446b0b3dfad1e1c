// Thin HTTP for the creator's Digital Offers.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireActor } from '../../platform/http/auth.ts';
import {
  errors,
  IdParams,
  ListQuery,
  NoContent,
  PageOf,
  Timestamp,
  TRIM_ROOM,
} from '../../platform/http/schemas.ts';
import { IMAGE_BODY_TYPES, MAX_UPLOAD_BYTES } from '../../platform/media.ts';
import { DEFAULT_PAGE_SIZE } from '../../platform/pagination.ts';
import { LandingBlock, LandingBlockInput, MAX_BLOCKS } from './landing.ts';
import { presentOffer, presentOfferSummary } from './offer.presenter.ts';
import { OFFER_LIMITS, type OfferInput } from './offer.rules.ts';
import type { OffersService } from './offer.service.ts';

const Nullable = <T extends ReturnType<typeof Type.String | typeof Type.Integer>>(schema: T) =>
  Type.Union([schema, Type.Null()]);

const Pricing = Type.Object({
  model: Type.Enum(['free', 'one_time', 'recurring']),
  amountMinor: Type.Integer({ description: 'Minor units (cents; yen for JPY)' }),
  currency: Type.String({ description: 'Lower-case ISO 4217' }),
  interval: Type.Union([Type.Enum(['week', 'month', 'year']), Type.Null()], {
    description: 'Recurring only',
  }),
  intervalCount: Type.Union([Type.Integer(), Type.Null()]),
  trialDays: Type.Union([Type.Integer(), Type.Null()]),
});

const Money = Type.Object({ amountMinor: Type.Integer(), currency: Type.String() });
const Recurring = Type.Union([Type.Literal('every'), Type.Literal('first'), Type.Literal('months')], {
  description:
    'Which payments of a recurring offer earn commission: every renewal, the first, or the first N months',
});

export const OfferSummary = Type.Object({
  id: Type.String(),
  type: Type.Literal('membership'),
  title: Type.String(),
  slug: Type.String(),
  status: Type.Enum(['draft', 'published', 'archived']),
  pricing: Pricing,
  priceLabel: Type.String({ description: 'The price as a buyer reads it' }),
  buyerCount: Type.Integer(),
  revenue: Money,
  thumbnailUrl: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const Offer = Type.Object({
  ...OfferSummary.properties,
  description: Type.String({ description: 'Under the title on the checkout page and in shared links' }),
  hubGroupIds: Type.Array(Type.String()),
  coverUrl: Type.Union([Type.String(), Type.Null()]),
  confirmationEmail: Type.Object({
    subject: Type.Union([Type.String(), Type.Null()]),
    body: Type.Union([Type.String(), Type.Null()]),
  }),
  destination: Type.Object({ customUrl: Type.Union([Type.String(), Type.Null()]) }),
  resell: Type.Object({
    enabled: Type.Boolean(),
    commissionPercent: Type.Union([Type.Integer(), Type.Null()]),
    description: Type.Union([Type.String(), Type.Null()]),
    recurring: Recurring,
    months: Type.Union([Type.Integer(), Type.Null()]),
  }),
  customCode: Type.Union([Type.String(), Type.Null()]),
  landingPage: Type.Object({ enabled: Type.Boolean(), blocks: Type.Array(LandingBlock) }),
  checkout: Type.Object({
    allowPromotionCodes: Type.Boolean({ description: 'Buyers may enter Stripe promotion codes' }),
    refundPolicy: Type.Union([Type.Literal('full'), Type.Literal('any'), Type.Literal('never')], {
      description: 'Which refunds end access: full (default), any, or never',
    }),
  }),
  stripe: Type.Object({
    productId: Type.Union([Type.String(), Type.Null()]),
    priceId: Type.Union([Type.String(), Type.Null()], {
      description: 'The Stripe price new buyers pay; null until Stripe has it',
    }),
  }),
  publicUrl: Type.String(),
});

export const OfferBody = Type.Object({
  type: Type.Optional(Type.Enum(['membership'])),
  title: Type.Optional(Type.String({ maxLength: OFFER_LIMITS.title + TRIM_ROOM })),
  description: Type.Optional(Type.String({ maxLength: OFFER_LIMITS.description + TRIM_ROOM })),
  slug: Type.Optional(Type.String({ maxLength: OFFER_LIMITS.slug + TRIM_ROOM })),
  status: Type.Optional(Type.Enum(['draft', 'published', 'archived'])),
  pricing: Type.Optional(
    Type.Object({
      model: Type.Optional(Type.Enum(['free', 'one_time', 'recurring'])),
      amountMinor: Type.Optional(Type.Integer({ minimum: 0, maximum: OFFER_LIMITS.amountMinor })),
      currency: Type.Optional(Type.String({ maxLength: 10 })),
      interval: Type.Optional(Type.Union([Type.Enum(['week', 'month', 'year']), Type.Null()])),
      intervalCount: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 52 }))),
      trialDays: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: OFFER_LIMITS.trialDays }))),
    }),
  ),
  hubGroupIds: Type.Optional(
    Type.Array(Type.String({ maxLength: 64 }), { maxItems: OFFER_LIMITS.hubGroups }),
  ),
  confirmationEmail: Type.Optional(
    Type.Object({
      subject: Type.Optional(Nullable(Type.String({ maxLength: OFFER_LIMITS.emailSubject + TRIM_ROOM }))),
      body: Type.Optional(Nullable(Type.String({ maxLength: OFFER_LIMITS.emailBody + TRIM_ROOM }))),
    }),
  ),
  destination: Type.Optional(
    Type.Object({
      customUrl: Type.Optional(Nullable(Type.String({ maxLength: OFFER_LIMITS.url + TRIM_ROOM }))),
    }),
  ),
  resell: Type.Optional(
    Type.Object({
      enabled: Type.Optional(Type.Boolean()),
      // The 1–90 rule applies while resale is on (offer.rules.ts); a number typed while it is off is kept.
      commissionPercent: Type.Optional(
        Nullable(
          Type.Integer({
            minimum: 0,
            maximum: 100,
            description: `A whole percentage; ${OFFER_LIMITS.commissionPercent.min}–${OFFER_LIMITS.commissionPercent.max} when resale is enabled`,
          }),
        ),
      ),
      description: Type.Optional(
        Nullable(Type.String({ maxLength: OFFER_LIMITS.resellDescription + TRIM_ROOM })),
      ),
      recurring: Type.Optional(Recurring),
      months: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: OFFER_LIMITS.resellMonths }))),
    }),
  ),
  customCode: Type.Optional(Nullable(Type.String({ maxLength: OFFER_LIMITS.customCode + TRIM_ROOM }))),
  checkout: Type.Optional(
    Type.Object({
      allowPromotionCodes: Type.Optional(Type.Boolean()),
      refundPolicy: Type.Optional(
        Type.Union([Type.Literal('full'), Type.Literal('any'), Type.Literal('never')]),
      ),
    }),
  ),
  landingPage: Type.Optional(
    Type.Object({
      enabled: Type.Optional(Type.Boolean()),
      blocks: Type.Optional(Type.Array(LandingBlockInput, { maxItems: MAX_BLOCKS })),
    }),
  ),
});

const MediaParams = Type.Object({
  id: IdParams.properties.id,
  kind: Type.Union([Type.Literal('thumbnail'), Type.Literal('cover'), Type.Literal('landing')]),
});
const EmailDraft = Type.Object({
  subject: Type.Optional(Nullable(Type.String({ maxLength: OFFER_LIMITS.emailSubject + TRIM_ROOM }))),
  body: Type.Optional(Nullable(Type.String({ maxLength: OFFER_LIMITS.emailBody + TRIM_ROOM }))),
});

export function offerRoutes(deps: { offers: OffersService }): FastifyPluginAsyncTypebox {
  const { offers } = deps;
  return async (app) => {
    app.addContentTypeParser(
      IMAGE_BODY_TYPES,
      { parseAs: 'buffer', bodyLimit: MAX_UPLOAD_BYTES },
      (_r, body, done) => done(null, body),
    );

    app.get(
      '/offers',
      {
        schema: {
          tags: ['offers'],
          summary: 'Digital Offers, newest first',
          querystring: ListQuery,
          response: { 200: PageOf(OfferSummary), ...errors(400, 401, 403) },
        },
      },
      async (request) => {
        const { search, cursor, limit } = request.query;
        const page = await offers.listOffers(requireActor(request), {
          search,
          cursor,
          limit: limit ?? DEFAULT_PAGE_SIZE,
        });
        return { data: page.data.map(presentOfferSummary), nextCursor: page.nextCursor };
      },
    );

    app.post(
      '/offers',
      {
        schema: {
          tags: ['offers'],
          summary: 'Create an offer (a draft)',
          body: OfferBody,
          response: { 201: Offer, ...errors(400, 401, 403, 409) },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(presentOffer(await offers.createOffer(requireActor(request), request.body as OfferInput))),
    );

    app.get(
      '/offers/:id',
      {
        schema: {
          tags: ['offers'],
          summary: 'One offer, every field',
          params: IdParams,
          response: { 200: Offer, ...errors(401, 403, 404) },
        },
      },
      async (request) => presentOffer(await offers.getOffer(requireActor(request), request.params.id)),
    );

    app.patch(
      '/offers/:id',
      {
        schema: {
          tags: ['offers'],
          summary:
            'Change an offer (status published publishes it); a paid price under the minimum answers price_below_minimum',
          params: IdParams,
          body: OfferBody,
          response: { 200: Offer, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request) =>
        presentOffer(
          await offers.updateOffer(requireActor(request), request.params.id, request.body as OfferInput),
        ),
    );

    app.post(
      '/offers/:id/archive',
      {
        schema: {
          tags: ['offers'],
          summary: 'Archive: no new buyers; existing buyers keep access',
          params: IdParams,
          response: { 200: Offer, ...errors(401, 403, 404) },
        },
      },
      async (request) => presentOffer(await offers.archiveOffer(requireActor(request), request.params.id)),
    );

    app.delete(
      '/offers/:id',
      {
        schema: {
          tags: ['offers'],
          summary: 'Delete an offer without buyers',
          params: IdParams,
          response: { 204: NoContent, ...errors(401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        await offers.deleteOffer(requireActor(request), request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.put(
      '/offers/:id/media/:kind',
      {
        schema: {
          tags: ['offers'],
          summary:
            'Upload the thumbnail, the cover, or an image for a landing-page block (raw PNG, JPEG, WebP or GIF bytes)',
          params: MediaParams,
          response: {
            200: Type.Object({ url: Type.String(), offer: Offer }),
            ...errors(400, 401, 403, 404, 413),
          },
        },
      },
      async (request) => {
        const result = await offers.uploadMedia(
          requireActor(request),
          request.params.id,
          request.params.kind,
          request.body,
        );
        return { url: result.url, offer: presentOffer(result.offer) };
      },
    );

    app.post(
      '/offers/:id/media',
      {
        schema: {
          tags: ['offers'],
          summary:
            'Upload the thumbnail or cover (?kind=thumbnail|cover, or landing): the same as PUT /offers/{id}/media/{kind}',
          params: IdParams,
          querystring: Type.Object({ kind: MediaParams.properties.kind }),
          response: {
            200: Type.Object({ url: Type.String(), offer: Offer }),
            ...errors(400, 401, 403, 404, 413),
          },
        },
      },
      async (request) => {
        const result = await offers.uploadMedia(
          requireActor(request),
          request.params.id,
          request.query.kind,
          request.body,
        );
        return { url: result.url, offer: presentOffer(result.offer) };
      },
    );

    app.delete(
      '/offers/:id/media/:kind',
      {
        schema: {
          tags: ['offers'],
          summary: 'Remove the thumbnail or the cover',
          params: Type.Object({
            id: IdParams.properties.id,
            kind: Type.Union([Type.Literal('thumbnail'), Type.Literal('cover')]),
          }),
          response: { 200: Offer, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) =>
        presentOffer(await offers.removeMedia(requireActor(request), request.params.id, request.params.kind)),
    );

    app.get(
      '/offers/:id/permission-impact',
      {
        schema: {
          tags: ['offers'],
          summary: 'What saving these Community Permissions would change for the buyers',
          params: IdParams,
          querystring: Type.Object({
            hubGroupIds: Type.String({
              maxLength: OFFER_LIMITS.hubGroups * 65,
              description: `Comma-separated hub group ids (at most ${OFFER_LIMITS.hubGroups})`,
            }),
          }),
          response: {
            200: Type.Object({
              buyerCount: Type.Integer(),
              added: Type.Array(
                Type.Object({ id: Type.String(), name: Type.String(), buyers: Type.Integer() }),
              ),
              removed: Type.Array(
                Type.Object({ id: Type.String(), name: Type.String(), buyers: Type.Integer() }),
              ),
            }),
            ...errors(400, 401, 403, 404),
          },
        },
      },
      async (request) =>
        offers.permissionImpact(
          requireActor(request),
          request.params.id,
          request.query.hubGroupIds
            .split(',')
            .map((id) => id.trim())
            .filter(Boolean),
        ),
    );

    app.post(
      '/offers/:id/confirmation-email/preview',
      {
        schema: {
          tags: ['offers'],
          summary: 'The confirmation email rendered with sample values',
          params: IdParams,
          body: EmailDraft,
          response: {
            200: Type.Object({
              subject: Type.String(),
              html: Type.String(),
              text: Type.String(),
              leftOut: Type.Array(Type.String(), {
                description:
                  'Variables the template uses that have no value now (a paragraph using one is left out; a subject falls back to the default)',
              }),
            }),
            ...errors(400, 401, 403, 404),
          },
        },
      },
      async (request) => offers.previewConfirmation(requireActor(request), request.params.id, request.body),
    );

    app.post(
      '/offers/:id/confirmation-email/test',
      {
        schema: {
          tags: ['offers'],
          summary: 'Send the confirmation email (as typed, saved or not) to an address',
          params: IdParams,
          body: Type.Object({ to: Type.String({ maxLength: 254 }), ...EmailDraft.properties }),
          response: { 202: Type.Object({ emailId: Type.String() }), ...errors(400, 401, 403, 404) },
        },
      },
      async (request, reply) =>
        reply.status(202).send({
          emailId: await offers.sendConfirmationTest(requireActor(request), request.params.id, request.body),
        }),
    );
  };
}
