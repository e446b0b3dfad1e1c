import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { toIso } from '../../platform/clock.ts';
import { requireActor } from '../../platform/http/auth.ts';
import {
  errors,
  IdParams,
  ListQuery,
  NullableTimestamp,
  PageOf,
  Timestamp,
} from '../../platform/http/schemas.ts';
import { DEFAULT_PAGE_SIZE } from '../../platform/pagination.ts';
import type { EmailService } from './email.service.ts';

export const EmailStatus = Type.Union([
  Type.Literal('queued'),
  Type.Literal('sent'),
  Type.Literal('failed'),
  Type.Literal('logged'),
]);
export const EmailSummary = Type.Object({
  id: Type.String(),
  to: Type.String(),
  subject: Type.String(),
  kind: Type.String(),
  status: EmailStatus,
  error: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
  sentAt: NullableTimestamp,
});
export const EmailDetail = Type.Object({
  ...EmailSummary.properties,
  html: Type.String(),
  text: Type.String(),
  links: Type.Array(Type.String(), {
    description:
      'The links the platform issued for this message (sign-in links redacted unless you may use them)',
  }),
});

function summary(row: {
  id: string;
  toAddress: string;
  subject: string;
  kind: string;
  status: 'queued' | 'sent' | 'failed' | 'logged';
  error: string | null;
  createdAt: number;
  sentAt: number | null;
}) {
  return {
    id: row.id,
    to: row.toAddress,
    subject: row.subject,
    kind: row.kind,
    status: row.status,
    error: row.error,
    createdAt: toIso(row.createdAt),
    sentAt: toIso(row.sentAt),
  };
}

export function emailRoutes(deps: { email: EmailService }): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/emails',
      {
        schema: {
          tags: ['emails'],
          summary: 'The log of every email sent or tried; search is a prefix of the recipient',
          querystring: ListQuery,
          response: { 200: PageOf(EmailSummary), ...errors(400, 401, 403) },
        },
      },
      async (request) => {
        const { search, cursor, limit } = request.query;
        const page = await deps.email.listEmails(requireActor(request), {
          search,
          cursor,
          limit: limit ?? DEFAULT_PAGE_SIZE,
        });
        return { data: page.data.map(summary), nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/emails/:id',
      {
        schema: {
          tags: ['emails'],
          summary: 'One email with its rendered message (sign-in links redacted unless you may use them)',
          params: IdParams,
          response: { 200: EmailDetail, ...errors(401, 403, 404) },
        },
      },
      async (request) => {
        const email = await deps.email.readEmail(requireActor(request), request.params.id);
        return { ...summary(email), html: email.html, text: email.text, links: email.links };
      },
    );
  };
}
