// The database as Kysely sees it (camelCase; CamelCasePlugin maps to snake_case in SQL).
// Storage conventions, the same on both engines (docs/architecture.md): ids are text (UUID), times are
// epoch milliseconds in bigint columns, booleans are integers 0/1, JSON is text.
import type { Generated } from 'kysely';

export type UserRole = 'owner' | 'admin' | 'member';
export type UserStatus = 'active' | 'deactivated';

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  /** Lower-cased name, for indexed prefix search. */
  nameSearch: string;
  role: UserRole;
  status: UserStatus;
  passwordHash: string | null;
  emailVerifiedAt: number | null;
  totalSpentMinor: Generated<number>;
  createdAt: number;
  updatedAt: number;
  lastSeenAt: number | null;
  /** The Stripe customer this person pays as (made at their first paid checkout). */
  stripeCustomerId: Generated<string | null>;
  /** How notifications reach them by email: at once, in a daily digest, or not at all. */
  notifyEmail: Generated<NotifyEmail>;
  /** Which kinds go out by email (1 or 0): replies and comments, mentions, new posts followed. */
  emailReplies: Generated<number>;
  emailMentions: Generated<number>;
  emailPosts: Generated<number>;
  /** Their profile in the hub: a short bio, links (JSON array of URLs), an avatar image. */
  bio: Generated<string>;
  links: Generated<string>;
  avatarPath: Generated<string | null>;
}

export type NotifyEmail = 'instant' | 'daily' | 'off';

