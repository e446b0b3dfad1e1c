// The one way the SPA talks to the server: JSON in and out, the session cookie, the CSRF token on
// every state change, and every failure as an ApiError carrying the server's code and field problems.
import type { Static } from 'typebox';
import type {
  Reason as AccessReasonSchema,
  Grant as GrantSchema,
  Member as GroupMemberSchema,
  LedgerEntry as LedgerEntrySchema,
} from '../../src/modules/access/access.routes.ts';
import type {
  ApiKey as ApiKeySchema,
  User as UserSchema,
} from '../../src/modules/accounts/accounts.schemas.ts';
import type {
  EmailDetail as EmailDetailSchema,
  EmailStatus as EmailStatusSchema,
  EmailSummary as EmailSummarySchema,
} from '../../src/modules/email/email.routes.ts';
import type {
  Author as AuthorSchema,
  CommentHit as CommentHitSchema,
  Comment as CommentSchema,
  DirectoryEntry as DirectoryEntrySchema,
  HomePost as HomePostSchema,
  HubGroupDetail as HubGroupDetailSchema,
  HubGroup as HubGroupSchema,
  MemberGroupDetail as MemberGroupDetailSchema,
  MemberGroup as MemberGroupSchema,
  Notification as NotificationSchema,
  PersonHit as PersonHitSchema,
  PostHit as PostHitSchema,
  Post as PostSchema,
  Profile as ProfileSchema,
  Report as ReportSchema,
} from '../../src/modules/hub/hub.schemas.ts';
import type { Job as JobSchema } from '../../src/modules/jobs/jobs.routes.ts';
import type { Dashboard as DashboardSchema } from '../../src/modules/metrics/metrics.schemas.ts';
import type {
  BillingPurchase as BillingPurchaseSchema,
  Payment as PaymentSchema,
  Status as PurchaseStatusSchema,
  Sale as SaleSchema,
  StripeEvents as StripeEventsSchema,
} from '../../src/modules/purchases/billing.routes.ts';
import type {
  PlatformInfo as PlatformInfoSchema,
  Settings as SettingsSchema,
  StripeStatus as StripeStatusSchema,
} from '../../src/modules/settings/settings.routes.ts';
import type { Visibility as VisibilitySchema } from '../../src/platform/http/schemas.ts';

export interface FieldProblem {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Field problems (validation and the rules that name a field), keyed by field name. */
  get fields(): Record<string, string> {
    const out: Record<string, string> = {};
    const list = (this.details as { fields?: unknown } | undefined)?.fields;
    if (Array.isArray(list)) {
      for (const item of list as FieldProblem[]) {
        if (item && typeof item.field === 'string' && !(item.field in out)) out[item.field] = item.message;
      }
    }
    return out;
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

/** The message to show a person for any failure. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return 'We could not reach the server. Check your connection and try again.';
}

/** Codes of sign-in, set-password and confirmation links that cannot be used. */
export type LinkErrorCode = 'link_expired' | 'link_used' | 'link_invalid';
export function linkProblemOf(code: string | null): LinkErrorCode | null {
  return code === 'link_expired' || code === 'link_used' || code === 'link_invalid' ? code : null;
}

let onUnauthorized: (() => void) | null = null;
/** What to do when the session is gone (401 `unauthorized`): the app sends the person to sign in. */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

function csrfToken(): string | null {
  for (const part of document.cookie.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === 'gh_csrf') return decodeURIComponent(rest.join('='));
  }
  return null;
}

type Query = Record<string, string | number | null | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** Raw bytes sent as they are (an uploaded file), with this Content-Type; instead of `body`. */
  file?: { data: Blob; contentType: string };
  /** When false, a 401 is only thrown, never turned into a trip to the sign-in page. */
  redirectOn401?: boolean;
}

function urlOf(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return `/api/v1${path}${qs ? `?${qs}` : ''}`;
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.file) headers['content-type'] = options.file.contentType;
  else if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') {
    const token = csrfToken();
    if (token) headers['x-csrf-token'] = token;
  }
  const response = await fetch(urlOf(path, options.query), {
    method,
    headers,
    credentials: 'same-origin',
    body: options.file
      ? options.file.data
      : options.body === undefined
        ? undefined
        : JSON.stringify(options.body),
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let payload: unknown = null;
  if (text) {
    try {
      payload = JSON.parse(text);
    } catch {
      // A proxy's HTML error page: answered below as a generic error with the status.
      payload = null;
    }
  }
  if (!response.ok) {
    const error = (payload as { error?: { code?: string; message?: string; details?: unknown } } | null)
      ?.error;
    const apiError = new ApiError(
      response.status,
      error?.code ?? `http_${response.status}`,
      error?.message ?? `The server answered ${response.status}. Try again in a moment.`,
      error?.details,
    );
    if (response.status === 401 && apiError.code === 'unauthorized' && options.redirectOn401 !== false) {
      onUnauthorized?.();
    }
    throw apiError;
  }
  return payload as T;
}

export const api = {
  get: <T>(path: string, query?: Query, options?: RequestOptions) =>
    request<T>('GET', path, { ...options, query }),
  post: <T>(path: string, body?: unknown, options?: RequestOptions) =>
    request<T>('POST', path, { ...options, body: body ?? {} }),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, { body }),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, { body: body ?? {} }),
  delete: <T = void>(path: string, query?: Query) => request<T>('DELETE', path, { query }),
  /** Uploads a file's bytes with its own Content-Type (application/octet-stream when the browser has none). */
  /** A file's bytes as the body (PUT: replace one's image; POST: upload a new one). */
  sendFile: <T>(method: 'PUT' | 'POST', path: string, file: File) =>
    request<T>(method, path, { file: { data: file, contentType: file.type || 'application/octet-stream' } }),
};

