// Connect as Guildhall's affiliates use it: Express accounts created by the platform, onboarded through
// an account link's page, paid by transfers (idempotent, refusable, made to fail on request) and
// reversed; `account.updated` reaches the platform's Connect endpoints carrying `account`, `transfer.*`
// its account endpoints. Each change is checked with a later retrieve through the SDK.
import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type StripeEmulator, startStripeEmulator, stripeClientFor } from './index.ts';
import {
  advanceClock,
  control,
  startWebhookReceiver,
  submitOnboarding,
  type WebhookReceiver,
} from './test-support.ts';

let emulator: StripeEmulator;
let stripe: Stripe;
let accountHooks: WebhookReceiver;
let connectHooks: WebhookReceiver;

const site = 'http://127.0.0.1:9';
const linkUrls = { refresh_url: `${site}/affiliate/refresh`, return_url: `${site}/affiliate/return` };

beforeEach(async () => {
  emulator = await startStripeEmulator({ webhookRetryDelaysMs: [50] });
  stripe = stripeClientFor(emulator.url, 'sk_test_connect');
  accountHooks = await startWebhookReceiver();
  connectHooks = await startWebhookReceiver();
  const own = await stripe.webhookEndpoints.create({ url: accountHooks.url, enabled_events: ['*'] });
  accountHooks.setSecret(own.secret ?? '');
  const connect = await stripe.webhookEndpoints.create({
    url: connectHooks.url,
    enabled_events: ['*'],
    connect: true,
  });
  connectHooks.setSecret(connect.secret ?? '');
});
afterEach(async () => {
  await emulator.close();
  await accountHooks.close();
  await connectHooks.close();
});

function createAffiliate(extra: Partial<Stripe.AccountCreateParams> = {}): Promise<Stripe.Account> {
  return stripe.accounts.create({
    type: 'express',
    email: 'ada@example.com',
    capabilities: { transfers: { requested: true } },
    metadata: { affiliate: 'aff_1' },
    ...extra,
  });
}

async function onboardedAffiliate(): Promise<Stripe.Account> {
  const account = await createAffiliate();
  const link = await stripe.accountLinks.create({
    account: account.id,
    type: 'account_onboarding',
    ...linkUrls,
  });
  const result = await submitOnboarding(emulator.url, link.url);
  expect(result.submitted).toBe(linkUrls.return_url);
  return stripe.accounts.retrieve(account.id);
}

async function refusal(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError) return error;
    throw error;
  }
  throw new Error('expected Stripe to refuse');
}

