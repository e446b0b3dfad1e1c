// Connect: the platform's Express connected accounts (created, retrieved, listed, updated), account
// links to the onboarding page (onboarding.ts), transfers to connected accounts and their reversals.
// Connected accounts live among the platform's objects (so `expand[]=destination` resolves them); their
// events carry `account` and go to the platform's Connect endpoints.
import { createHash } from 'node:crypto';
import type Stripe from 'stripe';
import { type Emulator, requirements, snapshot } from '../emulator.ts';
import {
  afterExecution,
  invalidParam,
  invalidRequest,
  missingParam,
  noSuchObject,
  StripeApiError,
} from '../errors.ts';
import { newId, randomToken } from '../ids.ts';
import type { Params } from '../params.ts';
import { paginate } from '../present.ts';
import { type ApiContext, type ApiRoute, createdRange, listParams, type ParamSpec } from '../routes.ts';
import { type AccountState, allOfKind, getObject, idOf, putObject } from '../store.ts';

/** `type` on create: the emulator makes Express accounts only (the SDK marks `type` deprecated). */
export const accountTypes = ['express'] as const;
export const businessTypes = ['individual', 'company', 'non_profit', 'government_entity'] as const;
/** `controller[fees][payer]` and `controller[losses][payments]` as Express accounts may have them. */
export const feePayers = ['application', 'account'] as const;
export const lossPayers = ['application', 'stripe'] as const;
/** `controller[stripe_dashboard][type]`: only the Express Dashboard is emulated. */
export const dashboardTypes = ['express'] as const;
export const requirementCollections = ['stripe'] as const;
/** `account_update` links are for accounts without a Stripe-hosted Dashboard, which the emulator lacks. */
export const accountLinkTypes = ['account_onboarding'] as const;
export const capabilityStatuses = ['active', 'inactive', 'pending'] as const;

/** An account link lasts five minutes, as Stripe's do. */
export const accountLinkLifetimeSeconds = 300;

/** What the emulator's onboarding page collects; each requested capability becomes `active` with it. */
const onboardingFields = [
  'business_profile.mcc',
  'business_profile.url',
  'business_type',
  'external_account',
  'tos_acceptance.date',
  'tos_acceptance.ip',
];

const businessProfileParams: ParamSpec = {
  name: true,
  url: true,
  product_description: true,
  mcc: true,
  support_email: true,
};

function expressSettings(): Stripe.Account.Settings {
  return {
    bacs_debit_payments: { display_name: null, service_user_number: null },
    branding: { icon: null, logo: null, primary_color: null, secondary_color: null },
    card_issuing: { tos_acceptance: { date: null, ip: null } },
    card_payments: {
      decline_on: { avs_failure: true, cvc_failure: true },
      statement_descriptor_prefix: null,
      statement_descriptor_prefix_kana: null,
      statement_descriptor_prefix_kanji: null,
    },
    dashboard: { display_name: null, timezone: 'Etc/UTC' },
    invoices: { default_account_tax_ids: null, hosted_payment_method_save: null },
    payments: {
      statement_descriptor: null,
      statement_descriptor_kana: null,
      statement_descriptor_kanji: null,
      statement_descriptor_prefix_kana: null,
      statement_descriptor_prefix_kanji: null,
    },
    payouts: {
      debit_negative_balances: true,
      schedule: { delay_days: 2, interval: 'daily' },
      statement_descriptor: null,
    },
    sepa_debit_payments: {},
  };
}

/** What is still due before onboarding: the fields the account does not have yet. */
function outstanding(account: Stripe.Account): string[] {
  if (account.details_submitted) return [];
  const profile = account.business_profile;
  return onboardingFields.filter((field) => {
    if (field === 'business_profile.mcc') return !profile?.mcc;
    if (field === 'business_profile.url') return !profile?.url && !profile?.product_description;
    if (field === 'business_type') return !account.business_type;
    return true;
  });
}

/** A connected account of this platform (never the platform itself). */
export function connectedAccount(state: AccountState, id: string): Stripe.Account | undefined {
  return getObject(state, 'account', id);
}

export function requireConnectedAccount(state: AccountState, id: string, param: string): Stripe.Account {
  const account = connectedAccount(state, id);
  if (!account) throw noSuchObject('account', id, param);
  return account;
}

