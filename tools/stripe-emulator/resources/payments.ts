// Payment intents and charges (what a card payment leaves behind), refunds and disputes.
import type Stripe from 'stripe';
import type { CardOutcome } from '../cards.ts';
import { type Emulator, snapshot } from '../emulator.ts';
import {
  invalidParam,
  invalidRequest,
  noSuchObject,
  StripeApiError,
  type StripeErrorBody,
  withDocUrl,
} from '../errors.ts';
import { newId, randomToken } from '../ids.ts';
import { paginate } from '../present.ts';
import { type ApiContext, type ApiRoute, createdRange, listParams, type ParamSpec } from '../routes.ts';
import { type AccountState, allOfKind, getObject, idOf, putObject } from '../store.ts';
import { requireCustomer, resolvePaymentMethod } from './customers.ts';

export interface PaymentInput {
  amount: number;
  currency: string;
  customer: string | null;
  description?: string | null;
  metadata?: Record<string, string>;
  receiptEmail?: string | null;
  /** Charges made by Stripe without the customer present (renewals) cannot pass 3D Secure. */
  offSession?: boolean;
}

export interface PaymentResult {
  intent: Stripe.PaymentIntent;
  charge: Stripe.Charge;
  error: StripeErrorBody | null;
}

export function requireCharge(state: AccountState, id: string, param = 'charge'): Stripe.Charge {
  const charge = getObject(state, 'charge', id);
  if (!charge) throw noSuchObject('charge', id, param);
  return charge;
}

export function createPaymentIntent(
  emu: Emulator,
  state: AccountState,
  input: PaymentInput,
): Stripe.PaymentIntent {
  const id = newId('pi');
  const intent: Stripe.PaymentIntent = {
    id,
    object: 'payment_intent',
    allowed_payment_method_types: null,
    amount: input.amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: 'automatic',
    client_secret: `${id}_secret_${randomToken(24)}`,
    confirmation_method: 'automatic',
    created: emu.now(),
    currency: input.currency,
    customer: input.customer,
    customer_account: null,
    description: input.description ?? null,
    excluded_payment_method_types: null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    managed_payments: null,
    metadata: input.metadata ?? {},
    next_action: null,
    on_behalf_of: null,
    payment_method: null,
    payment_method_configuration_details: null,
    payment_method_options: null,
    payment_method_types: ['card'],
    payment_record: null,
    processing: null,
    receipt_email: input.receiptEmail ?? null,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: 'requires_payment_method',
    transfer_data: null,
    transfer_group: null,
  };
  putObject(state, intent);
  emu.emit(state, 'payment_intent.created', intent);
  return intent;
}

function declineFor(outcome: CardOutcome, forceFail: boolean, offSession: boolean) {
  if (forceFail || outcome.kind === 'attach_then_decline') {
    return { code: 'card_declined', declineCode: 'generic_decline', message: 'Your card was declined.' };
  }
  if (outcome.kind === 'decline') return outcome;
  if (outcome.kind === 'authenticate' && offSession && !outcome.offSessionAfterSetup) {
    return {
      code: 'authentication_required',
      declineCode: 'authentication_required',
      message: 'Your card was declined. This transaction requires authentication.',
    };
  }
  return null;
}

