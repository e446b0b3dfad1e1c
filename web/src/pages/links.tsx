// The pages that emailed links open: sign in, set a password, confirm an email. Each acts only on a
// click (mail scanners that prefetch links must not use them up) and says plainly when a link is
// expired, used or not valid, offering a new one right there.
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, homeOf, type LinkErrorCode, linkProblemOf, type User } from '../api.ts';
import { FormAlert, Notice, onSubmit, SubmitButton, TextField, useAction } from '../forms.tsx';
import { AuthShell } from '../layout.tsx';
import { usePlatformName, useSession } from '../session.tsx';
import { useTitle } from '../ui.tsx';
import { RequestLinkForm, useAfterSignIn } from './login.tsx';

type LinkKind = 'sign-in' | 'password' | 'confirmation';

const PROBLEM_TITLES: Record<LinkErrorCode, (kind: LinkKind) => string> = {
  link_expired: (kind) => `This ${kind} link has expired`,
  link_used: (kind) => `This ${kind} link has already been used`,
  link_invalid: (kind) => `This ${kind} link is not valid`,
};

function LinkProblem({ code, kind }: { code: LinkErrorCode; kind: LinkKind }) {
  useTitle(PROBLEM_TITLES[code](kind));
  return (
    <>
      <h1>{PROBLEM_TITLES[code](kind)}</h1>
      {kind === 'sign-in' && (
        <>
          <p className="lead">
            Links work once, for 15 minutes. Ask for a new one and we’ll email it to you.
          </p>
          <RequestLinkForm kind="magic" />
        </>
      )}
      {kind === 'password' && (
        <>
          <p className="lead">Ask for a new link to choose your password and we’ll email it to you.</p>
          <h2 className="h3">Forgot your password?</h2>
          <RequestLinkForm kind="reset" />
        </>
      )}
      {kind === 'confirmation' && (
        <>
          <p className="lead">
            To change your email address, ask again from your <Link to="/account">Account</Link> page. To sign
            in, ask for a sign-in link:
          </p>
          <RequestLinkForm kind="magic" />
        </>
      )}
      <p className="auth-links">
        <Link to="/login">Back to sign in</Link>
      </p>
    </>
  );
}

function useToken(): string {
  const [params] = useSearchParams();
  return params.get('token') ?? '';
}

export function MagicLinkPage() {
  const platformName = usePlatformName();
  useTitle(`Sign in to ${platformName}`);
  const token = useToken();
  const afterSignIn = useAfterSignIn();
  const action = useAction();
  const problem = token ? linkProblemOf(action.errors.code) : 'link_invalid';

  const submit = async () => {
    const result = await action.run(() =>
      api.post<{ user: User }>('/auth/magic-link/verify', { token }, { redirectOn401: false }),
    );
    if (result.ok) afterSignIn(result.value.user);
  };

  return (
    <AuthShell>
      {problem ? (
        <LinkProblem code={problem} kind="sign-in" />
      ) : (
        <>
          <h1>Sign in to {platformName}</h1>
          <p className="lead">Continue to sign in with the link we emailed you.</p>
          <form onSubmit={onSubmit(submit)}>
            <FormAlert errors={action.errors} />
            <SubmitButton pending={action.pending}>Sign in to {platformName}</SubmitButton>
          </form>
        </>
      )}
    </AuthShell>
  );
}

/** For invitations (Add User) and password resets alike. */
export function SetPasswordPage() {
  useTitle('Choose your password');
  const token = useToken();
  const afterSignIn = useAfterSignIn();
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const action = useAction();
  const fields = action.errors.fields;
  const problem = token ? linkProblemOf(action.errors.code) : 'link_invalid';

  const submit = async () => {
    if (password !== confirm) {
      action.fail({ confirm: 'does not match the password' });
      return;
    }
    const result = await action.run(() =>
      api.post<{ user: User }>('/auth/set-password', { token, password }, { redirectOn401: false }),
    );
    if (result.ok) afterSignIn(result.value.user);
  };

  return (
    <AuthShell>
      {problem ? (
        <LinkProblem code={problem} kind="password" />
      ) : (
        <>
          <h1>Choose your password</h1>
          <p className="lead">You’ll use it with your email address to sign in.</p>
          <form onSubmit={onSubmit(submit)} noValidate>
            <FormAlert errors={action.errors} fields={['password', 'confirm']} />
            <TextField
              label="New password"
              name="password"
              type="password"
              value={password}
              onValue={setPassword}
              error={fields.password}
              hint="At least 10 characters."
              autoComplete="new-password"
              required
              autoFocus
            />
            <TextField
              label="Confirm password"
              name="confirm"
              type="password"
              value={confirm}
              onValue={setConfirm}
              error={fields.confirm}
              autoComplete="new-password"
              required
            />
            <SubmitButton pending={action.pending}>Set password</SubmitButton>
          </form>
        </>
      )}
    </AuthShell>
  );
}

export function VerifyEmailPage() {
  useTitle('Confirm your email');
  const token = useToken();
  const { refreshMe } = useSession();
  const action = useAction();
  const [confirmed, setConfirmed] = useState<User | null>(null);
  const problem = token ? linkProblemOf(action.errors.code) : 'link_invalid';

  const submit = async () => {
    const result = await action.run(() =>
      api.post<{ user: User }>('/auth/verify-email', { token }, { redirectOn401: false }),
    );
    if (!result.ok) return;
    setConfirmed(result.value.user);
    // Confirming an account made for you also signs it in here; an address change does not. Ask.
    await refreshMe();
  };

  return (
    <AuthShell>
      {problem ? (
        <LinkProblem code={problem} kind="confirmation" />
      ) : confirmed ? (
        <>
          <h1>Your email is confirmed</h1>
          <Notice>
            <p>
              <strong>{confirmed.email}</strong> is confirmed.
            </p>
          </Notice>
          <p>
            <Link to={homeOf(confirmed.role)} className="button button-primary">
              Continue
            </Link>
          </p>
        </>
      ) : (
        <>
          <h1>Confirm your email</h1>
          <p className="lead">Confirm that this email address is yours.</p>
          <form onSubmit={onSubmit(submit)}>
            <FormAlert errors={action.errors} />
            <SubmitButton pending={action.pending}>Confirm email</SubmitButton>
          </form>
        </>
      )}
    </AuthShell>
  );
}