/** `account.updated` on a connected account: it carries `account` and goes to Connect endpoints. */
export function emitAccountUpdate(
  emu: Emulator,
  state: AccountState,
  before: Stripe.Account,
  account: Stripe.Account,
): void {
  emu.emitUpdate(state, 'account.updated', before, account, { account: account.id });
}

function applyBusinessProfile(account: Stripe.Account, profile: Params | undefined): void {
  if (!profile || !account.business_profile) return;
  const target = account.business_profile;
  const text = (key: string) => {
    const value = profile.string(key);
    return value === '' ? null : value;
  };
  if (profile.has('name')) target.name = text('name') ?? null;
  if (profile.has('url')) target.url = profile.url('url') || null;
  if (profile.has('product_description')) target.product_description = text('product_description') ?? null;
  if (profile.has('mcc')) {
    const mcc = text('mcc') ?? null;
    if (mcc !== null && !/^\d{4}$/.test(mcc))
      throw invalidParam(profile.name('mcc'), `Invalid mcc: ${mcc}. An MCC is four digits.`);
    target.mcc = mcc;
  }
  if (profile.has('support_email')) target.support_email = profile.email('support_email') || null;
}

interface ControllerChoice {
  controller: Stripe.Account.Controller;
  type: Stripe.Account.Type;
}

/**
 * Express by `type: 'express'` (Stripe's legacy mapping: fees `application_express`, losses
 * `application`) or by `controller` with the Express Dashboard (Stripe's defaults: fees `account`,
 * losses `stripe`); such an account's `type` is `none`.
 */
function chooseController(p: Params): ControllerChoice {
  const type = p.string('type');
  const controller = p.child('controller');
  if (type !== undefined && controller) {
    throw invalidRequest('You cannot specify both `type` and `controller`.', 'controller');
  }
  const express: Omit<Stripe.Account.Controller, 'fees' | 'losses'> = {
    is_controller: true,
    requirement_collection: 'stripe',
    stripe_dashboard: { type: 'express' },
    type: 'application',
  };
  if (!controller) {
    if (type !== undefined && type !== 'express') {
      throw invalidParam(
        'type',
        `The Stripe emulator creates Express accounts only: type=express, or controller[stripe_dashboard][type]=express (got type=${type}).`,
      );
    }
    return {
      type: 'express',
      controller: {
        fees: { payer: 'application_express' },
        is_controller: true,
        losses: { payments: 'application' },
        requirement_collection: 'stripe',
        stripe_dashboard: { type: 'express' },
        type: 'application',
      },
    };
  }
  const dashboard = controller.child('stripe_dashboard')?.string('type');
  if (dashboard !== 'express') {
    throw invalidParam(
      'controller[stripe_dashboard][type]',
      `The Stripe emulator creates Express accounts only: controller[stripe_dashboard][type] must be express (got ${dashboard ?? 'the default, full'}).`,
    );
  }
  controller.oneOf('requirement_collection', requirementCollections);
  const payer = controller.child('fees')?.oneOf('payer', feePayers) ?? 'account';
  const losses = controller.child('losses')?.oneOf('payments', lossPayers) ?? 'stripe';
  if (payer === 'account' && losses !== 'stripe') {
    throw invalidParam(
      'controller[losses][payments]',
      'When controller[fees][payer] is account, controller[losses][payments] must be stripe.',
    );
  }
  return {
    type: 'none',
    controller: { fees: { payer }, losses: { payments: losses }, ...express },
  };
}

