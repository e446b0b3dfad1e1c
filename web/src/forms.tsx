// Form plumbing shared by every page: pending state, the server's errors (a general message at the
// top, each field's message beside it), and labelled inputs. Inputs are controlled, so nothing the
// person typed is lost when the server says no.
import {
  type ChangeEvent,
  type InputHTMLAttributes,
  type ReactNode,
  type TextareaHTMLAttributes,
  useCallback,
  useEffect,
  useId,
  useRef,
  useState,
} from 'react';
import { useBlocker } from 'react-router';
import { ApiError, errorMessage } from './api.ts';
import { ConfirmDialog } from './ui.tsx';

export interface FormErrors {
  code: string | null;
  message: string | null;
  fields: Record<string, string>;
}

const NO_ERRORS: FormErrors = { code: null, message: null, fields: {} };

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

export interface Action {
  pending: boolean;
  errors: FormErrors;
  /** Runs a request; its failure becomes `errors`. Never throws. */
  run<T>(fn: () => Promise<T>): Promise<Outcome<T>>;
  /** Reports problems found before asking the server (e.g. two passwords that differ). */
  fail(fields: Record<string, string>, message?: string): void;
  reset(): void;
}

export function useAction(): Action {
  const [pending, setPending] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const run = useCallback(async <T,>(fn: () => Promise<T>): Promise<Outcome<T>> => {
    setPending(true);
    setErrors(NO_ERRORS);
    try {
      const value = await fn();
      if (mounted.current) setPending(false);
      return { ok: true, value };
    } catch (error) {
      if (mounted.current) {
        setPending(false);
        setErrors(
          error instanceof ApiError
            ? { code: error.code, message: error.message, fields: error.fields }
            : { code: 'network', message: errorMessage(error), fields: {} },
        );
      }
      return { ok: false, error };
    }
  }, []);

  const fail = useCallback((fields: Record<string, string>, message?: string) => {
    setErrors({ code: 'client', message: message ?? null, fields });
  }, []);
  const reset = useCallback(() => setErrors(NO_ERRORS), []);

  return { pending, errors, run, fail, reset };
}

/**
 * "is required" beside the Email field reads "Email is required", or the field's own words for an empty
 * field ("Enter your email", "Write something first") when it has them.
 */
export function fieldMessage(label: string, message: string, whenEmpty?: string): string {
  if (whenEmpty && message === 'is required') return whenEmpty;
  const first = message.charAt(0);
  return first === first.toLowerCase() && first !== first.toUpperCase() ? `${label} ${message}` : message;
}

/**
 * The general message at the top of a form. When the server named fields, the message says to look
 * at them; problems about a field this form does not show are listed here instead.
 */
