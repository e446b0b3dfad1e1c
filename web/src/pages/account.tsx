// Every signed-in person's own account: name, email (confirmed through the new address), password,
// how notifications reach them by email, and signing out everywhere.
import { useId, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, type User } from '../api.ts';
import { FormAlert, Notice, onSubmit, RadioField, SubmitButton, TextField, useAction } from '../forms.tsx';
import { AppHeader, RequireUser } from '../layout.tsx';
import { useSession } from '../session.tsx';
import { useTitle } from '../ui.tsx';

export function AccountPage() {
  useTitle('Your account');
  return (
    <RequireUser>
      {(me) => (
        <div className="app">
          <AppHeader me={me} />
          <main className="page page-narrow" id="main">
            <h1>Your account</h1>
            <p>
              <Link to={`/hub/people/${encodeURIComponent(me.id)}`}>Your profile in the hub</Link>: picture,
              bio and links.
            </p>
            {!me.emailVerified && <ConfirmEmailSection me={me} />}
            <NameSection me={me} />
            <EmailSection me={me} />
            <PasswordSection me={me} />
            <NotificationsSection me={me} />
            <SignOutEverywhereSection />
          </main>
        </div>
      )}
    </RequireUser>
  );
}

function NameSection({ me }: { me: User }) {
  const { setMe } = useSession();
  const [name, setName] = useState(me.name);
  const [saved, setSaved] = useState(false);
  const action = useAction();

  const submit = async () => {
    setSaved(false);
    const result = await action.run(() => api.patch<{ user: User }>('/me', { name }));
    if (!result.ok) return;
    setMe(result.value.user);
    setSaved(true);
  };

  return (
    <section className="card section" aria-labelledby="account-name">
      <h2 id="account-name">Name</h2>
      <form onSubmit={onSubmit(submit)} noValidate>
        <FormAlert errors={action.errors} fields={['name']} />
        {saved && <Notice>Your name is saved.</Notice>}
        <TextField
          label="Name"
          name="name"
          value={name}
          onValue={(value) => {
            setName(value);
            setSaved(false);
          }}
          error={action.errors.fields.name}
          autoComplete="name"
        />
        <SubmitButton pending={action.pending}>Save name</SubmitButton>
      </form>
    </section>
  );
}

const NOTIFY_OPTIONS: { value: User['notifyEmail']; label: string; hint: string }[] = [
  { value: 'instant', label: 'At once', hint: 'An email for each one, as it happens.' },
  { value: 'daily', label: 'Once a day', hint: 'One email with what you have not read yet.' },
  { value: 'off', label: 'Never', hint: 'The bell in the hub still shows them.' },
];

const EMAIL_ABOUT: { key: keyof User['emailAbout']; label: string }[] = [
  { key: 'replies', label: 'Comments on my posts and replies to me' },
  { key: 'mentions', label: 'Mentions of me' },
  { key: 'posts', label: 'New posts in groups I follow' },
];

function NotificationsSection({ me }: { me: User }) {
  const { setMe } = useSession();
  const [choice, setChoice] = useState(me.notifyEmail);
  const [about, setAbout] = useState(me.emailAbout);
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const id = useId();
  const submit = async () => {
    setSaved(false);
    const result = await action.run(() =>
      api.patch<{ user: User }>('/me', { notifyEmail: choice, emailAbout: about }),
    );
    if (!result.ok) return;
    setMe(result.value.user);
    setSaved(true);
  };
  return (
    <section className="card section" aria-labelledby="account-notifications">
      <h2 id="account-notifications">Notifications</h2>
      <form onSubmit={onSubmit(submit)} noValidate>
        <FormAlert errors={action.errors} fields={['notifyEmail', 'emailAbout']} />
        {saved && <Notice>Saved.</Notice>}
        <RadioField
          legend="Email me about notifications"
          name="notifyEmail"
          value={choice}
          onValue={(value) => {
            setChoice(value as User['notifyEmail']);
            setSaved(false);
          }}
          options={NOTIFY_OPTIONS}
          error={action.errors.fields.notifyEmail}
        />
        <fieldset
          className={`field radio-field${action.errors.fields.emailAbout ? ' field-invalid' : ''}`}
          disabled={choice === 'off'}
        >
          <legend>Which ones</legend>
          {choice === 'off' && <p className="field-hint">None go out while emails are set to Never.</p>}
          {action.errors.fields.emailAbout && (
            <p className="field-error">Which ones: {action.errors.fields.emailAbout}</p>
          )}
          {EMAIL_ABOUT.map((kind) => (
            <div className="radio-option" key={kind.key}>
              <input
                type="checkbox"
                id={`${id}-${kind.key}`}
                checked={about[kind.key]}
                onChange={(event) => {
                  setAbout({ ...about, [kind.key]: event.target.checked });
                  setSaved(false);
                }}
              />
              <label htmlFor={`${id}-${kind.key}`}>{kind.label}</label>
            </div>
          ))}
        </fieldset>
        <SubmitButton pending={action.pending}>Save</SubmitButton>
      </form>
    </section>
  );
}

/**
 * An account made by a join is not its address's until the emailed link is used: until then nobody
 * holding this session may set a password or move the account to another address.
 */
