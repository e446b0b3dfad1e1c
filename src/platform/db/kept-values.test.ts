import { describe, expect, it } from 'vitest';
import { type Changes, keptValues } from './changes.ts';

/** Changes whose versions the test sets: null says nothing may be kept. */
function changesAt(versions: { catalog: number | null }): Changes {
  return {
    version: (topic) => (topic === 'catalog' ? versions.catalog : null),
    ready: async () => true,
    refresh: async () => {},
    settled: async () => {},
    close: async () => {},
  };
}

describe('keptValues', () => {
  it('reads once per version of its topic, and again when the topic moves', async () => {
    const versions = { catalog: 1 as number | null };
    const kept = keptValues<string>(changesAt(versions), 'catalog', 10);
    let reads = 0;
    const read = async () => `value ${++reads}`;
    expect(await kept.get('k', read)).toBe('value 1');
    expect(await kept.get('k', read)).toBe('value 1');
    versions.catalog = 2;
    expect(await kept.get('k', read)).toBe('value 2');
    expect(reads).toBe(2);
  });

  it('keeps nothing while no version is answered, no miss, and nothing no longer usable', async () => {
    const versions = { catalog: null as number | null };
    const kept = keptValues<{ until: number }>(changesAt(versions), 'catalog', 10);
    let reads = 0;
    const read = async () => ({ until: ++reads });
    await kept.get('k', read);
    await kept.get('k', read);
    expect(reads).toBe(2);

    versions.catalog = 1;
    let missing = 0;
    const miss = async () => {
      missing++;
      return undefined;
    };
    expect(await kept.get('gone', miss)).toBeUndefined();
    expect(await kept.get('gone', miss)).toBeUndefined();
    expect(missing).toBe(2);

    await kept.get('k', read); // reads = 3, kept
    expect(await kept.get('k', read)).toEqual({ until: 3 });
    expect(await kept.get('k', read, (value) => value.until > 3)).toEqual({ until: 4 });
    expect(reads).toBe(4);
  });
});