function createAccount(ctx: ApiContext): Stripe.Account {
  const p = ctx.params;
  const { controller, type } = chooseController(p);
  const email = p.email('email') || null;
  const businessType = p.oneOf('business_type', businessTypes) ?? null;
  const country = (p.string('country') ?? 'US').toUpperCase();
  if (!/^[A-Z]{2}$/.test(country)) throw invalidParam('country', `Invalid country: ${country}`);
  const currency = (p.string('default_currency') ?? 'usd').toLowerCase();
  if (!/^[a-z]{3}$/.test(currency)) throw invalidParam('default_currency', `Invalid currency: ${currency}`);
  const capabilities = p.child('capabilities');
  const requested = (name: string) => capabilities?.child(name)?.boolean('requested') === true;
  const accountCapabilities: Stripe.Account.Capabilities = {};
  if (requested('card_payments')) accountCapabilities.card_payments = 'inactive';
  // Without `capabilities`, the platform's Connect onboarding settings decide; the emulator's ask for
  // transfers, which is what an affiliate needs.
  if (requested('transfers') || !capabilities) accountCapabilities.transfers = 'inactive';
  const id = newId('acct', 16);
  const account: Stripe.Account = {
    id,
    object: 'account',
    business_profile: {
      annual_revenue: null,
      estimated_worker_count: null,
      mcc: null,
      minority_owned_business_designation: null,
      name: null,
      product_description: null,
      specified_commercial_transactions_act_url: null,
      support_address: null,
      support_email: null,
      support_phone: null,
      support_url: null,
      url: null,
    },
    business_type: businessType,
    capabilities: accountCapabilities,
    charges_enabled: false,
    controller,
    country,
    created: ctx.emu.now(),
    default_currency: currency,
    details_submitted: false,
    email,
    external_accounts: {
      object: 'list',
      data: [],
      has_more: false,
      url: `/v1/accounts/${id}/external_accounts`,
    },
    future_requirements: requirements([]),
    metadata: p.metadata(),
    payouts_enabled: false,
    requirements: requirements([]),
    settings: expressSettings(),
    tos_acceptance: { date: null, ip: null, user_agent: null },
    type,
  };
  applyBusinessProfile(account, p.child('business_profile'));
  account.requirements = requirements(outstanding(account));
  putObject(ctx.state, account);
  return account;
}

function updateAccount(ctx: ApiContext): Stripe.Account {
  const id = ctx.path.id ?? '';
  if (id === ctx.state.id) {
    throw invalidRequest(
      'You cannot update your own account through the API; use the Dashboard. Only connected accounts can be updated.',
    );
  }
  const account = requireConnectedAccount(ctx.state, id, 'account');
  const p = ctx.params;
  const before = snapshot(account);
  if (p.has('email')) account.email = p.email('email') || null;
  if (p.has('metadata')) account.metadata = p.metadata(account.metadata);
  applyBusinessProfile(account, p.child('business_profile'));
  if (!account.details_submitted) account.requirements = requirements(outstanding(account));
  emitAccountUpdate(ctx.emu, ctx.state, before, account);
  return account;
}

/** The test bank account Stripe's onboarding accepts, and what the page prefills. */
export const testRoutingNumber = '110000000';
export const testAccountNumber = '000123456789';

export interface OnboardingDetails {
  email: string;
  businessType: (typeof businessTypes)[number];
  name: string;
  url: string | null;
  productDescription: string | null;
  mcc: string;
  accountHolderName: string;
  routingNumber: string;
  accountNumber: string;
  ip: string | null;
  userAgent: string | null;
}

/**
 * What submitting the onboarding form does, as Stripe does for an Express account once it has every
 * requirement: details and a bank account on the account, terms accepted, every requested capability
 * `active`, `details_submitted`, `charges_enabled` and `payouts_enabled` true, nothing due; then
 * `account.updated` to the platform's Connect endpoints.
 */
