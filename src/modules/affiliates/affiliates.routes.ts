// /api/v1/hub/partner (a member: programs, links, numbers, payouts onboarding) and /api/v1/affiliates,
// /api/v1/commissions, /api/v1/payouts (staff: every affiliate, commission and payout, CSV, paying).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { toIso } from '../../platform/clock.ts';
import { allPages, csvAmount, csvLine } from '../../platform/csv.ts';
import { requireActor } from '../../platform/http/auth.ts';
import { errors, IdParams, NullableTimestamp, PageOf, Timestamp } from '../../platform/http/schemas.ts';
import { DEFAULT_PAGE_SIZE } from '../../platform/pagination.ts';
import type { PayoutRow } from './affiliates.repository.ts';
import { type AffiliatesService, maskEmail } from './affiliates.service.ts';

const Money = Type.Object({ amountMinor: Type.Integer(), currency: Type.String() });
export const Balance = Type.Object({
  currency: Type.String(),
  pendingMinor: Type.Integer({ description: 'Held until the hold period ends' }),
  payableMinor: Type.Integer({ description: 'Owed now (negative after a reversal of something paid)' }),
  paidMinor: Type.Integer(),
  inFlightMinor: Type.Integer({ description: 'In a payout not finished yet' }),
  reversedMinor: Type.Integer({ description: 'Taken back by refunds and disputes' }),
});
const CommissionState = Type.Union([
  Type.Literal('pending'),
  Type.Literal('payable'),
  Type.Literal('paid'),
  Type.Literal('reversed'),
]);
export const Commission = Type.Object({
  id: Type.String(),
  createdAt: Timestamp,
  offer: Type.Object({ id: Type.String(), title: Type.String() }),
  buyer: Type.String({ description: 'The buyer’s email (masked for affiliates)' }),
  paid: Money,
  percent: Type.Integer(),
  earned: Money,
  worth: Money,
  state: CommissionState,
  payableAt: Timestamp,
  flagged: Type.Union([Type.String(), Type.Null()]),
  affiliate: Type.Object({ id: Type.String(), email: Type.String(), name: Type.String() }),
});
export const Payout = Type.Object({
  id: Type.String(),
  affiliate: Type.Object({ id: Type.String(), email: Type.String(), name: Type.String() }),
  amount: Money,
  method: Type.Union([Type.Literal('stripe'), Type.Literal('manual')]),
  status: Type.Union([Type.Literal('pending'), Type.Literal('paid'), Type.Literal('failed')]),
  reference: Type.Union([Type.String(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  stripeTransferId: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
  paidAt: NullableTimestamp,
});

type CommissionRow = Awaited<ReturnType<AffiliatesService['listCommissions']>>['data'][number];

function presentCommission(row: CommissionRow, mask: boolean) {
  const money = (amountMinor: number) => ({ amountMinor, currency: row.currency });
  return {
    id: row.id,
    createdAt: toIso(Number(row.createdAt)),
    offer: { id: row.offerId, title: row.offerTitle },
    buyer: mask ? maskEmail(row.buyerEmail) : row.buyerEmail,
    paid: money(Number(row.paidMinor)),
    percent: row.percent,
    earned: money(Number(row.amountMinor)),
    worth: money(Number(row.worthMinor)),
    state: row.state,
    payableAt: toIso(Number(row.payableAt)),
    flagged: mask ? null : row.flagged,
    affiliate: { id: row.affiliateId, email: mask ? '' : row.affiliateEmail, name: row.affiliateName },
  };
}

function presentPayout(row: PayoutRow & { affiliateEmail?: string; affiliateName?: string }) {
  return {
    id: row.id,
    affiliate: { id: row.affiliateId, email: row.affiliateEmail ?? '', name: row.affiliateName ?? '' },
    amount: { amountMinor: Number(row.amountMinor), currency: row.currency },
    method: row.method,
    status: row.status,
    reference: row.reference,
    error: row.error,
    stripeTransferId: row.stripeTransferId,
    createdAt: toIso(Number(row.createdAt)),
    paidAt: row.paidAt === null ? null : toIso(Number(row.paidAt)),
  };
}

/** Become a Partner, as the member sees it. */
export const PartnerView = Type.Object({
  code: Type.String(),
  programs: Type.Array(
    Type.Object({
      offer: Type.Object({ id: Type.String(), title: Type.String(), slug: Type.String() }),
      pricingModel: Type.Union([Type.Literal('one_time'), Type.Literal('recurring')]),
      commissionPercent: Type.Integer(),
      recurring: Type.String(),
      months: Type.Union([Type.Integer(), Type.Null()]),
      description: Type.Union([Type.String(), Type.Null()]),
      link: Type.String(),
      clicks: Type.Integer(),
      sales: Type.Integer(),
      commissions: Type.Array(
        Type.Object({
          currency: Type.String(),
          pendingMinor: Type.Integer(),
          payableMinor: Type.Integer(),
          paidMinor: Type.Integer(),
          reversedMinor: Type.Integer(),
        }),
        { description: 'This program’s commissions by state' },
      ),
    }),
  ),
  balances: Type.Array(Balance),
  chart: Type.Array(
    Type.Object({
      day: Timestamp,
      clicks: Type.Integer(),
      sales: Type.Integer(),
      earnedMinor: Type.Integer(),
    }),
  ),
  commissions: Type.Array(Commission),
  payouts: Type.Object({
    connected: Type.Boolean({ description: 'Payouts go to your own Stripe account' }),
    payoutsEnabled: Type.Boolean(),
    last: Type.Union([Payout, Type.Null()]),
  }),
});

/** One affiliate in the creator's list. */
export const AffiliateSummary = Type.Object({
  id: Type.String(),
  user: Type.Object({ id: Type.String(), email: Type.String(), name: Type.String() }),
  code: Type.String(),
  payoutsConnected: Type.Boolean(),
  clicks: Type.Integer(),
  sales: Type.Integer(),
  revenue: Type.Array(Money),
  balances: Type.Array(Balance),
  lastPayout: Type.Union([Payout, Type.Null()]),
});

const CommissionQuery = Type.Object(
  {
    affiliateId: Type.Optional(Type.String({ maxLength: 64 })),
    offerId: Type.Optional(Type.String({ maxLength: 64 })),
    flagged: Type.Optional(Type.Boolean()),
    state: Type.Optional(CommissionState),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  },
  { additionalProperties: false },
);

export function affiliatesRoutes(deps: {
  affiliates: AffiliatesService;
  publicUrl: string;
}): FastifyPluginAsyncTypebox {
  const { affiliates, publicUrl } = deps;
  return async (app) => {
    app.get(
      '/hub/partner',
      {
        schema: {
          tags: ['partner'],
          summary:
            'Become a Partner: the programs open to you, your link, your clicks, sales and commissions',
          response: {
            200: PartnerView,
            ...errors(401, 403),
          },
        },
      },
      async (request) => {
        const view = await affiliates.partnerOverview(requireActor(request));
        const clicksByOffer = new Map(view.clicks.byOffer.map((row) => [row.offerId, Number(row.clicks)]));
        const salesByOffer = new Map<string, number>();
        for (const row of view.sales)
          salesByOffer.set(row.offerId, (salesByOffer.get(row.offerId) ?? 0) + Number(row.sales));
        const days = new Map<number, { clicks: number; sales: number; earnedMinor: number }>();
        for (let i = 89; i >= 0; i -= 1) {
          const day = view.now - (view.now % 86_400_000) - i * 86_400_000;
          days.set(day, { clicks: 0, sales: 0, earnedMinor: 0 });
        }
        for (const row of view.clicks.byDay) {
          const entry = days.get(Number(row.day));
          if (entry) entry.clicks = Number(row.clicks);
        }
        for (const row of view.byDay) {
          const entry = days.get(Number(row.day));
          if (entry) {
            entry.sales = Number(row.sales);
            entry.earnedMinor = Number(row.earned);
          }
        }
        const now = view.now;
        return {
          code: view.affiliate.code,
          programs: view.programs.map((offer) => ({
            offer: { id: offer.id, title: offer.title, slug: offer.slug },
            pricingModel: offer.pricingModel === 'recurring' ? ('recurring' as const) : ('one_time' as const),
            commissionPercent: offer.resellCommissionPercent ?? 0,
            recurring: offer.resellRecurring,
            months: offer.resellMonths,
            description: offer.resellDescription,
            link: `${publicUrl}/offers/${offer.slug}?ref=${view.affiliate.code}`,
            clicks: clicksByOffer.get(offer.id) ?? 0,
            sales: salesByOffer.get(offer.id) ?? 0,
            commissions: view.byOffer
              .filter((row) => row.offerId === offer.id)
              .map((row) => ({
                currency: row.currency,
                pendingMinor: Number(row.pending),
                payableMinor: Number(row.payable),
                paidMinor: Number(row.paid),
                reversedMinor: -Number(row.reversed),
              })),
          })),
          balances: view.balances,
          chart: [...days.entries()].map(([day, entry]) => ({ day: toIso(day), ...entry })),
          commissions: view.recent.map((row) => {
            const worth = Number(row.worthMinor);
            const state =
              worth <= 0
                ? 'reversed'
                : row.payoutStatus === 'paid'
                  ? 'paid'
                  : Number(row.payableAt) <= now
                    ? 'payable'
                    : 'pending';
            return presentCommission({ ...row, state } as CommissionRow, true);
          }),
          payouts: {
            connected: view.affiliate.stripeAccountId !== null,
            payoutsEnabled: view.affiliate.payoutsEnabled === 1,
            last: view.lastPayout ? presentPayout(view.lastPayout) : null,
          },
        };
      },
    );

    app.post(
      '/hub/partner/payouts/onboarding',
      {
        schema: {
          tags: ['partner'],
          summary: 'A link to connect your own Stripe account for payouts (Stripe Connect Express)',
          response: { 200: Type.Object({ url: Type.String() }), ...errors(401, 403, 409) },
        },
      },
      async (request) => ({ url: await affiliates.startPayoutOnboarding(requireActor(request)) }),
    );

    app.post(
      '/hub/partner/payouts/refresh',
      {
        schema: {
          tags: ['partner'],
          summary: 'Read your payout account’s state from Stripe again (after onboarding)',
          response: { 204: Type.Null(), ...errors(401, 403) },
        },
      },
      async (request, reply) => {
        await affiliates.refreshOwnPayoutAccount(requireActor(request));
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/affiliates',
      {
        schema: {
          tags: ['affiliates'],
          summary: 'Every affiliate with clicks, sales, revenue brought, commission by state and last payout',
          querystring: Type.Object(
            {
              cursor: Type.Optional(Type.String({ maxLength: 500 })),
              limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
            },
            { additionalProperties: false },
          ),
          response: {
            200: PageOf(AffiliateSummary),
            ...errors(400, 401, 403),
          },
        },
      },
      async (request) => {
        const page = await affiliates.listAffiliates(requireActor(request), {
          ...(request.query.cursor ? { cursor: request.query.cursor } : {}),
          limit: request.query.limit ?? DEFAULT_PAGE_SIZE,
        });
        return {
          data: page.data.map(({ affiliate, sales, balances, clicks, lastPayout }) => {
            const revenue = new Map<string, number>();
            for (const row of sales)
              revenue.set(row.currency, (revenue.get(row.currency) ?? 0) + Number(row.revenue));
            return {
              id: affiliate.id,
              user: { id: affiliate.userId, email: affiliate.email, name: affiliate.name },
              code: affiliate.code,
              payoutsConnected: affiliate.payoutsEnabled === 1,
              clicks: clicks.reduce((sum, row) => sum + Number(row.clicks), 0),
              sales: sales.reduce((sum, row) => sum + Number(row.sales), 0),
              revenue: [...revenue.entries()].map(([currency, amountMinor]) => ({ currency, amountMinor })),
              balances,
              lastPayout: lastPayout ? presentPayout(lastPayout) : null,
            };
          }),
          nextCursor: page.nextCursor,
        };
      },
    );

    app.get(
      '/commissions',
      {
        schema: {
          tags: ['affiliates'],
          summary: 'Every commission with its sale; filter by affiliate, program (offer) or flagged',
          querystring: CommissionQuery,
          response: { 200: PageOf(Commission), ...errors(400, 401, 403) },
        },
      },
      async (request) => {
        const { limit, ...filters } = request.query;
        const page = await affiliates.listCommissions(requireActor(request), {
          ...filters,
          limit: limit ?? DEFAULT_PAGE_SIZE,
        });
        return { data: page.data.map((row) => presentCommission(row, false)), nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/commissions/export',
      {
        schema: {
          tags: ['affiliates'],
          summary: 'Every commission matching the filters as CSV',
          querystring: Type.Omit(CommissionQuery, ['cursor', 'limit']),
          produces: ['text/csv'],
          response: { 200: Type.String(), ...errors(400, 401, 403) },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        const rows = await allPages((cursor) =>
          affiliates.listCommissions(actor, { ...request.query, ...(cursor ? { cursor } : {}), limit: 100 }),
        );
        const lines = [
          'date,affiliate_email,offer,buyer_email,paid,percent,earned,worth,currency,state,flagged',
          ...rows.map((row) =>
            csvLine([
              toIso(Number(row.createdAt)),
              row.affiliateEmail,
              row.offerTitle,
              row.buyerEmail,
              csvAmount(Number(row.paidMinor), row.currency),
              String(row.percent),
              csvAmount(Number(row.amountMinor), row.currency),
              csvAmount(Number(row.worthMinor), row.currency),
              row.currency,
              row.state,
              row.flagged ?? '',
            ]),
          ),
        ];
        return reply
          .header('content-disposition', 'attachment; filename="commissions.csv"')
          .type('text/csv; charset=utf-8')
          .send(`${lines.join('\n')}\n`);
      },
    );

    app.get(
      '/payouts',
      {
        schema: {
          tags: ['affiliates'],
          summary: 'Every payout to affiliates, newest first',
          querystring: Type.Object(
            {
              affiliateId: Type.Optional(Type.String({ maxLength: 64 })),
              cursor: Type.Optional(Type.String({ maxLength: 500 })),
              limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
            },
            { additionalProperties: false },
          ),
          response: { 200: PageOf(Payout), ...errors(400, 401, 403) },
        },
      },
      async (request) => {
        const { limit, ...filters } = request.query;
        const page = await affiliates.listPayouts(requireActor(request), {
          ...filters,
          limit: limit ?? DEFAULT_PAGE_SIZE,
        });
        return { data: page.data.map(presentPayout), nextCursor: page.nextCursor };
      },
    );

    app.post(
      '/payouts',
      {
        schema: {
          tags: ['affiliates'],
          summary:
            'Pay an affiliate what is payable: by Stripe transfer to their connected account (stripe), or record a payment made by hand (manual, with a reference)',
          body: Type.Object(
            {
              affiliateId: Type.String({ minLength: 1, maxLength: 64 }),
              method: Type.Union([Type.Literal('stripe'), Type.Literal('manual')]),
              reference: Type.Optional(Type.String({ maxLength: 200 })),
            },
            { additionalProperties: false },
          ),
          response: { 201: Payout, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const payout = await affiliates.createPayout(requireActor(request), request.body.affiliateId, {
          method: request.body.method,
          reference: request.body.reference ?? null,
        });
        return reply.status(201).send(presentPayout(payout));
      },
    );

    app.get(
      '/payouts/due-by-hand',
      {
        schema: {
          tags: ['affiliates'],
          summary:
            'CSV of affiliates to pay by hand (no connected Stripe account) whose payable balance reaches the minimum, for PayPal or Wise',
          produces: ['text/csv'],
          response: { 200: Type.String(), ...errors(401, 403) },
        },
      },
      async (request, reply) => {
        const due = await affiliates.dueByHand(requireActor(request));
        const lines = [
          'email,name,amount,currency',
          ...due.map((row) =>
            csvLine([row.email, row.name, csvAmount(row.amountMinor, row.currency), row.currency]),
          ),
        ];
        return reply
          .header('content-disposition', 'attachment; filename="payouts-due.csv"')
          .type('text/csv; charset=utf-8')
          .send(`${lines.join('\n')}\n`);
      },
    );

    app.post(
      '/payouts/:id/retry',
      {
        schema: {
          tags: ['affiliates'],
          summary: 'Send a Stripe payout that failed again (never paid twice)',
          params: IdParams,
          response: { 200: Payout, ...errors(401, 403, 404, 409) },
        },
      },
      async (request) =>
        presentPayout(await affiliates.retryPayout(requireActor(request), request.params.id)),
    );
  };
}
