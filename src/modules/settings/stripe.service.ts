// Settings → Stripe: the creator's own Stripe account, connected by pasting a secret or restricted key.
// Guildhall verifies the key, then creates and owns what it needs in that account: its webhook endpoint
// (exactly the events it handles; the signing secret never passes through a person) and its billing
// portal configuration. The key and the signing secret are sealed at rest with the app secret.
import type { Clock } from '../../platform/clock.ts';
import type { Sealer } from '../../platform/crypto.ts';
import { AppError, ConflictError, ForbiddenError, ValidationError } from '../../platform/errors.ts';
import type { Actor } from '../../platform/http/auth.ts';
import type { Executor } from '../../platform/jobs.ts';
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

export const STRIPE_CONNECTION_KEY = 'stripeConnection';
const SECRET_KEY = 'stripeSecretKey';
const WEBHOOK_SECRET_KEY = 'stripeWebhookSecret';
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
  const webhookUrl = `${publicUrl}/webhooks/stripe`;

  async function current(executor?: Executor): Promise<StripeConnectionState | null> {
    return (await settings.readInternal(STRIPE_CONNECTION_KEY, executor)) as StripeConnectionState | null;
  }

  async function secretKey(executor?: Executor): Promise<string | null> {
    const sealed = await settings.readInternal(SECRET_KEY, executor);
    return typeof sealed === 'string' ? sealer.open(sealed) : null;
  }

  /** The signing secret of Guildhall's endpoint, or null when Stripe is not connected. */
  async function webhookSecret(executor?: Executor): Promise<string | null> {
    const sealed = await settings.readInternal(WEBHOOK_SECRET_KEY, executor);
    return typeof sealed === 'string' ? sealer.open(sealed) : null;
  }

  /** The connected account's client, or `stripe_not_connected`. */
  async function client(executor?: Executor): Promise<{ stripe: Stripe; connection: StripeConnectionState }> {
    const [key, connection] = await Promise.all([secretKey(executor), current(executor)]);
    if (!key || !connection) {
      throw new ConflictError('stripe_not_connected', 'Stripe is not connected: Settings → Stripe.', {
        connectPath: '/admin/settings#stripe',
      });
    }
    return { stripe: gateway.client(key), connection };
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
  async function ensureEndpoint(stripe: Stripe, known: { id: string | null; secret: string | null }) {
    const endpoints = await stripe.webhookEndpoints.list({ limit: 100 });
    const ours = endpoints.data.filter((endpoint) => endpoint.url === webhookUrl);
    const keep = ours.find((endpoint) => endpoint.id === known.id && known.secret !== null);
    for (const stale of ours) if (stale !== keep) await stripe.webhookEndpoints.del(stale.id);
    const wanted = [...WEBHOOK_EVENTS].sort();
    if (keep) {
      const same =
        keep.status === 'enabled' &&
        JSON.stringify([...keep.enabled_events].sort()) === JSON.stringify(wanted);
      if (!same) {
        await stripe.webhookEndpoints.update(keep.id, { enabled_events: wanted, disabled: false });
      }
      return { id: keep.id, secret: known.secret as string, repaired: !same };
    }
    const created = await stripe.webhookEndpoints.create({
      url: webhookUrl,
      enabled_events: wanted,
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
    const stripe = gateway.client(key);
    let account: Stripe.Account;
    try {
      account = await stripe.accounts.retrieveCurrent();
    } catch (error) {
      if (isStripeAuthError(error)) throw ValidationError.field('secretKey', 'was not accepted by Stripe');
      throw new AppError('stripe_unreachable', 502, 'Stripe could not be reached. Try again in a moment.');
    }
    const previous = await current();
    const sameAccount = previous?.accountId === account.id;
    const endpoint = await ensureEndpoint(stripe, {
      id: sameAccount ? (previous?.webhookEndpointId ?? null) : null,
      secret: sameAccount ? await webhookSecret() : null,
    });
    const portal = await ensurePortalConfiguration(
      stripe,
      sameAccount ? (previous?.portalConfigurationId ?? null) : null,
    );
    const state = {
      ...stateOf(account, key, sameAccount ? previous : null),
      webhookEndpointId: endpoint.id,
      portalConfigurationId: portal,
    };
    await settings.writeInternal(SECRET_KEY, sealer.seal(key));
    await settings.writeInternal(WEBHOOK_SECRET_KEY, sealer.seal(endpoint.secret));
    await settings.writeInternal(STRIPE_CONNECTION_KEY, state);
    logger.info({ account: account.id, livemode: state.livemode }, 'stripe connected');
    return state;
  }

  /** Removes the key and Guildhall's endpoint; offers stay, paid checkout closes until reconnected. */
  async function disconnect(actor: Actor): Promise<void> {
    requireOwner(actor);
    const [key, state] = await Promise.all([secretKey(), current()]);
    if (key && state?.webhookEndpointId) {
      try {
        await gateway.client(key).webhookEndpoints.del(state.webhookEndpointId);
      } catch (error) {
        // The key may already be revoked; what matters is that Guildhall forgets it.
        logger.warn({ err: error }, 'stripe: endpoint not deleted on disconnect');
      }
    }
    await settings.writeInternal(SECRET_KEY, null);
    await settings.writeInternal(WEBHOOK_SECRET_KEY, null);
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
    const previous = await current(trx);
    if (!previous || previous.accountId !== account.id) return false;
    const key = await secretKey(trx);
    await settings.writeInternal(STRIPE_CONNECTION_KEY, stateOf(account, key ?? '', previous), trx);
    return true;
  }

  /** The daily check: the endpoint still exists with its events, and the account state is current. */
  async function repair(): Promise<{ repaired: boolean }> {
    const [key, state] = await Promise.all([secretKey(), current()]);
    if (!key || !state) return { repaired: false };
    const stripe = gateway.client(key);
    const endpoint = await ensureEndpoint(stripe, {
      id: state.webhookEndpointId,
      secret: await webhookSecret(),
    });
    const account = await stripe.accounts.retrieveCurrent();
    await settings.writeInternal(WEBHOOK_SECRET_KEY, sealer.seal(endpoint.secret));
    await settings.writeInternal(STRIPE_CONNECTION_KEY, {
      ...stateOf(account, key, state),
      webhookEndpointId: endpoint.id,
    });
    return { repaired: endpoint.repaired };
  }

  return { current, client, webhookSecret, connect, disconnect, status, applyAccount, repair };
}

export type StripeConnection = ReturnType<typeof createStripeConnection>;