export function completeOnboarding(
  emu: Emulator,
  state: AccountState,
  account: Stripe.Account,
  details: OnboardingDetails,
): void {
  const before = snapshot(account);
  const now = emu.now();
  account.email = details.email;
  account.business_type = details.businessType;
  if (account.business_profile) {
    account.business_profile.name = details.name;
    account.business_profile.url = details.url;
    account.business_profile.product_description = details.productDescription;
    account.business_profile.mcc = details.mcc;
  }
  if (account.settings) account.settings.dashboard.display_name = details.name;
  const bank: Stripe.BankAccount = {
    id: newId('ba'),
    object: 'bank_account',
    account: account.id,
    account_holder_name: details.accountHolderName,
    account_holder_type: details.businessType === 'individual' ? 'individual' : 'company',
    account_type: null,
    available_payout_methods: ['standard'],
    bank_name: 'STRIPE TEST BANK',
    country: account.country ?? 'US',
    currency: account.default_currency ?? 'usd',
    customer: null,
    default_for_currency: true,
    fingerprint: createHash('sha256')
      .update(`${details.routingNumber}:${details.accountNumber}`)
      .digest('base64url')
      .slice(0, 16),
    future_requirements: { currently_due: [], errors: [], past_due: [], pending_verification: [] },
    last4: details.accountNumber.slice(-4),
    metadata: {},
    requirements: { currently_due: [], errors: [], past_due: [], pending_verification: [] },
    routing_number: details.routingNumber,
    status: 'new',
  };
  account.external_accounts = {
    object: 'list',
    data: [bank],
    has_more: false,
    url: `/v1/accounts/${account.id}/external_accounts`,
  };
  account.tos_acceptance = { date: now, ip: details.ip, user_agent: details.userAgent };
  const capabilities: Stripe.Account.Capabilities = {};
  for (const name of Object.keys(account.capabilities ?? {}) as (keyof Stripe.Account.Capabilities)[]) {
    (capabilities as Record<string, string>)[name] = 'active';
  }
  account.capabilities = capabilities;
  account.details_submitted = true;
  account.charges_enabled = true;
  account.payouts_enabled = true;
  account.requirements = requirements([]);
  account.future_requirements = requirements([]);
  emitAccountUpdate(emu, state, before, account);
}

function createAccountLink(ctx: ApiContext): Stripe.AccountLink {
  const p = ctx.params;
  const accountId = p.requiredString('account');
  const type = p.requiredString('type');
  if (type === 'account_update') {
    throw invalidParam(
      'type',
      'You cannot create `account_update` account links for accounts that have access to a Stripe-hosted Dashboard (Express accounts); use `account_onboarding`.',
    );
  }
  p.oneOf('type', accountLinkTypes);
  // The SDK marks both optional; Stripe's reference requires them for onboarding links.
  const refreshUrl = p.url('refresh_url');
  if (!refreshUrl) throw missingParam('refresh_url');
  const returnUrl = p.url('return_url');
  if (!returnUrl) throw missingParam('return_url');
  const account = requireConnectedAccount(ctx.state, accountId, 'account');
  const created = ctx.emu.now();
  const token = randomToken(24);
  ctx.state.accountLinks.set(token, {
    token,
    account: account.id,
    refreshUrl,
    returnUrl,
    created,
    expiresAt: created + accountLinkLifetimeSeconds,
    used: false,
  });
  return {
    object: 'account_link',
    created,
    expires_at: created + accountLinkLifetimeSeconds,
    url: `${ctx.emu.settings.baseUrl}/setup/e/${account.id}/${token}`,
  };
}

// ---------------------------------------------------------------------------------------------------
// Transfers

export function requireTransfer(state: AccountState, id: string, param = 'id'): Stripe.Transfer {
  const transfer = getObject(state, 'transfer', id);
  if (!transfer) throw noSuchObject('transfer', id, param);
  return transfer;
}

function reversalsOf(state: AccountState, transferId: string): Stripe.TransferReversal[] {
  return allOfKind(state, 'transfer_reversal').filter((reversal) => idOf(reversal.transfer) === transferId);
}

/** The transfer's `reversals`: its ten most recent reversals, as Stripe embeds them. */
function refreshReversals(state: AccountState, transfer: Stripe.Transfer): void {
  const all = reversalsOf(state, transfer.id)
    .map((reversal, index) => ({ reversal, index }))
    .sort((a, b) => b.reversal.created - a.reversal.created || b.index - a.index)
    .map(({ reversal }) => snapshot(reversal));
  transfer.reversals = {
    object: 'list',
    data: all.slice(0, 10),
    has_more: all.length > 10,
    url: `/v1/transfers/${transfer.id}/reversals`,
  };
}

/** Stripe's refusal when the platform's available balance cannot cover a transfer. */
export function balanceInsufficient(): StripeApiError {
  return new StripeApiError(400, {
    type: 'invalid_request_error',
    code: 'balance_insufficient',
    message:
      'You have insufficient funds in your Stripe account. One likely reason you have insufficient funds is that your funds are automatically being paid out; try enabling manual payouts by going to https://dashboard.stripe.com/account/payouts.',
  });
}