/** Confirms an intent with a card: a succeeded or failed charge, the intent moved on, their events. */
export function confirmPaymentIntent(
  emu: Emulator,
  state: AccountState,
  intent: Stripe.PaymentIntent,
  method: Stripe.PaymentMethod,
  options: { forceFail?: boolean; offSession?: boolean } = {},
): PaymentResult {
  const card = state.paymentMethodCards.get(method.id);
  const outcome: CardOutcome = card?.outcome ?? { kind: 'succeed' };
  const decline = declineFor(outcome, options.forceFail ?? false, options.offSession ?? false);
  const methodCard = method.card;
  const chargeId = newId('ch');
  const charge: Stripe.Charge = {
    id: chargeId,
    object: 'charge',
    amount: intent.amount,
    amount_captured: decline ? 0 : intent.amount,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: decline ? null : newId('txn'),
    billing_details: method.billing_details,
    calculated_statement_descriptor: 'GUILDHALL EMULATOR',
    captured: !decline,
    created: emu.now(),
    currency: intent.currency,
    customer: intent.customer,
    description: intent.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: decline?.code ?? null,
    failure_message: decline?.message ?? null,
    fraud_details: {},
    livemode: false,
    metadata: snapshot(intent.metadata),
    on_behalf_of: null,
    outcome: {
      advice_code: null,
      network_advice_code: null,
      network_decline_code: null,
      network_status: decline ? 'declined_by_network' : 'approved_by_network',
      reason: decline?.declineCode ?? null,
      risk_level: 'normal',
      seller_message: decline
        ? 'The bank did not return any further details with this decline.'
        : 'Payment complete.',
      type: decline ? 'issuer_declined' : 'authorized',
    },
    paid: !decline,
    payment_intent: intent.id,
    payment_method: method.id,
    payment_method_details: {
      type: 'card',
      card: {
        amount_authorized: decline ? null : intent.amount,
        authorization_code: null,
        brand: methodCard?.brand ?? 'visa',
        checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
        country: 'US',
        exp_month: methodCard?.exp_month ?? 12,
        exp_year: methodCard?.exp_year ?? 2030,
        extended_authorization: { status: 'disabled' },
        fingerprint: methodCard?.fingerprint ?? null,
        funding: 'credit',
        incremental_authorization: { status: 'unavailable' },
        installments: null,
        last4: methodCard?.last4 ?? '4242',
        mandate: null,
        multicapture: { status: 'unavailable' },
        network: methodCard?.brand ?? 'visa',
        network_token: { used: false },
        network_transaction_id: null,
        overcapture: { maximum_amount_capturable: intent.amount, status: 'unavailable' },
        regulated_status: 'unregulated',
        three_d_secure: null,
        wallet: null,
        electronic_commerce_indicator: null,
        transaction_link_id: null,
      },
    },
    receipt_email: intent.receipt_email,
    receipt_number: null,
    // Stripe gives every charge a receipt page; the emulator serves its own (pages.ts).
    receipt_url: `${emu.settings.baseUrl}/receipts/payment/${chargeId}`,
    refunded: false,
    refunds: { object: 'list', data: [], has_more: false, url: '' },
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: decline ? 'failed' : 'succeeded',
    transfer_data: null,
    transfer_group: null,
  };
  charge.refunds = { object: 'list', data: [], has_more: false, url: `/v1/charges/${charge.id}/refunds` };
  putObject(state, charge);
  intent.latest_charge = charge.id;
  intent.payment_method = method.id;
  let error: StripeErrorBody | null = null;
  if (decline) {
    error = withDocUrl<StripeErrorBody>({
      type: 'card_error',
      code: decline.code,
      decline_code: decline.declineCode,
      message: decline.message,
      charge: charge.id,
    });
    intent.status = 'requires_payment_method';
    intent.last_payment_error = withDocUrl({
      type: 'card_error',
      code: decline.code,
      decline_code: decline.declineCode,
      message: decline.message,
      charge: charge.id,
      payment_method: snapshot(method),
    });
    emu.emit(state, 'charge.failed', charge);
    emu.emit(state, 'payment_intent.payment_failed', intent, undefined);
  } else {
    intent.status = 'succeeded';
    intent.amount_received = intent.amount;
    intent.last_payment_error = null;
    emu.emit(state, 'charge.succeeded', charge);
    emu.emit(state, 'payment_intent.succeeded', intent);
    if (outcome.kind === 'succeed_then_dispute') createDispute(emu, state, charge, {});
  }
  return { intent, charge, error };
}

