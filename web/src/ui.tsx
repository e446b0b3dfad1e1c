// Small building blocks shared by pages: loading a resource, page titles, confirmation dialogs and
// cursor pagination.
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useCallback, useEffect, useId, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ApiError, errorMessage, type Page } from './api.ts';
import { formatDate, formatDateTime } from './format.ts';

/**
 * A choice kept in the address (`?name=value`, the first value by default): the control shows a new
 * choice at once, while the address follows (the router applies it as a transition).
 */
export function useUrlChoice<T extends string>(name: string, values: readonly T[]): [T, (next: T) => void] {
  const [params, setParams] = useSearchParams();
  const fromUrl = values.find((value) => value === params.get(name)) ?? values[0]!;
  const [choice, setChoice] = useState<T>(fromUrl);
  useEffect(() => setChoice(fromUrl), [fromUrl]);
  const choose = useCallback(
    (next: T) => {
      setChoice(next);
      setParams(
        (current) => {
          const updated = new URLSearchParams(current);
          if (next === values[0]) updated.delete(name);
          else updated.set(name, next);
          return updated;
        },
        { replace: true },
      );
    },
    [name, values, setParams],
  );
  return [choice, choose];
}

/** One choice of a few, as a row of joined buttons (radio inputs under the labels). */
export function Segmented<T extends string>({
  legend,
  name,
  options,
  value,
  onChange,
  className,
}: {
  legend: string;
  name: string;
  options: readonly { value: T; label: string }[];
  value: T;
  onChange(value: T): void;
  className?: string;
}) {
  return (
    <fieldset className={className ? `segmented ${className}` : 'segmented'}>
      <legend className="visually-hidden">{legend}</legend>
      {options.map((option) => (
        <label
          key={option.value}
          className={option.value === value ? 'segmented-option is-selected' : 'segmented-option'}
        >
          <input
            type="radio"
            name={name}
            value={option.value}
            checked={option.value === value}
            onChange={() => onChange(option.value)}
          />
          {option.label}
        </label>
      ))}
    </fieldset>
  );
}

/** "Load more" under a list read a page at a time (an infinite query). */
export function LoadMore({
  list,
  label = 'Load more',
  onClick,
}: {
  list: { hasNextPage: boolean; data?: unknown; isFetchingNextPage: boolean; fetchNextPage(): unknown };
  label?: string;
  onClick?: () => void;
}) {
  if (!list.hasNextPage || !list.data) return null;
  const loading = list.isFetchingNextPage;
  return (
    <button
      type="button"
      className="button load-more"
      disabled={loading}
      aria-busy={loading || undefined}
      onClick={() => {
        onClick?.();
        void list.fetchNextPage();
      }}
    >
      {label}
    </button>
  );
}

/**
 * A search box whose words live in the address (`?q=`): Back and a shared link show the same search.
 * Submitting puts the trimmed words there, with `keep` (other parameters the page holds, such as a
 * scope); empty, it clears them. Focused while nothing is searched when `focusWhenEmpty`.
 */
export function UrlSearchForm({
  label,
  button,
  maxLength,
  keep = {},
  focusWhenEmpty = false,
}: {
  label: string;
  button: string;
  maxLength: number;
  keep?: Record<string, string>;
  focusWhenEmpty?: boolean;
}) {
  const [params, setParams] = useSearchParams();
  const q = params.get('q')?.trim() ?? '';
  const [text, setText] = useState(q);
  const input = useRef<HTMLInputElement>(null);
  const inputId = useId();
  // A new address (back, forward, a link) shows its own words in the box.
  useEffect(() => setText(q), [q]);
  useEffect(() => {
    if (focusWhenEmpty && !q) input.current?.focus();
  }, [focusWhenEmpty, q]);
  return (
    <search>
      <form
        className="search-form"
        onSubmit={(event) => {
          event.preventDefault();
          const words = text.trim();
          setParams(words ? { q: words, ...keep } : {});
        }}
      >
        <label htmlFor={inputId} className="visually-hidden">
          {label}
        </label>
        <input
          ref={input}
          id={inputId}
          type="search"
          name="q"
          value={text}
          maxLength={maxLength}
          placeholder={label}
          onChange={(event) => setText(event.target.value)}
        />
        <button type="submit" className="button button-primary">
          {button}
        </button>
      </form>
    </search>
  );
}

export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title;
  }, [title]);
}

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): void;
  setData(data: T): void;
}

/**
 * Loads something when the page opens and whenever `key` changes, through the query cache (query.ts):
 * `key` names the resource and its parameters, so two pages showing the same thing share it. A paged
 * list passes `keepPrevious`, so the page it shows stays on screen while the next one loads; anything
 * else shows nothing of another resource while its own loads (`loading` says a fetch is under way).
 */
