// Settings → Stripe: the creator's own Stripe account, connected by pasting a secret or restricted key.
// Guildhall verifies the key, then creates and owns what it needs in that account: its webhook endpoint
// (exactly the events it handles; the signing secret never passes through a person) and its billing
// portal configuration. The key and the signing secret are sealed at rest with the app secret.

import type { Actor } from '../../platform/actor.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Sealer } from '../../platform/crypto.ts';
import type { Executor } from '../../platform/db/executor.ts';
import { AppError, ConflictError, ForbiddenError, ValidationError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import { isStripeAuthError, type Stripe, type StripeGateway } from '../../platform/stripe.ts';
import { requirementsInWords } from './settings.rules.ts';
import type { SettingsService } from './settings.service.ts';

/** The events Guildhall's endpoint subscribes to (DESIGN.md §4): exactly these, repaired when they differ. */
export const WEBHOOK_EVENTS = [
  'account.updated',
  'charge.dispute.closed',
  'charge.dispute.created',
  'charge.refunded',
  'checkout.session.async_payment_failed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.completed',
  'checkout.session.expired',
  'customer.subscription.created',
  'customer.subscription.deleted',
  'customer.subscription.updated',
  'invoice.paid',
  'invoice.payment_failed',
] as const;

/**
 * Events about connected accounts (affiliates' payout accounts) reach only an endpoint made for
 * Connect, with its own secret: the affiliates' onboarding is followed through it.
 */
export const CONNECT_WEBHOOK_EVENTS = ['account.updated'] as const;

/** Which of Guildhall's two endpoints a delivery came to. */
export type WebhookKind = 'account' | 'connect';

export const STRIPE_CONNECTION_KEY = 'stripeConnection';
const SECRET_KEY = 'stripeSecretKey';
const WEBHOOK_SECRET_KEYS: Record<WebhookKind, string> = {
  account: 'stripeWebhookSecret',
  connect: 'stripeConnectWebhookSecret',
};
const KEY_PATTERN = /^(sk|rk)_(test|live)_[A-Za-z0-9_]{8,255}$/;

/** What Guildhall knows of the connected account, kept current by `account.updated`. */
export interface StripeConnectionState {
  accountId: string;
  displayName: string | null;
  livemode: boolean;
  chargesEnabled: boolean;
  payoutsEnabled: boolean;
  detailsSubmitted: boolean;
  /** What Stripe still needs, in words. */
  requirements: string[];
  webhookEndpointId: string | null;
  /** The endpoint for connected accounts' events (affiliates' payout accounts). */
  connectWebhookEndpointId?: string | null;
  portalConfigurationId: string | null;
  /** The last four characters of the key, to tell keys apart. */
  keyLast4: string;
  connectedAt: number;
  updatedAt: number;
}

export interface StripeConnectionDeps {
  settings: SettingsService;
  sealer: Sealer;
  gateway: StripeGateway;
  clock: Clock;
  logger: Logger;
  publicUrl: string;
}

function requireOwner(actor: Actor): void {
  if (actor.role !== 'owner') throw new ForbiddenError('Only the owner may connect Stripe.', 'owner_only');
}

export function dashboardUrlOf(state: Pick<StripeConnectionState, 'livemode'>): string {
  return state.livemode ? 'https://dashboard.stripe.com' : 'https://dashboard.stripe.com/test';
}

export function createStripeConnection(deps: StripeConnectionDeps) {
  const { settings, sealer, gateway, clock, logger, publicUrl } = deps;
  const endpoints: Record<WebhookKind, { url: string; events: readonly string[]; connect: boolean }> = {
    account: { url: `${publicUrl}/webhooks/stripe`, events: WEBHOOK_EVENTS, connect: false },
    connect: { url: `${publicUrl}/webhooks/stripe/connect`, events: CONNECT_WEBHOOK_EVENTS, connect: true },
  };

  async function current(executor?: Executor): Promise<StripeConnectionState | null> {
    return (await settings.readInternal(STRIPE_CONNECTION_KEY, executor)) as StripeConnectionState | null;
  }

  /** The key (opened) and the account state, in one read, with any `also` settings (still sealed). */
  async function stored(executor?: Executor, also: string[] = []) {
    const values = await settings.readInternals([SECRET_KEY, STRIPE_CONNECTION_KEY, ...also], executor);
    const sealed = values.get(SECRET_KEY);
    return {
      key: typeof sealed === 'string' ? sealer.open(sealed) : null,
      state: (values.get(STRIPE_CONNECTION_KEY) ?? null) as StripeConnectionState | null,
      values,
    };
  }

  /** A sealed setting opened, or null when it is not set. */
  const opened = (sealed: unknown) => (typeof sealed === 'string' ? sealer.open(sealed) : null);

  /** The signing secret of one of Guildhall's endpoints, or null when Stripe is not connected. */
  async function webhookSecret(kind: WebhookKind = 'account', executor?: Executor): Promise<string | null> {
    return opened(await settings.readInternal(WEBHOOK_SECRET_KEYS[kind], executor));
  }

  /** The connected account's client, or `stripe_not_connected`. */
  async function client(executor?: Executor): Promise<{ stripe: Stripe; connection: StripeConnectionState }> {
    const { key, state: connection } = await stored(executor);
    if (!key || !connection) {
      throw new ConflictError('stripe_not_connected', 'Stripe is not connected: Settings → Stripe.', {
        connectPath: '/admin/settings#stripe',
      });
    }
    return { stripe: await gateway.client(key), connection };
  }

  function stateOf(account: Stripe.Account, key: string, previous: StripeConnectionState | null) {
    const now = clock.now();
    return {
      accountId: account.id,
      displayName:
        account.settings?.dashboard?.display_name ?? account.business_profile?.name ?? account.email ?? null,
      livemode: key.includes('_live_'),
      chargesEnabled: account.charges_enabled ?? false,
      payoutsEnabled: account.payouts_enabled ?? false,
      detailsSubmitted: account.details_submitted ?? false,
      requirements: requirementsInWords(account.requirements?.currently_due ?? []),
      webhookEndpointId: previous?.webhookEndpointId ?? null,
      connectWebhookEndpointId: previous?.connectWebhookEndpointId ?? null,
      portalConfigurationId: previous?.portalConfigurationId ?? null,
      keyLast4: key.slice(-4),
      connectedAt: previous?.connectedAt ?? now,
      updatedAt: now,
    } satisfies StripeConnectionState;
  }

  /**
   * Makes sure Guildhall's endpoint exists with exactly its events and that its signing secret is
   * known; an endpoint whose secret was lost is replaced (Stripe shows a secret only at creation).
   */
  async function ensureEndpoint(
    stripe: Stripe,
    kind: WebhookKind,
    known: { id: string | null; secret: string | null },
  ) {
    const spec = endpoints[kind];
    const listed = await stripe.webhookEndpoints.list({ limit: 100 });
    // Each endpoint has its own URL, so one's repair never deletes the other.
    const ours = listed.data.filter((endpoint) => endpoint.url === spec.url);
    const keep = ours.find((endpoint) => endpoint.id === known.id && known.secret !== null);
    for (const stale of ours) if (stale !== keep) await stripe.webhookEndpoints.del(stale.id);
    const wanted = [...spec.events].sort();
    if (keep) {
      const same =
        keep.status === 'enabled' &&
        JSON.stringify([...keep.enabled_events].sort()) === JSON.stringify(wanted);
      if (!same) {
        await stripe.webhookEndpoints.update(keep.id, {
          enabled_events: wanted as Stripe.WebhookEndpointUpdateParams.EnabledEvent[],
          disabled: false,
        });
      }
      return { id: keep.id, secret: known.secret as string, repaired: !same };
    }
    const created = await stripe.webhookEndpoints.create({
      url: spec.url,
      enabled_events: wanted as Stripe.WebhookEndpointCreateParams.EnabledEvent[],
      ...(spec.connect ? { connect: true } : {}),
      description: 'Guildhall (created and kept by Guildhall; do not edit)',
      metadata: { guildhall: 'true' },
    });
    if (!created.secret) throw new AppError('stripe_endpoint_failed', 502, 'Stripe gave no signing secret.');
    return { id: created.id, secret: created.secret, repaired: true };
  }

  /** The portal members use to update their card and cancel: cancel at period end, never now. */
  async function ensurePortalConfiguration(stripe: Stripe, knownId: string | null): Promise<string> {
    const { platformName } = await settings.getSettings();
    const params = {
      business_profile: { headline: `${platformName} billing` },
      default_return_url: `${publicUrl}/hub/billing`,
      features: {
        customer_update: { enabled: false },
        invoice_history: { enabled: true },
        payment_method_update: { enabled: true },
        subscription_cancel: { enabled: true, mode: 'at_period_end' as const },
        // Switching plans would move a member to prices Guildhall did not make for them.
        subscription_update: { enabled: false },
      },
      metadata: { guildhall: 'true' },
    };
    if (knownId) {
      try {
        return (await stripe.billingPortal.configurations.update(knownId, params)).id;
      } catch (error) {
        // Deleted or from another account: make a new one below.
        logger.warn({ err: error }, 'stripe: portal configuration not updated, creating another');
      }
    }
    return (await stripe.billingPortal.configurations.create(params)).id;
  }

  /** Settings → Stripe → Connect: verifies the key and sets up the account for Guildhall. */
  async function connect(actor: Actor, input: { secretKey: string }): Promise<StripeConnectionState> {
    requireOwner(actor);
    const key = input.secretKey.trim();
    if (!KEY_PATTERN.test(key)) {
      throw ValidationError.field(
        'secretKey',
        'must be a Stripe secret key (sk_live_… or sk_test_…) or restricted key (rk_…)',
      );
    }
    const stripe = await gateway.client(key);
    let account: Stripe.Account;
    try {
      account = await stripe.accounts.retrieveCurrent();
    } catch (error) {
      if (isStripeAuthError(error)) throw ValidationError.field('secretKey', 'was not accepted by Stripe');
      throw new AppError('stripe_unreachable', 502, 'Stripe could not be reached. Try again in a moment.');
    }
    const previous = await current();
    const sameAccount = previous?.accountId === account.id;
    let endpoint: { id: string; secret: string };
    let connectEndpoint: { id: string; secret: string };
    let portal: string;
    try {
      endpoint = await ensureEndpoint(stripe, 'account', {
        id: sameAccount ? (previous?.webhookEndpointId ?? null) : null,
        secret: sameAccount ? await webhookSecret('account') : null,
      });
      connectEndpoint = await ensureEndpoint(stripe, 'connect', {
        id: sameAccount ? (previous?.connectWebhookEndpointId ?? null) : null,
        secret: sameAccount ? await webhookSecret('connect') : null,
      });
      portal = await ensurePortalConfiguration(
        stripe,
        sameAccount ? (previous?.portalConfigurationId ?? null) : null,
      );
    } catch (error) {
      logger.error({ err: error }, 'stripe: could not set up the account for Guildhall');
      const restricted = key.startsWith('rk_')
        ? ' A restricted key needs write access to webhook endpoints and the billing portal.'
        : '';
      throw new AppError(
        'stripe_setup_failed',
        502,
        `Stripe accepted the key but refused to set up Guildhall's webhook endpoints or billing portal.${restricted}`,
      );
    }
    const state = {
      ...stateOf(account, key, sameAccount ? previous : null),
      webhookEndpointId: endpoint.id,
      connectWebhookEndpointId: connectEndpoint.id,
      portalConfigurationId: portal,
    };
    await settings.writeInternal(SECRET_KEY, sealer.seal(key));
    await settings.writeInternal(WEBHOOK_SECRET_KEYS.account, sealer.seal(endpoint.secret));
    await settings.writeInternal(WEBHOOK_SECRET_KEYS.connect, sealer.seal(connectEndpoint.secret));
    await settings.writeInternal(STRIPE_CONNECTION_KEY, state);
    logger.info({ account: account.id, livemode: state.livemode }, 'stripe connected');
    return state;
  }

  /** Removes the key and Guildhall's endpoint; offers stay, paid checkout closes until reconnected. */
  async function disconnect(actor: Actor): Promise<void> {
    requireOwner(actor);
    const { key, state } = await stored();
    for (const id of [state?.webhookEndpointId, state?.connectWebhookEndpointId]) {
      if (!key || !id) continue;
      try {
        await (await gateway.client(key)).webhookEndpoints.del(id);
      } catch (error) {
        // The key may already be revoked; what matters is that Guildhall forgets it.
        logger.warn({ err: error }, 'stripe: endpoint not deleted on disconnect');
      }
    }
    await settings.writeInternal(SECRET_KEY, null);
    await settings.writeInternal(WEBHOOK_SECRET_KEYS.account, null);
    await settings.writeInternal(WEBHOOK_SECRET_KEYS.connect, null);
    await settings.writeInternal(STRIPE_CONNECTION_KEY, null);
  }

  /** Settings → Stripe, as staff see it (admins read it; only the owner changes it). */
  async function status(actor: Actor): Promise<StripeConnectionState | null> {
    if (actor.role !== 'owner' && actor.role !== 'admin')
      throw new ForbiddenError('Only the owner and admins may see the Stripe connection.');
    return current();
  }

  /** `account.updated`: what Stripe now says of the account (charges, payouts, what it still needs). */
  async function applyAccount(trx: Executor, account: Stripe.Account): Promise<boolean> {
    const { key, state: previous } = await stored(trx);
    if (!key || !previous || previous.accountId !== account.id) return false;
    await settings.writeInternal(STRIPE_CONNECTION_KEY, stateOf(account, key, previous), trx);
    return true;
  }

  /** The daily check: the endpoint still exists with its events, and the account state is current. */
  async function repair(): Promise<{ repaired: boolean }> {
    const { key, state } = await stored();
    if (!key || !state) return { repaired: false };
    const stripe = await gateway.client(key);
    const endpoint = await ensureEndpoint(stripe, 'account', {
      id: state.webhookEndpointId,
      secret: await webhookSecret('account'),
    });
    const connectEndpoint = await ensureEndpoint(stripe, 'connect', {
      id: state.connectWebhookEndpointId ?? null,
      secret: await webhookSecret('connect'),
    });
    const account = await stripe.accounts.retrieveCurrent();
    await settings.writeInternal(WEBHOOK_SECRET_KEYS.account, sealer.seal(endpoint.secret));
    await settings.writeInternal(WEBHOOK_SECRET_KEYS.connect, sealer.seal(connectEndpoint.secret));
    await settings.writeInternal(STRIPE_CONNECTION_KEY, {
      ...stateOf(account, key, state),
      webhookEndpointId: endpoint.id,
      connectWebhookEndpointId: connectEndpoint.id,
    });
    return { repaired: endpoint.repaired || connectEndpoint.repaired };
  }

  return {
    current,
    client,
    webhookSecret,
    connect,
    disconnect,
    status,
    applyAccount,
    repair,
  };
}

export type StripeConnection = ReturnType<typeof createStripeConnection>;