export function refundCharge(
  emu: Emulator,
  state: AccountState,
  charge: Stripe.Charge,
  input: { amount?: number; reason?: Stripe.Refund.Reason | null; metadata?: Record<string, string> },
): Stripe.Refund {
  if (!charge.paid || charge.status !== 'succeeded') {
    throw invalidRequest(
      `Charge ${charge.id} has not been captured or has failed; it cannot be refunded.`,
      'charge',
    );
  }
  const remaining = charge.amount - charge.amount_refunded;
  if (remaining <= 0) {
    throw new StripeApiError(400, {
      type: 'invalid_request_error',
      code: 'charge_already_refunded',
      message: `Charge ${charge.id} has already been refunded.`,
    });
  }
  const amount = input.amount ?? remaining;
  if (amount <= 0) throw invalidParam('amount', 'This value must be greater than or equal to 1.');
  if (amount > remaining) {
    throw invalidParam(
      'amount',
      `Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining})`,
      'amount_too_large',
    );
  }
  const refund: Stripe.Refund = {
    id: newId('re'),
    object: 'refund',
    amount,
    balance_transaction: newId('txn'),
    charge: charge.id,
    created: emu.now(),
    currency: charge.currency,
    customer: charge.customer,
    customer_account: null,
    destination_details: { type: 'card', card: { type: 'refund' } },
    metadata: input.metadata ?? {},
    payment_intent: charge.payment_intent,
    payment_method: charge.payment_method,
    reason: input.reason ?? null,
    receipt_number: null,
    source_transfer_reversal: null,
    status: 'succeeded',
    transfer_reversal: null,
  };
  putObject(state, refund);
  const before = snapshot(charge);
  charge.amount_refunded += amount;
  charge.refunded = charge.amount_refunded >= charge.amount;
  if (charge.refunds) charge.refunds.data.unshift(snapshot(refund));
  emu.emit(state, 'refund.created', refund);
  emu.emitUpdate(state, 'charge.refunded', before, charge);
  return refund;
}

export function createDispute(
  emu: Emulator,
  state: AccountState,
  charge: Stripe.Charge,
  input: { reason?: string; amount?: number },
): Stripe.Dispute {
  if (charge.disputed) throw invalidRequest(`Charge ${charge.id} already has a dispute.`);
  if (!charge.paid) throw invalidRequest(`Charge ${charge.id} was not paid and cannot be disputed.`);
  const now = emu.now();
  const dispute: Stripe.Dispute = {
    id: newId('dp'),
    object: 'dispute',
    amount: input.amount ?? charge.amount - charge.amount_refunded,
    balance_transactions: [],
    charge: charge.id,
    created: now,
    currency: charge.currency,
    enhanced_eligibility_types: [],
    evidence: emptyEvidence(),
    evidence_details: {
      due_by: now + 7 * 86_400,
      enhanced_eligibility: {},
      has_evidence: false,
      past_due: false,
      submission_count: 0,
      submission_method: 'not_submitted',
    },
    intended_submission_method: null,
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: charge.payment_intent,
    payment_method_details: {
      type: 'card',
      card: {
        brand: charge.payment_method_details?.card?.brand ?? 'visa',
        case_type: 'chargeback',
        network: charge.payment_method_details?.card?.network ?? 'visa',
        network_reason_code: null,
      },
    },
    reason: input.reason ?? 'fraudulent',
    status: 'needs_response',
  };
  putObject(state, dispute);
  const before = snapshot(charge);
  charge.disputed = true;
  emu.emitUpdate(state, 'charge.updated', before, charge);
  emu.emit(state, 'charge.dispute.created', dispute);
  emu.emit(state, 'charge.dispute.funds_withdrawn', dispute);
  return dispute;
}

export function closeDispute(
  emu: Emulator,
  state: AccountState,
  dispute: Stripe.Dispute,
  status: 'won' | 'lost',
): Stripe.Dispute {
  if (dispute.status === 'won' || dispute.status === 'lost') {
    throw invalidRequest(`This dispute is already closed (${dispute.status}).`);
  }
  const before = snapshot(dispute);
  dispute.status = status;
  emu.emit(state, 'charge.dispute.closed', dispute, previousStatus(before));
  if (status === 'won') emu.emit(state, 'charge.dispute.funds_reinstated', dispute);
  return dispute;
}

function previousStatus(before: Stripe.Dispute): Record<string, unknown> {
  return { status: before.status };
}

