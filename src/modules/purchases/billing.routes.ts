// Billing in /hub (members: purchases, receipts, renewals, cancel and resume, the billing portal) and
// Sales in the dashboard (staff: every purchase, CSV, a buyer's payments, refunds, cancellations).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { toIso } from '../../platform/clock.ts';
import { allPages, csvAmount, csvLine } from '../../platform/csv.ts';
import { requireActor } from '../../platform/http/auth.ts';
import {
  errors,
  IdParams,
  NoContent,
  NullableTimestamp,
  PageOf,
  Timestamp,
} from '../../platform/http/schemas.ts';
import { DEFAULT_PAGE_SIZE } from '../../platform/pagination.ts';
import type { BillingService } from './billing.service.ts';
import type { PaymentRow } from './purchase.repository.ts';

const Money = Type.Object({ amountMinor: Type.Integer(), currency: Type.String() });
export const Status = Type.Union([
  Type.Literal('pending'),
  Type.Literal('awaiting_confirmation'),
  Type.Literal('fulfilled'),
  Type.Literal('canceled'),
]);

/** Stripe's events in the inbox (Sales, Settings → Stripe). */
export const StripeEvents = Type.Object({
  pending: Type.Integer(),
  givenUp: Type.Integer(),
  oldestPendingAt: NullableTimestamp,
});

export const Payment = Type.Object({
  id: Type.String(),
  amount: Money,
  refunded: Money,
  dispute: Type.Union([
    Type.Literal('none'),
    Type.Literal('open'),
    Type.Literal('won'),
    Type.Literal('lost'),
  ]),
  paidAt: Timestamp,
  receiptUrl: Type.Union([Type.String(), Type.Null()]),
});

export const BillingPurchase = Type.Object({
  id: Type.String(),
  offer: Type.Object({ id: Type.String(), title: Type.String(), slug: Type.String() }),
  status: Status,
  amount: Money,
  refunded: Money,
  createdAt: Timestamp,
  access: Type.Object({
    live: Type.Boolean({ description: 'Whether it opens its groups now' }),
    state: Type.Union([Type.String(), Type.Null()]),
    until: NullableTimestamp,
  }),
  subscription: Type.Union([
    Type.Object({
      status: Type.String({ description: "Stripe's status" }),
      currentPeriodEnd: NullableTimestamp,
      cancelAtPeriodEnd: Type.Boolean(),
      interval: Type.Union([Type.String(), Type.Null()]),
      intervalCount: Type.Union([Type.Integer(), Type.Null()]),
    }),
    Type.Null(),
  ]),
  payments: Type.Array(Payment),
});

export const Sale = Type.Object({
  id: Type.String(),
  createdAt: Timestamp,
  buyer: Type.Object({
    email: Type.String(),
    name: Type.String(),
    userId: Type.Union([Type.String(), Type.Null()]),
  }),
  offer: Type.Object({ id: Type.String(), title: Type.String() }),
  amount: Money,
  refunded: Money,
  status: Status,
});

