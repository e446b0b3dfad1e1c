// Errors services throw. One handler (platform/http/errors.ts) turns them into
// {"error": {"code", "message", "details"}}; services never throw HTTP framework errors.

export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export interface FieldProblem {
  field: string;
  message: string;
}

export class ValidationError extends AppError {
  constructor(fields: FieldProblem[], message?: string) {
    const first = fields[0];
    super(
      'validation_failed',
      400,
      message ?? (first ? `${first.field}: ${first.message}` : 'The request is not valid.'),
      { fields },
    );
  }

  /** A validation error about one field. */
  static field(field: string, message: string): ValidationError {
    return new ValidationError([{ field, message }]);
  }
}

/** A rule of the domain refused the input (400 with its own code). */
export class BadRequestError extends AppError {
  constructor(code: string, message: string, details?: unknown) {
    super(code, 400, message, details);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'Sign in to continue.', code = 'unauthorized') {
    super(code, 401, message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'You may not do that.', code = 'forbidden', details?: unknown) {
    super(code, 403, message, details);
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'Not found.', code = 'not_found') {
    super(code, 404, message);
  }
}

/**
 * A row read back after a change, for the answer: gone means someone removed it meanwhile (a post
 * deleted while it was liked) — a 404 naming it, never a crash on a missing row.
 */
export function stillThere<T>(row: T | undefined, what: string): T {
  if (row === undefined) throw new NotFoundError(`The ${what} is gone.`);
  return row;
}

export class ConflictError extends AppError {
  constructor(code: string, message: string, details?: unknown) {
    super(code, 409, message, details);
  }
}

export class RateLimitedError extends AppError {
  constructor(
    readonly retryAfterSeconds: number,
    /** What was too many, in the person's words ("attempts", "posts"). */
    what = 'attempts',
  ) {
    super('rate_limited', 429, `Too many ${what}. Try again in ${Math.max(1, retryAfterSeconds)} seconds.`, {
      retryAfterSeconds,
    });
  }
}
