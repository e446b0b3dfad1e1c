// One error shape everywhere: {"error": {"code", "message", "details"}}. Schema failures name the field;
// anything unknown is logged with the request id and answered as a bare 500.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isUniqueViolation, uniqueViolationField } from '../db/database.ts';
import { AppError, type FieldProblem, RateLimitedError } from '../errors.ts';

interface AjvIssue {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

function fieldOf(issue: AjvIssue): string {
  const path = (issue.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
  const missing = issue.params?.missingProperty ?? issue.params?.tag;
  const extra = issue.params?.additionalProperty;
  const leaf = typeof missing === 'string' ? missing : typeof extra === 'string' ? extra : '';
  return [path, leaf].filter(Boolean).join('.') || 'body';
}

function messageOf(issue: AjvIssue): string {
  if (issue.keyword === 'required') return 'is required';
  if (issue.keyword === 'additionalProperties') return 'is not a known field';
  if (issue.keyword === 'discriminator') return 'is not a known type';
  const limit = issue.params?.limit;
  // In the product's words, the same as the rules files use.
  if (typeof limit === 'number') {
    if (issue.keyword === 'maxLength') return `must be at most ${limit} characters`;
    if (issue.keyword === 'minLength')
      return limit === 1 ? 'is required' : `must be at least ${limit} characters`;
    if (issue.keyword === 'maximum') return `must be at most ${limit}`;
    if (issue.keyword === 'minimum') return `must be at least ${limit}`;
    if (issue.keyword === 'maxItems') return `must have at most ${limit} items`;
  }
  const allowed = issue.params?.allowedValues;
  if (issue.keyword === 'enum' && Array.isArray(allowed)) {
    const words = allowed.map(String);
    return `must be ${words.length > 1 ? `${words.slice(0, -1).join(', ')} or ${words.at(-1)}` : words[0]}`;
  }
  return issue.message ?? 'is not valid';
}

export function toFieldProblems(issues: AjvIssue[]): FieldProblem[] {
  const seen = new Set<string>();
  const problems: FieldProblem[] = [];
  for (const issue of issues) {
    const field = fieldOf(issue);
    if (seen.has(field)) continue;
    seen.add(field);
    problems.push({ field, message: messageOf(issue) });
  }
  return problems;
}

/** Stable codes for the errors Fastify raises before a route runs. */
const FRAMEWORK_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_JSON_BODY: 'bad_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'bad_json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_content_length',
  FST_ERR_BAD_URL: 'bad_url',
};

/** Fastify's `frameworkErrors`: a URL it cannot decode (bad percent-encoding) never reaches a route. */
export function answerFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
  const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 400;
  const code = FRAMEWORK_CODES[error.code] ?? 'bad_request';
  const message = code === 'bad_url' ? 'The URL is not valid (bad percent-encoding).' : error.message;
  return reply.status(status).send({ error: { code, message } });
}

/** Whether a request is a browser's asking for a page (not the API's, not a file's). */
export function wantsPage(request: FastifyRequest): boolean {
  const path = request.url.split('?')[0] ?? '';
  if (path.startsWith('/api/') || path === '/api') return false;
  return (
    (request.method === 'GET' || request.method === 'HEAD') && /text\/html/.test(request.headers.accept ?? '')
  );
}

export interface ErrorHandlingOptions {
  /** The HTML answered to a browser asking for a page that does not exist (else the JSON error). */
  notFoundPage?: (request: FastifyRequest) => Promise<string>;
}

export function registerErrorHandling(app: FastifyInstance, options: ErrorHandlingOptions = {}): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) {
      if (error instanceof RateLimitedError) reply.header('retry-after', String(error.retryAfterSeconds));
      return reply.status(error.status).send({
        error: {
          code: error.code,
          message: error.message,
          ...(error.details === undefined ? {} : { details: error.details }),
        },
      });
    }
    if (isUniqueViolation(error)) {
      // Two requests raced to create the same thing (an email, a slug) and this one lost: the
      // database's unique index said no, and nothing of this request was kept.
      const field = uniqueViolationField(error) ?? 'body';
      return reply.status(409).send({
        error: {
          code:
            field === 'body' ? 'conflict' : `${field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}_taken`,
          message: `${field}: is already taken`,
          details: { fields: [{ field, message: 'is already taken' }] },
        },
      });
    }
    if (error.validation) {
      const fields = toFieldProblems(error.validation as AjvIssue[]);
      const first = fields[0];
      return reply.status(400).send({
        error: {
          code: 'validation_failed',
          message: first ? `${first.field}: ${first.message}` : 'The request is not valid.',
          details: { fields },
        },
      });
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      // Framework-level client errors (bad JSON, body too large, unsupported media type).
      const code = FRAMEWORK_CODES[error.code] ?? 'bad_request';
      return reply.status(error.statusCode).send({ error: { code, message: error.message } });
    }
    request.log.error({ err: error, reqId: request.id }, 'unhandled error');
    return reply.status(500).send({
      error: { code: 'internal_error', message: `Something went wrong on our side (request ${request.id}).` },
    });
  });

  app.setNotFoundHandler(async (request, reply) => {
    if (options.notFoundPage && wantsPage(request)) {
      return reply
        .status(404)
        .type('text/html; charset=utf-8')
        .send(await options.notFoundPage(request));
    }
    return reply.status(404).send({
      error: { code: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0]}.` },
    });
  });
}
