import { describe, expect, it } from 'vitest';
import {
  excerptOf,
  groupProblems,
  HIT_END,
  HIT_START,
  hitSegments,
  LIMITS,
  searchTerms,
  textProblems,
} from './hub.rules.ts';

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

  it("keeps only a search's words: letters and digits, lower-cased, each once, eight at most", () => {
    expect(searchTerms('  Morning YOGA, morning!  ')).toEqual(['morning', 'yoga']);
    expect(searchTerms('"yoga" OR NEAR(a b) * -x ^y col:z')).toEqual(
      ['yoga', 'or', 'near', 'a', 'b', 'x', 'y', 'col', 'z'].slice(0, 8),
    );
    expect(searchTerms('Ünïcödé 東京 2026')).toEqual(['ünïcödé', '東京', '2026']);
    expect(searchTerms('*** --- ""')).toEqual([]);
    expect(searchTerms('x'.repeat(100))).toEqual(['x'.repeat(64)]);
  });

  it('cuts marked text into hit and plain segments, whatever marks stray', () => {
    expect(hitSegments(`a ${HIT_START}yoga${HIT_END} class`)).toEqual([
      { text: 'a ', hit: false },
      { text: 'yoga', hit: true },
      { text: ' class', hit: false },
    ]);
    expect(hitSegments(`${HIT_END}plain`)).toEqual([{ text: 'plain', hit: false }]);
    expect(hitSegments('')).toEqual([]);
  });

  it('shows a mention in an excerpt as it shows on the page', () => {
    expect(excerptOf('Hi @[Ann Lee](member:0b6f2a1e-6a7d-4f6e-9c1b-2f3a4b5c6d7e),\n\nwelcome')).toBe(
      'Hi @Ann Lee, welcome',
    );
  });
});
