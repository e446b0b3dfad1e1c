// First run: the owner account and the platform's name, guarded by the setup code the server printed.
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, type User } from '../api.ts';
import { FormAlert, onSubmit, SubmitButton, TextField, useAction } from '../forms.tsx';
import { AuthShell } from '../layout.tsx';
import { useSession } from '../session.tsx';
import { LoadError, Loading, useLoad, useTitle } from '../ui.tsx';

const FIELDS = ['platformName', 'name', 'email', 'password', 'code', 'supportEmail'];

export function SetupPage() {
  useTitle('Set up Guildhall');
  const status = useLoad(
    () =>
      api.get<{ needsSetup: boolean; platformName: string }>('/setup/status', undefined, {
        redirectOn401: false,
      }),
    ['setup-status'],
  );
  return (
    <AuthShell>
      {status.loading ? (
        <Loading />
      ) : status.error ? (
        <LoadError error={status.error} retry={status.reload} />
      ) : status.data?.needsSetup ? (
        <SetupForm />
      ) : (
        <>
          <h1>Guildhall is already set up</h1>
          <p>This platform has its owner. Sign in with your account.</p>
          <p>
            <Link to="/login" className="button button-primary">
              Sign in
            </Link>
          </p>
        </>
      )}
    </AuthShell>
  );
}

function SetupForm() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const { setMe, setPlatformName } = useSession();
  const [platformName, setPlatform] = useState('');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [supportEmail, setSupportEmail] = useState('');
  const [code, setCode] = useState(params.get('code') ?? '');
  const action = useAction();
  const fields = action.errors.fields;

  const submit = async () => {
    const result = await action.run(() =>
      api.post<{ user: User }>('/setup', {
        code: code.trim(),
        platformName,
        name,
        email,
        password,
        supportEmail,
      }),
    );
    if (!result.ok) return;
    setMe(result.value.user);
    if (platformName.trim()) setPlatformName(platformName.trim());
    navigate('/admin', { replace: true });
  };

  return (
    <>
      <h1>Set up your platform</h1>
      <p className="lead">Name your platform and create the owner account. You can change all of it later.</p>
      <form onSubmit={onSubmit(submit)} noValidate>
        <FormAlert errors={action.errors} fields={FIELDS} />
        <TextField
          label="Platform name"
          whenEmpty="Give your platform a name"
          name="platformName"
          value={platformName}
          onValue={setPlatform}
          error={fields.platformName}
          hint="Members see this name, e.g. “Strong Together”."
          required
          autoFocus
        />
        <TextField
          label="Your name"
          whenEmpty="Enter your name"
          name="name"
          value={name}
          onValue={setName}
          error={fields.name}
          autoComplete="name"
          required
        />
        <TextField
          label="Email"
          whenEmpty="Enter your email"
          name="email"
          type="email"
          value={email}
          onValue={setEmail}
          error={fields.email}
          autoComplete="email"
          required
        />
        <TextField
          label="Password"
          whenEmpty="Choose a password"
          name="password"
          type="password"
          value={password}
          onValue={setPassword}
          error={fields.password}
          hint="At least 10 characters."
          autoComplete="new-password"
          required
        />
        <TextField
          label="Support email (optional)"
          name="supportEmail"
          type="email"
          value={supportEmail}
          onValue={setSupportEmail}
          error={fields.supportEmail}
          hint="Where members can write to you: shown in their emails and on groups they cannot enter yet. You can add it later in Settings."
          autoComplete="email"
        />
        <TextField
          label="Setup code"
          name="code"
          value={code}
          onValue={setCode}
          error={fields.code}
          hint="The server printed a setup link when it started; the code is in that link (…/setup?code=…)."
          autoComplete="off"
          spellCheck={false}
          required
        />
        <SubmitButton pending={action.pending}>Create platform</SubmitButton>
      </form>
    </>
  );
}
