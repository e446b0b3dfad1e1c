import { describe, expect, it } from 'vitest';
import { lru } from './lru.ts';

describe('lru', () => {
  it('forgets the least recently used entry past its bound, a read counting as a use', () => {
    const kept = lru<number>(2);
    kept.set('a', 1);
    kept.set('b', 2);
    expect(kept.get('a')).toBe(1); // a is now the most recent
    kept.set('c', 3); // b goes
    expect(kept.get('b')).toBeUndefined();
    expect(kept.get('a')).toBe(1);
    expect(kept.get('c')).toBe(3);
  });

  it('keeps a key read again and again as the most recent, and a rewritten one with its new value', () => {
    const kept = lru<number>(2);
    kept.set('hot', 1);
    kept.set('cold', 2);
    for (let i = 0; i < 3; i++) expect(kept.get('hot')).toBe(1);
    kept.set('new', 3); // cold goes, hot stays
    expect(kept.get('cold')).toBeUndefined();
    expect(kept.get('hot')).toBe(1);
    kept.set('hot', 4);
    kept.set('other', 5); // new goes
    expect(kept.get('new')).toBeUndefined();
    expect(kept.get('hot')).toBe(4);
  });
});