function emptyEvidence(): Stripe.Dispute.Evidence {
  return {
    access_activity_log: null,
    billing_address: null,
    cancellation_policy: null,
    cancellation_policy_disclosure: null,
    cancellation_rebuttal: null,
    customer_communication: null,
    customer_email_address: null,
    customer_name: null,
    customer_purchase_ip: null,
    customer_signature: null,
    duplicate_charge_documentation: null,
    duplicate_charge_explanation: null,
    duplicate_charge_id: null,
    enhanced_evidence: {},
    product_description: null,
    receipt: null,
    refund_policy: null,
    refund_policy_disclosure: null,
    refund_refusal_explanation: null,
    service_date: null,
    service_documentation: null,
    shipping_address: null,
    shipping_carrier: null,
    shipping_date: null,
    shipping_documentation: null,
    shipping_tracking_number: null,
    uncategorized_file: null,
    uncategorized_text: null,
  };
}

const evidenceParams: ParamSpec = Object.fromEntries(
  Object.keys(emptyEvidence()).map((key) => [key, true as const]),
);

function requireIntent(state: AccountState, id: string, param = 'id'): Stripe.PaymentIntent {
  const intent = getObject(state, 'payment_intent', id);
  if (!intent) throw noSuchObject('payment_intent', id, param);
  return intent;
}

function requireDispute(state: AccountState, id: string): Stripe.Dispute {
  const dispute = getObject(state, 'dispute', id);
  if (!dispute) throw noSuchObject('dispute', id, 'dispute');
  return dispute;
}

/** Confirming through the API: a decline answers 402 with the card error, as Stripe does. */
function confirmThroughApi(
  ctx: ApiContext,
  intent: Stripe.PaymentIntent,
  methodId: string | undefined,
): Stripe.PaymentIntent {
  const id = methodId ?? idOf(intent.payment_method);
  if (!id)
    throw invalidRequest(
      "You cannot confirm this PaymentIntent because it's missing a payment method.",
      'payment_method',
      'payment_intent_unexpected_state',
    );
  if (intent.status === 'succeeded') {
    throw invalidRequest(
      "This PaymentIntent's status is succeeded, so it cannot be confirmed.",
      undefined,
      'payment_intent_unexpected_state',
    );
  }
  const method = resolvePaymentMethod(ctx.emu, ctx.state, id, 'payment_method');
  const result = confirmPaymentIntent(ctx.emu, ctx.state, intent, method, {
    offSession: ctx.params.boolean('off_session') ?? false,
  });
  if (result.error)
    throw new StripeApiError(402, { ...result.error, payment_intent: snapshot(result.intent) });
  return result.intent;
}

/** Values the handlers accept for enum parameters; `sdk-params.test.ts` holds them to the SDK's literals. */
export const intentCancellationReasons = [
  'duplicate',
  'fraudulent',
  'requested_by_customer',
  'abandoned',
] as const;
export const refundReasons = ['duplicate', 'fraudulent', 'requested_by_customer'] as const;

