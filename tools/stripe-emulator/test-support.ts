// Helpers for the emulator's own tests (and later the product's): a webhook receiver on loopback that
// verifies every delivery with the SDK, and a client for the /_emulator test controls.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

export interface ReceivedEvent {
  event: Stripe.Event;
  verified: boolean;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedEvent[];
  /** Answers with this status (default 200); a function can decide per event. */
  respondWith: number | ((event: Stripe.Event, attempt: number) => number);
  setSecret(secret: string): void;
  waitFor(predicate: (events: Stripe.Event[]) => boolean, timeoutMs?: number): Promise<Stripe.Event[]>;
  types(): string[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  let secret = '';
  const attempts = new Map<string, number>();
  const receiver: WebhookReceiver = {
    url: '',
    received: [],
    respondWith: 200,
    setSecret(value) {
      secret = value;
    },
    async waitFor(predicate, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const events = receiver.received.filter((r) => r.verified).map((r) => r.event);
        if (predicate(events)) return events;
        if (Date.now() > deadline) {
          throw new Error(`webhook receiver: timed out; received ${events.map((e) => e.type).join(', ')}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    types() {
      return receiver.received.filter((r) => r.verified).map((r) => r.event.type);
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  const server = createServer((req, res) => {
    if (req.method !== 'POST' || !req.url?.startsWith('/webhooks/stripe')) {
      // Any other path stands in for the product's pages (success_url, cancel_url, return_url).
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(`<!doctype html><title>site</title><p>${req.url?.replace(/[<>&"]/g, '')}</p>`);
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const payload = Buffer.concat(chunks).toString('utf8');
      let event: Stripe.Event;
      try {
        event = Stripe.webhooks.constructEvent(
          payload,
          String(req.headers['stripe-signature'] ?? ''),
          secret,
        );
      } catch {
        // An unverifiable delivery is recorded as such so the test can assert there were none.
        receiver.received.push({ event: safeParse(payload), verified: false });
        res.writeHead(400).end();
        return;
      }
      const attempt = (attempts.get(event.id) ?? 0) + 1;
      attempts.set(event.id, attempt);
      const status =
        typeof receiver.respondWith === 'function'
          ? receiver.respondWith(event, attempt)
          : receiver.respondWith;
      if (status >= 200 && status < 300) receiver.received.push({ event, verified: true });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/stripe`;
  return receiver;
}

function safeParse(payload: string): Stripe.Event {
  try {
    return JSON.parse(payload) as Stripe.Event;
  } catch {
    return { id: 'unparseable', type: 'unparseable' } as unknown as Stripe.Event;
  }
}

export interface ControlResponse<T> {
  status: number;
  body: T;
}

/** Calls a test control with a JSON body. */
export async function control<T = Record<string, unknown>>(
  emulatorUrl: string,
  path: string,
  body?: Record<string, unknown>,
  method: 'GET' | 'POST' = body === undefined ? 'GET' : 'POST',
): Promise<ControlResponse<T>> {
  const response = await fetch(`${emulatorUrl}/_emulator/${path.replace(/^\//, '')}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(method === 'POST' ? { body: JSON.stringify(body ?? {}) } : {}),
  });
  return { status: response.status, body: (await response.json()) as T };
}

export async function advanceClock(emulatorUrl: string, seconds: number): Promise<void> {
  const result = await control(emulatorUrl, 'clock/advance', { seconds });
  if (result.status !== 200) throw new Error(`clock advance failed: ${JSON.stringify(result.body)}`);
}

export interface OnboardingForm {
  email?: string;
  business_type?: 'individual' | 'company';
  name?: string;
  url?: string;
  product_description?: string;
  mcc?: string;
  account_holder_name?: string;
  routing_number?: string;
  account_number?: string;
  tos?: 'accepted' | '';
  action?: 'submit' | 'leave';
}

/**
 * What a person does with an account link: opens its URL (the emulator answers 303 to the onboarding
 * form, or to `refresh_url` for a used or expired link) and submits the form as the page would. Returns
 * where each step sent them: `opened` (the form, or `refresh_url`) and, when the form was reached,
 * `submitted` (`return_url`, or null with the page's `status` when the form refused what was typed).
 */
export async function submitOnboarding(
  emulatorUrl: string,
  linkUrl: string,
  form: OnboardingForm = {},
): Promise<{ opened: string; submitted: string | null; status: number | null }> {
  const opened = await fetch(linkUrl, { redirect: 'manual' });
  const location = opened.headers.get('location') ?? '';
  await opened.arrayBuffer();
  if (!location.startsWith('/connect/onboarding/'))
    return { opened: location, submitted: null, status: null };
  const fields: Record<string, string> = {
    email: 'affiliate@example.com',
    business_type: 'individual',
    name: 'Ada Affiliate',
    url: 'https://ada.example.com',
    mcc: '7311',
    routing_number: '110000000',
    account_number: '000123456789',
    tos: 'accepted',
    action: 'submit',
    ...form,
  };
  const submitted = await fetch(new URL(location, emulatorUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
  await submitted.arrayBuffer();
  return {
    opened: location,
    submitted: submitted.status === 303 ? submitted.headers.get('location') : null,
    status: submitted.status,
  };
}
