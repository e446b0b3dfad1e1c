// No NUL and no lone surrogate in any string a request carries. PostgreSQL refuses a NUL in text (a 500
// there, stored on SQLite, and a broken email later); a lone surrogate is not text at all. Refused at
// the edge, the same on both engines, naming the field.
import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../errors.ts';

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding NUL is the point
const NOT_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The first field (dotted path) whose string is not text, or null. */
export function fieldWithoutText(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return NOT_TEXT.test(value) ? path || 'body' : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const found = fieldWithoutText(value[i], path ? `${path}.${i}` : String(i));
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const [key, inner] of Object.entries(value)) {
      if (NOT_TEXT.test(key)) return path ? `${path}.${key}` : key;
      const found = fieldWithoutText(inner, path ? `${path}.${key}` : key);
      if (found) return found;
    }
  }
  return null;
}

/**
 * For the API. The HTML forms (checkout, claim) validate their few fields themselves and answer with
 * the form and its errors, not JSON.
 */
export function registerTextGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    if (!request.url.startsWith('/api/')) return;
    const field =
      fieldWithoutText(request.params) ?? fieldWithoutText(request.query) ?? fieldWithoutText(request.body);
    if (field) throw ValidationError.field(field, 'must not contain NUL characters or broken text');
  });
}
