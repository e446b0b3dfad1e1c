// The offer form's Pricing section.
import { useId, useState } from 'react';
import { Link } from 'react-router';
import {
  formatMoney,
  isZeroDecimal,
  minimumCharge,
  priceLabel,
  trialLabel,
} from '../../../../../src/platform/pricing.ts';
import type { StripeStatus } from '../../../api.ts';
import { fieldMessage, Notice, SelectField, TextField } from '../../../forms.tsx';
import { useSession } from '../../../session.tsx';
import { StripeAccountSummary, StripeConnectForm } from '../../stripe-connect.tsx';
import { currencyOptions, type Draft, type Offer, pricingOf } from '../model.ts';

import { type Fields, Section, Toggle, type Update } from './common.tsx';

export interface SaveProblem {
  code: string | null;
  message: string | null;
  details: unknown;
}

/** Connecting Stripe without leaving the editor: nothing typed here is lost. */
function ConnectStripeInPlace({ onConnected }: { onConnected?: (() => void) | undefined }) {
  const { me } = useSession();
  const [connected, setConnected] = useState<StripeStatus | null>(null);
  if (connected) {
    return (
      <div className="alert alert-success offer-stripe" role="status">
        <StripeAccountSummary status={connected} />
        <p>
          <strong>Stripe is connected.</strong> Save again to finish.
        </p>
      </div>
    );
  }
  return (
    <div className="alert alert-warning offer-stripe" role="alert">
      <p>
        <strong>Connect Stripe to sell this offer.</strong> Buyers pay on Stripe's page and the money goes to
        your Stripe account. Free offers work without Stripe.
      </p>
      {me?.role === 'owner' ? (
        <StripeConnectForm
          nested
          onConnected={(status) => {
            setConnected(status);
            onConnected?.();
          }}
        />
      ) : (
        <p>Only the owner can connect Stripe: ask them to open Settings → Stripe.</p>
      )}
    </div>
  );
}

function StripeProblem({
  problem,
  onConnected,
}: {
  problem: SaveProblem;
  onConnected?: (() => void) | undefined;
}) {
  if (problem.code === 'stripe_not_connected') return <ConnectStripeInPlace onConnected={onConnected} />;
  if (problem.code === 'stripe_charges_disabled') {
    const details = (problem.details ?? {}) as { requirements?: string[]; dashboardUrl?: string };
    return (
      <div className="alert alert-warning offer-stripe" role="alert">
        <p>
          <strong>Stripe cannot take payments for your account yet.</strong> {problem.message}
        </p>
        {details.requirements && details.requirements.length > 0 && (
          <>
            <p>What Stripe still needs:</p>
            <ul>
              {details.requirements.map((item) => (
                <li key={item}>{item}</li>
              ))}
            </ul>
          </>
        )}
        {details.dashboardUrl && (
          <p>
            <a href={details.dashboardUrl} target="_blank" rel="noopener noreferrer">
              Open your Stripe dashboard
            </a>{' '}
            to finish the verification, then save again.
          </p>
        )}
      </div>
    );
  }
  if (problem.code === 'price_below_minimum') {
    return (
      <div className="alert alert-error offer-stripe" role="alert">
        <p>{problem.message}</p>
      </div>
    );
  }
  return null;
}

const UNITS = { week: ['week', 'weeks'], month: ['month', 'months'], year: ['year', 'years'] } as const;

