// The SPA's entry: one router for the sign-in pages, /account, /hub and /admin.

import { QueryClientProvider } from '@tanstack/react-query';
import { Component, lazy, type ReactNode, StrictMode, Suspense, useEffect } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, Route, RouterProvider, Routes, useLocation, useNavigate } from 'react-router';
import { setUnauthorizedHandler } from './api.ts';
import { loginPathFor } from './layout.tsx';
import { AccountPage } from './pages/account.tsx';
import { HomeRedirect } from './pages/home.tsx';
import { HubPage } from './pages/hub.tsx';
import { MagicLinkPage, SetPasswordPage, VerifyEmailPage } from './pages/links.tsx';
import { ForgotPasswordPage, LoginPage, MagicLinkRequestPage } from './pages/login.tsx';
import { SetupPage } from './pages/setup.tsx';
import { UnsubscribePage } from './pages/unsubscribe.tsx';
import { queryClient } from './query.ts';
import { SessionProvider, useSession } from './session.tsx';
import { Loading, NotFoundPage } from './ui.tsx';

// The dashboard is its own bundle: a member on a slow phone never downloads it.
const AdminRoutes = lazy(() => import('./admin/routes.tsx'));

/** A page that throws while rendering shows this instead of a blank screen. */
class ErrorBoundary extends Component<
  { resetKey: string; children: ReactNode },
  { failed: boolean; resetKey: string }
> {
  override state = { failed: false, resetKey: this.props.resetKey };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  /** Moving to another page clears the failure, so one broken page does not stick. */
  static getDerivedStateFromProps(
    props: { resetKey: string },
    state: { resetKey: string },
  ): { failed: boolean; resetKey: string } | null {
    return props.resetKey === state.resetKey ? null : { failed: false, resetKey: props.resetKey };
  }

  override componentDidCatch(error: unknown): void {
    console.error(error);
  }

  override render(): ReactNode {
    if (!this.state.failed) return this.props.children;
    return (
      <main className="centered">
        <div className="card narrow" role="alert">
          <h1>Something went wrong</h1>
          <p>This page hit an error. Reloading usually helps.</p>
          <p className="button-row">
            <button type="button" className="button button-primary" onClick={() => window.location.reload()}>
              Reload
            </button>
            <a href="/" className="button">
              Start page
            </a>
          </p>
        </div>
      </main>
    );
  }
}

/** A request answered 401 (session ended, deactivated, signed out elsewhere): sign in, then come back. */
function UnauthorizedRedirect() {
  const { setMe } = useSession();
  const navigate = useNavigate();
  useEffect(() => {
    setUnauthorizedHandler(() => {
      const { pathname, search } = window.location;
      if (pathname === '/login' || pathname.startsWith('/auth/') || pathname === '/setup') return;
      void Promise.resolve(navigate(loginPathFor({ pathname, search }), { replace: true })).then(() =>
        setMe(null),
      );
    });
  }, [navigate, setMe]);
  return null;
}

/** `guildhall demo`: every page of the app says payments are simulated. */
function DemoBanner() {
  const { platform } = useSession();
  if (!platform?.demo) return null;
  return (
    <div className="demo-banner" role="note">
      Demo: payments are simulated by an offline Stripe. Test card 4242 4242 4242 4242, any future date, any
      CVC.
    </div>
  );
}

function AppRoutes() {
  const location = useLocation();
  return (
    <ErrorBoundary resetKey={location.pathname}>
      <Routes>
        <Route path="/" element={<HomeRedirect />} />
        <Route path="/setup" element={<SetupPage />} />
        <Route path="/login" element={<LoginPage />} />
        <Route path="/login/link" element={<MagicLinkRequestPage />} />
        <Route path="/auth/magic" element={<MagicLinkPage />} />
        <Route path="/auth/forgot" element={<ForgotPasswordPage />} />
        <Route path="/auth/set-password" element={<SetPasswordPage />} />
        <Route path="/auth/verify-email" element={<VerifyEmailPage />} />
        <Route path="/account" element={<AccountPage />} />
        <Route path="/unsubscribe" element={<UnsubscribePage />} />
        <Route path="/hub/*" element={<HubPage />} />
        <Route
          path="/admin/*"
          element={
            <Suspense fallback={<Loading />}>
              <AdminRoutes />
            </Suspense>
          }
        />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </ErrorBoundary>
  );
}

function Root() {
  return (
    <SessionProvider>
      <UnauthorizedRedirect />
      <DemoBanner />
      <AppRoutes />
    </SessionProvider>
  );
}

// A data router (its routes are the ones AppRoutes declares), so that a form with unsaved changes can
// ask before an in-app link takes the page away (useBlocker, in forms.tsx).
const router = createBrowserRouter([{ path: '*', element: <Root /> }]);

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
