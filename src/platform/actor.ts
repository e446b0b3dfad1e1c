// Who is acting, as every service sees it: a person by role, however they reached us (a cookie
// session, an API key, a form, the CLI's operator). The role checks live here, beside the type, and
// are called by services only (src/modules/layers.test.ts keeps them out of routes).
import type { UserRole } from './db/schema.ts';
import { ForbiddenError } from './errors.ts';

export interface Actor {
  userId: string;
  role: UserRole;
  email: string;
  name: string;
  via: 'session' | 'api_key';
  /** The session's id when signed in by cookie. */
  sessionId: string | null;
}

/** Whether a role runs the platform (the owner and admins). */
export function isStaffRole(role: UserRole): boolean {
  return role === 'owner' || role === 'admin';
}

/** 403 unless the caller is the owner or an admin. */
export function requireStaff(actor: Actor, message = 'Only the owner and admins may do this.'): void {
  if (!isStaffRole(actor.role)) throw new ForbiddenError(message);
}
