// Stripe refuses a parameter it does not know (400 `parameter_unknown`, `param` naming it) before it
// acts, so a misspelled parameter in the product fails its tests as it would fail against Stripe.
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StripeEmulator, startStripeEmulator, stripeClientFor } from './index.ts';
import { control } from './test-support.ts';

let emulator: StripeEmulator;
let keys = 0;

function freshClient(): Stripe {
  keys += 1;
  return stripeClientFor(emulator.url, `sk_test_params_${keys}`);
}

beforeAll(async () => {
  emulator = await startStripeEmulator();
});
afterAll(async () => {
  await emulator.close();
});

function unknown(param: string) {
  return {
    type: 'StripeInvalidRequestError',
    statusCode: 400,
    code: 'parameter_unknown',
    param,
    message: `Received unknown parameter: ${param}`,
  };
}

async function recurringPrice(client: Stripe): Promise<Stripe.Price> {
  const product = await client.products.create({ name: 'Guild' });
  return client.prices.create({
    product: product.id,
    currency: 'usd',
    unit_amount: 1000,
    recurring: { interval: 'month' },
  });
}

describe('unknown parameters', () => {
  it('refuses a misspelled top-level parameter and creates nothing', async () => {
    const client = freshClient();
    const params = { email: 'a@example.com', nmae: 'Typo' } as Stripe.CustomerCreateParams;
    await expect(client.customers.create(params)).rejects.toMatchObject(unknown('nmae'));
    expect((await client.customers.list()).data).toHaveLength(0);
    expect((await client.events.list()).data).toHaveLength(0);
  });

  it('names nested parameters the way Stripe does, and leaves the state as it was', async () => {
    const client = freshClient();
    const price = await recurringPrice(client);
    const base = { mode: 'subscription' as const, success_url: 'http://127.0.0.1:9/ok' };
    await expect(
      client.checkout.sessions.create({
        ...base,
        line_items: [
          { price: price.id, quantity: 1, qty: 2 } as Stripe.Checkout.SessionCreateParams.LineItem,
        ],
      }),
    ).rejects.toMatchObject(unknown('line_items[0][qty]'));
    await expect(
      client.checkout.sessions.create({
        ...base,
        line_items: [{ price: price.id, quantity: 1 }],
        subscription_data: { trial_days: 7 } as Stripe.Checkout.SessionCreateParams.SubscriptionData,
      }),
    ).rejects.toMatchObject(unknown('subscription_data[trial_days]'));
    expect((await client.checkout.sessions.list()).data).toHaveLength(0);

    const customer = await client.customers.create({
      email: 's@example.com',
      payment_method: 'pm_card_visa',
    });
    const subscription = await client.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
    });
    await expect(
      client.subscriptions.update(subscription.id, {
        cancel_at_period_end: true,
        cancel_at_end: true,
      } as Stripe.SubscriptionUpdateParams),
    ).rejects.toMatchObject(unknown('cancel_at_end'));
    expect((await client.subscriptions.retrieve(subscription.id)).cancel_at_period_end).toBe(false);
  });

  it('refuses unknown filters on lists and retrieves', async () => {
    const client = freshClient();
    await expect(
      client.customers.list({ emial: 'x@example.com' } as Stripe.CustomerListParams),
    ).rejects.toMatchObject(unknown('emial'));
    await expect(
      client.subscriptions.list({ created: { after: 1 } } as unknown as Stripe.SubscriptionListParams),
    ).rejects.toMatchObject(unknown('created[after]'));
    const product = await client.products.create({ name: 'P' });
    await expect(
      client.products.retrieve(product.id, { include: ['x'] } as Stripe.ProductRetrieveParams),
    ).rejects.toMatchObject(unknown('include'));
  });

  it('accepts what the SDK legitimately sends: expand, metadata of any keys, list cursors', async () => {
    const client = freshClient();
    const price = await recurringPrice(client);
    const customer = await client.customers.create({
      email: 'ok@example.com',
      metadata: { 'any key': 'v', 42: 'numeric' },
      payment_method: 'pm_card_visa',
      expand: ['invoice_settings.default_payment_method'],
    });
    expect((await client.customers.retrieve(customer.id)) as Stripe.Customer).toMatchObject({
      metadata: { 'any key': 'v', 42: 'numeric' },
    });
    const subscription = await client.subscriptions.create(
      { customer: customer.id, items: [{ price: price.id, quantity: 1 }], expand: ['latest_invoice'] },
      { idempotencyKey: 'sub-ok' },
    );
    const page = await client.subscriptions.list({
      customer: customer.id,
      limit: 1,
      created: { gte: subscription.created },
      expand: ['data.latest_invoice'],
    });
    expect((page.data[0]!.latest_invoice as Stripe.Invoice).id).toBe(
      (subscription.latest_invoice as Stripe.Invoice).id,
    );
  });

  it('is not saved under an idempotency key, so the corrected request can reuse it', async () => {
    const client = freshClient();
    await expect(
      client.customers.create({ emial: 'a@example.com' } as Stripe.CustomerCreateParams, {
        idempotencyKey: 'fix-me',
      }),
    ).rejects.toMatchObject({ code: 'parameter_unknown' });
    const customer = await client.customers.create({ email: 'a@example.com' }, { idempotencyKey: 'fix-me' });
    expect(customer.email).toBe('a@example.com');
  });
});

