// The emulator's own clock, in Unix seconds: real time plus whatever tests advanced it by. While the
// clock processes what fell due (a renewal at the end of a period), `at` pins "now" to the moment that
// thing happened, so the objects it creates carry that time, as under a Stripe test clock.

export class Clock {
  private offsetSeconds = 0;
  private pinned: number | undefined;

  now(): number {
    return this.pinned ?? Math.floor(Date.now() / 1000) + this.offsetSeconds;
  }

  advance(seconds: number): void {
    this.offsetSeconds += seconds;
  }

  at<T>(time: number, fn: () => T): T {
    const previous = this.pinned;
    this.pinned = time;
    try {
      return fn();
    } finally {
      this.pinned = previous;
    }
  }

  reset(): void {
    this.offsetSeconds = 0;
    this.pinned = undefined;
  }
}