export function FormAlert({ errors, fields = [] }: { errors: FormErrors; fields?: string[] }) {
  const named = Object.entries(errors.fields);
  if (!errors.message && named.length === 0) return null;
  const unshown = named.filter(([field]) => !fields.includes(field));
  const shown = named.length - unshown.length;
  const message =
    shown > 0 && unshown.length === 0 ? 'Please check the highlighted fields.' : (errors.message ?? '');
  return (
    <div className="alert alert-error" role="alert">
      {message && <p>{message}</p>}
      {shown > 0 && unshown.length > 0 && (
        <ul>
          {unshown.map(([field, text]) => (
            <li key={field}>{fieldMessage(field, text)}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Notice({
  children,
  tone = 'success',
}: {
  children: ReactNode;
  tone?: 'success' | 'info' | 'warning';
}) {
  return (
    <div className={`alert alert-${tone}`} role="status">
      {children}
    </div>
  );
}

interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange' | 'value'> {
  label: string;
  name: string;
  value: string;
  onValue(value: string): void;
  error?: string | undefined;
  hint?: ReactNode;
  /** What to say when the field was left empty, in the person's words ("Enter your email"). */
  whenEmpty?: string;
}

export function TextField({
  label,
  name,
  value,
  onValue,
  error,
  hint,
  whenEmpty,
  type = 'text',
  ...rest
}: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      )}
      <input
        {...rest}
        id={id}
        name={name}
        type={type}
        value={value}
        onChange={(event: ChangeEvent<HTMLInputElement>) => onValue(event.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
      />
      {error && (
        <p className="field-error" id={errorId}>
          {fieldMessage(label, error, whenEmpty)}
        </p>
      )}
    </div>
  );
}

interface TextAreaProps extends Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'onChange' | 'value'> {
  label: string;
  name: string;
  value: string;
  onValue(value: string): void;
  error?: string | undefined;
  hint?: ReactNode;
  /** What to say when the field was left empty, in the person's words ("Write something first"). */
  whenEmpty?: string;
}

export function TextAreaField({
  label,
  name,
  value,
  onValue,
  error,
  hint,
  whenEmpty,
  rows = 4,
  ...rest
}: TextAreaProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      )}
      <textarea
        {...rest}
        id={id}
        name={name}
        rows={rows}
        value={value}
        onChange={(event) => onValue(event.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
      />
      {error && (
        <p className="field-error" id={errorId}>
          {fieldMessage(label, error, whenEmpty)}
        </p>
      )}
    </div>
  );
}

/** A set of radio buttons under one legend; each option may carry a line that explains it. */
export function RadioField({
  legend,
  name,
  value,
  onValue,
  options,
  error,
}: {
  legend: string;
  name: string;
  value: string;
  onValue(value: string): void;
  options: { value: string; label: string; hint?: string }[];
  error?: string | undefined;
}) {
  const id = useId();
  return (
    <fieldset className={`field radio-field${error ? ' field-invalid' : ''}`}>
      <legend>{legend}</legend>
      {options.map((option) => (
        <div className="radio-option" key={option.value}>
          <input
            type="radio"
            id={`${id}-${option.value}`}
            name={name}
            value={option.value}
            checked={value === option.value}
            onChange={() => onValue(option.value)}
            aria-describedby={option.hint ? `${id}-${option.value}-hint` : undefined}
          />
          <label htmlFor={`${id}-${option.value}`}>{option.label}</label>
          {option.hint && (
            <span className="field-hint" id={`${id}-${option.value}-hint`}>
              {option.hint}
            </span>
          )}
        </div>
      ))}
      {error && <p className="field-error">{fieldMessage(legend, error)}</p>}
    </fieldset>
  );
}

export function SelectField({
  label,
  name,
  value,
  onValue,
  options,
  error,
}: {
  label: string;
  name: string;
  value: string;
  onValue(value: string): void;
  options: { value: string; label: string }[];
  error?: string | undefined;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        name={name}
        value={value}
        onChange={(event) => onValue(event.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {error && (
        <p className="field-error" id={errorId}>
          {fieldMessage(label, error)}
        </p>
      )}
    </div>
  );
}

export function SubmitButton({
  pending,
  children,
  className = 'button button-primary',
}: {
  pending: boolean;
  children: ReactNode;
  className?: string;
}) {
  return (
    <button type="submit" className={className} disabled={pending} aria-busy={pending || undefined}>
      {children}
      {pending && <span className="spinner" aria-hidden="true" />}
    </button>
  );
}

/** Blocks the browser's own validation bubbles so the server's messages show beside the fields. */
export function onSubmit(handler: () => void) {
  return (event: { preventDefault(): void }) => {
    event.preventDefault();
    handler();
  };
}

/** The guards of forms holding unsaved changes now (signing out asks about them too). */
const unsavedForms = new Set<{ current: boolean }>();

/** Whether a form on the page holds changes not saved. */
export function hasUnsavedWork(): boolean {
  return [...unsavedForms].some((free) => !free.current);
}

/** Lets the page go without asking again (after the person said to leave, e.g. by signing out). */
export function releaseUnsavedWork(): void {
  for (const free of unsavedForms) free.current = true;
}

/**
 * While a form holds changes not saved, leaving asks first: closing or reloading the tab (the browser's
 * own question), and following any link or Back inside the app (our dialog: stay, or leave and lose
 * them). A save that moves to another page calls `leaveFreely()` first, since its changes are kept.
 */
export function useLeaveGuard(dirty: boolean): { leaveFreely(): void; dialog: ReactNode } {
  const free = useRef(false);
  useEffect(() => {
    if (!dirty) return;
    free.current = false;
    unsavedForms.add(free);
    const warn = (event: BeforeUnloadEvent) => {
      if (!free.current) event.preventDefault();
    };
    window.addEventListener('beforeunload', warn);
    return () => {
      unsavedForms.delete(free);
      window.removeEventListener('beforeunload', warn);
    };
  }, [dirty]);
  const blocker = useBlocker(
    ({ currentLocation, nextLocation }) =>
      dirty && !free.current && currentLocation.pathname !== nextLocation.pathname,
  );
  const leaveFreely = useCallback(() => {
    free.current = true;
  }, []);
  const dialog = (
    <ConfirmDialog
      open={blocker.state === 'blocked'}
      title="Leave without saving?"
      confirmLabel="Leave without saving"
      danger
      onConfirm={() => blocker.proceed?.()}
      onCancel={() => blocker.reset?.()}
    >
      <p>Your changes on this page are not saved. If you leave now, they are lost.</p>
    </ConfirmDialog>
  );
  return { leaveFreely, dialog };
}
