// Test controls under /_emulator/… (never under /v1): they act as the world outside the API would —
// a customer paying, time passing, a bank failing a card, a cardholder disputing, a flaky network.

import { type Emulator, requirements, snapshot } from './emulator.ts';
import { invalidParam, noSuchObject } from './errors.ts';
import { newId } from './ids.ts';
import type { Params } from './params.ts';
import { defaultConfiguration } from './portal-configuration.ts';
import { requireSubscription } from './resources/billing.ts';
import { payCheckoutSession, requireSession } from './resources/checkout.ts';
import { capabilityStatuses, connectedAccount, emitAccountUpdate } from './resources/connect.ts';
import { closeDispute, createDispute, requireCharge } from './resources/payments.ts';
import type { ParamSpec } from './routes.ts';
import { type AccountState, allOfKind, dropObject, getObject, putObject } from './store.ts';

export interface ControlResult {
  status: number;
  body: unknown;
}

interface ControlRoute {
  method: 'GET' | 'POST';
  pattern: string;
  /** The fields it takes; a misspelled one is refused (400 `parameter_unknown`) rather than ignored. */
  params: ParamSpec;
  handle: (emu: Emulator, params: Params, path: Record<string, string>) => ControlResult;
}

function ok(body: unknown): ControlResult {
  return { status: 200, body };
}

function ownerOf(emu: Emulator, id: string, kind: string): AccountState {
  const state = emu.findOwner(id);
  if (!state) throw noSuchObject(kind, id, 'id');
  return state;
}

