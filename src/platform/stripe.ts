// The Stripe client: a thin adapter over the official SDK. One client per secret key, the API version
// pinned by the SDK, and the base URL from STRIPE_API_URL (Stripe when unset). Nothing here knows
// whether it talks to Stripe or to an emulator.
import Stripe from 'stripe';

export type { Stripe };

export interface StripeGateway {
  /** A client acting with the creator's secret (or restricted) key. */
  client(secretKey: string): Stripe;
  /** The event of a webhook delivery; throws when the signature is missing, wrong or stale. */
  verifyEvent(rawBody: Buffer | string, signature: string | undefined, secret: string): Stripe.Event;
}

/** Whether an error is Stripe refusing the key itself (not a network failure or a bad request). */
export function isStripeAuthError(error: unknown): boolean {
  return (
    error instanceof Stripe.errors.StripeAuthenticationError ||
    error instanceof Stripe.errors.StripePermissionError
  );
}

/** Whether Stripe answered at all: a refusal (4xx) rather than a network failure or a 5xx. */
export function isStripeRefusal(error: unknown): error is InstanceType<typeof Stripe.errors.StripeError> {
  return (
    error instanceof Stripe.errors.StripeError &&
    typeof error.statusCode === 'number' &&
    error.statusCode >= 400 &&
    error.statusCode < 500
  );
}

export function createStripeGateway(options: { apiUrl: string | null }): StripeGateway {
  const clients = new Map<string, Stripe>();
  const base = options.apiUrl ? new URL(options.apiUrl) : null;
  // The SDK's own verifier; it needs no key of ours.
  const verifier = new Stripe('sk_test_verifier_only', { telemetry: false });

  return {
    client(secretKey) {
      let client = clients.get(secretKey);
      if (!client) {
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
    verifyEvent(rawBody, signature, secret) {
      if (!signature) {
        throw new Stripe.errors.StripeSignatureVerificationError('', rawBody, { message: 'No signature.' });
      }
      return verifier.webhooks.constructEvent(rawBody, signature, secret, 300);
    },
  };
}
