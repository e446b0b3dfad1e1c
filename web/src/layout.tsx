// Page frames: the centred card of the sign-in pages, the header of /hub and /account, and the gate
// that sends signed-out people to sign in and members away from /admin.
import type { ReactNode } from 'react';
import { Link, Navigate, NavLink, useLocation, useNavigate } from 'react-router';
import { homeOf, isStaff, type User } from './api.ts';
import { hasUnsavedWork, releaseUnsavedWork } from './forms.tsx';
import { usePlatformName, useSession } from './session.tsx';
import { Loading } from './ui.tsx';

/** `next` only when it is a path on this site (never `//host` or `/\host`, which browsers treat as hosts). */
export function safeNext(next: string | null): string | null {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return null;
  return next;
}

export function loginPathFor(location: { pathname: string; search: string }): string {
  return `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
}

export function AuthShell({ children }: { children: ReactNode }) {
  const platformName = usePlatformName();
  return (
    <div className="auth-shell">
      <header className="auth-brand">
        <span className="brand-mark" aria-hidden="true" />
        <span>{platformName}</span>
      </header>
      <main className="auth-card card">{children}</main>
    </div>
  );
}

/** Renders its children for a signed-in person (staff only when `staff`), else redirects. */
export function RequireUser({
  staff = false,
  children,
}: {
  staff?: boolean;
  children: (me: User) => ReactNode;
}) {
  const { me } = useSession();
  const location = useLocation();
  if (me === undefined) {
    return (
      <main className="centered">
        <Loading />
      </main>
    );
  }
  if (me === null) return <Navigate to={loginPathFor(location)} replace />;
  if (staff && !isStaff(me.role)) return <Navigate to="/hub" replace />;
  return <>{children(me)}</>;
}

export function useSignOut(): () => Promise<void> {
  const { signOut, setMe } = useSession();
  const navigate = useNavigate();
  return async () => {
    // Unsaved changes on the page: ask before they go with the session.
    if (hasUnsavedWork()) {
      if (!window.confirm('Your changes on this page are not saved. Sign out and lose them?')) return;
      releaseUnsavedWork();
    }
    // A failure here (server gone) still leaves this tab signed out; the cookie dies with the session.
    await signOut().catch(() => undefined);
    // Leave the protected page first, so its gate does not redirect to /login?next=… on the way.
    await navigate('/login', { replace: true });
    setMe(null);
  };
}

/** The header of the member area and the account page. */
export function AppHeader({ me }: { me: User }) {
  const platformName = usePlatformName();
  const { pathname } = useLocation();
  const onBilling = pathname.startsWith('/hub/billing') || pathname.startsWith('/hub/partner');
  const onHub = pathname.startsWith('/hub') && !onBilling;
  const signOut = useSignOut();
  return (
    <header className="app-header">
      <Link to={homeOf(me.role)} className="app-header-brand">
        <span className="brand-mark" aria-hidden="true" />
        {platformName}
      </Link>
      <nav aria-label="Main" className="app-header-nav">
        {isStaff(me.role) && <NavLink to="/admin">Dashboard</NavLink>}
        {/* The hub's groups and posts are "Hub"; its billing page is "Billing". */}
        <NavLink
          to="/hub"
          className={({ isActive }) => (isActive && !onBilling ? 'active' : '')}
          aria-current={onHub ? 'page' : undefined}
        >
          Hub
        </NavLink>
        <NavLink to="/hub/billing">Billing</NavLink>
        {!isStaff(me.role) && <NavLink to="/hub/partner">Become a Partner</NavLink>}
        <NavLink to="/account">Account</NavLink>
        <button type="button" className="link-button" onClick={() => void signOut()}>
          Sign out
        </button>
      </nav>
    </header>
  );
}
