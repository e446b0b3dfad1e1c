import { describe, expect, it } from 'vitest';
import { batched } from './batched.ts';

describe('batched writes', () => {
  it('write the first item at once and what comes meanwhile together, each caller told when its item is written', async () => {
    const writes: number[][] = [];
    let finish: () => void = () => {};
    const write = batched<number>(async (items) => {
      writes.push(items);
      await new Promise<void>((resolve) => {
        finish = resolve;
      });
    });
    const written: number[] = [];
    const first = write(1).then(() => written.push(1));
    const later = [2, 3, 4].map((n) => write(n).then(() => written.push(n)));
    expect(writes).toEqual([[1]]);
    finish();
    await first;
    expect(written).toEqual([1]);
    await Promise.resolve();
    expect(writes).toEqual([[1], [2, 3, 4]]);
    finish();
    await Promise.all(later);
    expect(written).toEqual([1, 2, 3, 4]);
    // Idle again: the next item is written at once.
    const next = write(5);
    expect(writes.at(-1)).toEqual([5]);
    finish();
    await next;
  });

  it('fail every caller of a write that fails, and write the next ones anew', async () => {
    let fail = true;
    const writes: string[][] = [];
    const write = batched<string>(async (items) => {
      writes.push(items);
      await Promise.resolve();
      if (fail) throw new Error('the database is down');
    });
    const results = await Promise.allSettled([write('a'), write('b'), write('c')]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected']);
    fail = false;
    await expect(write('d')).resolves.toBeUndefined();
    expect(writes).toEqual([['a'], ['b', 'c'], ['d']]);
  });

  it('with gather, take the callers of one turn of the event loop into the first write', async () => {
    const writes: number[][] = [];
    const write = batched<number>(
      async (items) => {
        writes.push(items);
      },
      { gather: true },
    );
    const first = [1, 2, 3].map((n) => write(n));
    expect(writes).toEqual([]);
    await Promise.all(first);
    expect(writes).toEqual([[1, 2, 3]]);
    await write(4);
    expect(writes).toEqual([[1, 2, 3], [4]]);
  });
});
