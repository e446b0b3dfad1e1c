// The pages a person sees: the hosted pay page of a checkout session (with a 3D Secure step for the
// cards that ask for it) and the billing portal. Plain server-rendered HTML, every value escaped.
import type Stripe from 'stripe';
import { type Emulator, snapshot } from './emulator.ts';
import { formatAmount, html, SafeHtml } from './html.ts';
import { isEmailAddress } from './params.ts';
import type { PortalConfiguration } from './portal-configuration.ts';
import {
  type PayOutcome,
  payCheckoutSession,
  sessionLineItems,
  successRedirect,
} from './resources/checkout.ts';
import {
  cancelFromPortal,
  configurationOf,
  customerSubscriptions,
  type Feedback,
  replaceCard,
  setCancelAtPeriodEnd,
  switchablePrices,
  switchPrice,
} from './resources/portal.ts';
import type { AccountState } from './store.ts';
import { allOfKind, getObject, idOf } from './store.ts';

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

export function layout(title: string, body: SafeHtml): string {
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

const feedbackLabels: Record<string, string> = {
  too_expensive: 'It’s too expensive',
  missing_features: 'Some features are missing',
  switched_service: 'I’m switching to a different service',
  unused: 'I don’t use the service enough',
  customer_service: 'Customer service was less than expected',
  too_complex: 'Ease of use was less than expected',
  low_quality: 'Quality was less than expected',
  other: 'Other reason',
};

function portalSubscriptionRow(
  state: AccountState,
  configuration: PortalConfiguration,
  subscription: Stripe.Subscription,
): SafeHtml {
  const cancel = configuration.features.subscription_cancel;
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
  const hidden = html`<input type="hidden" name="subscription" value="${subscription.id}">`;
  let action = html``;
  if (subscription.status !== 'canceled' && subscription.cancel_at_period_end) {
    action = html`<form method="post">${hidden}<button name="action" value="renew" id="renew-${subscription.id}">Don't cancel</button></form>`;
  } else if (subscription.status !== 'canceled' && cancel.enabled) {
    const reasons = cancel.cancellation_reason.enabled
      ? html`<label for="reason-${subscription.id}">Why are you canceling?</label><select id="reason-${subscription.id}" name="reason"><option value="">—</option>${cancel.cancellation_reason.options.map((option) => html`<option value="${option}">${feedbackLabels[option] ?? option}</option>`)}</select>`
      : html``;
    const when =
      cancel.mode === 'immediately'
        ? 'Canceling ends it at once.'
        : `Canceling ends it at the end of the period (${date(end)}).`;
    action = html`<form method="post" data-mode="${cancel.mode}">${hidden}${reasons}<p class="muted">${when}</p><button name="action" value="cancel" id="cancel-${subscription.id}">Cancel subscription</button></form>`;
  }
  const prices =
    subscription.status === 'canceled' ? [] : switchablePrices(state, configuration, subscription);
  const change =
    prices.length > 1
      ? html`<form method="post">${hidden}<label for="price-${subscription.id}">Change plan</label><select id="price-${subscription.id}" name="price">${prices.map((price) => html`<option value="${price.id}"${price.id === item?.price.id ? html` selected` : html``}>${formatAmount(price.unit_amount ?? 0, price.currency)}${recurringLabel(price)}</option>`)}</select><button name="action" value="change_price" id="change-${subscription.id}">Update plan</button></form>`
      : html``;
  return html`<section data-subscription="${subscription.id}"><strong>${product?.name ?? 'Subscription'}</strong>
<p>${formatAmount(item?.price.unit_amount ?? 0, subscription.currency)}${recurringLabel(item?.price ?? null)}</p><p class="status">${status}</p>${action}${change}</section>`;
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
  const configuration = configurationOf(state, portal);
  const features = configuration.features;
  const profile = configuration.business_profile;
  const subscriptions = customerSubscriptions(state, customer.id).filter(
    (subscription) => subscription.status !== 'incomplete_expired',
  );
  const rows = subscriptions.map((subscription) => portalSubscriptionRow(state, configuration, subscription));
  const back = portal.return_url
    ? html`<p><a href="${portal.return_url}" id="return">← Return</a></p>`
    : html``;
  const headline = profile.headline ? html`<p id="headline">${profile.headline}</p>` : html``;
  const noticeBox = notice ? html`<div class="notice" role="status">${notice}</div>` : html``;
  const errorBox = error ? html`<div class="error" role="alert">${error}</div>` : html``;
  let cardSection = html``;
  if (features.payment_method_update.enabled) {
    const method = getObject(
      state,
      'payment_method',
      idOf(customer.invoice_settings.default_payment_method) ?? '',
    );
    const card = method?.card
      ? html`${method.card.brand} ending in ${method.card.last4}`
      : html`No card on file`;
    cardSection = html`<h2>Payment method</h2><p id="card-on-file">${card}</p>
<form method="post"><input type="hidden" name="action" value="update_card"><label for="card">New card number</label>
<input id="card" name="card" inputmode="numeric" placeholder="4242 4242 4242 4242" required><button type="submit" id="update-card">Update card</button></form>`;
  }
  let detailsSection = html``;
  const editable = features.customer_update.enabled
    ? features.customer_update.allowed_updates.filter((field) => field === 'email' || field === 'name')
    : [];
  if (editable.length > 0) {
    const fields = editable.map((field) =>
      field === 'email'
        ? html`<label for="email">Email</label><input id="email" name="email" type="email" value="${customer.email ?? ''}">`
        : html`<label for="name">Name</label><input id="name" name="name" value="${customer.name ?? ''}">`,
    );
    detailsSection = html`<h2>Billing information</h2><form method="post"><input type="hidden" name="action" value="update_customer">${fields}<button type="submit" id="update-customer">Save</button></form>`;
  }
  let historySection = html``;
  if (features.invoice_history.enabled) {
    const invoices = allOfKind(state, 'invoice')
      .filter((invoice) => idOf(invoice.customer) === customer.id && invoice.status !== 'draft')
      .sort((a, b) => b.created - a.created);
    const invoiceRows = invoices.map(
      (invoice) =>
        html`<tr data-invoice="${invoice.id}"><td>${date(invoice.created)}</td><td>${invoice.number ?? ''}</td><td class="amount">${formatAmount(invoice.total, invoice.currency)}</td><td>${invoice.status ?? ''}</td></tr>`,
    );
    historySection = html`<h2>Billing history</h2>${invoiceRows.length > 0 ? html`<table id="invoices">${invoiceRows}</table>` : html`<p>No invoices yet.</p>`}`;
  }
  const links = [
    profile.terms_of_service_url ? html`<a href="${profile.terms_of_service_url}">Terms</a>` : html``,
    profile.privacy_policy_url ? html`<a href="${profile.privacy_policy_url}">Privacy</a>` : html``,
  ];
  return {
    status: error ? 402 : 200,
    html: layout(
      'Billing',
      html`${back}<h1>Billing</h1>${headline}<p class="muted">${customer.email ?? ''}</p>${noticeBox}${errorBox}
<h2>Subscriptions</h2>${rows.length > 0 ? rows : html`<p>No subscriptions.</p>`}
${cardSection}${detailsSection}${historySection}<p class="muted">${links}</p>`,
    ),
  };
}

function refused(state: AccountState, portal: Stripe.BillingPortal.Session, message: string): PageResult {
  const page = renderPortalPage(state, portal, undefined, message);
  return { ...page, status: 403 };
}

export function submitPortalPage(
  emu: Emulator,
  state: AccountState,
  portal: Stripe.BillingPortal.Session,
  form: Record<string, string>,
): PageResult {
  const customer = getObject(state, 'customer', portal.customer);
  if (!customer) return renderPortalPage(state, portal);
  const configuration = configurationOf(state, portal);
  const features = configuration.features;
  if (form.action === 'update_card') {
    if (!features.payment_method_update.enabled)
      return refused(state, portal, 'Updating the payment method is not available here.');
    const error = replaceCard(emu, state, customer, form.card ?? '');
    return error
      ? renderPortalPage(state, portal, undefined, error)
      : { status: 303, redirect: `${portal.url}?notice=card_updated` };
  }
  if (form.action === 'update_customer') {
    const allowed = features.customer_update.enabled ? features.customer_update.allowed_updates : [];
    const before = snapshot(customer);
    if (form.email !== undefined) {
      if (!allowed.includes('email'))
        return refused(state, portal, 'Changing the email is not available here.');
      if (!isEmailAddress(form.email.trim()))
        return {
          ...renderPortalPage(state, portal, undefined, 'Your email address is invalid.'),
          status: 400,
        };
      customer.email = form.email.trim();
    }
    if (form.name !== undefined) {
      if (!allowed.includes('name'))
        return refused(state, portal, 'Changing the name is not available here.');
      customer.name = form.name.trim() || null;
    }
    emu.emitUpdate(state, 'customer.updated', before, customer);
    return { status: 303, redirect: `${portal.url}?notice=details_updated` };
  }
  const subscription = getObject(state, 'subscription', form.subscription ?? '');
  if (!subscription || idOf(subscription.customer) !== customer.id)
    return renderPortalPage(state, portal, undefined, 'Unknown subscription.');
  if (form.action === 'cancel') {
    const cancel = features.subscription_cancel;
    if (!cancel.enabled || subscription.status === 'canceled')
      return refused(state, portal, 'Canceling is not available here.');
    const reason = form.reason ?? '';
    const feedback =
      cancel.cancellation_reason.enabled && (cancel.cancellation_reason.options as string[]).includes(reason)
        ? (reason as Feedback)
        : null;
    const when = cancelFromPortal(emu, state, configuration, subscription, feedback);
    return {
      status: 303,
      redirect: `${portal.url}?notice=${when === 'immediately' ? 'canceled_now' : 'canceled'}`,
    };
  }
  if (form.action === 'renew') {
    if (!subscription.cancel_at_period_end || subscription.status === 'canceled')
      return renderPortalPage(state, portal, undefined, 'This subscription is not set to cancel.');
    setCancelAtPeriodEnd(emu, state, subscription, false);
    return { status: 303, redirect: `${portal.url}?notice=renewed` };
  }
  if (form.action === 'change_price') {
    const price = switchablePrices(state, configuration, subscription).find((p) => p.id === form.price);
    if (!price) return refused(state, portal, 'Changing to that plan is not available here.');
    switchPrice(emu, state, subscription, price);
    return { status: 303, redirect: `${portal.url}?notice=plan_changed` };
  }
  return renderPortalPage(state, portal, undefined, 'Unknown action.');
}

export const portalNotices: Record<string, string> = {
  card_updated: 'Your card was updated.',
  canceled: 'Your subscription will be canceled at the end of the period.',
  canceled_now: 'Your subscription has been canceled.',
  renewed: 'Your subscription will continue.',
  details_updated: 'Your billing information was updated.',
  plan_changed: 'Your plan was changed; the new price applies from your next invoice.',
};

/** A charge's receipt (its `receipt_url`): what was paid, when, with which card, and refunds. */
export function renderReceiptPage(state: AccountState, charge: Stripe.Charge): PageResult {
  const card = charge.payment_method_details?.card;
  const refunded =
    charge.amount_refunded > 0
      ? html`<tr><td>Refunded</td><td class="amount" id="refunded">−${formatAmount(charge.amount_refunded, charge.currency)}</td></tr>`
      : html``;
  return {
    status: 200,
    html: layout(
      'Receipt',
      html`<h1>Receipt</h1><p class="muted">${state.account.business_profile?.name ?? 'Test business'}</p>
<table><tr><td>Amount ${charge.status === 'succeeded' ? 'paid' : charge.status}</td><td class="amount" id="amount">${formatAmount(charge.amount, charge.currency)}</td></tr>${refunded}
<tr><td>Date</td><td class="amount">${date(charge.created)}</td></tr>
<tr><td>Payment method</td><td class="amount">${card ? `${card.brand} ending in ${card.last4}` : '—'}</td></tr>
<tr><td>Receipt</td><td class="amount">${charge.id}</td></tr></table>`,
    ),
  };
}

/** A finalized invoice's hosted page (its `hosted_invoice_url`): lines, total, status. */
export function renderInvoicePage(state: AccountState, invoice: Stripe.Invoice): PageResult {
  const lines = invoice.lines.data.map(
    (line) =>
      html`<tr><td>${line.description ?? ''}</td><td class="amount">${formatAmount(line.amount, line.currency)}</td></tr>`,
  );
  const paidAt = invoice.status_transitions.paid_at;
  return {
    status: 200,
    html: layout(
      'Invoice',
      html`<h1>Invoice ${invoice.number ?? ''}</h1><p class="muted">${state.account.business_profile?.name ?? 'Test business'} · ${invoice.customer_email ?? ''}</p>
<table>${lines}<tr><td><strong>Total</strong></td><td class="amount" id="total"><strong>${formatAmount(invoice.total, invoice.currency)}</strong></td></tr></table>
<p id="status">${invoice.status === 'paid' && paidAt ? `Paid on ${date(paidAt)}` : `Status: ${invoice.status ?? ''}`}</p>`,
    ),
  };
}

export function renderIndexPage(emu: Emulator): string {
  return layout(
    'Stripe emulator',
    html`<h1>Stripe emulator</h1><p>Point the Stripe SDK at <code>${emu.settings.baseUrl}</code> with any <code>sk_test_…</code> key.</p>
<p>Test controls live under <code>/_emulator/…</code>; see docs/stripe-emulator.md.</p>`,
  );
}