function createTransfer(ctx: ApiContext): Stripe.Transfer {
  const p = ctx.params;
  const amount = p.integer('amount');
  if (amount === undefined) throw missingParam('amount');
  const currency = p.requiredString('currency').toLowerCase();
  const destinationId = p.requiredString('destination');
  if (amount < 1) throw invalidParam('amount', 'This value must be greater than or equal to 1.');
  if (!/^[a-z]{3}$/.test(currency)) throw invalidParam('currency', `Invalid currency: ${currency}`);
  const description = p.string('description') ?? null;
  const group = p.string('transfer_group') || null;
  const metadata = p.metadata();
  // From here on the endpoint is acting: Stripe saves what it answers under the idempotency key.
  const destination = connectedAccount(ctx.state, destinationId);
  if (!destination) throw afterExecution(noSuchObject('destination', destinationId, 'destination'));
  if (destination.capabilities?.transfers !== 'active') {
    throw afterExecution(
      invalidRequest(
        'Your destination account needs to have at least one of the following capabilities enabled: transfers, crypto_transfers, legacy_payments',
        'destination',
      ),
    );
  }
  if (ctx.emu.takeTransferFailure(destination.id)) throw afterExecution(balanceInsufficient());
  const id = newId('tr');
  const transfer: Stripe.Transfer = {
    id,
    object: 'transfer',
    amount,
    amount_reversed: 0,
    balance_transaction: newId('txn'),
    created: ctx.emu.now(),
    currency,
    description,
    destination: destination.id,
    destination_payment: newId('py'),
    livemode: false,
    metadata,
    reversals: { object: 'list', data: [], has_more: false, url: `/v1/transfers/${id}/reversals` },
    reversed: false,
    source_transaction: null,
    source_type: 'card',
    transfer_group: group,
  };
  putObject(ctx.state, transfer);
  ctx.emu.emit(ctx.state, 'transfer.created', transfer);
  return transfer;
}

function updateTransfer(ctx: ApiContext): Stripe.Transfer {
  const transfer = requireTransfer(ctx.state, ctx.path.id ?? '');
  const p = ctx.params;
  const before = snapshot(transfer);
  if (p.has('description')) transfer.description = p.string('description') || null;
  if (p.has('metadata')) transfer.metadata = p.metadata(transfer.metadata);
  ctx.emu.emitUpdate(ctx.state, 'transfer.updated', before, transfer);
  return transfer;
}

function createReversal(ctx: ApiContext): Stripe.TransferReversal {
  const transfer = requireTransfer(ctx.state, ctx.path.id ?? '');
  const p = ctx.params;
  const remaining = transfer.amount - transfer.amount_reversed;
  if (remaining <= 0) throw invalidRequest(`Transfer ${transfer.id} has already been fully reversed.`);
  const amount = p.integer('amount') ?? remaining;
  if (amount < 1) throw invalidParam('amount', 'This value must be greater than or equal to 1.');
  if (amount > remaining) {
    throw invalidParam(
      'amount',
      `Reversal amount (${amount}) is greater than the amount left on transfer ${transfer.id} (${remaining}).`,
      'amount_too_large',
    );
  }
  const reversal: Stripe.TransferReversal = {
    id: newId('trr'),
    object: 'transfer_reversal',
    amount,
    balance_transaction: newId('txn'),
    created: ctx.emu.now(),
    currency: transfer.currency,
    destination_payment_refund: newId('pyr'),
    metadata: p.metadata(),
    source_refund: null,
    transfer: transfer.id,
  };
  putObject(ctx.state, reversal);
  const before = snapshot(transfer);
  transfer.amount_reversed += amount;
  transfer.reversed = transfer.amount_reversed >= transfer.amount;
  refreshReversals(ctx.state, transfer);
  // Stripe sends `transfer.reversed` for every reversal, partial ones included.
  ctx.emu.emitUpdate(ctx.state, 'transfer.reversed', before, transfer);
  return reversal;
}

function requireReversal(ctx: ApiContext): { transfer: Stripe.Transfer; reversal: Stripe.TransferReversal } {
  const transfer = requireTransfer(ctx.state, ctx.path.transfer ?? '', 'transfer');
  const reversal = getObject(ctx.state, 'transfer_reversal', ctx.path.id ?? '');
  if (!reversal || idOf(reversal.transfer) !== transfer.id)
    throw noSuchObject('transfer reversal', ctx.path.id ?? '', 'id');
  return { transfer, reversal };
}

