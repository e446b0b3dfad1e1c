// The offer form's Customer Resell Rights section.
import { SelectField, TextAreaField, TextField } from '../../../forms.tsx';
import type { Draft } from '../model.ts';
import { Section, type SectionProps, Toggle } from './common.tsx';

export function ResellSection({ draft, update, fields }: SectionProps) {
  const free = draft.model === 'free';
  return (
    <Section id="offer-resell" title="Customer Resell Rights">
      <Toggle
        label="Enable customers to resell this offer for a commission"
        checked={draft.resellEnabled && !free}
        disabled={free}
        onChange={(resellEnabled) => update({ resellEnabled })}
        error={fields['resell.enabled']}
        hint={
          free
            ? 'Resell rights are for paid offers: a free offer earns no commission. Choose One-Time or Recurring Payment to enable them.'
            : 'An affiliate program for this offer: buyers share their link and earn a share of each sale.'
        }
      />
      {draft.resellEnabled && !free && (
        <>
          <TextField
            label="Commission (%)"
            name="commission"
            value={draft.commission}
            onValue={(commission) => update({ commission })}
            error={fields['resell.commissionPercent']}
            hint="A whole percentage of what the buyer paid (after discounts, before Stripe's fees), from 1 to 90; frozen at each sale."
            inputMode="numeric"
            autoComplete="off"
            className="input-short"
          />
          {draft.model === 'recurring' && (
            <>
              <SelectField
                label="Which payments earn it"
                name="resellRecurring"
                value={draft.resellRecurring}
                onValue={(value) => update({ resellRecurring: value as Draft['resellRecurring'] })}
                options={[
                  { value: 'every', label: 'Every payment, renewals included' },
                  { value: 'first', label: 'The first payment only' },
                  { value: 'months', label: 'Payments in the first months' },
                ]}
              />
              {draft.resellRecurring === 'months' && (
                <TextField
                  label="Months"
                  name="resellMonths"
                  value={draft.resellMonths}
                  onValue={(resellMonths) => update({ resellMonths })}
                  error={fields['resell.months']}
                  hint="Payments within this many months of the first one earn commission."
                  inputMode="numeric"
                  autoComplete="off"
                  className="input-short"
                />
              )}
            </>
          )}
          <TextAreaField
            label="Program description"
            name="resellDescription"
            value={draft.resellDescription}
            onValue={(resellDescription) => update({ resellDescription })}
            error={fields['resell.description']}
            hint="What resellers should know: who to share with, how payouts work."
            rows={4}
          />
        </>
      )}
    </Section>
  );
}