describe('parameters the SDK does not declare for this API version', () => {
  it('refuses payment_method_types on a Checkout Session and takes allowed_payment_method_types', async () => {
    const client = freshClient();
    const price = await recurringPrice(client);
    const base = {
      mode: 'subscription' as const,
      line_items: [{ price: price.id, quantity: 1 }],
      success_url: 'http://127.0.0.1:9/ok',
    };
    await expect(
      client.checkout.sessions.create({
        ...base,
        payment_method_types: ['card'],
      } as Stripe.Checkout.SessionCreateParams),
    ).rejects.toMatchObject(unknown('payment_method_types'));
    const session = await client.checkout.sessions.create({
      ...base,
      allowed_payment_method_types: ['card'],
    });
    expect(session).toMatchObject({ allowed_payment_method_types: ['card'], ui_mode: 'hosted_page' });
    await expect(
      client.checkout.sessions.create({ ...base, allowed_payment_method_types: ['card', 'sepa_debit'] }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'allowed_payment_method_types[1]' });
  });

  it('refuses created[...] on the lists whose params do not declare it, and expand on deletes', async () => {
    const client = freshClient();
    const created = { created: { gte: 1 } };
    await expect(
      client.webhookEndpoints.list(created as Stripe.WebhookEndpointListParams),
    ).rejects.toMatchObject(unknown('created'));
    const customer = await client.customers.create({ email: 'c@example.com' });
    await expect(
      client.customers.listPaymentMethods(customer.id, created as Stripe.CustomerListPaymentMethodsParams),
    ).rejects.toMatchObject(unknown('created'));
    await expect(
      client.customers.del(customer.id, { expand: ['x'] } as Stripe.CustomerDeleteParams),
    ).rejects.toMatchObject(unknown('expand'));
    expect((await client.customers.list(created)).data).toHaveLength(1);
  });

  it('refuses ui_mode values of older versions (hosted) and takes hosted_page', async () => {
    const client = freshClient();
    const price = await recurringPrice(client);
    const base = {
      mode: 'subscription' as const,
      line_items: [{ price: price.id, quantity: 1 }],
      success_url: 'http://127.0.0.1:9/ok',
    };
    await expect(client.checkout.sessions.create({ ...base, ui_mode: 'hosted' })).rejects.toMatchObject({
      statusCode: 400,
      param: 'ui_mode',
    });
    expect((await client.checkout.sessions.create({ ...base, ui_mode: 'hosted_page' })).ui_mode).toBe(
      'hosted_page',
    );
  });

  it('refuses product_data fields a price does not take', async () => {
    const client = freshClient();
    await expect(
      client.prices.create({
        currency: 'usd',
        unit_amount: 100,
        product_data: { name: 'P', description: 'd' },
      } as Stripe.PriceCreateParams),
    ).rejects.toMatchObject(unknown('product_data[description]'));
  });
});

