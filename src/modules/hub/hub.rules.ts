// The hub's input rules, pure: what a group, a post and a comment may hold. The same limits are the
// request schemas' bounds (hub.schemas.ts), so the OpenAPI document states them; these functions add
// what a schema cannot say (trimmed text required, one emoji, a real http(s) URL) in the product's words.
import type { HubVisibility } from '../../platform/db/schema.ts';
import type { FieldProblem } from '../../platform/errors.ts';
import { isHttpUrl, SLUG_PATTERN } from '../../platform/text.ts';
import { MAX_BODY_LENGTH } from './markdown.ts';

export const LIMITS = {
  name: 80,
  slug: 60,
  description: 2000,
  /** An emoji may be several code points (skin tones, flags, joined families). */
  emojiCodePoints: 8,
  paywallCta: 200,
  url: 2000,
  postTitle: 200,
  body: MAX_BODY_LENGTH,
} as const;

const VISIBILITIES: readonly HubVisibility[] = ['public', 'private', 'hidden'];

export interface GroupInput {
  name?: string;
  slug?: string;
  description?: string;
  emoji?: string | null;
  visibility?: HubVisibility;
  paywallCta?: string | null;
  paywallDescription?: string | null;
  paywallUrl?: string | null;
}

/** Field problems of a group's input; `creating` requires the name and visibility. */
export function groupProblems(input: GroupInput, creating: boolean): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const check = (ok: boolean, field: string, message: string) => {
    if (!ok) problems.push({ field, message });
  };
  if (creating || input.name !== undefined) {
    const name = input.name?.trim() ?? '';
    check(name.length > 0, 'name', 'is required');
    check(name.length <= LIMITS.name, 'name', `must be at most ${LIMITS.name} characters`);
  }
  if (input.slug !== undefined) {
    check(SLUG_PATTERN.test(input.slug), 'slug', 'must be lower-case letters, digits and single dashes');
    check(input.slug.length <= LIMITS.slug, 'slug', `must be at most ${LIMITS.slug} characters`);
  }
  if (input.description !== undefined)
    check(
      input.description.length <= LIMITS.description,
      'description',
      `must be at most ${LIMITS.description} characters`,
    );
  if (input.emoji)
    check(
      [...input.emoji].length <= LIMITS.emojiCodePoints && !/[\s<>]/.test(input.emoji),
      'emoji',
      'must be one emoji',
    );
  if (creating || input.visibility !== undefined) {
    check(
      VISIBILITIES.includes(input.visibility as HubVisibility),
      'visibility',
      'must be public, private or hidden',
    );
  }
  if (input.paywallCta)
    check(
      input.paywallCta.length <= LIMITS.paywallCta,
      'paywallCta',
      `must be at most ${LIMITS.paywallCta} characters`,
    );
  if (input.paywallDescription)
    check(
      input.paywallDescription.length <= LIMITS.description,
      'paywallDescription',
      `must be at most ${LIMITS.description} characters`,
    );
  if (input.paywallUrl)
    check(
      isHttpUrl(input.paywallUrl) && input.paywallUrl.length <= LIMITS.url,
      'paywallUrl',
      'must be an http or https URL',
    );
  // One problem per field: the first one found says what to fix first.
  return problems.filter((problem, index) => problems.findIndex((p) => p.field === problem.field) === index);
}

export function textProblems(
  field: string,
  value: string,
  max: number,
  required: boolean,
): FieldProblem | null {
  if (required && value.trim().length === 0) return { field, message: 'is required' };
  if (value.length > max) return { field, message: `must be at most ${max} characters` };
  return null;
}
