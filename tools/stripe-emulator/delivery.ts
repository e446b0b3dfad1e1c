// Webhook delivery: signed as Stripe signs, in order per endpoint, retried with backoff on a non-2xx
// answer or a timeout. Tests can make it hostile (duplicates, reordering, delay). Every timer and
// request it starts is tracked so close() leaves nothing behind to keep the process alive.
import { createHmac } from 'node:crypto';
import type { EventObject } from './store.ts';

export interface DeliverySettings {
  /** Probability (0..1) that an event is delivered twice. */
  duplicate: number;
  /** Deliver each burst of events (those produced by one change) in reverse order. */
  reorder: boolean;
  /** Wait this long before each delivery attempt. */
  delayMs: number;
}

export interface DeliveryTarget {
  endpointId: string;
  url: string;
  secret: string;
}

export interface DeliveryAttempt {
  eventId: string;
  eventType: string;
  endpointId: string;
  url: string;
  attempt: number;
  status: number | null;
  error: string | null;
  at: number;
}

export interface DeliveryOptions {
  retryDelaysMs: readonly number[];
  timeoutMs: number;
  log: (line: string) => void;
}

interface Job {
  target: DeliveryTarget;
  event: EventObject;
  attempt: number;
  onSettled: (delivered: boolean) => void;
}

const defaultSettings: DeliverySettings = { duplicate: 0, reorder: false, delayMs: 0 };
const reorderWindowMs = 25;

export function signPayload(payload: string, secret: string, timestamp: number): string {
  const signature = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${signature}`;
}

export class WebhookDelivery {
  settings: DeliverySettings = { ...defaultSettings };
  readonly attempts: DeliveryAttempt[] = [];
  private readonly options: DeliveryOptions;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly controllers = new Set<AbortController>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly bursts = new Map<string, Job[]>();
  private closed = false;

  constructor(options: DeliveryOptions) {
    this.options = options;
  }

  enqueue(target: DeliveryTarget, event: EventObject, onSettled: (delivered: boolean) => void): void {
    if (this.closed) return;
    const copies = Math.random() < this.settings.duplicate ? 2 : 1;
    let settledOnce = false;
    const settle = (delivered: boolean) => {
      if (settledOnce) return;
      settledOnce = true;
      onSettled(delivered);
    };
    for (let i = 0; i < copies; i++) {
      const job: Job = { target, event, attempt: 1, onSettled: settle };
      if (this.settings.reorder) this.addToBurst(job);
      else this.chain(job);
    }
  }

  /** Forget pending work and settings (the emulator's reset), without closing. */
  reset(): void {
    this.cancelAll();
    this.settings = { ...defaultSettings };
    this.attempts.length = 0;
    this.chains.clear();
    this.bursts.clear();
  }

  close(): void {
    this.closed = true;
    this.cancelAll();
  }

  private cancelAll(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const controller of this.controllers) controller.abort();
    this.controllers.clear();
  }

  private addToBurst(job: Job): void {
    const key = job.target.endpointId;
    const burst = this.bursts.get(key);
    if (burst) {
      burst.push(job);
      return;
    }
    this.bursts.set(key, [job]);
    this.later(reorderWindowMs, () => {
      const jobs = this.bursts.get(key) ?? [];
      this.bursts.delete(key);
      for (const queued of jobs.reverse()) this.chain(queued);
    });
  }

  private chain(job: Job): void {
    const key = job.target.endpointId;
    const previous = this.chains.get(key) ?? Promise.resolve();
    const next = previous.then(() => this.send(job));
    this.chains.set(key, next);
  }

  private later(ms: number, fn: () => void): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.later(ms, resolve));
  }

  private async send(job: Job): Promise<void> {
    if (this.settings.delayMs > 0) await this.sleep(this.settings.delayMs);
    if (this.closed) return;
    const payload = JSON.stringify(job.event, null, 2);
    const timestamp = Math.floor(Date.now() / 1000);
    const controller = new AbortController();
    this.controllers.add(controller);
    const timeout = setTimeout(() => controller.abort(), this.options.timeoutMs);
    this.timers.add(timeout);
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(job.target.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'stripe-signature': signPayload(payload, job.target.secret, timestamp),
        },
        body: payload,
        signal: controller.signal,
      });
      status = response.status;
      // Drain the body so the connection is released.
      await response.arrayBuffer().catch(() => undefined);
    } catch (err) {
      error = controller.signal.aborted ? 'timeout' : err instanceof Error ? err.message : String(err);
    } finally {
      clearTimeout(timeout);
      this.timers.delete(timeout);
      this.controllers.delete(controller);
    }
    if (this.closed) return;
    this.attempts.push({
      eventId: job.event.id,
      eventType: job.event.type,
      endpointId: job.target.endpointId,
      url: job.target.url,
      attempt: job.attempt,
      status,
      error,
      at: Date.now(),
    });
    const ok = status !== null && status >= 200 && status < 300;
    this.options.log(
      `webhook ${job.event.type} ${job.event.id} → ${job.target.url} attempt ${job.attempt}: ${status ?? error}`,
    );
    if (ok) {
      job.onSettled(true);
      return;
    }
    const delay = this.options.retryDelaysMs[job.attempt - 1];
    if (delay === undefined) {
      job.onSettled(false);
      return;
    }
    this.later(delay, () => this.chain({ ...job, attempt: job.attempt + 1 }));
  }
}
