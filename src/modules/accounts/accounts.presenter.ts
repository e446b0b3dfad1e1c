import { toIso } from '../../platform/clock.ts';
import type { ApiKeyRow, UserRow } from './accounts.repository.ts';

export interface UserView {
  id: string;
  email: string;
  name: string;
  role: UserRow['role'];
  status: UserRow['status'];
  emailVerified: boolean;
  hasPassword: boolean;
  createdAt: string;
  lastSeenAt: string | null;
  totalSpending: { amountMinor: number; currency: string };
  notifyEmail: UserRow['notifyEmail'];
  emailAbout: { replies: boolean; mentions: boolean; posts: boolean };
}

export function presentUser(row: UserRow, currency: string): UserView {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    status: row.status,
    emailVerified: row.emailVerifiedAt !== null,
    hasPassword: row.passwordHash !== null,
    createdAt: toIso(row.createdAt),
    lastSeenAt: toIso(row.lastSeenAt),
    totalSpending: { amountMinor: Number(row.totalSpentMinor), currency },
    notifyEmail: row.notifyEmail,
    emailAbout: {
      replies: Boolean(row.emailReplies),
      mentions: Boolean(row.emailMentions),
      posts: Boolean(row.emailPosts),
    },
  };
}

export function presentApiKey(row: ApiKeyRow) {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    user: { id: row.userId, email: row.userEmail },
    createdAt: toIso(row.createdAt),
    lastUsedAt: toIso(row.lastUsedAt),
  };
}