export function useLoad<T>(
  load: () => Promise<T>,
  key: readonly unknown[],
  options: { keepPrevious?: boolean } = {},
): Loaded<T> {
  const client = useQueryClient();
  const query = useQuery({
    queryKey: key,
    queryFn: () => load(),
    ...(options.keepPrevious ? { placeholderData: keepPreviousData } : {}),
  });
  const { refetch } = query;
  const reload = useCallback(() => void refetch(), [refetch]);
  // The key is a new array on every render: held in a ref, so `setData` keeps one identity.
  const currentKey = useRef(key);
  currentKey.current = key;
  const setData = useCallback((data: T) => client.setQueryData(currentKey.current, data), [client]);
  return { data: query.data, error: query.error, loading: query.isFetching, reload, setData };
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="loading" role="status">
      <span className="spinner" aria-hidden="true" /> {label}
    </p>
  );
}

/** A failed load: the server's message, with a way to try again. */
export function LoadError({ error, retry }: { error: unknown; retry?: () => void }) {
  const notFound = error instanceof ApiError && error.status === 404;
  return (
    <div className="alert alert-error" role="alert">
      <p>{notFound ? 'This was not found. It may have been removed.' : errorMessage(error)}</p>
      {retry && !notFound && (
        <button type="button" className="button button-small" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Time({ iso, withTime = false }: { iso: string | null | undefined; withTime?: boolean }) {
  if (!iso) return <span className="muted">—</span>;
  return <time dateTime={iso}>{withTime ? formatDateTime(iso) : formatDate(iso)}</time>;
}

/**
 * The one modal of the app, on the native <dialog>: focus is trapped inside and returns where it was,
 * Escape closes it (as `onClose`), and the page behind cannot be reached while it is open.
 */
export function Modal({
  open,
  title,
  className,
  onClose,
  children,
  actions,
}: {
  open: boolean;
  title: string;
  className?: string;
  onClose(): void;
  children: ReactNode;
  actions: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={className ? `dialog ${className}` : 'dialog'}
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <h2 id={titleId}>{title}</h2>
      <div className="dialog-body">{children}</div>
      <div className="dialog-actions">{actions}</div>
    </dialog>
  );
}

/** A modal question with a confirm and a cancel button (Escape cancels). */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  danger = false,
  pending = false,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  pending?: boolean;
  onConfirm(): void;
  onCancel(): void;
}) {
  return (
    <Modal
      open={open}
      title={title}
      onClose={onCancel}
      actions={
        <>
          <button type="button" className="button" onClick={onCancel} disabled={pending}>
            Cancel
          </button>
          <button
            type="button"
            className={`button ${danger ? 'button-danger' : 'button-primary'}`}
            onClick={onConfirm}
            disabled={pending}
            aria-busy={pending || undefined}
          >
            {confirmLabel}
          </button>
        </>
      }
    >
      {children}
    </Modal>
  );
}

/** Cursor pagination: a stack of the cursors that led here, so "Back" returns to the page before. */
export function useCursorPages(resetKey: string) {
  const [stack, setStack] = useState<string[]>([]);
  const [lastKey, setLastKey] = useState(resetKey);
  if (lastKey !== resetKey) {
    setLastKey(resetKey);
    setStack([]);
  }
  const cursor = stack.length > 0 ? stack[stack.length - 1] : undefined;
  return {
    cursor,
    page: stack.length + 1,
    next: (nextCursor: string) => setStack((s) => [...s, nextCursor]),
    back: () => setStack((s) => s.slice(0, -1)),
    first: () => setStack([]),
  };
}

export function Pager<T>({
  page,
  list,
  onNext,
  onBack,
}: {
  page: number;
  list: Page<T> | undefined;
  onNext(cursor: string): void;
  onBack(): void;
}) {
  const nextCursor = list?.nextCursor ?? null;
  if (page === 1 && !nextCursor) return null;
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" className="button" onClick={onBack} disabled={page === 1}>
        Back
      </button>
      <span className="muted">Page {page}</span>
      <button
        type="button"
        className="button"
        onClick={() => nextCursor && onNext(nextCursor)}
        disabled={!nextCursor}
      >
        Next page
      </button>
    </nav>
  );
}

/** A value that settles `delay` ms after it stops changing (search boxes). */
export function useDebounced<T>(value: T, delay = 300): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delay);
    return () => clearTimeout(timer);
  }, [value, delay]);
  return settled;
}

/** `inside`: within a frame that already has its <main> (the dashboard). */
export function NotFoundPage({ inside = false }: { inside?: boolean }) {
  useTitle('Not found');
  const body = (
    <div className="card narrow">
      <h1>Page not found</h1>
      <p>There is nothing at this address.</p>
      <p>
        <Link to={inside ? '/admin' : '/'}>{inside ? 'Back to the dashboard' : 'Go to the start page'}</Link>
      </p>
    </div>
  );
  return inside ? body : <main className="centered">{body}</main>;
}

/**
 * A table's box, scrolled sideways when the table is wider than the screen: a named region that takes
 * keyboard focus, so the part out of view can be reached without a mouse.
 */
export function TableWrap({ label, busy, children }: { label: string; busy?: boolean; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard
    <section className="table-wrap" aria-label={label} tabIndex={0} aria-busy={busy || undefined}>
      {children}
    </section>
  );
}