describe('values Stripe refuses', () => {
  function invalidEmail(param: string, value: string) {
    return {
      type: 'StripeInvalidRequestError',
      statusCode: 400,
      code: 'email_invalid',
      param,
      message: `Invalid email address: ${value}`,
      doc_url: 'https://stripe.com/docs/error-codes/email-invalid',
    };
  }

  it.each(['someone@gmail', 'otameshi@com', ' lead@example.com', 'a＠example.com', 'plain', 'a@b..com'])(
    'refuses the email %j on a customer, create and update, and changes nothing',
    async (email) => {
      const client = freshClient();
      await expect(client.customers.create({ email })).rejects.toMatchObject(invalidEmail('email', email));
      expect((await client.customers.list()).data).toHaveLength(0);
      const customer = await client.customers.create({ email: 'ok.name+tag@mail.example.co.uk' });
      await expect(client.customers.update(customer.id, { email })).rejects.toMatchObject(
        invalidEmail('email', email),
      );
      expect(((await client.customers.retrieve(customer.id)) as Stripe.Customer).email).toBe(
        'ok.name+tag@mail.example.co.uk',
      );
    },
  );

  it('refuses an invalid customer_email on a Checkout Session, and on the pay page', async () => {
    const client = freshClient();
    const price = await recurringPrice(client);
    const base = {
      mode: 'subscription' as const,
      line_items: [{ price: price.id, quantity: 1 }],
      success_url: 'http://127.0.0.1:9/ok',
    };
    await expect(
      client.checkout.sessions.create({ ...base, customer_email: 'buyer@example' }),
    ).rejects.toMatchObject(invalidEmail('customer_email', 'buyer@example'));
    const session = await client.checkout.sessions.create(base);
    const paid = await control<{ status: string; error: { code: string; param: string } }>(
      emulator.url,
      `checkout/sessions/${session.id}/pay`,
      { card: '4242424242424242', email: 'not an email' },
    );
    expect(paid.status).toBe(402);
    expect(paid.body).toMatchObject({ status: 'failed', error: { code: 'email_invalid', param: 'email' } });
    expect((await client.checkout.sessions.retrieve(session.id)).status).toBe('open');
  });

  it('refuses an idempotency key longer than 255 characters, before anything happens', async () => {
    const client = freshClient();
    await expect(
      client.customers.create({ email: 'k@example.com' }, { idempotencyKey: 'k'.repeat(256) }),
    ).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      statusCode: 400,
      message: 'Idempotency keys can be at most 255 characters long.',
    });
    expect((await client.customers.list()).data).toHaveLength(0);
    const customer = await client.customers.create(
      { email: 'k@example.com' },
      { idempotencyKey: 'k'.repeat(255) },
    );
    const replay = await client.customers.create(
      { email: 'k@example.com' },
      { idempotencyKey: 'k'.repeat(255) },
    );
    expect(replay.id).toBe(customer.id);
  });
});

describe('unknown fields in test controls', () => {
  it('refuses a misspelled control field instead of silently doing nothing', async () => {
    const client = freshClient();
    const account = await client.accounts.retrieve(null);
    const result = await control<{ error: { code: string; param: string } }>(
      emulator.url,
      `accounts/${account.id}`,
      { chargesEnabled: false },
    );
    expect(result.status).toBe(400);
    expect(result.body.error).toMatchObject({ code: 'parameter_unknown', param: 'chargesEnabled' });
    expect((await client.accounts.retrieve(null)).charges_enabled).toBe(true);
  });
});

it('uses the SDK’s own error class for it', async () => {
  await expect(
    freshClient().products.create({ name: 'x', colour: 'red' } as Stripe.ProductCreateParams),
  ).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
});
