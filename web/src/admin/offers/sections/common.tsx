// Shared by the offer form's sections: the section card, the switch, and the props they take.
import { type ReactNode, useId } from 'react';
import { fieldMessage } from '../../../forms.tsx';
import type { Draft } from '../model.ts';

export type Update = (patch: Partial<Draft>) => void;
export type Fields = Record<string, string>;

/** What every section of the offer form is given: the draft, a way to change it, the fields' errors. */
export interface SectionProps {
  draft: Draft;
  update: Update;
  fields: Fields;
}

/** A card with a heading; `id` lets error summaries link to it. */
export function Section({
  id,
  title,
  children,
  intro,
}: {
  id: string;
  title: string;
  intro?: ReactNode;
  children: ReactNode;
}) {
  return (
    <section className="card section offer-section" id={id} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {intro && <p className="muted">{intro}</p>}
      {children}
    </section>
  );
}

/** A checkbox with its label beside it and an optional line that explains it. */
export function Toggle({
  label,
  checked,
  onChange,
  hint,
  disabled = false,
  error,
}: {
  label: string;
  checked: boolean;
  onChange(checked: boolean): void;
  hint?: ReactNode;
  disabled?: boolean;
  error?: string | undefined;
}) {
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ');
  return (
    <div className={`offer-toggle${error ? ' field-invalid' : ''}`}>
      <input
        type="checkbox"
        id={id}
        checked={checked}
        disabled={disabled}
        onChange={(event) => onChange(event.target.checked)}
        aria-describedby={describedBy || undefined}
        aria-invalid={error ? true : undefined}
      />
      <label htmlFor={id}>{label}</label>
      {hint && (
        <span className="field-hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {error && (
        <span className="field-error" id={`${id}-error`}>
          {fieldMessage(label, error)}
        </span>
      )}
    </div>
  );
}

/**
 * The file input of an offer image (thumbnail, cover, a landing page's image block): its hint, the
 * upload in progress and the refusal; `children` come after (a Remove button, a general error).
 */
export function ImageUploadField({
  inputId,
  inputKey,
  label,
  hint,
  errorLabel,
  error,
  disabled,
  pending,
  onFile,
  children,
}: {
  inputId: string;
  /** Changed after each upload, so the same file can be chosen again. */
  inputKey: number | string;
  label: string;
  hint: string;
  errorLabel: string;
  error: string | undefined;
  disabled: boolean;
  pending: boolean;
  onFile(file: File | undefined): void;
  children?: ReactNode;
}) {
  return (
    <div className={`field offer-media-field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={inputId}>{label}</label>
      <p className="field-hint" id={`${inputId}-hint`}>
        {hint}
      </p>
      <input
        key={inputKey}
        id={inputId}
        type="file"
        accept="image/png,image/jpeg,image/webp,image/gif"
        disabled={disabled}
        aria-describedby={error ? `${inputId}-hint ${inputId}-error` : `${inputId}-hint`}
        aria-invalid={error ? true : undefined}
        onChange={(event) => onFile(event.target.files?.[0])}
      />
      {pending && (
        <p className="muted" role="status">
          <span className="spinner" aria-hidden="true" /> Uploading…
        </p>
      )}
      {error && (
        <p className="field-error" id={`${inputId}-error`}>
          {fieldMessage(errorLabel, error)}
        </p>
      )}
      {children}
    </div>
  );
}
