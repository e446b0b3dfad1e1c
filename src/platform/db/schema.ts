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
}

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

export type AuthTokenPurpose = 'magic_link' | 'set_password' | 'verify_email' | 'change_email';

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
  createdAt: number;
  sentAt: number | null;
}

export interface SettingsTable {
  key: string;
  /** JSON. */
  value: string;
  updatedAt: number;
}

export interface DB {
  users: UsersTable;
  sessions: SessionsTable;
  apiKeys: ApiKeysTable;
  authTokens: AuthTokensTable;
  jobs: JobsTable;
  emails: EmailsTable;
  settings: SettingsTable;
}