const SalesQuery = Type.Object({
  offerId: Type.Optional(Type.String({ maxLength: 64 })),
  status: Type.Optional(Status),
  search: Type.Optional(Type.String({ maxLength: 254 })),
  cursor: Type.Optional(Type.String({ maxLength: 500 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
});

function presentPayment(row: PaymentRow) {
  return {
    id: row.id,
    amount: { amountMinor: Number(row.amountMinor), currency: row.currency },
    refunded: { amountMinor: Number(row.refundedMinor), currency: row.currency },
    dispute: row.disputeStatus,
    paidAt: toIso(Number(row.paidAt)),
    receiptUrl: row.receiptUrl,
  };
}

type BillingRow = Awaited<ReturnType<BillingService['memberBilling']>>[number];

function presentBilling(row: BillingRow) {
  return {
    id: row.id,
    offer: { id: row.offerId, title: row.offerTitle, slug: row.offerSlug },
    status: row.status,
    amount: { amountMinor: Number(row.amountMinor), currency: row.currency },
    refunded: { amountMinor: Number(row.refundedMinor), currency: row.currency },
    createdAt: toIso(Number(row.createdAt)),
    access: {
      live: row.live,
      state: row.entitlementState,
      until: row.accessUntil === null ? null : toIso(Number(row.accessUntil)),
    },
    subscription: row.stripeSubscriptionId
      ? {
          status: row.stripeStatus ?? 'unknown',
          currentPeriodEnd: row.currentPeriodEnd === null ? null : toIso(Number(row.currentPeriodEnd)),
          cancelAtPeriodEnd: Boolean(row.cancelAtPeriodEnd),
          interval: row.interval,
          intervalCount: row.intervalCount,
        }
      : null,
    payments: row.payments.map(presentPayment),
  };
}

type SaleRow = Awaited<ReturnType<BillingService['listSales']>>['data'][number];

function presentSale(row: SaleRow) {
  return {
    id: row.id,
    createdAt: toIso(Number(row.createdAt)),
    buyer: { email: row.email, name: row.name, userId: row.userId },
    offer: { id: row.offerId, title: row.offerTitle },
    amount: { amountMinor: Number(row.amountMinor), currency: row.currency },
    refunded: { amountMinor: Number(row.refundedMinor), currency: row.currency },
    status: row.status,
  };
}

export function billingRoutes(deps: {
  billing: BillingService;
  publicUrl: string;
}): FastifyPluginAsyncTypebox {
  const { billing, publicUrl } = deps;
  return async (app) => {
    app.get(
      '/hub/billing',
      {
        schema: {
          tags: ['billing'],
          summary: 'Your purchases: payments and receipts, renewals, what each opens',
          response: { 200: Type.Object({ data: Type.Array(BillingPurchase) }), ...errors(401) },
        },
      },
      async (request) => ({ data: (await billing.memberBilling(requireActor(request))).map(presentBilling) }),
    );

    app.post(
      '/hub/billing/:id/cancel',
      {
        schema: {
          tags: ['billing'],
          summary: 'Cancel your subscription at the end of the paid period (access stays until then)',
          params: IdParams,
          response: { 204: NoContent, ...errors(401, 404, 409) },
        },
      },
      async (request, reply) => {
        await billing.cancelSubscription(requireActor(request), request.params.id, 'period_end');
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/hub/billing/:id/resume',
      {
        schema: {
          tags: ['billing'],
          summary: 'Keep a subscription you canceled, while its period runs',
          params: IdParams,
          response: { 204: NoContent, ...errors(401, 404, 409) },
        },
      },
      async (request, reply) => {
        await billing.resumeSubscription(requireActor(request), request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/hub/billing/portal',
      {
        schema: {
          tags: ['billing'],
          summary: "A link to Stripe's billing portal to update your payment method",
          response: { 200: Type.Object({ url: Type.String() }), ...errors(401, 409) },
        },
      },
      async (request) => ({
        url: await billing.portalUrl(requireActor(request), `${publicUrl}/hub/billing`),
      }),
    );

    app.get(
      '/sales',
      {
        schema: {
          tags: ['sales'],
          summary: 'Every sale, newest first; search is a prefix of the buyer’s email',
          querystring: SalesQuery,
          response: { 200: PageOf(Sale), ...errors(400, 401, 403) },
        },
      },
      async (request) => {
        const { limit, ...filters } = request.query;
        const page = await billing.listSales(requireActor(request), {
          ...filters,
          limit: limit ?? DEFAULT_PAGE_SIZE,
        });
        return { data: page.data.map(presentSale), nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/sales/export',
      {
        schema: {
          tags: ['sales'],
          summary: 'Every sale matching the filters as CSV',
          querystring: Type.Omit(SalesQuery, ['cursor', 'limit']),
          produces: ['text/csv'],
          response: { 200: Type.String(), ...errors(400, 401, 403) },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        const rows = await allPages((cursor) =>
          billing.listSales(actor, { ...request.query, ...(cursor ? { cursor } : {}), limit: 100 }),
        );
        const lines = [
          'date,buyer_email,buyer_name,offer,amount,refunded,currency,status',
          ...rows.map((row) =>
            csvLine([
              toIso(Number(row.createdAt)),
              row.email,
              row.name,
              row.offerTitle,
              csvAmount(Number(row.amountMinor), row.currency),
              csvAmount(Number(row.refundedMinor), row.currency),
              row.currency,
              row.status,
            ]),
          ),
        ];
        return reply
          .header('content-disposition', 'attachment; filename="sales.csv"')
          .type('text/csv; charset=utf-8')
          .send(`${lines.join('\n')}\n`);
      },
    );

    app.get(
      '/sales/stripe-events',
      {
        schema: {
          tags: ['sales'],
          summary:
            'Stripe’s events waiting in the inbox to be applied (tried again on a schedule) and given up after three days',
          response: { 200: StripeEvents, ...errors(401, 403) },
        },
      },
      async (request) => {
        const counts = await billing.inboxStatus(requireActor(request));
        return { ...counts, oldestPendingAt: toIso(counts.oldestPendingAt) };
      },
    );

    app.get(
      '/users/:id/billing',
      {
        schema: {
          tags: ['sales'],
          summary: "A buyer's purchases, payments and subscriptions (the user card)",
          params: IdParams,
          response: { 200: Type.Object({ data: Type.Array(BillingPurchase) }), ...errors(401, 403, 404) },
        },
      },
      async (request) => ({
        data: (await billing.userBilling(requireActor(request), request.params.id)).map(presentBilling),
      }),
    );

    app.post(
      '/payments/:id/refund',
      {
        schema: {
          tags: ['sales'],
          summary: 'Refund a payment in full, or amountMinor of it; access follows the offer’s refund policy',
          params: IdParams,
          body: Type.Object(
            { amountMinor: Type.Optional(Type.Integer({ minimum: 1 })) },
            { additionalProperties: false },
          ),
          response: { 200: Payment, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request) =>
        presentPayment(
          await billing.refundPayment(
            requireActor(request),
            request.params.id,
            request.body.amountMinor ?? null,
          ),
        ),
    );

    app.post(
      '/purchases/:id/cancel',
      {
        schema: {
          tags: ['sales'],
          summary: "Cancel a buyer's subscription now, or at the end of the paid period",
          params: IdParams,
          body: Type.Object(
            { when: Type.Union([Type.Literal('now'), Type.Literal('period_end')]) },
            { additionalProperties: false },
          ),
          response: { 204: NoContent, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        await billing.cancelForBuyer(requireActor(request), request.params.id, request.body.when);
        return reply.status(204).send(null);
      },
    );
  };
}
