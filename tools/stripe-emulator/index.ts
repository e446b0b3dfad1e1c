// The Stripe emulator: a loopback HTTP server speaking the part of Stripe's API Guildhall uses,
// statefully, with a hosted pay page, a billing portal, signed webhooks and test controls. The real
// `stripe` SDK talks to it unchanged (see stripeClientFor); docs/stripe-emulator.md tells the rest.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { Emulator } from './emulator.ts';
import { handleRequest } from './server.ts';

export interface StripeEmulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  log?: (line: string) => void;
  /** Delays between webhook delivery attempts; a few seconds by default so tests can watch retries. */
  webhookRetryDelaysMs?: readonly number[];
  /** How long a webhook receiver may take before the attempt counts as failed. */
  webhookTimeoutMs?: number;
  /** Days after each failed attempt that an invoice is retried (Stripe's default: 3, 5, 7). */
  invoiceRetryDays?: readonly number[];
  /** What a subscription becomes when every retry has failed. */
  afterFinalFailure?: 'canceled' | 'unpaid';
}

export interface StripeEmulator {
  url: string;
  port: number;
  host: string;
  close(): Promise<void>;
}

export const defaultWebhookRetryDelaysMs: readonly number[] = [2_000, 4_000, 8_000, 16_000, 32_000];

export async function startStripeEmulator(options: StripeEmulatorOptions = {}): Promise<StripeEmulator> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => {});
  const emu = new Emulator({
    baseUrl: '',
    webhookRetryDelaysMs: options.webhookRetryDelaysMs ?? defaultWebhookRetryDelaysMs,
    webhookTimeoutMs: options.webhookTimeoutMs ?? 10_000,
    invoiceRetryDays: options.invoiceRetryDays ?? [3, 5, 7],
    afterFinalFailure: options.afterFinalFailure ?? 'canceled',
    log,
  });
  const server = createServer((req, res) => {
    void handleRequest(emu, req, res);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}`;
  emu.settings.baseUrl = url;
  log(`Stripe emulator listening on ${url} (API version ${Stripe.API_VERSION})`);
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    host,
    close() {
      closing ??= new Promise<void>((resolve) => {
        emu.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** A Stripe SDK client pointed at an emulator; any `sk_test_…` key names its own account. */
export function stripeClientFor(emulatorUrl: string, secretKey = 'sk_test_emulator'): Stripe {
  const url = new URL(emulatorUrl);
  return new Stripe(secretKey, {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    protocol: url.protocol === 'https:' ? 'https' : 'http',
    apiVersion: Stripe.API_VERSION,
    maxNetworkRetries: 0,
    telemetry: false,
  });
}