export const controlRoutes: ControlRoute[] = [
  {
    method: 'POST',
    pattern: '/_emulator/checkout/sessions/:id/pay',
    params: { card: true, email: true, name: true, authenticate: true },
    handle: (emu, p, path) => {
      const id = path.id ?? '';
      const state = ownerOf(emu, id, 'checkout.session');
      const session = requireSession(state, id, 'id');
      const outcome = payCheckoutSession(emu, state, session, {
        card: p.requiredString('card'),
        email: p.string('email') ?? null,
        name: p.string('name') ?? null,
        authenticate: p.oneOf('authenticate', ['complete', 'fail'] as const) ?? null,
      });
      if (outcome.status === 'failed')
        return { status: 402, body: { status: 'failed', error: outcome.error, session: outcome.session } };
      if (outcome.status === 'requires_action')
        return ok({ status: 'requires_action', session: outcome.session });
      return ok({ status: 'succeeded', redirect: outcome.redirect, session: outcome.session });
    },
  },
  { method: 'GET', pattern: '/_emulator/clock', params: {}, handle: (emu) => ok({ now: emu.now() }) },
  {
    method: 'POST',
    pattern: '/_emulator/clock/advance',
    params: { seconds: true },
    handle: (emu, p) => {
      const seconds = p.requiredInteger('seconds');
      if (seconds < 0) throw invalidParam('seconds', 'The clock only moves forward.');
      emu.clock.advance(seconds);
      const processed = emu.runDue();
      return ok({ now: emu.now(), processed });
    },
  },
  {
    method: 'POST',
    pattern: '/_emulator/subscriptions/:id/fail-next-payment',
    params: {},
    handle: (emu, _p, path) => {
      const id = path.id ?? '';
      const state = ownerOf(emu, id, 'subscription');
      const subscription = requireSubscription(state, id, 'id');
      state.failingSubscriptions.add(subscription.id);
      return ok({ subscription: subscription.id, failing: true });
    },
  },
  {
    method: 'POST',
    pattern: '/_emulator/charges/:id/dispute',
    params: { reason: true, amount: true },
    handle: (emu, p, path) => {
      const id = path.id ?? '';
      const state = ownerOf(emu, id, 'charge');
      const charge = requireCharge(state, id, 'id');
      return ok(
        createDispute(emu, state, charge, { reason: p.string('reason'), amount: p.integer('amount') }),
      );
    },
  },
  {
    method: 'POST',
    pattern: '/_emulator/disputes/:id/close',
    params: { status: true },
    handle: (emu, p, path) => {
      const id = path.id ?? '';
      const state = ownerOf(emu, id, 'dispute');
      const dispute = getObject(state, 'dispute', id);
      if (!dispute) throw noSuchObject('dispute', id, 'id');
      const status = p.oneOf('status', ['won', 'lost'] as const) ?? 'lost';
      return ok(closeDispute(emu, state, dispute, status));
    },
  },
  {
    method: 'POST',
    pattern: '/_emulator/events/:id/redeliver',
    params: { endpoint: true },
    handle: (emu, p, path) => {
      const id = path.id ?? '';
      const state = ownerOf(emu, id, 'event');
      const event = getObject(state, 'event', id);
      if (!event) throw noSuchObject('event', id, 'id');
      return ok({ event: event.id, deliveries: emu.deliver(state, event, p.string('endpoint')) });
    },
  },
  {
    method: 'POST',
    pattern: '/_emulator/delivery',
    params: { duplicate: true, reorder: true, delayMs: true },
    handle: (emu, p) => {
      const duplicate = p.string('duplicate');
      const delayMs = p.integer('delayMs');
      const value = duplicate === undefined ? undefined : Number(duplicate);
      if (value !== undefined && (!Number.isFinite(value) || value < 0 || value > 1)) {
        throw invalidParam('duplicate', 'duplicate is a probability between 0 and 1.');
      }
      if (delayMs !== undefined && delayMs < 0) throw invalidParam('delayMs', 'delayMs must be 0 or more.');
      return ok(
        emu.setDelivery({
          ...(value !== undefined ? { duplicate: value } : {}),
          ...(p.has('reorder') ? { reorder: p.boolean('reorder') ?? false } : {}),
          ...(delayMs !== undefined ? { delayMs } : {}),
        }),
      );
    },
  },
  {
    method: 'GET',
    pattern: '/_emulator/delivery',
    params: {},
    handle: (emu) => ok(emu.delivery.settings),
  },
  {
    method: 'GET',
    pattern: '/_emulator/events',
    params: { type: true, account: true },
    handle: (emu, p) => {
      const type = p.string('type');
      const account = p.string('account');
      // `account` names the account each event happened on: the platform's own id, or the connected
      // account a Connect event carries.
      const events = [...emu.accounts.values()]
        .flatMap((state) =>
          allOfKind(state, 'event').map((event) => ({
            ...snapshot(event),
            account: event.account ?? state.id,
          })),
        )
        .filter((event) => (!type || event.type === type) && (!account || event.account === account));
      return ok({ object: 'list', data: events });
    },
  },
  {
    method: 'GET',
    pattern: '/_emulator/deliveries',
    params: {},
    handle: (emu) => ok({ object: 'list', data: emu.deliveryAttempts() }),
  },
  {
    method: 'GET',
    pattern: '/_emulator/requests',
    params: { account: true },
    handle: (emu, p) => {
      const account = p.string('account');
      return ok({
        object: 'list',
        data: emu.requests.filter((entry) => !account || entry.account === account),
      });
    },
  },
  {
    method: 'POST',
    pattern: '/_emulator/transfers/fail-next',
    params: { destination: true },
    handle: (emu, p) => {
      // The platform's balance cannot cover the next transfer (to this destination, or to any).
      const destination = p.string('destination') || null;
      if (destination) {
        const owner = emu.findOwner(destination);
        if (!owner || !connectedAccount(owner, destination))
          throw noSuchObject('account', destination, 'destination');
      }
      emu.transferFailures.push({ destination });
      return ok({ pending: emu.transferFailures });
    },
  },
  {
    method: 'POST',
    pattern: '/_emulator/reset',
    params: {},
    handle: (emu) => {
      emu.reset();
      return ok({ reset: true });
    },
  },
  {
    method: 'POST',
    pattern: '/_emulator/accounts/:id',
    params: {
      charges_enabled: true,
      details_submitted: true,
      payouts_enabled: true,
      currently_due: true,
      requirements: { currently_due: true },
      portal_settings_saved: true,
      capabilities: { transfers: true, card_payments: true },
    },
    handle: (emu, p, path) => {
      const id = path.id ?? '';
      const platform = emu.accounts.get(id);
      // A connected account lives among its platform's objects.
      const owner = platform ?? emu.findOwner(id);
      const connected = !platform && owner ? connectedAccount(owner, id) : undefined;
      const state = platform ?? (connected ? owner : undefined);
      if (!state) throw noSuchObject('account', id, 'id');
      const saved = p.boolean('portal_settings_saved');
      if (connected && saved !== undefined) {
        throw invalidParam('portal_settings_saved', 'portal_settings_saved applies to a platform account.');
      }
      // Whether the owner has saved portal settings in the Dashboard: without, there is no default
      // portal configuration, and a portal session must name one.
      const existing = allOfKind(state, 'billing_portal.configuration').find((c) => c.is_default);
      if (saved === false && existing) dropObject(state, existing.id);
      if (saved === true && !existing) putObject(state, defaultConfiguration(newId('bpc', 24), emu.now()));
      const account = connected ?? state.account;
      const before = snapshot(account);
      const charges = p.boolean('charges_enabled');
      const details = p.boolean('details_submitted');
      const payouts = p.boolean('payouts_enabled');
      if (charges !== undefined) account.charges_enabled = charges;
      if (details !== undefined) account.details_submitted = details;
      if (payouts !== undefined) account.payouts_enabled = payouts;
      const due =
        p.child('requirements')?.strings('currently_due') ??
        (p.has('currently_due') ? p.strings('currently_due') : undefined);
      if (due !== undefined) account.requirements = requirements(due);
      const capabilities = p.child('capabilities');
      for (const name of ['transfers', 'card_payments'] as const) {
        const status = capabilities?.oneOf(name, capabilityStatuses);
        if (status) account.capabilities = { ...account.capabilities, [name]: status };
      }
      if (connected) emitAccountUpdate(emu, state, before, account);
      else emu.emitUpdate(state, 'account.updated', before, account);
      return ok(account);
    },
  },
];
