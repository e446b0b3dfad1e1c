// Errors in Stripe's wire shape: `{ "error": { type, code, doc_url, message, param, decline_code } }`,
// with the HTTP status Stripe uses for each, so the SDK raises the same error classes it would against
// Stripe. Every error with a `code` carries Stripe's `doc_url` for it.

export type StripeErrorType =
  | 'api_error'
  | 'card_error'
  | 'idempotency_error'
  | 'invalid_request_error'
  | 'authentication_error';

export interface StripeErrorBody {
  type: StripeErrorType;
  message: string;
  code?: string;
  param?: string;
  decline_code?: string;
  doc_url?: string;
  payment_intent?: unknown;
  charge?: string;
}

/**
 * Stripe's page for an error code, as its answers give it: the code with hyphens
 * (`resource_missing` → `https://stripe.com/docs/error-codes/resource-missing`).
 */
export function docUrl(code: string): string {
  return `https://stripe.com/docs/error-codes/${code.replaceAll('_', '-')}`;
}

/** The body with `doc_url` added when it has a code (and no `doc_url` yet). */
export function withDocUrl<T extends { code?: string; doc_url?: string }>(body: T): T {
  return body.code && !body.doc_url ? { ...body, doc_url: docUrl(body.code) } : body;
}

export class StripeApiError extends Error {
  readonly status: number;
  readonly body: StripeErrorBody;
  /**
   * Raised after the endpoint began acting (a transfer refused for its destination or the balance), so
   * Stripe saves it under the request's idempotency key and replays it. Card errors (402) always are.
   */
  savedForIdempotency = false;

  constructor(status: number, body: StripeErrorBody) {
    super(body.message);
    this.status = status;
    this.body = withDocUrl(body);
  }
}

/** Marks an error as raised during execution: a retry with the same idempotency key replays it. */
export function afterExecution(error: StripeApiError): StripeApiError {
  error.savedForIdempotency = true;
  return error;
}

export function missingParam(param: string): StripeApiError {
  return new StripeApiError(400, {
    type: 'invalid_request_error',
    code: 'parameter_missing',
    message: `Missing required param: ${param}.`,
    param,
  });
}

/**
 * A parameter with a value Stripe refuses: `param` names it; `code` only where Stripe has one for the
 * case (`parameter_invalid_integer`, `url_invalid`, `email_invalid`, …: the codes the SDK lists for this
 * API version). An invalid value without such a code (an enum value, a boolean) has none, as on Stripe.
 */
export function invalidParam(param: string, message: string, code?: string): StripeApiError {
  return new StripeApiError(400, {
    type: 'invalid_request_error',
    ...(code ? { code } : {}),
    message,
    param,
  });
}

export function invalidRequest(message: string, param?: string, code?: string): StripeApiError {
  return new StripeApiError(400, {
    type: 'invalid_request_error',
    message,
    ...(code ? { code } : {}),
    ...(param ? { param } : {}),
  });
}

export function noSuchObject(kind: string, id: string, param = 'id'): StripeApiError {
  return new StripeApiError(404, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    message: `No such ${kind}: '${id}'`,
    param,
  });
}

export function unknownRoute(method: string, path: string): StripeApiError {
  return new StripeApiError(404, {
    type: 'invalid_request_error',
    message: `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
  });
}