describe('Express connected accounts', () => {
  it('create (type express) → retrieve → list → update metadata, with account.updated to Connect endpoints', async () => {
    const account = await createAffiliate();
    expect(account).toMatchObject({
      id: expect.stringMatching(/^acct_/),
      object: 'account',
      type: 'express',
      email: 'ada@example.com',
      metadata: { affiliate: 'aff_1' },
      capabilities: { transfers: 'inactive' },
      charges_enabled: false,
      payouts_enabled: false,
      details_submitted: false,
      controller: {
        type: 'application',
        is_controller: true,
        fees: { payer: 'application_express' },
        losses: { payments: 'application' },
        requirement_collection: 'stripe',
        stripe_dashboard: { type: 'express' },
      },
      requirements: { disabled_reason: 'requirements.past_due' },
    });
    expect(account.requirements?.currently_due).toEqual(
      expect.arrayContaining(['external_account', 'tos_acceptance.date', 'tos_acceptance.ip']),
    );
    expect(await stripe.accounts.retrieve(account.id)).toMatchObject({ id: account.id, type: 'express' });

    const listed = await stripe.accounts.list();
    expect(listed.data.map((a) => a.id)).toEqual([account.id]);
    const platform = await stripe.accounts.retrieve(null);
    expect(listed.data.map((a) => a.id)).not.toContain(platform.id);

    await stripe.accounts.update(account.id, { metadata: { tier: 'gold' } });
    expect((await stripe.accounts.retrieve(account.id)).metadata).toEqual({
      affiliate: 'aff_1',
      tier: 'gold',
    });
    const [updated] = await connectHooks.waitFor((events) =>
      events.some((e) => e.type === 'account.updated'),
    );
    expect(updated).toMatchObject({
      type: 'account.updated',
      account: account.id,
      data: { object: { id: account.id }, previous_attributes: { metadata: { affiliate: 'aff_1' } } },
    });
    // The platform's own endpoint hears nothing of it, nor do its event lists show it.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(accountHooks.types()).not.toContain('account.updated');
    expect((await stripe.events.list({ type: 'account.updated' })).data).toEqual([]);
    await expect(stripe.events.retrieve(updated!.id)).rejects.toMatchObject({ statusCode: 404 });
    const seen = await control<{ data: { id: string; account: string }[] }>(
      emulator.url,
      `events?account=${account.id}`,
    );
    expect(seen.body.data.map((e) => e.id)).toEqual([updated!.id]);
  });

  it('create with controller properties (the form the SDK prefers): type none, the given fees and losses', async () => {
    const account = await stripe.accounts.create({
      controller: {
        fees: { payer: 'application' },
        losses: { payments: 'application' },
        stripe_dashboard: { type: 'express' },
      },
      email: 'bo@example.com',
      capabilities: { transfers: { requested: true } },
    });
    expect(account).toMatchObject({
      type: 'none',
      controller: {
        type: 'application',
        fees: { payer: 'application' },
        losses: { payments: 'application' },
        requirement_collection: 'stripe',
        stripe_dashboard: { type: 'express' },
      },
      capabilities: { transfers: 'inactive' },
    });
    const defaults = await stripe.accounts.create({ controller: { stripe_dashboard: { type: 'express' } } });
    expect(defaults.controller).toMatchObject({ fees: { payer: 'account' }, losses: { payments: 'stripe' } });
    expect(defaults.capabilities).toEqual({ transfers: 'inactive' });
  });

  it('refuses what it does not emulate or Stripe refuses, creating nothing', async () => {
    const cases: [Stripe.AccountCreateParams, string][] = [
      [{ type: 'standard' }, 'type'],
      [{ type: 'express', controller: { stripe_dashboard: { type: 'express' } } }, 'controller'],
      [{ controller: { stripe_dashboard: { type: 'full' } } }, 'controller[stripe_dashboard][type]'],
      [{ controller: { fees: { payer: 'application' } } }, 'controller[stripe_dashboard][type]'],
      [
        {
          controller: {
            fees: { payer: 'account' },
            losses: { payments: 'application' },
            stripe_dashboard: { type: 'express' },
          },
        },
        'controller[losses][payments]',
      ],
      [{ type: 'express', email: 'ada@example' }, 'email'],
    ];
    for (const [params, param] of cases) {
      const error = await refusal(stripe.accounts.create(params));
      expect({ status: error.statusCode, param: error.param }).toEqual({ status: 400, param });
    }
    expect((await stripe.accounts.list()).data).toEqual([]);
    const missing = await refusal(stripe.accounts.retrieve('acct_missing'));
    expect(missing).toMatchObject({ statusCode: 404, code: 'resource_missing' });
    const platform = await stripe.accounts.retrieve(null);
    const own = await refusal(stripe.accounts.update(platform.id, { metadata: { a: '1' } }));
    expect(own.statusCode).toBe(400);
  });
});

