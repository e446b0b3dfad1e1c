// The member area. Hub groups arrive with the Hub issue; until then it says so, with no fake data.
import { Link } from 'react-router';
import { isStaff } from '../api.ts';
import { AppHeader, RequireUser } from '../layout.tsx';
import { usePlatformName } from '../session.tsx';
import { useTitle } from '../ui.tsx';

export function HubPage() {
  const platformName = usePlatformName();
  useTitle(`Hub · ${platformName}`);
  return (
    <RequireUser>
      {(me) => (
        <div className="app">
          <AppHeader me={me} />
          <main className="page" id="main">
            <h1>Welcome{me.name ? `, ${me.name}` : ''}</h1>
            {isStaff(me.role) && (
              <p className="alert alert-info">
                You run this platform. <Link to="/admin">Go to the dashboard</Link>
              </p>
            )}
            <div className="card empty-state">
              <p>Your community's groups will appear here.</p>
            </div>
          </main>
        </div>
      )}
    </RequireUser>
  );
}