function ConfirmEmailSection({ me }: { me: User }) {
  const [sent, setSent] = useState(false);
  const action = useAction();
  const resend = async () => {
    setSent(false);
    const result = await action.run(() => api.post('/me/verify-email'));
    if (result.ok) setSent(true);
  };
  return (
    <section className="card section alert-info" aria-labelledby="account-confirm">
      <h2 id="account-confirm">Confirm your email</h2>
      <p>
        Open the link we emailed to <strong>{me.email}</strong>. Until then you can't set a password or change
        your email: that keeps your account yours.
      </p>
      <FormAlert errors={action.errors} />
      {sent && <Notice>A new link is on its way to {me.email}.</Notice>}
      <button
        type="button"
        className="button"
        onClick={() => void resend()}
        disabled={action.pending}
        aria-busy={action.pending || undefined}
      >
        Send the link again
      </button>
    </section>
  );
}

function EmailSection({ me }: { me: User }) {
  return (
    <section className="card section" aria-labelledby="account-email">
      <h2 id="account-email">Email</h2>
      <p>
        Your email is <strong>{me.email}</strong>
        {me.emailVerified ? '.' : ' (not confirmed yet).'}
      </p>
      {!me.emailVerified ? (
        <p className="muted">Confirm this address first; then you can change it here.</p>
      ) : (
        <EmailChangeForm me={me} />
      )}
    </section>
  );
}

function EmailChangeForm({ me }: { me: User }) {
  const [email, setEmail] = useState('');
  const [currentPassword, setCurrentPassword] = useState('');
  const [sentTo, setSentTo] = useState<string | null>(null);
  const action = useAction();
  const fields = action.errors.fields;

  const submit = async () => {
    setSentTo(null);
    const body = me.hasPassword ? { email, currentPassword } : { email };
    const result = await action.run(() => api.post('/me/email', body));
    if (!result.ok) return;
    setSentTo(email.trim());
    setEmail('');
    setCurrentPassword('');
  };

  return (
    <>
      {sentTo && (
        <Notice>
          We sent a confirmation link to <strong>{sentTo}</strong>; your email changes when you click it.
        </Notice>
      )}
      <form onSubmit={onSubmit(submit)} noValidate>
        <FormAlert errors={action.errors} fields={['email', 'currentPassword']} />
        <TextField
          label="New email"
          name="email"
          type="email"
          value={email}
          onValue={setEmail}
          error={fields.email}
          autoComplete="email"
          required
        />
        {me.hasPassword && (
          <TextField
            label="Current password"
            name="currentPassword"
            type="password"
            value={currentPassword}
            onValue={setCurrentPassword}
            error={fields.currentPassword}
            autoComplete="current-password"
            required
          />
        )}
        <SubmitButton pending={action.pending}>Change email</SubmitButton>
      </form>
    </>
  );
}

function PasswordSection({ me }: { me: User }) {
  if (!me.emailVerified) {
    return (
      <section className="card section" aria-labelledby="account-password">
        <h2 id="account-password">Password</h2>
        <p className="muted">Confirm your email first; then you can set a password here.</p>
      </section>
    );
  }
  return <PasswordForm me={me} />;
}

function PasswordForm({ me }: { me: User }) {
  const { refreshMe } = useSession();
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [done, setDone] = useState(false);
  const action = useAction();
  const fields = action.errors.fields;

  const submit = async () => {
    setDone(false);
    const body = me.hasPassword ? { currentPassword, newPassword } : { newPassword };
    const result = await action.run(() => api.post('/me/password', body));
    if (!result.ok) return;
    setCurrentPassword('');
    setNewPassword('');
    setDone(true);
    // hasPassword may have turned true: the form now asks for the current password.
    await refreshMe();
  };

  return (
    <section className="card section" aria-labelledby="account-password">
      <h2 id="account-password">Password</h2>
      {!me.hasPassword && <p>You have not set a password yet; you sign in with emailed links.</p>}
      {done && <Notice>Your password is changed. Your other sessions were signed out.</Notice>}
      <form onSubmit={onSubmit(submit)} noValidate>
        <FormAlert errors={action.errors} fields={['currentPassword', 'newPassword']} />
        {me.hasPassword && (
          <TextField
            label="Current password"
            name="currentPassword"
            type="password"
            value={currentPassword}
            onValue={setCurrentPassword}
            error={fields.currentPassword}
            autoComplete="current-password"
            required
          />
        )}
        <TextField
          label="New password"
          name="newPassword"
          type="password"
          value={newPassword}
          onValue={setNewPassword}
          error={fields.newPassword}
          hint="At least 10 characters."
          autoComplete="new-password"
          required
        />
        <SubmitButton pending={action.pending}>
          {me.hasPassword ? 'Change password' : 'Set password'}
        </SubmitButton>
      </form>
    </section>
  );
}

function SignOutEverywhereSection() {
  const navigate = useNavigate();
  const { setMe } = useSession();
  const action = useAction();

  const signOutEverywhere = async () => {
    const result = await action.run(() => api.post('/me/sign-out-everywhere'));
    if (!result.ok) return;
    await navigate('/login', { replace: true });
    setMe(null);
  };

  return (
    <section className="card section" aria-labelledby="account-sessions">
      <h2 id="account-sessions">Sessions</h2>
      <p>Signed in on a device you no longer use? End every session of your account, this one included.</p>
      <FormAlert errors={action.errors} />
      <button
        type="button"
        className="button button-danger"
        onClick={() => void signOutEverywhere()}
        disabled={action.pending}
        aria-busy={action.pending || undefined}
      >
        Sign out everywhere
      </button>
    </section>
  );
}
