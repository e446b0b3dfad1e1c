// The pages a person sees: the hosted pay page of a checkout session (with a 3D Secure step for the
// cards that ask for it) and the billing portal. Plain server-rendered HTML, every value escaped.
import type Stripe from 'stripe';
import type { Emulator } from './emulator.ts';
import { formatAmount, html, SafeHtml } from './html.ts';
import {
  type PayOutcome,
  payCheckoutSession,
  sessionLineItems,
  successRedirect,
} from './resources/checkout.ts';
import { customerSubscriptions, replaceCard, setCancelAtPeriodEnd } from './resources/portal.ts';
import type { AccountState } from './store.ts';
import { getObject, idOf } from './store.ts';

export interface PageResult {
  status: number;
  html?: string;
  redirect?: string;
}

const styles = `
body{font-family:system-ui,sans-serif;margin:0;background:#f6f8fa;color:#1a1f36}
.banner{background:#ffb020;color:#1a1f36;padding:.5rem 1rem;font-weight:600;text-align:center}
main{max-width:34rem;margin:2rem auto;background:#fff;padding:1.5rem 2rem;border-radius:8px;box-shadow:0 1px 3px #0002}
label{display:block;margin:.75rem 0 .25rem;font-size:.9rem}
input{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}
button{margin-top:1rem;padding:.6rem 1.2rem;font-size:1rem;cursor:pointer}
.error{background:#fde8e8;color:#9b1c1c;padding:.75rem;border-radius:4px;margin:1rem 0}
.notice{background:#e6f4ea;color:#1e4620;padding:.75rem;border-radius:4px;margin:1rem 0}
table{width:100%;border-collapse:collapse}td{padding:.3rem 0}td.amount{text-align:right}
.muted{color:#697386;font-size:.85rem}.row{display:flex;gap:1rem}.row>div{flex:1}
section{border-top:1px solid #e3e8ee;margin-top:1rem;padding-top:1rem}
`;

function layout(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} · Stripe emulator</title><style>${new SafeHtml(styles)}</style></head>
<body><div class="banner" role="note">Stripe emulator — test mode. No real payment is made.</div>
<main>${body}</main></body></html>`.value;
}

function date(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}

function recurringLabel(price: Stripe.Price | null): string {
  const recurring = price?.recurring;
  if (!recurring) return '';
  return recurring.interval_count === 1
    ? ` / ${recurring.interval}`
    : ` every ${recurring.interval_count} ${recurring.interval}s`;
}

function summary(state: AccountState, session: Stripe.Checkout.Session): SafeHtml {
  const items = sessionLineItems(state, session.id);
  const currency = session.currency ?? 'usd';
  const rows = items.map(
    (item) =>
      html`<tr><td>${item.description}${(item.quantity ?? 1) > 1 ? ` × ${item.quantity}` : ''}</td><td class="amount">${formatAmount(item.amount_total, item.currency)}${recurringLabel(item.price)}</td></tr>`,
  );
  const trialNote =
    session.mode === 'subscription' && session.amount_total === 0
      ? html`<p class="muted">Free trial, then billed per the price above. Nothing is charged today.</p>`
      : html``;
  return html`<p class="muted">${state.account.business_profile?.name ?? 'Test business'}</p>
<table>${rows}<tr><td><strong>Total due today</strong></td><td class="amount"><strong>${formatAmount(session.amount_total ?? 0, currency)}</strong></td></tr></table>${trialNote}`;
}

function payForm(
  state: AccountState,
  session: Stripe.Checkout.Session,
  input: { error?: string; email?: string; card?: string },
): string {
  const customer = getObject(state, 'customer', idOf(session.customer) ?? '');
  const knownEmail = customer?.email ?? session.customer_email;
  const email = knownEmail ?? input.email ?? '';
  const action =
    session.mode === 'subscription' ? (session.amount_total === 0 ? 'Start trial' : 'Subscribe') : 'Pay';
  const back = session.cancel_url
    ? html`<p><a href="${session.cancel_url}" id="back">← Back</a></p>`
    : html``;
  const error = input.error ? html`<div class="error" role="alert" id="error">${input.error}</div>` : html``;
  return layout(
    'Pay',
    html`${back}<h1>Checkout</h1>${summary(state, session)}${error}
