import { describe, expect, it } from 'vitest';
import { fieldWithoutText } from './text-guard.ts';

describe('text guard', () => {
  it('names the first field holding a NUL or a lone surrogate', () => {
    expect(fieldWithoutText({ name: 'ok', nested: { title: 'a\u0000b' } })).toBe('nested.title');
    expect(fieldWithoutText({ list: ['fine', '\uD800'] })).toBe('list.1');
    expect(fieldWithoutText({ emoji: '😀', accent: 'Zoë' })).toBeNull();
    expect(fieldWithoutText('\uDC00x')).toBe('body');
    expect(fieldWithoutText(Buffer.from([0, 1, 2]))).toBeNull();
  });
});
