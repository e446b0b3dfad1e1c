// The emulator's state and the operations every resource shares: accounts by key, the clock, events
// and their delivery, the request log.
import Stripe from 'stripe';
import { Clock } from './clock.ts';
import { type DeliveryAttempt, type DeliverySettings, WebhookDelivery } from './delivery.ts';
import { runDue } from './due.ts';
import { accountIdForKey, newId } from './ids.ts';
import { defaultConfiguration } from './portal-configuration.ts';
import {
  type AccountState,
  allOfKind,
  type EventObject,
  type EventType,
  type Kind,
  putObject,
  type StoredObject,
} from './store.ts';

export interface EmulatorSettings {
  /** Where the emulator is reachable, for the `url` of pay pages and portal sessions. */
  baseUrl: string;
  /** Delays between webhook attempts; one more attempt than entries. */
  webhookRetryDelaysMs: readonly number[];
  webhookTimeoutMs: number;
  /** Days after the previous failed attempt that an invoice payment is retried (Stripe's default schedule). */
  invoiceRetryDays: readonly number[];
  /** What a subscription becomes when every retry has failed. */
  afterFinalFailure: 'canceled' | 'unpaid';
  log: (line: string) => void;
}

export interface RequestLogEntry {
  id: string;
  method: string;
  path: string;
  account: string | null;
  idempotencyKey: string | null;
  params: Record<string, unknown>;
  status: number;
  replayed: boolean;
  at: number;
}

/** Options of an emitted event. */
export interface EmitOptions {
  /**
   * The connected account the event happened on: the event carries `account` and goes to the platform's
   * Connect endpoints (`connect: true`) instead of its account endpoints.
   */
  account?: string;
}

/** A `POST /_emulator/transfers/fail-next`: the next transfer (to `destination`, or any) fails. */
export interface TransferFailure {
  destination: string | null;
}

export interface RequestContext {
  id: string;
  idempotencyKey: string | null;
}

export const apiVersion: string = Stripe.API_VERSION;