describe('account links and the onboarding page', () => {
  it('a link lasts five minutes; its page completes the account and returns to return_url', async () => {
    const account = await createAffiliate();
    const link = await stripe.accountLinks.create({
      account: account.id,
      type: 'account_onboarding',
      ...linkUrls,
    });
    expect(link).toMatchObject({
      object: 'account_link',
      url: expect.stringContaining(`/setup/e/${account.id}/`),
    });
    expect(link.expires_at - link.created).toBe(300);

    const opened = await fetch(link.url, { redirect: 'manual' });
    expect(opened.status).toBe(303);
    const formUrl = new URL(opened.headers.get('location') ?? '', emulator.url);
    const page = await fetch(formUrl);
    const body = await page.text();
    expect(page.status).toBe(200);
    for (const id of [
      'email',
      'business_type',
      'name',
      'url',
      'mcc',
      'routing_number',
      'account_number',
      'tos',
    ])
      expect(body).toContain(`id="${id}"`);
    expect(body).toContain('id="submit"');
    expect(body).toContain('id="leave"');
    expect(body).toContain('value="ada@example.com"');

    const submitted = await fetch(formUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'affiliate-browser' },
      body: new URLSearchParams({
        email: 'ada@example.com',
        business_type: 'individual',
        name: 'Ada Affiliate',
        url: '',
        product_description: 'Recommends courses on her newsletter',
        mcc: '8299',
        routing_number: '110000000',
        account_number: '000123456789',
        tos: 'accepted',
        action: 'submit',
      }).toString(),
      redirect: 'manual',
    });
    expect(submitted.status).toBe(303);
    expect(submitted.headers.get('location')).toBe(linkUrls.return_url);

    const done = await stripe.accounts.retrieve(account.id);
    expect(done).toMatchObject({
      details_submitted: true,
      charges_enabled: true,
      payouts_enabled: true,
      capabilities: { transfers: 'active' },
      business_type: 'individual',
      business_profile: { name: 'Ada Affiliate', mcc: '8299', product_description: expect.any(String) },
      requirements: { currently_due: [], past_due: [], disabled_reason: null },
      tos_acceptance: { date: expect.any(Number), user_agent: 'affiliate-browser' },
    });
    expect(done.external_accounts?.data[0]).toMatchObject({
      object: 'bank_account',
      account: account.id,
      last4: '6789',
      routing_number: '110000000',
      account_holder_name: 'Ada Affiliate',
    });
    const events = await connectHooks.waitFor((all) => all.some((e) => e.type === 'account.updated'));
    const updated = events.find((e) => e.type === 'account.updated') as Stripe.AccountUpdatedEvent;
    expect(updated.account).toBe(account.id);
    expect(updated.data.object.details_submitted).toBe(true);
    expect(updated.data.previous_attributes).toMatchObject({
      details_submitted: false,
      charges_enabled: false,
      payouts_enabled: false,
      capabilities: { transfers: 'inactive' },
    });
    // The form, done, sends the person back; the link, used, sends them to refresh_url.
    const again = await fetch(formUrl, { redirect: 'manual' });
    expect(again.headers.get('location')).toBe(linkUrls.return_url);
    const reused = await fetch(link.url, { redirect: 'manual' });
    expect(reused.status).toBe(303);
    expect(reused.headers.get('location')).toBe(linkUrls.refresh_url);
  });

  it('an expired link goes to refresh_url and opens nothing', async () => {
    const account = await createAffiliate();
    const link = await stripe.accountLinks.create({
      account: account.id,
      type: 'account_onboarding',
      ...linkUrls,
    });
    await advanceClock(emulator.url, 301);
    const result = await submitOnboarding(emulator.url, link.url);
    expect(result).toMatchObject({ opened: linkUrls.refresh_url, submitted: null });
    expect((await stripe.accounts.retrieve(account.id)).details_submitted).toBe(false);
  });

  it('leaving the form returns to return_url with nothing submitted', async () => {
    const account = await createAffiliate();
    const link = await stripe.accountLinks.create({
      account: account.id,
      type: 'account_onboarding',
      ...linkUrls,
    });
    const result = await submitOnboarding(emulator.url, link.url, { action: 'leave' });
    expect(result.submitted).toBe(linkUrls.return_url);
    expect(await stripe.accounts.retrieve(account.id)).toMatchObject({
      details_submitted: false,
      payouts_enabled: false,
      capabilities: { transfers: 'inactive' },
    });
  });

  it('the form refuses what is missing or malformed, changing nothing, and takes a corrected submission', async () => {
    const account = await createAffiliate();
    const link = await stripe.accountLinks.create({
      account: account.id,
      type: 'account_onboarding',
      ...linkUrls,
    });
    const opened = await fetch(link.url, { redirect: 'manual' });
    const formUrl = new URL(opened.headers.get('location') ?? '', emulator.url);
    const post = (fields: Record<string, string>) =>
      fetch(formUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ action: 'submit', ...fields }).toString(),
        redirect: 'manual',
      });
    const bad = await post({
      email: 'ada@example',
      name: '',
      business_type: 'individual',
      mcc: '7311',
      routing_number: '1100',
      account_number: 'x',
    });
    expect(bad.status).toBe(400);
    const text = await bad.text();
    for (const message of [
      'valid email',
      'legal name',
      'website',
      'routing number',
      'account number',
      'Connected Account Agreement',
    ])
      expect(text).toContain(message);
    expect((await stripe.accounts.retrieve(account.id)).details_submitted).toBe(false);
    const good = await post({
      email: 'ada@example.com',
      name: 'Ada',
      business_type: 'company',
      url: 'https://ada.example.com',
      mcc: '7311',
      routing_number: '110000000',
      account_number: '000123456789',
      tos: 'accepted',
    });
    expect(good.status).toBe(303);
    expect(await stripe.accounts.retrieve(account.id)).toMatchObject({
      details_submitted: true,
      business_type: 'company',
      business_profile: { url: 'https://ada.example.com' },
    });
  });

  it('refuses links Stripe refuses', async () => {
    const account = await createAffiliate();
    const update = await refusal(
      stripe.accountLinks.create({ account: account.id, type: 'account_update', ...linkUrls }),
    );
    expect(update).toMatchObject({ statusCode: 400, param: 'type' });
    const noRefresh = await refusal(
      stripe.accountLinks.create({
        account: account.id,
        type: 'account_onboarding',
        return_url: linkUrls.return_url,
      }),
    );
    expect(noRefresh).toMatchObject({ statusCode: 400, code: 'parameter_missing', param: 'refresh_url' });
    const badUrl = await refusal(
      stripe.accountLinks.create({
        account: account.id,
        type: 'account_onboarding',
        ...linkUrls,
        return_url: 'ftp://x',
      }),
    );
    expect(badUrl).toMatchObject({ code: 'url_invalid', param: 'return_url' });
    const platform = await stripe.accounts.retrieve(null);
    for (const id of ['acct_missing', platform.id]) {
      const error = await refusal(
        stripe.accountLinks.create({ account: id, type: 'account_onboarding', ...linkUrls }),
      );
      expect(error).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'account' });
    }
    const other = stripeClientFor(emulator.url, 'sk_test_other_platform');
    const foreign = await refusal(
      other.accountLinks.create({ account: account.id, type: 'account_onboarding', ...linkUrls }),
    );
    expect(foreign.statusCode).toBe(404);
  });
});

