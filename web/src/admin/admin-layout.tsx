// The creator's dashboard frame: a left sidebar that becomes a top menu on narrow screens.
import { useEffect, useState } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import type { User } from '../api.ts';
import { RequireUser, useSignOut } from '../layout.tsx';
import { usePlatformName } from '../session.tsx';

const SECTIONS: { to: string; label: string; end?: boolean }[] = [
  { to: '/admin', label: 'Dashboard', end: true },
  { to: '/admin/hub', label: 'Hub' },
  { to: '/admin/reports', label: 'Reports' },
  { to: '/admin/offers', label: 'Digital Offers' },
  { to: '/admin/sales', label: 'Sales' },
  { to: '/admin/users', label: 'Users' },
  { to: '/admin/affiliates', label: 'Affiliates' },
  { to: '/admin/emails', label: 'Emails' },
  { to: '/admin/settings', label: 'Settings' },
];

export interface AdminContext {
  me: User;
}

export function AdminLayout() {
  return <RequireUser staff>{(me) => <AdminFrame me={me} />}</RequireUser>;
}

function AdminFrame({ me }: { me: User }) {
  const platformName = usePlatformName();
  const signOut = useSignOut();
  const location = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);

  // A narrow screen's menu closes once a page is chosen.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the path changing is the trigger.
  useEffect(() => setMenuOpen(false), [location.pathname]);

  return (
    <div className="admin">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <aside className="sidebar">
        <div className="sidebar-top">
          <span className="sidebar-brand">
            <span className="brand-mark" aria-hidden="true" />
            {platformName}
          </span>
          <button
            type="button"
            className="button menu-toggle"
            aria-expanded={menuOpen}
            aria-controls="admin-nav"
            onClick={() => setMenuOpen((open) => !open)}
          >
            Menu
          </button>
        </div>
        <nav id="admin-nav" aria-label="Dashboard" className={`sidebar-nav${menuOpen ? ' open' : ''}`}>
          <ul>
            {SECTIONS.map((section) => (
              <li key={section.to}>
                <NavLink to={section.to} end={section.end ?? false}>
                  {section.label}
                </NavLink>
              </li>
            ))}
          </ul>
          <ul className="sidebar-secondary">
            <li>
              <NavLink to="/account">Account</NavLink>
            </li>
            <li>
              <button type="button" className="link-button" onClick={() => void signOut()}>
                Sign out
              </button>
            </li>
          </ul>
          <p className="sidebar-user muted">
            Signed in as <span className="truncate">{me.email}</span>
          </p>
        </nav>
      </aside>
      <main className="admin-main" id="main">
        <Outlet context={{ me } satisfies AdminContext} />
      </main>
    </div>
  );
}
