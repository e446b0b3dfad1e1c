// Connect onboarding as a person meets it: an account link's URL (`/setup/e/{account}/{token}`) opens
// once, within five minutes, and leads to the onboarding form (`/connect/onboarding/{token}`); a used or
// expired link goes to its `refresh_url`. The form asks what Stripe's Express onboarding asks of an
// affiliate (details, a bank account, the terms); submitting completes the account and returns the
// person to `return_url`, and so does leaving the form (with nothing changed), as on Stripe.
import type Stripe from 'stripe';
import type { Emulator } from './emulator.ts';
import { html } from './html.ts';
import { randomToken } from './ids.ts';
import { layout, type PageResult } from './pages.ts';
import { isEmailAddress } from './params.ts';
import {
  businessTypes,
  completeOnboarding,
  connectedAccount,
  testAccountNumber,
  testRoutingNumber,
} from './resources/connect.ts';
import type { AccountState, OnboardingSession } from './store.ts';

/** The industries the form offers, as merchant category codes. */
export const industries: readonly (readonly [mcc: string, label: string])[] = [
  ['7311', 'Advertising and marketing'],
  ['8299', 'Education, courses and coaching'],
  ['5815', 'Digital media (books, music, video)'],
  ['5817', 'Software and apps'],
  ['7299', 'Other services'],
];

const notFound: PageResult = {
  status: 404,
  html: layout('Not found', html`<h1>Not found</h1><p>This link is not valid (Stripe emulator).</p>`),
};

export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

/** Opening an account link: the first visit, before it expires, starts onboarding; any other goes to `refresh_url`. */
export function openAccountLink(emu: Emulator, accountId: string, token: string): PageResult {
  for (const state of emu.accounts.values()) {
    const link = state.accountLinks.get(token);
    if (!link || link.account !== accountId) continue;
    if (link.used || emu.now() > link.expiresAt) return { status: 303, redirect: link.refreshUrl };
    link.used = true;
    const session: OnboardingSession = {
      token: randomToken(24),
      account: link.account,
      refreshUrl: link.refreshUrl,
      returnUrl: link.returnUrl,
      status: 'open',
    };
    state.onboardingSessions.set(session.token, session);
    return { status: 303, redirect: `/connect/onboarding/${session.token}` };
  }
  return notFound;
}

export function findOnboardingSession(
  emu: Emulator,
  token: string,
): { state: AccountState; session: OnboardingSession } | undefined {
  for (const state of emu.accounts.values()) {
    const session = state.onboardingSessions.get(token);
    if (session) return { state, session };
  }
  return undefined;
}

type Form = Record<string, string>;

function formOf(account: Stripe.Account): Form {
  const bank = account.external_accounts?.data.find((item) => item.object === 'bank_account');
  return {
    email: account.email ?? '',
    business_type: account.business_type ?? 'individual',
    name: account.business_profile?.name ?? '',
    url: account.business_profile?.url ?? '',
    product_description: account.business_profile?.product_description ?? '',
    mcc: account.business_profile?.mcc ?? '7311',
    account_holder_name: bank?.object === 'bank_account' ? (bank.account_holder_name ?? '') : '',
    routing_number: testRoutingNumber,
    account_number: testAccountNumber,
  };
}

