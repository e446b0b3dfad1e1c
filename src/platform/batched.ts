// Writes that arrive while one is under way are written together when it ends (a group commit): the
// first caller is written at once, alone; callers meanwhile wait for the next write, which takes all
// of them. Under load the writes grow with it (the webhook inbox: one statement and one commit for
// every delivery that came while the last was being written); when idle, nothing waits.
//
// A write that finishes before the event loop turns (SQLite's, synchronous) is never under way when
// the next caller comes: with `gather`, the first caller waits for the end of the turn, and the
// callers of that turn (the requests read together from their sockets) are written with it.
//
// A write that fails fails every caller it took (each is told, none is written); the next caller
// starts a new one.

/** `write` for each item, items that come while a write is under way taken together by the next. */
export function batched<T>(
  write: (items: T[]) => Promise<void>,
  options: { gather?: boolean } = {},
): (item: T) => Promise<void> {
  let waiting: { item: T; resolve: () => void; reject: (error: unknown) => void }[] = [];
  let writing = false;

  async function writeWaiting(): Promise<void> {
    while (waiting.length > 0) {
      const taken = waiting;
      waiting = [];
      try {
        await write(taken.map(({ item }) => item));
        for (const { resolve } of taken) resolve();
      } catch (error) {
        for (const { reject } of taken) reject(error);
      }
    }
    writing = false;
  }

  return (item) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (writing) return;
      writing = true;
      if (options.gather) setImmediate(() => void writeWaiting());
      else void writeWaiting();
    });
}
