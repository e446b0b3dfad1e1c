// The offer form's Purchase Destination ("Redirect users to a custom link") section.
import { fieldMessage, TextField } from '../../../forms.tsx';
import { Section, type SectionProps, Toggle } from './common.tsx';

export function DestinationSection({ draft, update, fields }: SectionProps) {
  return (
    <Section id="offer-destination" title="Purchase Destination">
      <p className="muted">
        By default, buyers are logged into the platform after completing the purchase and taken to the first
        hub group this offer grants.
      </p>
      <Toggle
        label="Redirect users to a custom link"
        checked={draft.redirect}
        onChange={(redirect) => update({ redirect })}
        hint="Send them to a page of yours instead, such as a thank-you page. They are still signed in here."
      />
      {draft.redirect && (
        <TextField
          label="Custom link"
          name="customUrl"
          type="url"
          value={draft.customUrl}
          onValue={(customUrl) => update({ customUrl })}
          error={fields['destination.customUrl']}
          hint="An http:// or https:// address."
          placeholder="https://"
          autoComplete="off"
          spellCheck={false}
        />
      )}
      {!draft.redirect && fields['destination.customUrl'] && (
        <p className="field-error">{fieldMessage('Custom link', fields['destination.customUrl'])}</p>
      )}
    </Section>
  );
}
