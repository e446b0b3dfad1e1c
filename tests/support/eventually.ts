// Waiting for what another process hears within a moment (a PostgreSQL notification, SQLite's look at
// another connection's commits every millisecond), without a fixed sleep.

/** Asks `check` until it answers true or `timeoutMs` passes; answers its last answer, for the caller to assert. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 2000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