<form method="post" action="/c/pay/${session.id}">
<label for="email">Email</label><input id="email" name="email" type="email" required value="${email}" ${knownEmail ? html`readonly` : html``}>
<label for="card">Card number</label><input id="card" name="card" inputmode="numeric" autocomplete="cc-number" placeholder="4242 4242 4242 4242" required value="${input.card ?? ''}">
<div class="row"><div><label for="exp">Expiry (MM / YY)</label><input id="exp" name="exp" placeholder="12 / 34" value="12 / 34"></div>
<div><label for="cvc">CVC</label><input id="cvc" name="cvc" placeholder="123" value="123"></div></div>
<label for="name">Name on card</label><input id="name" name="name" autocomplete="cc-name">
<button type="submit" id="submit">${action}</button>
</form>
<section class="muted">Test cards: 4242 4242 4242 4242 succeeds · 4000 0000 0000 0002 is declined ·
4000 0000 0000 9995 has insufficient funds · 4000 0000 0000 3220 asks for 3D Secure ·
4000 0000 0000 0341 is saved but later charges fail.</section>`,
  );
}

function closedPage(session: Stripe.Checkout.Session, emu: Emulator): string {
  const message =
    session.status === 'complete'
      ? html`<p>This checkout session is complete.</p><p><a href="${successRedirect(emu, session)}">Continue</a></p>`
      : html`<p>This checkout session has expired.</p>${session.cancel_url ? html`<p><a href="${session.cancel_url}">Back</a></p>` : html``}`;
  return layout('Checkout', html`<h1>Checkout</h1>${message}`);
}

function authenticationPage(
  session: Stripe.Checkout.Session,
  form: { email: string; card: string; name: string },
): string {
  const hidden = html`<input type="hidden" name="email" value="${form.email}"><input type="hidden" name="card" value="${form.card}"><input type="hidden" name="name" value="${form.name}">`;
  return layout(
    '3D Secure',
    html`<h1>3D Secure test authentication</h1><p>Your bank asks you to confirm this payment.</p>
