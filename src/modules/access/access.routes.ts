// The admin's access tools on a user's card: hand grants and the access ledger; and who is in a group.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { toIso } from '../../platform/clock.ts';
import { requireActor } from '../../platform/http/auth.ts';
import {
  errors,
  IdParams,
  ListQuery,
  NoContent,
  NullableTimestamp,
  PageOf,
  Timestamp,
  TRIM_ROOM,
  Visibility,
} from '../../platform/http/schemas.ts';
import { DEFAULT_PAGE_SIZE } from '../../platform/pagination.ts';
import type { GrantRow } from './access.repository.ts';
import { type AccessReason, type AccessService, MAX_NOTE } from './access.service.ts';

export const Grant = Type.Object({
  id: Type.String(),
  hubGroup: Type.Object({ id: Type.String(), name: Type.String() }),
  endsAt: NullableTimestamp,
  note: Type.Union([Type.String(), Type.Null()]),
  grantedBy: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
});
const GrantBody = Type.Object({
  hubGroupId: Type.String({ minLength: 1, maxLength: 64 }),
  endsAt: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
  note: Type.Optional(Type.Union([Type.String({ maxLength: MAX_NOTE + TRIM_ROOM }), Type.Null()])),
});
export const Reason = Type.Union([
  Type.Object({ kind: Type.Literal('public') }),
  Type.Object({ kind: Type.Literal('staff'), role: Type.Enum(['owner', 'admin']) }),
  Type.Object({
    kind: Type.Literal('grant'),
    grantId: Type.String(),
    endsAt: NullableTimestamp,
    note: Type.Union([Type.String(), Type.Null()]),
  }),
  Type.Object({
    kind: Type.Literal('entitlement'),
    entitlementId: Type.String(),
    offerId: Type.String(),
    offerTitle: Type.String(),
    state: Type.String(),
    accessUntil: NullableTimestamp,
  }),
]);
export const LedgerEntry = Type.Object({
  group: Type.Object({
    id: Type.String(),
    name: Type.String(),
    slug: Type.String(),
    visibility: Visibility,
  }),
  reasons: Type.Array(Reason),
});
export const Member = Type.Object({
  user: Type.Object({ id: Type.String(), name: Type.String(), email: Type.String() }),
  reason: Reason,
});

function presentGrant(grant: GrantRow) {
  return {
    id: grant.id,
    hubGroup: { id: grant.hubGroupId, name: grant.hubGroupName },
    endsAt: toIso(grant.endsAt),
    note: grant.note,
    grantedBy: grant.grantedBy,
    createdAt: toIso(grant.createdAt),
  };
}

function presentReason(reason: AccessReason) {
  if (reason.kind === 'grant') return { ...reason, endsAt: toIso(reason.endsAt) };
  if (reason.kind === 'entitlement') return { ...reason, accessUntil: toIso(reason.accessUntil) };
  return reason;
}

export const AccessChange = Type.Object({
  id: Type.String(),
  at: Timestamp,
  offer: Type.Object({ id: Type.String(), title: Type.String() }),
  from: Type.Union([Type.String(), Type.Null()]),
  to: Type.String(),
  accessUntil: NullableTimestamp,
  reason: Type.String({
    description: 'purchase, subscription, renewal, payment_failed, refund, dispute, reconcile…',
  }),
  stripeObjectId: Type.Union([Type.String(), Type.Null()]),
});

export function accessRoutes(deps: { access: AccessService }): FastifyPluginAsyncTypebox {
  const { access } = deps;
  return async (app) => {
    app.get(
      '/users/:id/grants',
      {
        schema: {
          tags: ['access'],
          summary: 'A user’s hand grants',
          params: IdParams,
          response: { 200: Type.Object({ data: Type.Array(Grant) }), ...errors(401, 403, 404) },
        },
      },
      async (request) => ({
        data: (await access.listGrants(requireActor(request), request.params.id)).map(presentGrant),
      }),
    );

    app.post(
      '/users/:id/grants',
      {
        schema: {
          tags: ['access'],
          summary:
            'Open a hub group to a user by hand, optionally until endsAt; granting again replaces the grant',
          params: IdParams,
          body: GrantBody,
          response: { 201: Grant, ...errors(400, 401, 403, 404) },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(presentGrant(await access.grant(requireActor(request), request.params.id, request.body))),
    );

    app.delete(
      '/users/:id/grants/:grantId',
      {
        schema: {
          tags: ['access'],
          summary: 'End a hand grant now',
          params: Type.Object({ id: IdParams.properties.id, grantId: IdParams.properties.id }),
          response: { 204: NoContent, ...errors(401, 403, 404) },
        },
      },
      async (request, reply) => {
        await access.revokeGrant(requireActor(request), request.params.id, request.params.grantId);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/users/:id/access',
      {
        schema: {
          tags: ['access'],
          summary: 'The access ledger: every group the user may enter, and why',
          params: IdParams,
          response: { 200: Type.Object({ data: Type.Array(LedgerEntry) }), ...errors(401, 403, 404) },
        },
      },
      async (request) => {
        const entries = await access.ledger(requireActor(request), request.params.id);
        return {
          data: entries.map(({ group, reasons }) => ({
            group: { id: group.id, name: group.name, slug: group.slug, visibility: group.visibility },
            reasons: reasons.map(presentReason),
          })),
        };
      },
    );

    app.get(
      '/users/:id/access-history',
      {
        schema: {
          tags: ['access'],
          summary: "Every change of the user's entitlements, newest first, with the Stripe object behind it",
          params: IdParams,
          response: { 200: Type.Object({ data: Type.Array(AccessChange) }), ...errors(401, 403, 404) },
        },
      },
      async (request) => {
        const rows = await access.changesOfUser(requireActor(request), request.params.id);
        return {
          data: rows.map((row) => ({
            id: row.id,
            at: toIso(Number(row.createdAt)),
            offer: { id: row.offerId, title: row.offerTitle },
            from: row.fromState,
            to: row.toState,
            accessUntil: row.accessUntil === null ? null : toIso(Number(row.accessUntil)),
            reason: row.reason,
            stripeObjectId: row.stripeObjectId,
          })),
        };
      },
    );

    app.get(
      '/hub-groups/:id/members',
      {
        schema: {
          tags: ['hub-groups'],
          summary: 'Who is in a group and why: by hand (source=grants) or through an offer (source=offers)',
          params: IdParams,
          querystring: Type.Object({
            source: Type.Union([Type.Literal('grants'), Type.Literal('offers')]),
            cursor: ListQuery.properties.cursor,
            limit: ListQuery.properties.limit,
          }),
          response: { 200: PageOf(Member), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const page = await access.groupMembers(requireActor(request), request.params.id, {
          source: request.query.source,
          cursor: request.query.cursor,
          limit: request.query.limit ?? DEFAULT_PAGE_SIZE,
        });
        return {
          data: page.data.map((row) => ({ user: row.user, reason: presentReason(row.reason) })),
          nextCursor: page.nextCursor,
        };
      },
    );
  };
}
