import { describe, expect, it } from 'vitest';
import { groupProblems, LIMITS, textProblems } from './hub.rules.ts';

describe('hub rules', () => {
  it('requires a name and a visibility to create a group, and names each field once', () => {
    expect(groupProblems({}, true)).toEqual([
      { field: 'name', message: 'is required' },
      { field: 'visibility', message: 'must be public, private or hidden' },
    ]);
    expect(groupProblems({ name: '  Yoga  ', visibility: 'private' }, true)).toEqual([]);
    expect(groupProblems({}, false)).toEqual([]);
  });

  it('holds each field to its limit and its form', () => {
    const problems = groupProblems(
      {
        name: 'x'.repeat(LIMITS.name + 1),
        slug: 'Not A Slug',
        emoji: 'two words',
        paywallUrl: 'javascript:alert(1)',
        paywallCta: 'x'.repeat(LIMITS.paywallCta + 1),
      },
      false,
    );
    expect(Object.fromEntries(problems.map((p) => [p.field, p.message]))).toEqual({
      name: `must be at most ${LIMITS.name} characters`,
      slug: 'must be lower-case letters, digits and single dashes',
      emoji: 'must be one emoji',
      paywallUrl: 'must be an http or https URL',
      paywallCta: `must be at most ${LIMITS.paywallCta} characters`,
    });
    expect(groupProblems({ emoji: '👩‍👩‍👧' }, false)).toEqual([]);
  });

  it('requires a post body, trimmed, and bounds a title', () => {
    expect(textProblems('body', '   ', LIMITS.body, true)).toEqual({ field: 'body', message: 'is required' });
    expect(textProblems('title', 'x'.repeat(LIMITS.postTitle + 1), LIMITS.postTitle, false)?.message).toBe(
      `must be at most ${LIMITS.postTitle} characters`,
    );
    expect(textProblems('title', '', LIMITS.postTitle, false)).toBeNull();
  });
});
