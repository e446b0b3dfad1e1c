// "/" — the server redirects it; in the dev server (and after a client-side link) this does the same.
import { Navigate } from 'react-router';
import { homeOf } from '../api.ts';
import { useSession } from '../session.tsx';
import { Loading } from '../ui.tsx';

export function HomeRedirect() {
  const { me } = useSession();
  if (me === undefined) {
    return (
      <main className="centered">
        <Loading />
      </main>
    );
  }
  return <Navigate to={me ? homeOf(me.role) : '/login'} replace />;
}