export const connectRoutes: ApiRoute[] = [
  {
    method: 'POST',
    pattern: '/v1/accounts',
    params: {
      expand: true,
      type: true,
      controller: {
        fees: { payer: true },
        losses: { payments: true },
        requirement_collection: true,
        stripe_dashboard: { type: true },
      },
      country: true,
      email: true,
      business_type: true,
      business_profile: businessProfileParams,
      capabilities: { transfers: { requested: true }, card_payments: { requested: true } },
      default_currency: true,
      metadata: true,
    },
    handle: createAccount,
  },
  {
    method: 'GET',
    pattern: '/v1/accounts/:id',
    params: { expand: true },
    handle: (ctx) => {
      const id = ctx.path.id ?? '';
      if (id === ctx.state.id) return ctx.state.account;
      return requireConnectedAccount(ctx.state, id, 'account');
    },
  },
  {
    method: 'POST',
    pattern: '/v1/accounts/:id',
    params: { expand: true, email: true, metadata: true, business_profile: businessProfileParams },
    handle: updateAccount,
  },
  {
    method: 'GET',
    pattern: '/v1/accounts',
    params: listParams({ created: createdRange }),
    handle: (ctx) => {
      // Every connected account is created here, so each has its `created` (optional in the type).
      const accounts = allOfKind(ctx.state, 'account') as (Stripe.Account & { created: number })[];
      return paginate(accounts, ctx.params, '/v1/accounts');
    },
  },
  {
    method: 'POST',
    pattern: '/v1/account_links',
    params: { expand: true, account: true, type: true, refresh_url: true, return_url: true },
    handle: createAccountLink,
  },
  {
    method: 'POST',
    pattern: '/v1/transfers',
    params: {
      expand: true,
      amount: true,
      currency: true,
      destination: true,
      description: true,
      metadata: true,
      transfer_group: true,
    },
    handle: createTransfer,
  },
  {
    method: 'GET',
    pattern: '/v1/transfers/:id',
    params: { expand: true },
    handle: (ctx) => requireTransfer(ctx.state, ctx.path.id ?? ''),
  },
  {
    method: 'POST',
    pattern: '/v1/transfers/:id',
    params: { expand: true, description: true, metadata: true },
    handle: updateTransfer,
  },
  {
    method: 'GET',
    pattern: '/v1/transfers',
    params: listParams({ created: createdRange, destination: true, transfer_group: true }),
    handle: (ctx) => {
      const destination = ctx.params.string('destination');
      const group = ctx.params.string('transfer_group');
      const items = allOfKind(ctx.state, 'transfer').filter(
        (transfer) =>
          (!destination || idOf(transfer.destination) === destination) &&
          (!group || transfer.transfer_group === group),
      );
      return paginate(items, ctx.params, '/v1/transfers');
    },
  },
  {
    method: 'POST',
    pattern: '/v1/transfers/:id/reversals',
    params: { expand: true, amount: true, metadata: true },
    handle: createReversal,
  },
  {
    method: 'GET',
    pattern: '/v1/transfers/:id/reversals',
    params: listParams(),
    handle: (ctx) => {
      const transfer = requireTransfer(ctx.state, ctx.path.id ?? '');
      return paginate(
        reversalsOf(ctx.state, transfer.id),
        ctx.params,
        `/v1/transfers/${transfer.id}/reversals`,
      );
    },
  },
  {
    method: 'GET',
    pattern: '/v1/transfers/:transfer/reversals/:id',
    params: { expand: true },
    handle: (ctx) => requireReversal(ctx).reversal,
  },
  {
    method: 'POST',
    pattern: '/v1/transfers/:transfer/reversals/:id',
    params: { expand: true, metadata: true },
    handle: (ctx) => {
      const { transfer, reversal } = requireReversal(ctx);
      if (ctx.params.has('metadata')) reversal.metadata = ctx.params.metadata(reversal.metadata ?? {});
      refreshReversals(ctx.state, transfer);
      return reversal;
    },
  },
];