export function PricingSection({
  draft,
  update,
  fields,
  problem,
  saved = null,
  onStripeConnected,
}: {
  draft: Draft;
  update: Update;
  fields: Fields;
  problem: SaveProblem;
  saved?: Offer | null;
  /** Stripe was connected in place: the save's old error no longer holds. */
  onStripeConnected?: () => void;
}) {
  const minimum = formatMoney(minimumCharge(draft.currency), draft.currency);
  const { pricing, problems } = pricingOf(draft);
  const [justConnected, setJustConnected] = useState(false);
  const priceChanged =
    saved !== null &&
    (pricing.amountMinor !== saved.pricing.amountMinor ||
      pricing.currency !== saved.pricing.currency ||
      pricing.interval !== saved.pricing.interval ||
      pricing.intervalCount !== saved.pricing.intervalCount);
  const readable =
    Object.keys(problems).length === 0 && (pricing.model === 'free' || pricing.amountMinor > 0);
  const trial = trialLabel(pricing);
  const plural = draft.intervalCount.trim() !== '1';
  return (
    <Section id="offer-pricing" title="Pricing Model">
      <div className="alert alert-info">
        <p>
          Before creating a paid digital offer, you must connect a Stripe account to your platform.{' '}
          <Link to="/admin/settings">Settings</Link>
        </p>
      </div>
      <StripeProblem
        problem={problem}
        onConnected={() => {
          setJustConnected(true);
          onStripeConnected?.();
        }}
      />
      {justConnected && !problem.code && <Notice>Stripe is connected. Save again to finish.</Notice>}
      <fieldset className={`field radio-field${fields['pricing.model'] ? ' field-invalid' : ''}`}>
        <legend>Choose a pricing model</legend>
        <PricingOption
          value="one_time"
          label="One-Time Payment"
          hint={`Buyers pay once and keep access. Minimum ${minimum}.`}
          draft={draft}
          update={update}
        />
        <PricingOption
          value="recurring"
          label="Recurring Payment"
          hint={`Buyers pay every week, month or year, optionally after a free trial. Minimum ${minimum}.`}
          draft={draft}
          update={update}
        />
        <PricingOption
          value="free"
          label="Free"
          hint="The membership is available at no cost; joining needs only a name and an email."
          draft={draft}
          update={update}
        />
        {fields['pricing.model'] && (
          <p className="field-error">{fieldMessage('Pricing model', fields['pricing.model'])}</p>
        )}
      </fieldset>

      {draft.model !== 'free' && (
        <div className="form-row offer-price-row">
          <SelectField
            label="Currency"
            name="currency"
            value={draft.currency}
            onValue={(currency) => update({ currency })}
            options={currencyOptions(draft.currency)}
            error={fields['pricing.currency']}
          />
          <TextField
            label="Price"
            name="amount"
            value={draft.amount}
            onValue={(amount) => update({ amount })}
            error={fields['pricing.amountMinor']}
            hint={
              isZeroDecimal(draft.currency)
                ? `Minimum: ${minimum}. Whole amounts only (no decimals).`
                : `Minimum: ${minimum}.`
            }
            inputMode={isZeroDecimal(draft.currency) ? 'numeric' : 'decimal'}
            placeholder={isZeroDecimal(draft.currency) ? '500' : '9.99'}
            autoComplete="off"
            className="input-price"
          />
        </div>
      )}
      {draft.model === 'recurring' && (
        <>
          <fieldset className="field offer-interval">
            <legend>Billing period</legend>
            <div className="offer-interval-row">
              <TextField
                label="Every"
                name="intervalCount"
                value={draft.intervalCount}
                onValue={(intervalCount) => update({ intervalCount })}
                error={fields['pricing.intervalCount']}
                inputMode="numeric"
                autoComplete="off"
                className="input-short"
              />
              <SelectField
                label="Period"
                name="interval"
                value={draft.interval}
                onValue={(interval) => update({ interval: interval as Draft['interval'] })}
                error={fields['pricing.interval']}
                options={(['week', 'month', 'year'] as const).map((unit) => ({
                  value: unit,
                  label: UNITS[unit][plural ? 1 : 0],
                }))}
              />
            </div>
          </fieldset>
          <TextField
            label="Free trial (days)"
            name="trialDays"
            value={draft.trialDays}
            onValue={(trialDays) => update({ trialDays })}
            error={fields['pricing.trialDays']}
            hint="Optional. Leave empty for no trial; the first payment is taken when the trial ends."
            inputMode="numeric"
            autoComplete="off"
            className="input-short"
          />
        </>
      )}
      <p className="offer-price-preview" aria-live="polite">
        Buyers see:{' '}
        <strong>{readable ? priceLabel(pricing) : draft.model === 'free' ? 'Free' : 'Enter a price'}</strong>
        {readable && trial ? ` · ${trial}` : ''}
      </p>
      {draft.model === 'recurring' && saved && saved.buyerCount > 0 && priceChanged && (
        <p className="alert alert-info" role="status">
          Existing subscribers keep paying {saved.priceLabel}; new buyers pay the new price.
        </p>
      )}
      {draft.model !== 'free' && (
        <>
          <Toggle
            label="Allow Stripe promotion codes"
            checked={draft.allowPromotionCodes}
            onChange={(allowPromotionCodes) => update({ allowPromotionCodes })}
            hint="Buyers can enter a promotion code you made in your Stripe dashboard."
          />
          <SelectField
            label="Refunds"
            name="refundPolicy"
            value={draft.refundPolicy}
            onValue={(value) => update({ refundPolicy: value as Draft['refundPolicy'] })}
            options={[
              { value: 'full', label: 'A full refund ends access (a partial one keeps it)' },
              { value: 'any', label: 'Any refund ends access' },
              { value: 'never', label: 'Refunds never end access' },
            ]}
          />
          <p className="field-hint">
            What happens to a buyer's groups when you refund them, here or in Stripe. A dispute always ends
            access until it is won.
          </p>
        </>
      )}
    </Section>
  );
}

function PricingOption({
  value,
  label,
  hint,
  draft,
  update,
}: {
  value: Draft['model'];
  label: string;
  hint: string;
  draft: Draft;
  update: Update;
}) {
  const id = useId();
  return (
    <div className="radio-option">
      <input
        type="radio"
        id={id}
        name="pricingModel"
        value={value}
        checked={draft.model === value}
        onChange={() => update({ model: value })}
        aria-describedby={`${id}-hint`}
      />
      <label htmlFor={id}>{label}</label>
      <span className="field-hint" id={`${id}-hint`}>
        {hint}
      </span>
    </div>
  );
}
