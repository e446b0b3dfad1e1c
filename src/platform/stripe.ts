// The Stripe client: a thin adapter over the official SDK. One client per secret key, the API version
// pinned by the SDK, and the base URL from STRIPE_API_URL (Stripe when unset). Nothing here knows
// whether it talks to Stripe or to an emulator.
//
// The SDK is loaded on first use, not at start: a platform without Stripe never pays for it (a fifth of
// the server's code, about 10 MB of a process's memory), and one with Stripe pays once, on its first
// call to Stripe or webhook.
import type Stripe from 'stripe';

export type { Stripe };

export interface StripeGateway {
  /** A client acting with the creator's secret (or restricted) key. */
  client(secretKey: string): Promise<Stripe>;
  /** The event of a webhook delivery; throws when the signature is missing, wrong or stale. */
  verifyEvent(rawBody: Buffer | string, signature: string | undefined, secret: string): Promise<Stripe.Event>;
}

/** The SDK once something has loaded it; an error of Stripe's can only come after that. */
let loaded: typeof Stripe | undefined;
let loading: Promise<typeof Stripe> | undefined;
function sdk(): Promise<typeof Stripe> {
  loading ??= import('stripe').then(({ default: module }) => {
    loaded = module;
    return module;
  });
  return loading;
}

/** Whether an error is Stripe refusing the key itself (not a network failure or a bad request). */
export function isStripeAuthError(error: unknown): boolean {
  return (
    loaded !== undefined &&
    (error instanceof loaded.errors.StripeAuthenticationError ||
      error instanceof loaded.errors.StripePermissionError)
  );
}

/** Whether Stripe answered at all: a refusal (4xx) rather than a network failure or a 5xx. */
export function isStripeRefusal(error: unknown): error is InstanceType<typeof Stripe.errors.StripeError> {
  return (
    loaded !== undefined &&
    error instanceof loaded.errors.StripeError &&
    typeof error.statusCode === 'number' &&
    error.statusCode >= 400 &&
    error.statusCode < 500
  );
}

export function createStripeGateway(options: { apiUrl: string | null }): StripeGateway {
  const clients = new Map<string, Stripe>();
  const base = options.apiUrl ? new URL(options.apiUrl) : null;
  // The SDK's own verifier; it needs no key of ours.
  let verifier: Stripe | undefined;

  return {
    async client(secretKey) {
      let client = clients.get(secretKey);
      if (!client) {
        const Stripe = await sdk();
        client = new Stripe(secretKey, {
          apiVersion: Stripe.API_VERSION,
          maxNetworkRetries: 2,
          timeout: 20_000,
          telemetry: false,
          appInfo: { name: 'Guildhall' },
          ...(base
            ? {
                host: base.hostname.replace(/^\[|\]$/g, ''),
                port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
                protocol: base.protocol === 'https:' ? ('https' as const) : ('http' as const),
              }
            : {}),
        });
        clients.set(secretKey, client);
      }
      return client;
    },
    async verifyEvent(rawBody, signature, secret) {
      const Stripe = await sdk();
      verifier ??= new Stripe('sk_test_verifier_only', { telemetry: false });
      if (!signature) {
        throw new Stripe.errors.StripeSignatureVerificationError('', rawBody, { message: 'No signature.' });
      }
      return verifier.webhooks.constructEvent(rawBody, signature, secret, 300);
    },
  };
}
