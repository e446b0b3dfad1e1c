// Settings → Stripe: the owner connects their own account with a key; Guildhall verifies it and
// creates what it needs there (its webhook endpoint with exactly its events, its billing portal).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_EVENTS } from '../../src/modules/settings/index.ts';
import { client, createAdmin, createMember, createOwner, signIn } from '../support/factories.ts';
import {
  connectThroughSettings,
  createStripeTestContext,
  type StripeTestContext,
} from '../support/stripe.ts';

let ctx: StripeTestContext;
let owner: Awaited<ReturnType<typeof signIn>>;
beforeAll(async () => {
  ctx = await createStripeTestContext();
  owner = await signIn(ctx, await createOwner(ctx));
});
afterAll(async () => ctx.close());

// One connection's life, in order: connected, repaired, disconnected.
describe('Settings → Stripe', { shuffle: false }, () => {
  it('is the owner’s to connect; a bad key is named and nothing is stored', async () => {
    const admin = await signIn(ctx, await createAdmin(ctx));
    const member = await signIn(ctx, await createMember(ctx));
    expect((await client(ctx).get('/api/v1/settings/stripe')).statusCode).toBe(401);
    expect((await member.get('/api/v1/settings/stripe')).statusCode).toBe(403);
    expect((await admin.get('/api/v1/settings/stripe')).json()).toEqual({ connected: false, account: null });
    const byAdmin = await admin.request('PUT', '/api/v1/settings/stripe', {
      secretKey: 'sk_test_byadmin123',
    });
    expect(byAdmin.statusCode).toBe(403);
    for (const secretKey of ['pk_test_publishable123', 'not a key', 'sk_live_unknownaccount1']) {
      const refused = await owner.request('PUT', '/api/v1/settings/stripe', { secretKey });
      expect(refused.statusCode, secretKey).toBe(400);
      expect(refused.json().error.details.fields[0].field).toBe('secretKey');
    }
    expect((await owner.get('/api/v1/settings/stripe')).json().connected).toBe(false);

    const connected = await connectThroughSettings(owner);
    expect(connected.connected).toBe(true);
    expect(connected.account).toMatchObject({
      livemode: false,
      chargesEnabled: true,
      requirements: [],
      keyLast4: 'tion',
      dashboardUrl: 'https://dashboard.stripe.com/test',
    });
    expect(connected.account.id).toMatch(/^acct_/);
    // The key and the signing secret are sealed at rest.
    const stored = await ctx.db.selectFrom('settings').select(['key', 'value']).execute();
    expect(JSON.stringify(stored)).not.toContain('sk_test_guildhall_integration');
    expect(JSON.stringify(stored)).not.toContain('whsec_');

    const endpoints = await ctx.stripe.webhookEndpoints.list();
    expect(endpoints.data).toHaveLength(2);
    const main = endpoints.data.find((e) => e.url === `${ctx.config.publicUrl}/webhooks/stripe`);
    expect([...(main?.enabled_events ?? [])].sort()).toEqual([...WEBHOOK_EVENTS].sort());
    // Connected accounts' events (affiliates' payout accounts) have an endpoint of their own.
    const connect = endpoints.data.find((e) => e.url === `${ctx.config.publicUrl}/webhooks/stripe/connect`);
    expect(connect?.enabled_events).toEqual(['account.updated']);
    const portals = await ctx.stripe.billingPortal.configurations.list();
    expect(portals.data[0]?.features.subscription_cancel.mode).toBe('at_period_end');
    expect(portals.data[0]?.features.payment_method_update.enabled).toBe(true);
  });

  it('repairs its endpoint when it was deleted or its events changed, and follows account.updated', async () => {
    const mainUrl = `${ctx.config.publicUrl}/webhooks/stripe`;
    const before = (await ctx.stripe.webhookEndpoints.list()).data.find((e) => e.url === mainUrl);
    if (!before) throw new Error('no endpoint');
    await ctx.stripe.webhookEndpoints.update(before.id, { enabled_events: ['charge.refunded'] });
    expect((await ctx.services.stripe.repair()).repaired).toBe(true);
    const updated = await ctx.stripe.webhookEndpoints.retrieve(before.id);
    expect([...updated.enabled_events].sort()).toEqual([...WEBHOOK_EVENTS].sort());

    await ctx.stripe.webhookEndpoints.del(before.id);
    expect((await ctx.services.stripe.repair()).repaired).toBe(true);
    const after = (await ctx.stripe.webhookEndpoints.list()).data.filter((e) => e.url === mainUrl);
    expect(after).toHaveLength(1);
    expect(after[0]?.id).not.toBe(before.id);
    // Repairing one endpoint never deletes the other.
    expect((await ctx.stripe.webhookEndpoints.list()).data).toHaveLength(2);

    // Stripe asks for more: charges stop, in words, through the signed webhook.
    const account = (await ctx.services.stripe.current())?.accountId;
    await ctx.control(`accounts/${account}`, {
      charges_enabled: false,
      currently_due: ['external_account', 'individual.dob.day'],
    });
    const responses = await ctx.deliver({ filter: (event) => event.type === 'account.updated' });
    expect(responses.map((r) => r.statusCode)).toContain(200);
    const state = await ctx.services.stripe.current();
    expect(state?.chargesEnabled).toBe(false);
    expect(state?.requirements).toEqual(['a bank account for payouts', 'your date of birth']);
    await ctx.control(`accounts/${account}`, { charges_enabled: true, currently_due: [] });
    await ctx.deliver({ filter: (event) => event.type === 'account.updated' });
    expect((await ctx.services.stripe.current())?.chargesEnabled).toBe(true);
  });

  it('disconnects: the key is forgotten and the endpoint removed', async () => {
    expect((await owner.delete('/api/v1/settings/stripe')).statusCode).toBe(204);
    expect((await owner.get('/api/v1/settings/stripe')).json().connected).toBe(false);
    expect((await ctx.stripe.webhookEndpoints.list()).data).toHaveLength(0);
    expect(await ctx.services.stripe.webhookSecret()).toBeNull();
  });
});
