// The offer form's Custom Code section.
import { TextAreaField } from '../../../forms.tsx';
import { Section, type SectionProps } from './common.tsx';

export function CustomCodeSection({ draft, update, fields }: SectionProps) {
  return (
    <Section id="offer-code" title="Checkout Page Code">
      <TextAreaField
        label="Custom code"
        name="customCode"
        value={draft.customCode}
        onValue={(customCode) => update({ customCode })}
        error={fields.customCode}
        hint="Runs on this offer's checkout and landing pages in a sandboxed frame — for a pixel or a chat widget. It cannot read your members' sessions. After a join or purchase the page tells it by postMessage (offer, value, currency), so a pixel can record the conversion."
        rows={6}
        className="mono"
        spellCheck={false}
        autoCapitalize="none"
        autoComplete="off"
        placeholder="<script>…</script>"
      />
    </Section>
  );
}