<form method="post" action="/c/pay/${session.id}">${hidden}<input type="hidden" name="authenticate" value="complete"><button type="submit" id="complete-auth">Complete authentication</button></form>
<form method="post" action="/c/pay/${session.id}">${hidden}<input type="hidden" name="authenticate" value="fail"><button type="submit" id="fail-auth">Fail authentication</button></form>`,
  );
}

export function renderPayPage(
  emu: Emulator,
  state: AccountState,
  session: Stripe.Checkout.Session,
): PageResult {
  if (session.status !== 'open') return { status: 200, html: closedPage(session, emu) };
  return { status: 200, html: payForm(state, session, {}) };
}

export function submitPayPage(
  emu: Emulator,
  state: AccountState,
  session: Stripe.Checkout.Session,
  form: Record<string, string>,
): PageResult {
  if (session.status !== 'open') return { status: 200, html: closedPage(session, emu) };
  const authenticate =
    form.authenticate === 'complete' || form.authenticate === 'fail' ? form.authenticate : null;
  const outcome: PayOutcome = payCheckoutSession(emu, state, session, {
    card: form.card ?? '',
    email: form.email ?? null,
    name: form.name ?? null,
    authenticate,
  });
  if (outcome.status === 'succeeded') return { status: 303, redirect: outcome.redirect };
  if (outcome.status === 'requires_action') {
    return {
      status: 200,
      html: authenticationPage(session, {
        email: form.email ?? '',
        card: form.card ?? '',
        name: form.name ?? '',
      }),
    };
  }
  return {
    status: 402,
    html: payForm(state, session, { error: outcome.error.message, email: form.email ?? '' }),
  };
}

export function renderCompletePage(session: Stripe.Checkout.Session): PageResult {
  return {
    status: 200,
    html: layout('Thank you', html`<h1>Thank you</h1><p>Payment for session ${session.id} is complete.</p>`),
  };
}

export function renderPortalPage(
  state: AccountState,
  portal: Stripe.BillingPortal.Session,
  notice?: string,
  error?: string,
): PageResult {
  const customer = getObject(state, 'customer', portal.customer);
  if (!customer)
    return {
      status: 404,
      html: layout('Billing', html`<h1>Billing</h1><p>This customer no longer exists.</p>`),
    };
  const method = getObject(
    state,
    'payment_method',
    idOf(customer.invoice_settings.default_payment_method) ?? '',
  );
  const subscriptions = customerSubscriptions(state, customer.id).filter(
    (subscription) => subscription.status !== 'incomplete_expired',
  );
  const rows = subscriptions.map((subscription) => {
    const item = subscription.items.data[0];
    const product = getObject(state, 'product', idOf(item?.price.product ?? null) ?? '');
    const end = item?.current_period_end ?? 0;
    const status =
      subscription.status === 'canceled'
        ? html`Canceled`
        : subscription.cancel_at_period_end
          ? html`Cancels on ${date(end)}`
          : subscription.status === 'trialing'
            ? html`Trial ends ${date(subscription.trial_end ?? end)}`
            : html`Renews on ${date(end)} (${subscription.status})`;
    const action =
      subscription.status === 'canceled'
        ? html``
        : subscription.cancel_at_period_end
          ? html`<form method="post"><input type="hidden" name="subscription" value="${subscription.id}"><button name="action" value="renew" id="renew-${subscription.id}">Don't cancel</button></form>`
          : html`<form method="post"><input type="hidden" name="subscription" value="${subscription.id}"><button name="action" value="cancel" id="cancel-${subscription.id}">Cancel subscription</button></form>`;
    return html`<section data-subscription="${subscription.id}"><strong>${product?.name ?? 'Subscription'}</strong>
<p>${formatAmount(item?.price.unit_amount ?? 0, subscription.currency)}${recurringLabel(item?.price ?? null)}</p><p class="status">${status}</p>${action}</section>`;
  });
  const back = portal.return_url
    ? html`<p><a href="${portal.return_url}" id="return">← Return</a></p>`
    : html``;
  const noticeBox = notice ? html`<div class="notice" role="status">${notice}</div>` : html``;
  const errorBox = error ? html`<div class="error" role="alert">${error}</div>` : html``;
  const card = method?.card
    ? html`${method.card.brand} ending in ${method.card.last4}`
    : html`No card on file`;
  return {
    status: error ? 402 : 200,
    html: layout(
      'Billing',
      html`${back}<h1>Billing</h1><p class="muted">${customer.email ?? ''}</p>${noticeBox}${errorBox}
<h2>Subscriptions</h2>${rows.length > 0 ? rows : html`<p>No subscriptions.</p>`}
<h2>Payment method</h2><p id="card-on-file">${card}</p>
<form method="post"><input type="hidden" name="action" value="update_card"><label for="card">New card number</label>
<input id="card" name="card" inputmode="numeric" placeholder="4242 4242 4242 4242" required><button type="submit" id="update-card">Update card</button></form>`,
    ),
  };
}

export function submitPortalPage(
  emu: Emulator,
  state: AccountState,
  portal: Stripe.BillingPortal.Session,
  form: Record<string, string>,
): PageResult {
  const customer = getObject(state, 'customer', portal.customer);
  if (!customer) return renderPortalPage(state, portal);
  if (form.action === 'update_card') {
    const error = replaceCard(emu, state, customer, form.card ?? '');
    return error
      ? renderPortalPage(state, portal, undefined, error)
      : { status: 303, redirect: `${portal.url}?notice=card_updated` };
  }
  const subscription = getObject(state, 'subscription', form.subscription ?? '');
  if (!subscription || idOf(subscription.customer) !== customer.id)
    return renderPortalPage(state, portal, undefined, 'Unknown subscription.');
  if (form.action === 'cancel' || form.action === 'renew') {
    setCancelAtPeriodEnd(emu, state, subscription, form.action === 'cancel');
    return {
      status: 303,
      redirect: `${portal.url}?notice=${form.action === 'cancel' ? 'canceled' : 'renewed'}`,
    };
  }
  return renderPortalPage(state, portal, undefined, 'Unknown action.');
}

export const portalNotices: Record<string, string> = {
  card_updated: 'Your card was updated.',
  canceled: 'Your subscription will be canceled at the end of the period.',
  renewed: 'Your subscription will continue.',
};

export function renderIndexPage(emu: Emulator): string {
  return layout(
    'Stripe emulator',
    html`<h1>Stripe emulator</h1><p>Point the Stripe SDK at <code>${emu.settings.baseUrl}</code> with any <code>sk_test_…</code> key.</p>
<p>Test controls live under <code>/_emulator/…</code>; see docs/stripe-emulator.md.</p>`,
  );
}