// --- shapes the API answers -------------------------------------------------------------------

export type Role = User['role'];

export interface Money {
  amountMinor: number;
  currency: string;
}

// The shapes the API answers are the server's own response schemas (TypeBox), imported as types only:
// the OpenAPI document, the server's validation and these types are one source, never copies.
export type User = Static<typeof UserSchema>;
export type PlatformInfo = Static<typeof PlatformInfoSchema>;
export type EmailStatus = Static<typeof EmailStatusSchema>;
export type EmailSummary = Static<typeof EmailSummarySchema>;
export type EmailDetail = Static<typeof EmailDetailSchema>;
export type Settings = Static<typeof SettingsSchema>;
export type StripeStatus = Static<typeof StripeStatusSchema>;
export type PurchaseStatus = Static<typeof PurchaseStatusSchema>;
export type Payment = Static<typeof PaymentSchema>;
/** A purchase as Billing (the member) and the user card (staff) show it. */
export type BillingPurchase = Static<typeof BillingPurchaseSchema>;
export type Sale = Static<typeof SaleSchema>;
export type StripeEvents = Static<typeof StripeEventsSchema>;
export type ApiKey = Static<typeof ApiKeySchema>;
export type Job = Static<typeof JobSchema>;
export type Dashboard = Static<typeof DashboardSchema>;
export type Visibility = Static<typeof VisibilitySchema>;
export type HubGroup = Static<typeof HubGroupSchema>;
export type HubGroupDetail = Static<typeof HubGroupDetailSchema>;
/** A group as a member sees it in /hub. */
export type MemberGroup = Static<typeof MemberGroupSchema>;
export type MemberGroupDetail = Static<typeof MemberGroupDetailSchema>;
export type DirectoryEntry = Static<typeof DirectoryEntrySchema>;
export type Author = Static<typeof AuthorSchema>;
export type Post = Static<typeof PostSchema>;
/** A member's profile in the hub, with their latest posts the viewer may see. */
export type Profile = Static<typeof ProfileSchema>;
/** A reported post or comment, in staff's queue. */
export type Report = Static<typeof ReportSchema>;
/** A comment on the member's post or a reply to their comment. */
export type Notification = Static<typeof NotificationSchema>;
/** Search results: the words found are the segments with `hit`. */
export type PostHit = Static<typeof PostHitSchema>;
export type CommentHit = Static<typeof CommentHitSchema>;
export type PersonHit = Static<typeof PersonHitSchema>;
/** A post of the member's home feed: a post with its group. */
export type HomePost = Static<typeof HomePostSchema>;
export type Comment = Static<typeof CommentSchema>;
/** Why a user may enter a group (one line of the access ledger, or of a group's members). */
export type AccessReason = Static<typeof AccessReasonSchema>;
export type LedgerEntry = Static<typeof LedgerEntrySchema>;
export type Grant = Static<typeof GrantSchema>;
export type GroupMember = Static<typeof GroupMemberSchema>;

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** `details.paywall` of a 403 `access_required` (an error's details, outside the response schemas). */
export interface Paywall {
  callToAction: string;
  description: string | null;
  url: string | null;
  offers: { id: string; title: string; slug: string; priceLabel: string }[];
}

/** A 403 `access_required` (with the paywall) or a 404: the caller may not, or no longer, see this. */
export function paywallOf(error: unknown): Paywall | null {
  if (!(error instanceof ApiError) || error.status !== 403 || error.code !== 'access_required') return null;
  const paywall = (error.details as { paywall?: Paywall } | undefined)?.paywall;
  return (
    paywall ?? {
      callToAction: 'You need access to enter this group.',
      description: null,
      url: null,
      offers: [],
    }
  );
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}

export function isStaff(role: Role | undefined): boolean {
  return role === 'owner' || role === 'admin';
}

/** Where a person lands after signing in. */
export function homeOf(role: Role): string {
  return isStaff(role) ? '/admin' : '/hub';
}
