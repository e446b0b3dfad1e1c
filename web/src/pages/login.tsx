// Signing in: email and password, or a one-time link by email; and asking for a new password.
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, homeOf, type User } from '../api.ts';
import { FormAlert, Notice, onSubmit, SubmitButton, TextField, useAction } from '../forms.tsx';
import { AuthShell, safeNext } from '../layout.tsx';
import { usePlatformName, useSession } from '../session.tsx';
import { useTitle } from '../ui.tsx';

/** Paths this app draws itself; any other page (a checkout form, an offer page) comes from the server. */
const APP_PATHS = ['/login', '/auth', '/account', '/hub', '/admin', '/setup'];

/** After a sign-in: `next` when it is a path on this site, else the person's home. */
export function useAfterSignIn(): (user: User) => void {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const { setMe } = useSession();
  return (user) => {
    setMe(user);
    const next = safeNext(params.get('next'));
    if (
      next &&
      !APP_PATHS.some((path) => next === path || next.startsWith(`${path}/`) || next.startsWith(`${path}?`))
    ) {
      window.location.replace(next);
      return;
    }
    navigate(next ?? homeOf(user.role), { replace: true });
  };
}

export function LoginPage() {
  const platformName = usePlatformName();
  useTitle(`Sign in · ${platformName}`);
  const afterSignIn = useAfterSignIn();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();
  const fields = action.errors.fields;

  const submit = async () => {
    const result = await action.run(() =>
      api.post<{ user: User }>('/auth/login', { email, password }, { redirectOn401: false }),
    );
    if (result.ok) afterSignIn(result.value.user);
  };

  return (
    <AuthShell>
      <h1>Sign in to {platformName}</h1>
      <form onSubmit={onSubmit(submit)} noValidate>
        <FormAlert errors={action.errors} fields={['email', 'password']} />
        <TextField
          label="Email"
          whenEmpty="Enter your email"
          name="email"
          type="email"
          value={email}
          onValue={setEmail}
          error={fields.email}
          autoComplete="username"
          required
          autoFocus
        />
        <TextField
          label="Password"
          whenEmpty="Enter your password"
          name="password"
          type="password"
          value={password}
          onValue={setPassword}
          error={fields.password}
          autoComplete="current-password"
          required
        />
        <SubmitButton pending={action.pending}>Sign in</SubmitButton>
      </form>
      <ul className="auth-links">
        <li>
          <Link to="/login/link">Email me a sign-in link</Link>
        </li>
        <li>
          <Link to="/auth/forgot">Forgot your password?</Link>
        </li>
      </ul>
    </AuthShell>
  );
}

/**
 * Asks for a sign-in link or a password link by email. The answer never says whether the account
 * exists, so the confirmation is the same for every address.
 */
export function RequestLinkForm({
  kind,
  autoFocus = false,
}: {
  kind: 'magic' | 'reset';
  autoFocus?: boolean;
}) {
  const [email, setEmail] = useState('');
  const [sentTo, setSentTo] = useState<string | null>(null);
  const action = useAction();

  const submit = async () => {
    const path = kind === 'magic' ? '/auth/magic-link' : '/auth/password-reset';
    const result = await action.run(() => api.post(path, { email }, { redirectOn401: false }));
    if (result.ok) setSentTo(email);
  };

  if (sentTo !== null) {
    return (
      <Notice>
        {kind === 'magic' ? (
          <p>
            If an account exists for that address, a sign-in link is on its way. It works once, for 15
            minutes.
          </p>
        ) : (
          <p>
            If an account exists for that address, a link to choose a new password is on its way. It works
            once.
          </p>
        )}
        <p>
          <button type="button" className="link-button" onClick={() => setSentTo(null)}>
            Use another address
          </button>
        </p>
      </Notice>
    );
  }

  return (
    <form onSubmit={onSubmit(submit)} noValidate>
      <FormAlert errors={action.errors} fields={['email']} />
      <TextField
        label="Email"
        whenEmpty="Enter your email"
        name="email"
        type="email"
        value={email}
        onValue={setEmail}
        error={action.errors.fields.email}
        autoComplete="email"
        required
        autoFocus={autoFocus}
      />
      <SubmitButton pending={action.pending}>
        {kind === 'magic' ? 'Email me a sign-in link' : 'Email me a link'}
      </SubmitButton>
    </form>
  );
}

export function MagicLinkRequestPage() {
  useTitle('Email me a sign-in link');
  return (
    <AuthShell>
      <h1>Sign in with a link</h1>
      <p className="lead">
        Enter your email and we’ll send you a link that signs you in — no password needed.
      </p>
      <RequestLinkForm kind="magic" autoFocus />
      <p className="auth-links">
        <Link to="/login">Sign in with your password instead</Link>
      </p>
    </AuthShell>
  );
}

export function ForgotPasswordPage() {
  useTitle('Forgot your password?');
  return (
    <AuthShell>
      <h1>Forgot your password?</h1>
      <p className="lead">Enter your email and we’ll send you a link to choose a new password.</p>
      <RequestLinkForm kind="reset" autoFocus />
      <p className="auth-links">
        <Link to="/login">Back to sign in</Link>
      </p>
    </AuthShell>
  );
}
