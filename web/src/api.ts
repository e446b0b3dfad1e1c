// The one way the SPA talks to the server: JSON in and out, the session cookie, the CSRF token on
// every state change, and every failure as an ApiError carrying the server's code and field problems.

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
  putFile: <T>(path: string, file: File) =>
    request<T>('PUT', path, { file: { data: file, contentType: file.type || 'application/octet-stream' } }),
};

// --- shapes the API answers -------------------------------------------------------------------

export type Role = 'owner' | 'admin' | 'member';

export interface Money {
  amountMinor: number;
  currency: string;
}

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  status: 'active' | 'deactivated';
  emailVerified: boolean;
  hasPassword: boolean;
  createdAt: string;
  lastSeenAt: string | null;
  totalSpending: Money;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface PlatformInfo {
  platformName: string;
  supportEmail: string | null;
  /** `guildhall demo`: payments are simulated. */
  demo?: boolean;
}

export type EmailStatus = 'queued' | 'sent' | 'failed' | 'logged';

export interface EmailSummary {
  id: string;
  to: string;
  subject: string;
  kind: string;
  status: EmailStatus;
  error: string | null;
  createdAt: string;
  sentAt: string | null;
}

export interface EmailDetail extends EmailSummary {
  html: string;
  text: string;
  /** The links the platform issued for this message; sign-in links redacted unless you may use them. */
  links: string[];
}

export interface Settings {
  platformName: string;
  supportEmail: string | null;
  defaultCurrency: string;
  smtpUrl: string | null;
  mailFrom: string | null;
  pastDueGraceDays: number;
  affiliateCookieDays: number;
  commissionHoldDays: number;
  payoutMinimumMinor: number;
}

export interface StripeStatus {
  connected: boolean;
  account: null | {
    id: string;
    displayName: string | null;
    livemode: boolean;
    chargesEnabled: boolean;
    payoutsEnabled: boolean;
    detailsSubmitted: boolean;
    requirements: string[];
    dashboardUrl: string;
    keyLast4: string;
    connectedAt: string;
    updatedAt: string;
  };
}

export type PurchaseStatus = 'pending' | 'awaiting_confirmation' | 'fulfilled' | 'canceled';

export interface Payment {
  id: string;
  amount: Money;
  refunded: Money;
  dispute: 'none' | 'open' | 'won' | 'lost';
  paidAt: string;
  receiptUrl: string | null;
}

/** A purchase as Billing (the member) and the user card (staff) show it. */
export interface BillingPurchase {
  id: string;
  offer: { id: string; title: string; slug: string };
  status: PurchaseStatus;
  amount: Money;
  refunded: Money;
  createdAt: string;
  access: { live: boolean; state: string | null; until: string | null };
  subscription: null | {
    status: string;
    currentPeriodEnd: string | null;
    cancelAtPeriodEnd: boolean;
    interval: string | null;
    intervalCount: number | null;
  };
  payments: Payment[];
}

export interface Sale {
  id: string;
  createdAt: string;
  buyer: { email: string; name: string; userId: string | null };
  offer: { id: string; title: string };
  amount: Money;
  refunded: Money;
  status: PurchaseStatus;
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  user: { id: string; email: string };
  createdAt: string;
  lastUsedAt: string | null;
}

export interface Job {
  id: string;
  name: string;
  status: 'pending' | 'running' | 'done' | 'failed';
  attempts: number;
  lastError: string | null;
  runAt: string;
  createdAt?: string;
  updatedAt: string;
}

export type Visibility = 'public' | 'private' | 'hidden';

export interface HubGroup {
  id: string;
  name: string;
  slug: string;
  description: string;
  emoji: string | null;
  imageUrl: string | null;
  visibility: Visibility;
  position: number;
  paywall: { callToAction: string | null; description: string | null; url: string | null };
  postCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface HubGroupDetail extends HubGroup {
  /** Offers whose buyers enter this group. */
  grantedBy: { id: string; title: string; status: string }[];
}

/** A group as a member sees it in /hub. */
export interface MemberGroup {
  id: string;
  name: string;
  slug: string;
  description: string;
  emoji: string | null;
  imageUrl: string | null;
  visibility: Visibility;
  canEnter: boolean;
  postCount: number | null;
}

/** `details.paywall` of a 403 `access_required`. */
export interface Paywall {
  callToAction: string;
  description: string | null;
  url: string | null;
  offers: { id: string; title: string; slug: string; priceLabel: string }[];
}

export interface Author {
  id: string;
  name: string;
}

export interface Post {
  id: string;
  groupId: string;
  author: Author | null;
  title: string | null;
  body: string;
  /** Sanitized by the server; the only HTML the SPA renders as HTML. */
  bodyHtml: string;
  pinned: boolean;
  likeCount: number;
  commentCount: number;
  likedByMe: boolean;
  canEdit: boolean;
  canDelete: boolean;
  createdAt: string;
  editedAt: string | null;
}

export interface Comment {
  id: string;
  postId: string;
  parentId: string | null;
  author: Author | null;
  body: string;
  bodyHtml: string;
  likeCount: number;
  likedByMe: boolean;
  canEdit: boolean;
  canDelete: boolean;
  createdAt: string;
  editedAt: string | null;
}

/** Why a user may enter a group (one line of the access ledger, or of a group's members). */
export type AccessReason =
  | { kind: 'public' }
  | { kind: 'staff'; role: 'owner' | 'admin' }
  | { kind: 'grant'; grantId: string; endsAt: string | null; note: string | null }
  | {
      kind: 'entitlement';
      entitlementId: string;
      offerId: string;
      offerTitle: string;
      state: string;
      accessUntil: string | null;
    };

export interface LedgerEntry {
  group: { id: string; name: string; slug: string; visibility: Visibility };
  reasons: AccessReason[];
}

export interface Grant {
  id: string;
  hubGroup: { id: string; name: string };
  endsAt: string | null;
  note: string | null;
  grantedBy: string | null;
  createdAt: string;
}

export interface GroupMember {
  user: { id: string; name: string; email: string };
  reason: AccessReason;
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