function onboardingPage(
  platform: AccountState,
  account: Stripe.Account,
  session: OnboardingSession,
  form: Form,
  errors: string[],
): string {
  const platformName = platform.account.business_profile?.name ?? 'the platform';
  const errorBox =
    errors.length > 0
      ? html`<div class="error" role="alert" id="error"><ul>${errors.map((error) => html`<li>${error}</li>`)}</ul></div>`
      : html``;
  const selected = (value: string, current: string | undefined) =>
    value === current ? html` selected` : html``;
  const typeOptions = businessTypes
    .filter((type) => type === 'individual' || type === 'company')
    .map(
      (type) =>
        html`<option value="${type}"${selected(type, form.business_type)}>${type === 'individual' ? 'Individual or sole proprietor' : 'Company'}</option>`,
    );
  const industryOptions = industries.map(
    ([mcc, label]) => html`<option value="${mcc}"${selected(mcc, form.mcc)}>${label}</option>`,
  );
  const submitted = account.details_submitted
    ? html`<div class="notice" role="status">Your details are on file; submitting again replaces them.</div>`
    : html``;
  return layout(
    'Set up payouts',
    html`<h1>Set up payouts</h1>
<p><strong>${platformName}</strong> partners with Stripe to pay you. Confirm your details and the bank account to pay out to.</p>
<p class="muted" id="account">Account ${account.id}</p>${submitted}${errorBox}
<form method="post" action="/connect/onboarding/${session.token}">
<h2>Your details</h2>
<label for="email">Email</label><input id="email" name="email" type="email" required value="${form.email ?? ''}">
<label for="business_type">Type of business</label><select id="business_type" name="business_type">${typeOptions}</select>
<label for="name">Legal name (yours, or your business's)</label><input id="name" name="name" autocomplete="name" value="${form.name ?? ''}">
<label for="url">Website or social profile (optional)</label><input id="url" name="url" type="url" placeholder="https://" value="${form.url ?? ''}">
<label for="product_description">What you promote (if you have no website)</label><input id="product_description" name="product_description" value="${form.product_description ?? ''}">
<label for="mcc">Industry</label><select id="mcc" name="mcc">${industryOptions}</select>
<h2>Bank account for payouts</h2>
<label for="account_holder_name">Account holder name</label><input id="account_holder_name" name="account_holder_name" placeholder="Same as the legal name" value="${form.account_holder_name ?? ''}">
<div class="row"><div><label for="routing_number">Routing number</label><input id="routing_number" name="routing_number" inputmode="numeric" value="${form.routing_number ?? ''}"></div>
<div><label for="account_number">Account number</label><input id="account_number" name="account_number" inputmode="numeric" value="${form.account_number ?? ''}"></div></div>
<p class="muted">Test mode: routing number ${testRoutingNumber} with account number ${testAccountNumber}.</p>
<label><input type="checkbox" id="tos" name="tos" value="accepted" style="width:auto"${form.tos === 'accepted' ? html` checked` : html``}> I agree to the Stripe Connected Account Agreement.</label>
<button type="submit" name="action" value="submit" id="submit">Agree and submit</button>
<button type="submit" name="action" value="leave" id="leave" formnovalidate>Leave and finish later</button>
</form>`,
  );
}

export function renderOnboardingPage(state: AccountState, session: OnboardingSession): PageResult {
  if (session.status !== 'open') return { status: 303, redirect: session.returnUrl };
  const account = connectedAccount(state, session.account);
  if (!account) return notFound;
  return { status: 200, html: onboardingPage(state, account, session, formOf(account), []) };
}

function validate(form: Form): string[] {
  const errors: string[] = [];
  if (!isEmailAddress(form.email ?? '')) errors.push('Enter a valid email address.');
  if (!(form.name ?? '').trim()) errors.push('Enter your legal name.');
  const url = (form.url ?? '').trim();
  if (url && !/^https?:\/\/[^\s/]+\.[^\s]+$/i.test(url))
    errors.push('Enter a website that starts with http:// or https://.');
  if (!url && !(form.product_description ?? '').trim())
    errors.push('Add a website or social profile, or say what you promote.');
  if (!industries.some(([mcc]) => mcc === form.mcc)) errors.push('Choose an industry.');
  if (form.business_type !== 'individual' && form.business_type !== 'company')
    errors.push('Choose a type of business.');
  if (!/^\d{9}$/.test((form.routing_number ?? '').trim())) errors.push('The routing number has 9 digits.');
  if (!/^\d{4,17}$/.test((form.account_number ?? '').trim()))
    errors.push('The account number has 4 to 17 digits.');
  if (form.tos !== 'accepted') errors.push('Accept the Stripe Connected Account Agreement to continue.');
  return errors;
}

export function submitOnboardingPage(
  emu: Emulator,
  state: AccountState,
  session: OnboardingSession,
  form: Form,
  client: ClientInfo,
): PageResult {
  if (session.status !== 'open') return { status: 303, redirect: session.returnUrl };
  const account = connectedAccount(state, session.account);
  if (!account) return notFound;
  if (form.action === 'leave') {
    // Stripe sends a person who leaves the flow to `return_url` too: it does not mean they finished.
    session.status = 'left';
    return { status: 303, redirect: session.returnUrl };
  }
  const errors = validate(form);
  if (errors.length > 0) return { status: 400, html: onboardingPage(state, account, session, form, errors) };
  const name = (form.name ?? '').trim();
  completeOnboarding(emu, state, account, {
    email: (form.email ?? '').trim(),
    businessType: form.business_type === 'company' ? 'company' : 'individual',
    name,
    url: (form.url ?? '').trim() || null,
    productDescription: (form.product_description ?? '').trim() || null,
    mcc: form.mcc ?? '7311',
    accountHolderName: (form.account_holder_name ?? '').trim() || name,
    routingNumber: (form.routing_number ?? '').trim(),
    accountNumber: (form.account_number ?? '').trim(),
    ip: client.ip,
    userAgent: client.userAgent,
  });
  session.status = 'submitted';
  return { status: 303, redirect: session.returnUrl };
}
