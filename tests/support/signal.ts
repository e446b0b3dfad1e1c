// A one-shot signal between two parts of a test: one awaits `reached`, the other calls `fire()`
// (a transaction held open until the test lets it commit; a handler that says it has started).
export function signal(): { reached: Promise<void>; fire: () => void } {
  let fire: () => void = () => {};
  const reached = new Promise<void>((resolve) => {
    fire = resolve;
  });
  return { reached, fire };
}
