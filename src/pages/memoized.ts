// A public page rendered once per distinct input and kept: the renderers here are pure functions of
// what they are given (no clock, no request), so a page is keyed by a hash of its whole input, and any
// change to the offer, its groups, the platform's name or the visitor's form is a different key. No
// invalidation to forget; an old page simply falls out of the bounded map.
import { createHash } from 'node:crypto';
import { lru } from '../platform/lru.ts';

/** Pages above this size are rendered every time instead of kept. */
const MAX_KEPT_BYTES = 256 * 1024;

export function memoizedRender<I>(render: (input: I) => string, max = 100): (input: I) => string {
  const pages = lru<string>(max);
  return (input) => {
    const key = createHash('sha256').update(JSON.stringify(input)).digest('base64url');
    const kept = pages.get(key);
    if (kept !== undefined) return kept;
    const page = render(input);
    if (page.length <= MAX_KEPT_BYTES) pages.set(key, page);
    return page;
  };
}
