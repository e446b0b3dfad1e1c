import { describe, expect, it } from 'vitest';
import { fieldNotFinite, fieldWithoutText, MAX_NESTING } from './text-guard.ts';

const notText = (field: string) => ({ field, problem: 'not_text' });

describe('text guard', () => {
  it('names the first field holding a NUL or a lone surrogate', () => {
    expect(fieldWithoutText({ name: 'ok', nested: { title: 'a\u0000b' } })).toEqual(notText('nested.title'));
    expect(fieldWithoutText({ list: ['fine', '\uD800'] })).toEqual(notText('list.1'));
    expect(fieldWithoutText({ first: '\u0000', second: '\u0000' })).toEqual(notText('first'));
    expect(fieldWithoutText({ emoji: '😀', accent: 'Zoë' })).toBeNull();
    expect(fieldWithoutText('\uDC00x')).toEqual(notText('body'));
    expect(fieldWithoutText(Buffer.from([0, 1, 2]))).toBeNull();
  });

  it('refuses nesting past the limit without exhausting the stack, however deep', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(fieldWithoutText(deep)?.problem).toBe('too_deep');
    let fine: unknown = 'leaf';
    for (let i = 0; i < MAX_NESTING; i += 1) fine = { a: fine };
    expect(fieldWithoutText(fine)).toBeNull();
  });

  it('names a query number that is not finite', () => {
    expect(fieldNotFinite({ limit: Number.POSITIVE_INFINITY })).toBe('limit');
    expect(fieldNotFinite({ search: 'Infinity', limit: 5 }, { id: 'x' })).toBeNull();
  });
});
