// No NUL and no lone surrogate in any string a request carries, no JSON nested past reason, and no
// infinite number in a query. PostgreSQL refuses a NUL in text (a 500
// there, stored on SQLite, and a broken email later); a lone surrogate is not text at all. Refused at
// the edge, the same on both engines, naming the field.
import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../errors.ts';

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding NUL is the point
const NOT_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Deeper than this, a request's JSON is refused: no form of ours nests past a handful of levels. */
export const MAX_NESTING = 32;

export type TextProblem = { field: string; problem: 'not_text' | 'too_deep' };

/**
 * The first field (dotted path) whose string is not text, or that nests deeper than MAX_NESTING; null
 * when there is none. Walks with its own stack, so no depth of input can exhaust the call stack.
 */
export function fieldWithoutText(value: unknown): TextProblem | null {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: '', depth: 0 }];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const { value: item, path, depth } = next;
    const at = (key: string | number) => (path ? `${path}.${key}` : String(key));
    if (typeof item === 'string') {
      if (NOT_TEXT.test(item)) return { field: path || 'body', problem: 'not_text' };
      continue;
    }
    if (!item || typeof item !== 'object' || Buffer.isBuffer(item)) continue;
    if (depth >= MAX_NESTING) return { field: path || 'body', problem: 'too_deep' };
    const entries = Array.isArray(item)
      ? item.map((inner, i) => [String(i), inner] as const)
      : Object.entries(item);
    // Pushed in reverse, so the first field in reading order is checked (and named) first.
    for (let i = entries.length - 1; i >= 0; i -= 1) {
      const [key, inner] = entries[i] as readonly [string, unknown];
      if (NOT_TEXT.test(key)) return { field: at(key), problem: 'not_text' };
      stack.push({ value: inner, path: at(key), depth: depth + 1 });
    }
  }
  return null;
}

/** The first query or path parameter whose number is not finite (`?limit=Infinity` coerced by Ajv). */
export function fieldNotFinite(...sources: unknown[]): string | null {
  for (const source of sources) {
    if (!source || typeof source !== 'object') continue;
    for (const [key, value] of Object.entries(source)) {
      if (typeof value === 'number' && !Number.isFinite(value)) return key;
      if (Array.isArray(value) && value.some((item) => typeof item === 'number' && !Number.isFinite(item)))
        return key;
    }
  }
  return null;
}

/**
 * For the API. The HTML forms (checkout, claim) validate their few fields themselves and answer with
 * the form and its errors, not JSON.
 */
export function registerTextGuard(app: FastifyInstance): void {
  // Both hooks wait for nothing: they call `done` (an async hook costs every request a promise).
  app.addHook('preValidation', (request, _reply, done) => {
    if (!request.url.startsWith('/api/')) return done();
    const found =
      fieldWithoutText(request.params) ?? fieldWithoutText(request.query) ?? fieldWithoutText(request.body);
    if (found?.problem === 'too_deep')
      return done(ValidationError.field(found.field, `must not nest deeper than ${MAX_NESTING} levels`));
    if (found)
      return done(ValidationError.field(found.field, 'must not contain NUL characters or broken text'));
    done();
  });
  // After validation: Ajv coerces `?limit=Infinity` into a number its range check lets through.
  app.addHook('preHandler', (request, _reply, done) => {
    if (!request.url.startsWith('/api/')) return done();
    const field = fieldNotFinite(request.query, request.params);
    done(field ? ValidationError.field(field, 'must be a finite number') : undefined);
  });
}