export interface SessionsTable {
  id: string;
  tokenHash: string;
  userId: string;
  createdAt: number;
  expiresAt: number;
  lastSeenAt: number;
  userAgent: string | null;
  ip: string | null;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  userId: string;
  prefix: string;
  keyHash: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export type AuthTokenPurpose =
  | 'magic_link'
  | 'set_password'
  | 'verify_email'
  | 'change_email'
  | 'claim_purchase';

export interface AuthTokensTable {
  id: string;
  userId: string;
  purpose: AuthTokenPurpose;
  tokenHash: string;
  /** JSON: what the token carries (the new address of an email change). */
  data: string | null;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

export type JobStatus = 'pending' | 'running' | 'done' | 'failed';

export interface JobsTable {
  id: string;
  name: string;
  payload: string;
  status: JobStatus;
  attempts: Generated<number>;
  maxAttempts: number;
  runAt: number;
  lockedAt: number | null;
  lockedBy: string | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

export type EmailStatus = 'queued' | 'sent' | 'failed' | 'logged';

export interface EmailsTable {
  id: string;
  toAddress: string;
  subject: string;
  kind: string;
  html: string;
  text: string;
  status: EmailStatus;
  error: string | null;
  /** The account the message was for, when it carries that account's sign-in. */
  recipientUserId: string | null;
  /** JSON array: the links the server issued for this message (action buttons, template variables). */
  links: Generated<string>;
  createdAt: number;
  sentAt: number | null;
  /** A one-click unsubscribe address (RFC 8058), sent as the List-Unsubscribe header. */
  unsubscribeUrl: Generated<string | null>;
}

export interface SettingsTable {
  key: string;
  /** JSON. */
  value: string;
  updatedAt: number;
}

export type HubVisibility = 'public' | 'private' | 'hidden';

export interface HubGroupsTable {
  id: string;
  name: string;
  slug: string;
  description: string;
  emoji: string | null;
  /** Path of the group's image in media storage. */
  imagePath: string | null;
  visibility: HubVisibility;
  position: number;
  paywallCta: string | null;
  paywallDescription: string | null;
  paywallUrl: string | null;
  postCount: Generated<number>;
  /** Bumped with every change to what the first page of the group's feed shows (cache key). */
  feedVersion: Generated<number>;
  /** Bumped by every change to what a member's group list shows of the group (details, post count). */
  version: Generated<number>;
  createdAt: number;
  updatedAt: number;
  /** Who may write posts: everyone who may enter, or only the owner and admins (announcements). */
  whoMayPost: Generated<WhoMayPost>;
  /** 1 when members may comment (staff always may). */
  commentsOn: Generated<number>;
  /** 1 when those who may enter see the group's member directory (staff always do). */
  directoryOn: Generated<number>;
}

export type WhoMayPost = 'members' | 'staff';

export type OfferStatus = 'draft' | 'published' | 'archived';

export interface OffersTable {
  id: string;
  title: string;
  /** Under the title on the checkout page, and in links shared on social media ('' for none). */
  description: Generated<string>;
  slug: string;
  status: OfferStatus;
  createdAt: number;
  updatedAt: number;
  type: Generated<'membership'>;
  pricingModel: Generated<'free' | 'one_time' | 'recurring'>;
  amountMinor: Generated<number>;
  currency: Generated<string>;
  interval: 'week' | 'month' | 'year' | null;
  intervalCount: number | null;
  trialDays: number | null;
  thumbnailPath: string | null;
  coverPath: string | null;
  confirmationSubject: string | null;
  confirmationBody: string | null;
  /** Where buyers go after joining; null: into the platform (the first group granted). */
  destinationUrl: string | null;
  resellEnabled: Generated<number>;
  resellCommissionPercent: number | null;
  resellDescription: string | null;
  customCode: string | null;
  landingEnabled: Generated<number>;
  /** JSON array of landing-page blocks. */
  landingBlocks: Generated<string>;
  /** Counters kept in the transaction of each purchase (never a count over buyers). */
  buyerCount: Generated<number>;
  revenueMinor: Generated<number>;
  stripeProductId: Generated<string | null>;
  stripePriceId: Generated<string | null>;
  /** What the Stripe price stands for (amount, currency, interval); a change makes a new price. */
  stripePriceFingerprint: Generated<string | null>;
  allowPromotionCodes: Generated<number>;
  /** Which refunds end access. */
  refundPolicy: Generated<RefundPolicy>;
  /** Which payments of a recurring offer earn an affiliate commission. */
  resellRecurring: Generated<CommissionRecurring>;
  resellMonths: Generated<number | null>;
}

/** Which payments of a recurring offer earn commission: every one, the first, the first N months. */
export type CommissionRecurring = 'every' | 'first' | 'months';

/** Which refunds end a buyer's access: a full one (default), any, or none. */
export type RefundPolicy = 'full' | 'any' | 'never';

/**
 * pending: written before payment (a Checkout Session may be open); awaiting_confirmation: a free join
 * for an address with an account, until its owner confirms; fulfilled: granted (once); canceled: the
 * checkout expired or was abandoned, nothing granted.
 */
export type PurchaseStatus = 'pending' | 'awaiting_confirmation' | 'fulfilled' | 'canceled';

export interface PurchasesTable {
  id: string;
  offerId: string;
  email: string;
  name: string;
  userId: string | null;
  status: PurchaseStatus;
  amountMinor: number;
  currency: string;
  ref: string | null;
  entitlementId: string | null;
  createdAt: number;
  fulfilledAt: number | null;
  /** When the completion page passed the conversion to the creator's code (it does so once). */
  conversionReportedAt: Generated<number | null>;
  stripeCheckoutSessionId: Generated<string | null>;
  /** The open Checkout Session's page: a second click while it is open goes back to it. */
  checkoutUrl: Generated<string | null>;
  checkoutExpiresAt: Generated<number | null>;
  stripeCustomerId: Generated<string | null>;
  stripeSubscriptionId: Generated<string | null>;
  stripePaymentIntentId: Generated<string | null>;
  /** Refunded so far, in the purchase's currency, over all its payments. */
  refundedMinor: Generated<number>;
  /** The account was made by this purchase (a new address): only then is the paying browser signed in. */
  accountCreated: Generated<number>;
  /** The commission terms of the sale, frozen at its first payment. */
  commissionPercent: Generated<number | null>;
  commissionRecurring: Generated<CommissionRecurring | null>;
  commissionMonths: Generated<number | null>;
  /** How often a subscription bought with it renews, as sold (null for a one-time or free purchase). */
  interval: Generated<'week' | 'month' | 'year' | null>;
  intervalCount: Generated<number | null>;
}

export type DisputeStatus = 'none' | 'open' | 'won' | 'lost';

/** A payment Stripe took for a purchase: the first one and each renewal. */
export interface PaymentsTable {
  id: string;
  purchaseId: string;
  userId: string | null;
  offerId: string;
  stripePaymentIntentId: string;
  stripeChargeId: string | null;
  stripeInvoiceId: string | null;
  amountMinor: number;
  currency: string;
  refundedMinor: Generated<number>;
  disputeStatus: Generated<DisputeStatus>;
  receiptUrl: string | null;
  paidAt: number;
  /** The card's fingerprint (the same card on both sides of a referred sale is flagged). */
  cardFingerprint: Generated<string | null>;
}

export interface AffiliatesTable {
  id: string;
  userId: string;
  code: string;
  stripeAccountId: string | null;
  payoutsEnabled: Generated<number>;
  createdAt: number;
}

export interface AffiliateClicksTable {
  affiliateId: string;
  offerId: string;
  /** Epoch ms of the UTC day. */
  day: number;
  clicks: number;
}

export interface CommissionsTable {
  id: string;
  affiliateId: string;
  purchaseId: string;
  paymentId: string;
  offerId: string;
  paidMinor: number;
  currency: string;
  percent: number;
  amountMinor: number;
  payableAt: number;
  payoutId: string | null;
  /** Why the sale needs the creator's review (same card, same payout account), or null. */
  flagged: string | null;
  createdAt: number;
}

export type CommissionEntryKind = 'earn' | 'reverse' | 'restore';

export interface CommissionEntriesTable {
  id: string;
  commissionId: string;
  affiliateId: string;
  kind: CommissionEntryKind;
  amountMinor: number;
  currency: string;
  stripeObjectId: string | null;
  dedupeKey: string;
  createdAt: number;
}

export type PayoutMethod = 'stripe' | 'manual';
export type PayoutStatus = 'pending' | 'paid' | 'failed';

export interface PayoutsTable {
  id: string;
  affiliateId: string;
  amountMinor: number;
  currency: string;
  method: PayoutMethod;
  status: PayoutStatus;
  stripeTransferId: string | null;
  reference: string | null;
  error: string | null;
  attempts: Generated<number>;
  createdBy: string | null;
  createdAt: number;
  paidAt: number | null;
}

export interface OfferHubGroupsTable {
  offerId: string;
  hubGroupId: string;
}

export type EntitlementState =
  | 'active'
  | 'trialing'
  | 'past_due'
  | 'canceled'
  | 'ended'
  | 'refunded'
  | 'disputed'
  | 'revoked';

export interface EntitlementsTable {
  id: string;
  userId: string;
  offerId: string;
  state: EntitlementState;
  /** Until when a past_due or canceled entitlement still opens its groups; null for one-time and free. */
  accessUntil: number | null;
  /** How it came to be: 'purchase', 'admin', 'import'. */
  source: string;
  createdAt: number;
  updatedAt: number;
  purchaseId: Generated<string | null>;
  stripeSubscriptionId: Generated<string | null>;
  /** Stripe's word for the subscription as last read (shown to people; access reads `state`). */
  stripeStatus: Generated<string | null>;
  currentPeriodEnd: Generated<number | null>;
  cancelAtPeriodEnd: Generated<number>;
  /** When the Stripe object last applied was read: an older read never overwrites a newer one. */
  stripeSyncedAt: Generated<number | null>;
  /** What this subscription adds to MRR now, in its purchase's currency (0 when it adds nothing). */
  mrrMinor: Generated<number>;
}

/** The access ledger: every change of an entitlement's state, with the Stripe object behind it. */
export interface EntitlementChangesTable {
  id: string;
  entitlementId: string;
  userId: string;
  fromState: EntitlementState | null;
  toState: EntitlementState;
  accessUntil: number | null;
  reason: string;
  stripeObjectId: string | null;
  stripeEventId: string | null;
  actorUserId: string | null;
  createdAt: number;
}

/** Stripe's events applied: written in the transaction that wrote each one's effects. */
export interface StripeEventsTable {
  id: string;
  type: string;
  receivedAt: number;
}

/**
 * Stripe's deliveries as they were received, pending until applied (migration 0028, billing.inbox.ts).
 * On SQLite the table is in a file of its own: read and write it through `inboxOf(db)`.
 */
export interface StripeInboxTable {
  id: string;
  type: string;
  /** Which endpoint it came to: the platform's account, or connected accounts'. */
  kind: string;
  /** The connected account an event of the connect endpoint is about. */
  account: string | null;
  /** The event's object (`data.object.id`). */
  objectId: string | null;
  /** Another object the handler reads: the subscription of a failed invoice. */
  relatedId: string | null;
  receivedAt: number;
  /** When a pending event is tried next; null once applied or given up. */
  dueAt: number | null;
  appliedAt: number | null;
  attempts: Generated<number>;
  claimedUntil: number | null;
  lastError: string | null;
}

export interface AccessGrantsTable {
  id: string;
  userId: string;
  hubGroupId: string;
  endsAt: number | null;
  note: string | null;
  grantedBy: string | null;
  createdAt: number;
}

export interface PostsTable {
  id: string;
  hubGroupId: string;
  authorId: string | null;
  title: string | null;
  /** Markdown as written. */
  body: string;
  /** The sanitized HTML rendered from it. */
  bodyHtml: string;
  pinnedAt: number | null;
  likeCount: Generated<number>;
  commentCount: Generated<number>;
  createdAt: number;
  updatedAt: number;
  editedAt: number | null;
  /** The post's own time, or its newest comment's: the home feed's "Active" order. */
  activityAt: number;
  /** Hidden by staff (a report): gone for members, kept to be shown again or removed. */
  hiddenAt: Generated<number | null>;
}

export interface ReportsTable {
  id: string;
  reporterId: string | null;
  postId: string;
  /** The comment reported; null when the post itself is. */
  commentId: string | null;
  reason: string;
  createdAt: number;
  resolvedAt: number | null;
  resolvedBy: string | null;
  resolution: 'hidden' | 'removed' | 'dismissed' | null;
}

export interface CommentsTable {
  id: string;
  postId: string;
  parentId: string | null;
  authorId: string | null;
  body: string;
  bodyHtml: string;
  likeCount: Generated<number>;
  createdAt: number;
  updatedAt: number;
  editedAt: number | null;
  /** Hidden by staff (a report): gone for members. */
  hiddenAt: Generated<number | null>;
}

export interface PostLikesTable {
  postId: string;
  userId: string;
  createdAt: number;
}

export interface CommentLikesTable {
  commentId: string;
  userId: string;
  createdAt: number;
}

export interface RateLimitsTable {
  key: string;
  count: number;
  endsAt: number;
}

/** A counter of what happened on one UTC day (`day`: epoch ms of its start), split over slots. */
export interface MetricDaysTable {
  day: number;
  metric: string;
  /** The currency of an amount; '' for a count. */
  currency: string;
  slot: number;
  value: number;
}

/** A counter of what is true now (members, subscriptions by state, MRR), split over slots. */
export interface MetricTotalsTable {
  metric: string;
  currency: string;
  slot: number;
  value: number;
}

export type ActivityKind = 'join' | 'payment' | 'cancellation' | 'refund' | 'ended';

/** What the dashboard lists as recent activity, written with the change it tells of. */
export interface ActivityTable {
  id: string;
  at: number;
  kind: ActivityKind;
  userId: string | null;
  offerId: string | null;
  amountMinor: number | null;
  currency: string | null;
}

/** comment: on their post; reply: to their comment; mention: of them; post: new, in a group they follow. */
export type NotificationKind = 'comment' | 'reply' | 'mention' | 'post';

/** A member following a group: they hear of its new posts. */
export interface GroupFollowsTable {
  userId: string;
  hubGroupId: string;
  createdAt: number;
}

export interface NotificationsTable {
  id: string;
  /** Who is told. */
  userId: string;
  kind: NotificationKind;
  /** Who did it (null once their account is gone). */
  actorId: string | null;
  postId: string;
  commentId: string | null;
  createdAt: number;
  readAt: number | null;
  /** When it went out by email (at once or in a digest): no digest repeats it. */
  emailedAt: Generated<number | null>;
}

/** SQLite only (migration 0015): the full-text index's documents, one per post or comment. */
export interface SearchDocsTable {
  doc: number;
  postId: string | null;
  commentId: string | null;
}

/** SQLite only: the FTS5 table (rowid = search_docs.doc); PostgreSQL keeps a tsvector per row instead. */
export interface SearchFtsTable {
  rowid: number;
  title: string | null;
  body: string;
}

export interface DB {
  hubGroups: HubGroupsTable;
  searchDocs: SearchDocsTable;
  notifications: NotificationsTable;
  groupFollows: GroupFollowsTable;
  reports: ReportsTable;
  searchFts: SearchFtsTable;
  offers: OffersTable;
  purchases: PurchasesTable;
  offerHubGroups: OfferHubGroupsTable;
  entitlements: EntitlementsTable;
  entitlementChanges: EntitlementChangesTable;
  stripeEvents: StripeEventsTable;
  stripeInbox: StripeInboxTable;
  payments: PaymentsTable;
  affiliates: AffiliatesTable;
  affiliateClicks: AffiliateClicksTable;
  commissions: CommissionsTable;
  commissionEntries: CommissionEntriesTable;
  payouts: PayoutsTable;
  accessGrants: AccessGrantsTable;
  posts: PostsTable;
  comments: CommentsTable;
  postLikes: PostLikesTable;
  commentLikes: CommentLikesTable;
  users: UsersTable;
  sessions: SessionsTable;
  apiKeys: ApiKeysTable;
  authTokens: AuthTokensTable;
  jobs: JobsTable;
  emails: EmailsTable;
  settings: SettingsTable;
  rateLimits: RateLimitsTable;
  metricDays: MetricDaysTable;
  metricTotals: MetricTotalsTable;
  activity: ActivityTable;
}