export function snapshot<T>(value: T): T {
  return structuredClone(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What changed, with the old values, in the partial nested shape of Stripe's `previous_attributes`. */
export function previousAttributes(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const key of keys) {
    const old = before[key];
    const now = after[key];
    if (JSON.stringify(old) === JSON.stringify(now)) continue;
    const isList = isPlainObject(old) && old.object === 'list';
    if (isPlainObject(old) && isPlainObject(now) && !isList && key !== 'metadata') {
      out[key] = previousAttributes(old, now);
    } else {
      out[key] = old === undefined ? null : old;
    }
  }
  return out;
}

export class Emulator {
  readonly settings: EmulatorSettings;
  readonly clock = new Clock();
  readonly accounts = new Map<string, AccountState>();
  readonly requests: RequestLogEntry[] = [];
  readonly delivery: WebhookDelivery;
  /** Set while an API request runs, so its events carry `request.id` and `idempotency_key`. */
  currentRequest: RequestContext | null = null;
  /** Transfer creations told to fail (oldest first), by `POST /_emulator/transfers/fail-next`. */
  readonly transferFailures: TransferFailure[] = [];
  private readonly keys = new Map<string, string>();

  constructor(settings: EmulatorSettings) {
    this.settings = settings;
    this.delivery = new WebhookDelivery({
      retryDelaysMs: settings.webhookRetryDelaysMs,
      timeoutMs: settings.webhookTimeoutMs,
      log: settings.log,
    });
  }

  now(): number {
    return this.clock.now();
  }

  /**
   * Bumped by every request that may change state. While it stays the same and the clock has not
   * reached `dueCheck.nextAt`, nothing can have fallen due, and `runDue` need not look.
   */
  private changes = 0;
  dueCheck: { changes: number; nextAt: number } | null = null;

  changed(): void {
    this.changes++;
  }

  get changeCount(): number {
    return this.changes;
  }

  /** Lets everything the clock has reached happen (expiries, renewals, retries). */
  runDue(): number {
    return runDue(this);
  }

  accountForKey(key: string): AccountState {
    const existing = this.keys.get(key);
    if (existing) {
      const state = this.accounts.get(existing);
      if (state) return state;
    }
    const id = accountIdForKey(key);
    this.keys.set(key, id);
    return this.accounts.get(id) ?? this.createAccount(id);
  }

  /** The account holding an object, for pages and test controls that are reached without a key. */
  findOwner(id: string): AccountState | undefined {
    for (const state of this.accounts.values())
      if (state.objects.has(id) || state.deleted.has(id)) return state;
    return undefined;
  }

  reset(): void {
    this.accounts.clear();
    this.keys.clear();
    this.requests.length = 0;
    this.clock.reset();
    this.delivery.reset();
    this.transferFailures.length = 0;
    this.dueCheck = null;
  }

  /** Takes the first pending transfer failure that applies to this destination, if any. */
  takeTransferFailure(destination: string): boolean {
    const at = this.transferFailures.findIndex(
      (failure) => failure.destination === null || failure.destination === destination,
    );
    if (at < 0) return false;
    this.transferFailures.splice(at, 1);
    return true;
  }

  setDelivery(settings: Partial<DeliverySettings>): DeliverySettings {
    this.delivery.settings = { ...this.delivery.settings, ...settings };
    return this.delivery.settings;
  }

  deliveryAttempts(): readonly DeliveryAttempt[] {
    return this.delivery.attempts;
  }

  emit(
    state: AccountState,
    type: EventType,
    object: StoredObject,
    previous?: Record<string, unknown>,
    options: EmitOptions = {},
  ): EventObject {
    const event: EventObject = {
      id: newId('evt'),
      object: 'event',
      ...(options.account ? { account: options.account } : {}),
      api_version: apiVersion,
      created: this.now(),
      data: {
        object: snapshot(object) as unknown as Record<string, unknown>,
        ...(previous && Object.keys(previous).length > 0 ? { previous_attributes: previous } : {}),
      },
      livemode: false,
      pending_webhooks: 0,
      request: {
        id: this.currentRequest?.id ?? null,
        idempotency_key: this.currentRequest?.idempotencyKey ?? null,
      },
      type,
    };
    putObject(state, event);
    this.deliver(state, event);
    return event;
  }

  /** Emits an `*.updated` event only when something changed; returns what changed. */
  emitUpdate(
    state: AccountState,
    type: EventType,
    before: StoredObject,
    after: StoredObject,
    options: EmitOptions = {},
  ): Record<string, unknown> | undefined {
    const previous = previousAttributes(
      before as unknown as Record<string, unknown>,
      after as unknown as Record<string, unknown>,
    );
    if (Object.keys(previous).length === 0) return undefined;
    this.emit(state, type, after, previous, options);
    return previous;
  }

  deliver(state: AccountState, event: EventObject, onlyEndpoint?: string): number {
    let count = 0;
    for (const endpoint of allOfKind(state, 'webhook_endpoint')) {
      if (onlyEndpoint && endpoint.id !== onlyEndpoint) continue;
      if (endpoint.status !== 'enabled') continue;
      // A connected account's events go to Connect endpoints only; the platform's own to the others.
      if (state.connectEndpoints.has(endpoint.id) !== (event.account !== undefined)) continue;
      if (!endpoint.enabled_events.includes('*') && !endpoint.enabled_events.includes(event.type)) continue;
      const secret = state.webhookSecrets.get(endpoint.id);
      if (!secret) continue;
      count++;
      event.pending_webhooks++;
      this.delivery.enqueue({ endpointId: endpoint.id, url: endpoint.url, secret }, event, () => {
        event.pending_webhooks = Math.max(0, event.pending_webhooks - 1);
      });
    }
    return count;
  }

  close(): void {
    this.delivery.close();
  }

  private createAccount(id: string): AccountState {
    const created = this.now();
    const account: Stripe.Account = {
      id,
      object: 'account',
      business_profile: {
        annual_revenue: null,
        estimated_worker_count: null,
        mcc: null,
        name: 'Emulator test account',
        product_description: null,
        support_address: null,
        support_email: null,
        support_phone: null,
        support_url: null,
        url: null,
        minority_owned_business_designation: null,
        specified_commercial_transactions_act_url: null,
      },
      business_type: null,
      capabilities: { card_payments: 'active', transfers: 'active' },
      charges_enabled: true,
      controller: { type: 'account' },
      country: 'US',
      created,
      default_currency: 'usd',
      details_submitted: true,
      email: null,
      external_accounts: {
        object: 'list',
        data: [],
        has_more: false,
        url: `/v1/accounts/${id}/external_accounts`,
      },
      future_requirements: requirements([]),
      metadata: {},
      payouts_enabled: true,
      requirements: requirements([]),
      settings: null,
      tos_acceptance: { date: null, ip: null, user_agent: null },
      type: 'standard',
    };
    const state: AccountState = {
      id,
      account,
      objects: new Map(),
      byKind: new Map(),
      deleted: new Map(),
      idempotency: new Map(),
      webhookSecrets: new Map(),
      paymentMethodCards: new Map(),
      failingSubscriptions: new Set(),
      checkoutLineItems: new Map(),
      portalProducts: new Map(),
      trialWillEndSent: new Set(),
      connectEndpoints: new Set(),
      accountLinks: new Map(),
      onboardingSessions: new Map(),
    };
    // The default portal configuration, as if the owner had saved portal settings in the Dashboard.
    putObject(state, defaultConfiguration(newId('bpc', 24), created));
    this.accounts.set(id, state);
    return state;
  }
}

export function requirements(currentlyDue: string[]): Stripe.Account.Requirements {
  return {
    alternatives: [],
    current_deadline: null,
    currently_due: currentlyDue,
    disabled_reason: currentlyDue.length > 0 ? 'requirements.past_due' : null,
    errors: [],
    eventually_due: currentlyDue,
    past_due: currentlyDue,
    pending_verification: [],
  };
}

export type { Kind };
