// Billing portal configurations as objects: the shape of this API version, and the account's default
// one (what an owner's saved Dashboard portal settings would be), which every account has from the
// start and portal sessions use unless they name another. Kept apart from resources/portal.ts so the
// emulator can create the default with the account without importing the resources.
import type Stripe from 'stripe';

export type PortalConfiguration = Stripe.BillingPortal.Configuration;
export type PortalProduct = Stripe.BillingPortal.Configuration.Features.SubscriptionUpdate.Product;

/** Every feature switched off, with Stripe's values for what was not set. */
export function disabledFeatures(): PortalConfiguration['features'] {
  return {
    customer_update: { allowed_updates: [], enabled: false },
    invoice_history: { enabled: false },
    payment_method_update: { enabled: false, payment_method_configuration: null },
    subscription_cancel: {
      cancellation_reason: { enabled: false, feedback_options: null, options: [] },
      enabled: false,
      mode: 'at_period_end',
      proration_behavior: 'none',
    },
    // Pausing is not emulated; the object carries Stripe's default (one one-month option), switched off.
    subscription_pause: {
      duration: { interval_options: [{ interval: 'month', interval_count: 1 }], type: 'interval_options' },
      enabled: false,
    },
    subscription_update: {
      billing_cycle_anchor: null,
      default_allowed_updates: [],
      enabled: false,
      proration_behavior: 'none',
      schedule_at_period_end: { conditions: [] },
      trial_update_behavior: 'end_trial',
    },
  };
}

export function newConfiguration(
  id: string,
  created: number,
  fields: Partial<Pick<PortalConfiguration, 'features' | 'is_default' | 'metadata' | 'name'>> = {},
): PortalConfiguration {
  return {
    id,
    object: 'billing_portal.configuration',
    active: true,
    application: null,
    business_profile: { headline: null, privacy_policy_url: null, terms_of_service_url: null },
    created,
    default_return_url: null,
    features: fields.features ?? disabledFeatures(),
    is_default: fields.is_default ?? false,
    livemode: false,
    login_page: { enabled: false, url: null },
    metadata: fields.metadata ?? {},
    name: fields.name ?? null,
    updated: created,
  };
}

/**
 * The account's default configuration: billing history, card updates, and canceling at the end of the
 * period with a reason asked; customers may change their email and name; plan changes off.
 */
export function defaultConfiguration(id: string, created: number): PortalConfiguration {
  const features = disabledFeatures();
  features.customer_update = { allowed_updates: ['email', 'name'], enabled: true };
  features.invoice_history = { enabled: true };
  features.payment_method_update = { enabled: true, payment_method_configuration: null };
  features.subscription_cancel = {
    cancellation_reason: {
      enabled: true,
      feedback_options: null,
      options: [
        'too_expensive',
        'missing_features',
        'switched_service',
        'unused',
        'customer_service',
        'too_complex',
        'low_quality',
        'other',
      ],
    },
    enabled: true,
    mode: 'at_period_end',
    proration_behavior: 'none',
  };
  return newConfiguration(id, created, { features, is_default: true });
}
