// Billing portal sessions: the API creates one for a customer; its page (pages.ts) lets the member
// replace their card and cancel at period end (or undo that).
import type Stripe from 'stripe';
import { findTestCard } from '../cards.ts';
import { type Emulator, snapshot } from '../emulator.ts';
import { noSuchObject } from '../errors.ts';
import { newId, randomToken } from '../ids.ts';
import type { ApiRoute } from '../routes.ts';
import { type AccountState, allOfKind, getObject, idOf, putObject } from '../store.ts';
import { collectInvoice, periodOf } from './billing.ts';
import {
  attachPaymentMethod,
  createCardPaymentMethod,
  requireCustomer,
  setDefaultPaymentMethod,
} from './customers.ts';

export function requirePortalSession(state: AccountState, id: string): Stripe.BillingPortal.Session {
  const session = getObject(state, 'billing_portal.session', id);
  if (!session) throw noSuchObject('billing_portal.session', id, 'id');
  return session;
}

export function customerSubscriptions(state: AccountState, customerId: string): Stripe.Subscription[] {
  return allOfKind(state, 'subscription').filter(
    (subscription) => idOf(subscription.customer) === customerId,
  );
}

/** The member replaces their card: it becomes the default everywhere, and open invoices are retried. */
export function replaceCard(
  emu: Emulator,
  state: AccountState,
  customer: Stripe.Customer,
  cardNumber: string,
): string | null {
  const card = findTestCard(cardNumber);
  if (!card) return 'Your card number is incorrect.';
  if (card.outcome.kind === 'decline') return card.outcome.message;
  const method = createCardPaymentMethod(emu, state, card, {
    email: customer.email,
    name: customer.name ?? null,
  });
  attachPaymentMethod(emu, state, method, customer.id);
  setDefaultPaymentMethod(emu, state, customer, method.id);
  for (const subscription of customerSubscriptions(state, customer.id)) {
    if (subscription.status === 'canceled') continue;
    const before = snapshot(subscription);
    subscription.default_payment_method = method.id;
    state.failingSubscriptions.delete(subscription.id);
    emu.emitUpdate(state, 'customer.subscription.updated', before, subscription);
    const latest = getObject(state, 'invoice', idOf(subscription.latest_invoice) ?? '');
    if (latest?.status === 'open') collectInvoice(emu, state, latest);
  }
  return null;
}

export function setCancelAtPeriodEnd(
  emu: Emulator,
  state: AccountState,
  subscription: Stripe.Subscription,
  cancel: boolean,
): void {
  if (subscription.status === 'canceled') return;
  const before = snapshot(subscription);
  subscription.cancel_at_period_end = cancel;
  subscription.cancel_at = cancel ? periodOf(subscription).end : null;
  subscription.canceled_at = cancel ? emu.now() : null;
  subscription.cancellation_details = {
    comment: null,
    feedback: null,
    feedback_option: null,
    reason: cancel ? 'cancellation_requested' : null,
  };
  emu.emitUpdate(state, 'customer.subscription.updated', before, subscription);
}

export const portalRoutes: ApiRoute[] = [
  {
    method: 'POST',
    pattern: '/v1/billing_portal/sessions',
    params: { expand: true, customer: true, return_url: true, configuration: true },
    handle: (ctx) => {
      const p = ctx.params;
      const customer = requireCustomer(ctx.state, p.requiredString('customer'));
      const returnUrl = p.url('return_url') || null;
      const id = newId('bps');
      const session: Stripe.BillingPortal.Session = {
        id,
        object: 'billing_portal.session',
        configuration: p.string('configuration') ?? `bpc_${randomToken(24)}`,
        created: ctx.emu.now(),
        customer: customer.id,
        customer_account: null,
        flow: null,
        livemode: false,
        locale: null,
        on_behalf_of: null,
        return_url: returnUrl,
        url: `${ctx.emu.settings.baseUrl}/p/session/${id}`,
      };
      putObject(ctx.state, session);
      return session;
    },
  },
];