export const paymentRoutes: ApiRoute[] = [
  {
    method: 'POST',
    pattern: '/v1/payment_intents',
    params: {
      expand: true,
      amount: true,
      currency: true,
      customer: true,
      description: true,
      metadata: true,
      receipt_email: true,
      payment_method: true,
      confirm: true,
      off_session: true,
    },
    handle: (ctx) => {
      const p = ctx.params;
      const amount = p.requiredInteger('amount');
      if (amount < 50) throw invalidParam('amount', 'Amount must be at least $0.50 usd', 'amount_too_small');
      const customer = p.string('customer');
      if (customer) requireCustomer(ctx.state, customer);
      const intent = createPaymentIntent(ctx.emu, ctx.state, {
        amount,
        currency: p.requiredString('currency').toLowerCase(),
        customer: customer ?? null,
        description: p.string('description') ?? null,
        metadata: p.metadata(),
        receiptEmail: p.email('receipt_email') || null,
      });
      const methodId = p.string('payment_method');
      if (methodId)
        intent.payment_method = resolvePaymentMethod(ctx.emu, ctx.state, methodId, 'payment_method').id;
      if (p.boolean('confirm')) return confirmThroughApi(ctx, intent, methodId);
      return intent;
    },
  },
  {
    method: 'GET',
    pattern: '/v1/payment_intents/:id',
    params: { expand: true },
    handle: (ctx) => requireIntent(ctx.state, ctx.path.id ?? ''),
  },
  {
    method: 'POST',
    pattern: '/v1/payment_intents/:id',
    params: { expand: true, metadata: true, description: true },
    handle: (ctx) => {
      const intent = requireIntent(ctx.state, ctx.path.id ?? '');
      if (ctx.params.has('metadata')) intent.metadata = ctx.params.metadata(intent.metadata);
      if (ctx.params.has('description')) intent.description = ctx.params.string('description') || null;
      return intent;
    },
  },
  {
    method: 'POST',
    pattern: '/v1/payment_intents/:id/confirm',
    params: { expand: true, payment_method: true, off_session: true },
    handle: (ctx) =>
      confirmThroughApi(
        ctx,
        requireIntent(ctx.state, ctx.path.id ?? ''),
        ctx.params.string('payment_method'),
      ),
  },
  {
    method: 'POST',
    pattern: '/v1/payment_intents/:id/cancel',
    params: { expand: true, cancellation_reason: true },
    handle: (ctx) => {
      const intent = requireIntent(ctx.state, ctx.path.id ?? '');
      if (intent.status === 'succeeded' || intent.status === 'canceled') {
        throw invalidRequest(
          `You cannot cancel this PaymentIntent because it has a status of ${intent.status}.`,
          undefined,
          'payment_intent_unexpected_state',
        );
      }
      intent.status = 'canceled';
      intent.canceled_at = ctx.emu.now();
      intent.cancellation_reason = ctx.params.oneOf('cancellation_reason', intentCancellationReasons) ?? null;
      ctx.emu.emit(ctx.state, 'payment_intent.canceled', intent);
      return intent;
    },
  },
  {
    method: 'GET',
    pattern: '/v1/payment_intents',
    params: listParams({ created: createdRange, customer: true }),
    handle: (ctx) => {
      const customer = ctx.params.string('customer');
      const items = allOfKind(ctx.state, 'payment_intent').filter(
        (intent) => !customer || idOf(intent.customer) === customer,
      );
      return paginate(items, ctx.params, '/v1/payment_intents');
    },
  },
  {
    method: 'GET',
    pattern: '/v1/charges/:id',
    params: { expand: true },
    handle: (ctx) => requireCharge(ctx.state, ctx.path.id ?? '', 'id'),
  },
  {
    method: 'POST',
    pattern: '/v1/charges/:id',
    params: { expand: true, metadata: true, description: true },
    handle: (ctx) => {
      const charge = requireCharge(ctx.state, ctx.path.id ?? '', 'id');
      const before = snapshot(charge);
      if (ctx.params.has('metadata')) charge.metadata = ctx.params.metadata(charge.metadata);
      if (ctx.params.has('description')) charge.description = ctx.params.string('description') || null;
      ctx.emu.emitUpdate(ctx.state, 'charge.updated', before, charge);
      return charge;
    },
  },
  {
    method: 'GET',
    pattern: '/v1/charges',
    params: listParams({ created: createdRange, customer: true, payment_intent: true }),
    handle: (ctx) => {
      const customer = ctx.params.string('customer');
      const intent = ctx.params.string('payment_intent');
      const items = allOfKind(ctx.state, 'charge').filter(
        (charge) =>
          (!customer || idOf(charge.customer) === customer) &&
          (!intent || idOf(charge.payment_intent) === intent),
      );
      return paginate(items, ctx.params, '/v1/charges');
    },
  },
  {
    method: 'POST',
    pattern: '/v1/refunds',
    params: { expand: true, charge: true, payment_intent: true, amount: true, reason: true, metadata: true },
    handle: (ctx) => {
      const p = ctx.params;
      const chargeId = p.string('charge');
      const intentId = p.string('payment_intent');
      let charge: Stripe.Charge;
      if (chargeId) charge = requireCharge(ctx.state, chargeId);
      else if (intentId) {
        const latest = idOf(requireIntent(ctx.state, intentId, 'payment_intent').latest_charge);
        if (!latest)
          throw invalidRequest(
            `PaymentIntent ${intentId} does not have a successful charge to refund.`,
            'payment_intent',
          );
        charge = requireCharge(ctx.state, latest);
      } else
        throw invalidRequest(
          'One of the following params should be provided for this request: payment_intent or charge.',
          'charge',
          'parameter_missing',
        );
      return refundCharge(ctx.emu, ctx.state, charge, {
        amount: p.integer('amount'),
        reason: p.oneOf('reason', refundReasons) ?? null,
        metadata: p.metadata(),
      });
    },
  },
  {
    method: 'GET',
    pattern: '/v1/refunds/:id',
    params: { expand: true },
    handle: (ctx) => {
      const refund = getObject(ctx.state, 'refund', ctx.path.id ?? '');
      if (!refund) throw noSuchObject('refund', ctx.path.id ?? '', 'id');
      return refund;
    },
  },
  {
    method: 'POST',
    pattern: '/v1/refunds/:id',
    params: { expand: true, metadata: true },
    handle: (ctx) => {
      const refund = getObject(ctx.state, 'refund', ctx.path.id ?? '');
      if (!refund) throw noSuchObject('refund', ctx.path.id ?? '', 'id');
      if (ctx.params.has('metadata')) refund.metadata = ctx.params.metadata(refund.metadata ?? {});
      return refund;
    },
  },
  {
    method: 'GET',
    pattern: '/v1/refunds',
    params: listParams({ created: createdRange, charge: true, payment_intent: true }),
    handle: (ctx) => {
      const charge = ctx.params.string('charge');
      const intent = ctx.params.string('payment_intent');
      const items = allOfKind(ctx.state, 'refund').filter(
        (refund) =>
          (!charge || idOf(refund.charge) === charge) && (!intent || idOf(refund.payment_intent) === intent),
      );
      return paginate(items, ctx.params, '/v1/refunds');
    },
  },
  {
    method: 'GET',
    pattern: '/v1/disputes/:id',
    params: { expand: true },
    handle: (ctx) => requireDispute(ctx.state, ctx.path.id ?? ''),
  },
  {
    method: 'POST',
    pattern: '/v1/disputes/:id',
    params: { expand: true, metadata: true, evidence: evidenceParams, submit: true },
    handle: (ctx) => {
      const dispute = requireDispute(ctx.state, ctx.path.id ?? '');
      const before = snapshot(dispute);
      if (ctx.params.has('metadata')) dispute.metadata = ctx.params.metadata(dispute.metadata);
      const evidence = ctx.params.child('evidence');
      if (evidence) {
        for (const [key, value] of Object.entries(evidence.raw)) {
          if (key in dispute.evidence && typeof value === 'string') {
            (dispute.evidence as unknown as Record<string, unknown>)[key] = value;
          }
        }
        dispute.evidence_details.has_evidence = true;
        if (ctx.params.boolean('submit') !== false) {
          dispute.evidence_details.submission_count += 1;
          dispute.status = 'under_review';
        }
      }
      ctx.emu.emitUpdate(ctx.state, 'charge.dispute.updated', before, dispute);
      return dispute;
    },
  },
  {
    method: 'POST',
    pattern: '/v1/disputes/:id/close',
    params: { expand: true },
    handle: (ctx) => closeDispute(ctx.emu, ctx.state, requireDispute(ctx.state, ctx.path.id ?? ''), 'lost'),
  },
  {
    method: 'GET',
    pattern: '/v1/disputes',
    params: listParams({ created: createdRange, charge: true, payment_intent: true }),
    handle: (ctx) => {
      const charge = ctx.params.string('charge');
      const intent = ctx.params.string('payment_intent');
      const items = allOfKind(ctx.state, 'dispute').filter(
        (dispute) =>
          (!charge || idOf(dispute.charge) === charge) &&
          (!intent || idOf(dispute.payment_intent) === intent),
      );
      return paginate(items, ctx.params, '/v1/disputes');
    },
  },
];