describe('transfers', () => {
  it('to an onboarded account: created (transfer.created to the account endpoint), retrieved, listed, updated', async () => {
    const affiliate = await onboardedAffiliate();
    const transfer = await stripe.transfers.create(
      {
        amount: 1250,
        currency: 'usd',
        destination: affiliate.id,
        metadata: { payout: 'po_1' },
        transfer_group: 'payouts-2026-10',
      },
      { idempotencyKey: 'payout-po_1' },
    );
    expect(transfer).toMatchObject({
      id: expect.stringMatching(/^tr_/),
      object: 'transfer',
      amount: 1250,
      amount_reversed: 0,
      currency: 'usd',
      destination: affiliate.id,
      destination_payment: expect.stringMatching(/^py_/),
      reversed: false,
      reversals: { object: 'list', data: [], url: `/v1/transfers/${transfer.id}/reversals` },
      transfer_group: 'payouts-2026-10',
      metadata: { payout: 'po_1' },
    });
    const events = await accountHooks.waitFor((all) => all.some((e) => e.type === 'transfer.created'));
    const created = events.find((e) => e.type === 'transfer.created')!;
    expect(created).not.toHaveProperty('account');
    expect(created.request).toEqual({ id: expect.stringMatching(/^req_/), idempotency_key: 'payout-po_1' });
    expect(connectHooks.types()).not.toContain('transfer.created');

    const read = await stripe.transfers.retrieve(transfer.id, { expand: ['destination'] });
    expect(read.destination).toMatchObject({ id: affiliate.id, object: 'account' });
    const other = await stripe.transfers.create({ amount: 100, currency: 'usd', destination: affiliate.id });
    expect(
      (await stripe.transfers.list({ transfer_group: 'payouts-2026-10' })).data.map((t) => t.id),
    ).toEqual([transfer.id]);
    expect((await stripe.transfers.list({ destination: affiliate.id })).data.map((t) => t.id)).toEqual([
      other.id,
      transfer.id,
    ]);

    await stripe.transfers.update(transfer.id, { metadata: { batch: 'b7' }, description: 'October' });
    expect(await stripe.transfers.retrieve(transfer.id)).toMatchObject({
      metadata: { payout: 'po_1', batch: 'b7' },
      description: 'October',
    });
    const all = await accountHooks.waitFor((list) => list.some((e) => e.type === 'transfer.updated'));
    expect(all.find((e) => e.type === 'transfer.updated')?.data.previous_attributes).toEqual({
      description: null,
      metadata: { payout: 'po_1' },
    });
  });

  it('the same idempotency key and parameters give the same transfer; other parameters are refused', async () => {
    const affiliate = await onboardedAffiliate();
    const params = { amount: 500, currency: 'usd', destination: affiliate.id, metadata: { payout: 'po_2' } };
    const first = await stripe.transfers.create(params, { idempotencyKey: 'payout-po_2' });
    const again = await stripe.transfers.create(params, { idempotencyKey: 'payout-po_2' });
    expect(again.id).toBe(first.id);
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');
    const changed = await refusal(
      stripe.transfers.create({ ...params, amount: 501 }, { idempotencyKey: 'payout-po_2' }),
    );
    expect(changed.type).toBe('StripeIdempotencyError');
    expect((await stripe.transfers.list()).data).toHaveLength(1);
  });

  it('refuses a destination that is not a connected account of this platform, or whose transfers are not active', async () => {
    const pending = await createAffiliate();
    const inactive = await refusal(
      stripe.transfers.create({ amount: 500, currency: 'usd', destination: pending.id }),
    );
    expect(inactive).toMatchObject({
      statusCode: 400,
      type: 'StripeInvalidRequestError',
      param: 'destination',
    });
    expect(inactive.message).toContain('capabilities enabled: transfers');
    const platform = await stripe.accounts.retrieve(null);
    const elsewhere = await stripeClientFor(emulator.url, 'sk_test_other_platform').accounts.create({
      type: 'express',
    });
    for (const destination of ['acct_missing', platform.id, elsewhere.id]) {
      const error = await refusal(stripe.transfers.create({ amount: 500, currency: 'usd', destination }));
      expect(error).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'destination' });
      expect(error.message).toBe(`No such destination: '${destination}'`);
    }
    const missing = await refusal(stripe.transfers.create({ currency: 'usd', destination: pending.id }));
    expect(missing).toMatchObject({ code: 'parameter_missing', param: 'amount' });
    // Real parameters the emulator does not honour are refused, not ignored.
    const source = await refusal(
      stripe.transfers.create({
        amount: 500,
        currency: 'usd',
        destination: pending.id,
        source_transaction: 'ch_1',
      }),
    );
    expect(source).toMatchObject({ code: 'parameter_unknown', param: 'source_transaction' });
    expect((await stripe.transfers.list()).data).toEqual([]);
    // Test mode may lift the capability: the account control can make transfers active by hand.
    await control(emulator.url, `accounts/${pending.id}`, { capabilities: { transfers: 'active' } });
    await stripe.transfers.create({ amount: 500, currency: 'usd', destination: pending.id });
  });

  it('fail-next: the next transfer is refused for the balance; its key replays the refusal; a new key succeeds', async () => {
    const affiliate = await onboardedAffiliate();
    const armed = await control<{ pending: unknown[] }>(emulator.url, 'transfers/fail-next', {});
    expect(armed.body.pending).toEqual([{ destination: null }]);
    const params = { amount: 2000, currency: 'usd', destination: affiliate.id, metadata: { payout: 'po_3' } };
    const failed = await refusal(
      stripe.transfers.create(params, { idempotencyKey: 'payout-po_3-attempt-1' }),
    );
    expect(failed).toMatchObject({
      statusCode: 400,
      type: 'StripeInvalidRequestError',
      code: 'balance_insufficient',
      doc_url: 'https://stripe.com/docs/error-codes/balance-insufficient',
    });
    expect(failed.message).toContain('insufficient funds in your Stripe account');
    // Stripe saved the answer under that key: the same request replays the refusal.
    const replayed = await refusal(
      stripe.transfers.create(params, { idempotencyKey: 'payout-po_3-attempt-1' }),
    );
    expect(replayed).toMatchObject({ code: 'balance_insufficient' });
    expect(replayed.headers?.['idempotent-replayed']).toBe('true');
    expect((await stripe.transfers.list()).data).toEqual([]);
    const paid = await stripe.transfers.create(params, { idempotencyKey: 'payout-po_3-attempt-2' });
    expect(paid.amount).toBe(2000);
    expect((await stripe.transfers.list()).data.map((t) => t.id)).toEqual([paid.id]);
  });

  it('fail-next for one destination leaves transfers to others alone', async () => {
    const ada = await onboardedAffiliate();
    const bo = await onboardedAffiliate();
    await control(emulator.url, 'transfers/fail-next', { destination: bo.id });
    await stripe.transfers.create({ amount: 100, currency: 'usd', destination: ada.id });
    const refused = await refusal(
      stripe.transfers.create({ amount: 100, currency: 'usd', destination: bo.id }),
    );
    expect(refused.code).toBe('balance_insufficient');
    await stripe.transfers.create({ amount: 100, currency: 'usd', destination: bo.id });
    const unknown = await control(emulator.url, 'transfers/fail-next', { destination: 'acct_missing' });
    expect(unknown.status).toBe(404);
  });

  it('reversals: partial then the rest (transfer.reversed each time), listed, retrieved, updated; no more than is left', async () => {
    const affiliate = await onboardedAffiliate();
    const transfer = await stripe.transfers.create({
      amount: 1000,
      currency: 'usd',
      destination: affiliate.id,
    });
    const partial = await stripe.transfers.createReversal(transfer.id, {
      amount: 300,
      metadata: { why: 'refund' },
    });
    expect(partial).toMatchObject({
      id: expect.stringMatching(/^trr_/),
      object: 'transfer_reversal',
      amount: 300,
      currency: 'usd',
      transfer: transfer.id,
      metadata: { why: 'refund' },
    });
    expect(await stripe.transfers.retrieve(transfer.id)).toMatchObject({
      amount_reversed: 300,
      reversed: false,
      reversals: { data: [{ id: partial.id }] },
    });
    const tooMuch = await refusal(stripe.transfers.createReversal(transfer.id, { amount: 701 }));
    expect(tooMuch).toMatchObject({ statusCode: 400, code: 'amount_too_large', param: 'amount' });
    const rest = await stripe.transfers.createReversal(transfer.id);
    expect(rest.amount).toBe(700);
    expect(await stripe.transfers.retrieve(transfer.id)).toMatchObject({
      amount_reversed: 1000,
      reversed: true,
    });
    const done = await refusal(stripe.transfers.createReversal(transfer.id, { amount: 1 }));
    expect(done.statusCode).toBe(400);

    const listed = await stripe.transfers.listReversals(transfer.id);
    expect(listed.data.map((r) => r.id)).toEqual([rest.id, partial.id]);
    await stripe.transfers.updateReversal(transfer.id, partial.id, { metadata: { ticket: 't9' } });
    expect((await stripe.transfers.retrieveReversal(transfer.id, partial.id)).metadata).toEqual({
      why: 'refund',
      ticket: 't9',
    });
    const elsewhere = await stripe.transfers.create({
      amount: 50,
      currency: 'usd',
      destination: affiliate.id,
    });
    await expect(stripe.transfers.retrieveReversal(elsewhere.id, partial.id)).rejects.toMatchObject({
      statusCode: 404,
    });

    const events = await accountHooks.waitFor(
      (all) => all.filter((e) => e.type === 'transfer.reversed').length === 2,
    );
    const reversed = events.filter((e) => e.type === 'transfer.reversed') as Stripe.TransferReversedEvent[];
    expect(reversed.map((e) => e.data.object.amount_reversed)).toEqual([300, 1000]);
    expect(reversed[0]?.data.previous_attributes).toMatchObject({ amount_reversed: 0 });
    expect(reversed[1]?.data.previous_attributes).toMatchObject({ amount_reversed: 300, reversed: false });
    expect(reversed.every((e) => !('account' in e))).toBe(true);
  });
});
