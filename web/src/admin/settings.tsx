// Settings: the platform's name and support address, outgoing email with a test send, and API keys.
import { useState } from 'react';
import { Link, useOutletContext } from 'react-router';
import { toMajor, toMinor } from '../../../src/platform/pricing.ts';
import { type ApiKey, api, type Page, type Settings, type StripeEvents, type StripeStatus } from '../api.ts';
import { formatDateTime } from '../format.ts';
import {
  FormAlert,
  Notice,
  onSubmit,
  SubmitButton,
  TextAreaField,
  TextField,
  useAction,
  useLeaveGuard,
} from '../forms.tsx';
import { useSession } from '../session.tsx';
import {
  ConfirmDialog,
  LoadError,
  Loading,
  Pager,
  TableWrap,
  Time,
  useCursorPages,
  useLoad,
  useTitle,
} from '../ui.tsx';
import type { AdminContext } from './admin-layout.tsx';
import { StripeAccountSummary, StripeConnectForm } from './stripe-connect.tsx';

export function SettingsPage() {
  const { platform } = useSession();
  useTitle(`Settings · ${platform?.platformName ?? 'Guildhall'}`);
  const settings = useLoad(() => api.get<Settings>('/settings'), ['settings']);
  return (
    <>
      <h1>Settings</h1>
      {settings.error ? (
        <LoadError error={settings.error} retry={settings.reload} />
      ) : !settings.data ? (
        <Loading />
      ) : (
        <SettingsForm settings={settings.data} onSaved={settings.setData} />
      )}
      <StripeSection />
      <TestEmail />
      <ApiKeys />
    </>
  );
}

/** A minute: events waiting longer than this are worth a word (a retry is due within a second). */
const WAITING_NOTED_MS = 60_000;

/**
 * Whether Stripe's events are being applied: Guildhall answers Stripe at once and applies them from an
 * inbox, trying again on its own; what still waits after a minute, or was given up, is said here.
 */
function StripeEventsStatus() {
  const events = useLoad(() => api.get<StripeEvents>('/sales/stripe-events'), ['stripe-events']);
  // A failure to read is said, never taken for "nothing to report": this is what the panel is for.
  if (events.error) return <LoadError error={events.error} retry={events.reload} />;
  if (!events.data) return <Loading label="Checking Stripe's events…" />;
  const { pending, givenUp, oldestPendingAt } = events.data;
  const waitingLong =
    pending > 0 && oldestPendingAt !== null && Date.now() - Date.parse(oldestPendingAt) > WAITING_NOTED_MS;
  if (!waitingLong && givenUp === 0) {
    return (
      <p className="muted">
        {pending > 0
          ? "Stripe's latest events are being applied to your members' access."
          : "Every event Stripe sent has been applied to your members' access."}
      </p>
    );
  }
  return (
    <div className="alert alert-warning" role="status">
      {waitingLong && (
        <p>
          {pending === 1 ? '1 event from Stripe is' : `${pending} events from Stripe are`} waiting to be
          applied, the oldest since {formatDateTime(oldestPendingAt)}. Guildhall keeps trying on its own (an
          event whose payment has not arrived yet waits for it); the server log says why.
        </p>
      )}
      {givenUp > 0 && (
        <p>
          {givenUp === 1 ? '1 event from Stripe was' : `${givenUp} events from Stripe were`} given up after
          three days of tries; the server log names each. Access follows Stripe again at the daily
          reconciliation (or now: <code>npx guildhall stripe reconcile</code>); a renewal's payment or a
          dispute it does not record: send the event again from your Stripe dashboard (Developers → Events →
          Resend), which applies it at once.
        </p>
      )}
    </div>
  );
}

/** Settings → Stripe: where payments go. The owner connects it; admins see it. */
function StripeSection() {
  const { me } = useSession();
  const isOwner = me?.role === 'owner';
  const status = useLoad(() => api.get<StripeStatus>('/settings/stripe'), ['settings-stripe']);
  const [disconnecting, setDisconnecting] = useState(false);
  const [replacing, setReplacing] = useState(false);
  const action = useAction();
  const disconnect = async () => {
    const result = await action.run(() => api.delete('/settings/stripe'));
    setDisconnecting(false);
    if (result.ok) status.setData({ connected: false, account: null });
  };
  return (
    <section className="card section" aria-labelledby="settings-stripe" id="stripe">
      <h2 id="settings-stripe">Stripe</h2>
      <p className="muted">
        Paid offers are sold through your own Stripe account: buyers pay on Stripe's page and the money lands
        there. Guildhall sets up what it needs in your account (a webhook endpoint and the billing portal
        members use to update their card).
      </p>
      {status.error ? (
        <LoadError error={status.error} retry={status.reload} />
      ) : !status.data ? (
        <Loading />
      ) : status.data.connected ? (
        <>
          <StripeAccountSummary status={status.data} />
          <StripeEventsStatus />
          <FormAlert errors={action.errors} />
          {isOwner && (
            <div className="form-actions">
              <button type="button" className="button" onClick={() => setReplacing((open) => !open)}>
                {replacing ? 'Keep this key' : 'Use another key'}
              </button>
              <button type="button" className="button button-danger" onClick={() => setDisconnecting(true)}>
                Disconnect
              </button>
            </div>
          )}
          {isOwner && replacing && (
            <StripeConnectForm
              replacing
              onConnected={(next) => {
                status.setData(next);
                setReplacing(false);
              }}
            />
          )}
          <ConfirmDialog
            open={disconnecting}
            title="Disconnect Stripe?"
            confirmLabel="Disconnect"
            danger
            pending={action.pending}
            onConfirm={() => void disconnect()}
            onCancel={() => setDisconnecting(false)}
          >
            <p>
              Paid offers stop taking payments until Stripe is connected again. Members keep their access;
              their subscriptions keep running in Stripe, but Guildhall stops hearing about them.
            </p>
          </ConfirmDialog>
        </>
      ) : isOwner ? (
        <StripeConnectForm onConnected={status.setData} />
      ) : (
        <p>Stripe is not connected. Only the owner can connect it.</p>
      )}
    </section>
  );
}

interface Draft {
  platformName: string;
  supportEmail: string;
  termsUrl: string;
  privacyUrl: string;
  defaultCurrency: string;
  smtpUrl: string;
  mailFrom: string;
  pastDueGraceDays: string;
  affiliateCookieDays: string;
  commissionHoldDays: string;
  payoutMinimum: string;
  welcomePrompt: string;
}

function draftOf(settings: Settings): Draft {
  return {
    platformName: settings.platformName,
    supportEmail: settings.supportEmail ?? '',
    termsUrl: settings.termsUrl ?? '',
    privacyUrl: settings.privacyUrl ?? '',
    defaultCurrency: settings.defaultCurrency,
    smtpUrl: settings.smtpUrl ?? '',
    mailFrom: settings.mailFrom ?? '',
    pastDueGraceDays: String(settings.pastDueGraceDays),
    affiliateCookieDays: String(settings.affiliateCookieDays),
    commissionHoldDays: String(settings.commissionHoldDays),
    payoutMinimum: String(toMajor(settings.payoutMinimumMinor, settings.defaultCurrency)),
    welcomePrompt: settings.welcomePrompt ?? '',
  };
}

/** A whole number typed in a field; a value the server will refuse is sent as typed, so it says why. */
function wholeNumber(value: string): number {
  const number = Number(value.trim());
  return Number.isFinite(number) ? number : (value as unknown as number);
}

/** Only what changed goes to the server; an emptied optional field becomes null. */
function changesOf(saved: Settings, draft: Draft): Partial<Settings> {
  const before = draftOf(saved);
  const patch: Partial<Settings> = {};
  if (draft.platformName !== before.platformName) patch.platformName = draft.platformName.trim();
  if (draft.defaultCurrency.trim().toLowerCase() !== before.defaultCurrency)
    patch.defaultCurrency = draft.defaultCurrency.trim().toLowerCase();
  if (draft.supportEmail !== before.supportEmail) patch.supportEmail = draft.supportEmail.trim() || null;
  if (draft.termsUrl !== before.termsUrl) patch.termsUrl = draft.termsUrl.trim() || null;
  if (draft.welcomePrompt !== before.welcomePrompt) patch.welcomePrompt = draft.welcomePrompt.trim() || null;
  if (draft.privacyUrl !== before.privacyUrl) patch.privacyUrl = draft.privacyUrl.trim() || null;
  if (draft.smtpUrl !== before.smtpUrl) patch.smtpUrl = draft.smtpUrl.trim() || null;
  if (draft.mailFrom !== before.mailFrom) patch.mailFrom = draft.mailFrom.trim() || null;
  if (draft.pastDueGraceDays !== before.pastDueGraceDays)
    patch.pastDueGraceDays = wholeNumber(draft.pastDueGraceDays);
  if (draft.affiliateCookieDays !== before.affiliateCookieDays)
    patch.affiliateCookieDays = wholeNumber(draft.affiliateCookieDays);
  if (draft.commissionHoldDays !== before.commissionHoldDays)
    patch.commissionHoldDays = wholeNumber(draft.commissionHoldDays);
  if (draft.payoutMinimum !== before.payoutMinimum) {
    patch.payoutMinimumMinor =
      toMinor(draft.payoutMinimum, saved.defaultCurrency) ?? (draft.payoutMinimum as unknown as number);
  }
  return patch;
}

const SETTINGS_FIELDS = [
  'platformName',
  'supportEmail',
  'termsUrl',
  'privacyUrl',
  'defaultCurrency',
  'smtpUrl',
  'mailFrom',
  'currentPassword',
  'pastDueGraceDays',
  'affiliateCookieDays',
  'commissionHoldDays',
  'payoutMinimumMinor',
  'welcomePrompt',
];

function SettingsForm({ settings, onSaved }: { settings: Settings; onSaved(settings: Settings): void }) {
  const { setPlatformName, me } = useSession();
  const isOwner = me?.role === 'owner';
  const [draft, setDraft] = useState<Draft>(() => draftOf(settings));
  const [currentPassword, setCurrentPassword] = useState('');
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const fields = action.errors.fields;
  const set = (key: keyof Draft) => (value: string) => {
    setDraft((current) => ({ ...current, [key]: value }));
    setSaved(false);
  };

  const before = draftOf(settings);
  const mailChanged = draft.smtpUrl !== before.smtpUrl || draft.mailFrom !== before.mailFrom;
  // Unsaved means a Save would change something (typing "USD" over "usd" does not).
  const leaveGuard = useLeaveGuard(Object.keys(changesOf(settings, draft)).length > 0);

  const submit = async () => {
    setSaved(false);
    const patch = changesOf(settings, draft);
    if (Object.keys(patch).length === 0) {
      setSaved(true);
      return;
    }
    const body = mailChanged ? { ...patch, currentPassword } : patch;
    const result = await action.run(() => api.patch<Settings>('/settings', body));
    if (!result.ok) return;
    onSaved(result.value);
    setDraft(draftOf(result.value));
    setCurrentPassword('');
    setPlatformName(result.value.platformName);
    setSaved(true);
  };

  return (
    <form onSubmit={onSubmit(submit)} noValidate className="settings-form">
      <FormAlert errors={action.errors} fields={SETTINGS_FIELDS} />
      {saved && <Notice>Settings saved.</Notice>}
      <section className="card section" aria-labelledby="settings-general">
        <h2 id="settings-general">Platform</h2>
        <TextField
          label="Platform name"
          whenEmpty="Give your platform a name"
          name="platformName"
          value={draft.platformName}
          onValue={set('platformName')}
          error={fields.platformName}
          required
        />
        <TextField
          label="Support email"
          name="supportEmail"
          type="email"
          value={draft.supportEmail}
          onValue={set('supportEmail')}
          error={fields.supportEmail}
          hint="Where members write for help. Shown in emails and on your pages."
        />
        <TextAreaField
          label="Welcome prompt"
          name="welcomePrompt"
          value={draft.welcomePrompt}
          onValue={set('welcomePrompt')}
          error={fields.welcomePrompt}
          rows={2}
          maxLength={300}
          hint="Shown in a group to members who have not posted there yet, with a button to write. Leave empty to turn it off."
        />
        <TextField
          label="Terms of service link"
          name="termsUrl"
          type="url"
          value={draft.termsUrl}
          onValue={set('termsUrl')}
          error={fields.termsUrl}
          hint="Linked at the foot of your offer and checkout pages. Leave empty for none."
        />
        <TextField
          label="Privacy policy link"
          name="privacyUrl"
          type="url"
          value={draft.privacyUrl}
          onValue={set('privacyUrl')}
          error={fields.privacyUrl}
          hint="Linked beside the terms."
        />
        <TextField
          label="Default currency"
          name="defaultCurrency"
          value={draft.defaultCurrency}
          onValue={set('defaultCurrency')}
          error={fields.defaultCurrency}
          hint="A three-letter code, e.g. usd, eur, gbp."
          maxLength={3}
          autoComplete="off"
          spellCheck={false}
          className="input-short"
        />
        <TextField
          label="Grace period after a failed payment (days)"
          name="pastDueGraceDays"
          type="number"
          inputMode="numeric"
          min={0}
          max={60}
          value={draft.pastDueGraceDays}
          onValue={set('pastDueGraceDays')}
          error={fields.pastDueGraceDays}
          hint="A subscriber whose renewal fails keeps access this long while Stripe retries the card; then their groups lock until a payment succeeds."
          className="input-short"
        />
      </section>
      <section className="card section" aria-labelledby="settings-affiliates">
        <h2 id="settings-affiliates">Affiliates</h2>
        <TextField
          label="Referral link remembered for (days)"
          name="affiliateCookieDays"
          type="number"
          inputMode="numeric"
          min={1}
          max={365}
          value={draft.affiliateCookieDays}
          onValue={set('affiliateCookieDays')}
          error={fields.affiliateCookieDays}
          hint="A sale within this many days of a click on an affiliate's link is theirs; the last click wins."
          className="input-short"
        />
        <TextField
          label="Commission hold (days)"
          name="commissionHoldDays"
          type="number"
          inputMode="numeric"
          min={0}
          max={365}
          value={draft.commissionHoldDays}
          onValue={set('commissionHoldDays')}
          error={fields.commissionHoldDays}
          hint="A commission becomes payable after this long (never before an offer's free trial ends), so refunds can come first."
          className="input-short"
        />
        <TextField
          label={`Smallest payout (${draft.defaultCurrency.toUpperCase()})`}
          name="payoutMinimum"
          inputMode="decimal"
          value={draft.payoutMinimum}
          onValue={set('payoutMinimum')}
          error={fields.payoutMinimumMinor}
          hint="Affiliates with a connected Stripe account are paid automatically once their payable balance reaches this."
          className="input-short"
        />
      </section>
      <section className="card section" aria-labelledby="settings-email">
        <h2 id="settings-email">Outgoing email</h2>
        <p className="muted">
          Without SMTP, emails are not sent: each one is kept in <Link to="/admin/emails">Emails</Link>, where
          its links still work.
        </p>
        {!isOwner && (
          <p className="muted">
            Only the owner can change outgoing email: whoever runs the mail server can read every sign-in link
            the platform sends.
          </p>
        )}
        <TextField
          label="SMTP URL"
          name="smtpUrl"
          value={draft.smtpUrl}
          onValue={set('smtpUrl')}
          error={fields.smtpUrl}
          hint={
            <>
              e.g. <code>smtp://user:pass@host:587</code>. The password shows as <code>****</code>: left so,
              it is kept for the same server, port and user; type it again for another. Empty: no SMTP.
            </>
          }
          autoComplete="off"
          spellCheck={false}
          readOnly={!isOwner}
        />
        <TextField
          label="Sender (From)"
          name="mailFrom"
          value={draft.mailFrom}
          onValue={set('mailFrom')}
          error={fields.mailFrom}
          hint={
            <>
              e.g. <code>Strong Together &lt;hello@example.com&gt;</code>
            </>
          }
          autoComplete="off"
          readOnly={!isOwner}
        />
        {isOwner && mailChanged && (
          <TextField
            label="Your password"
            name="currentPassword"
            type="password"
            value={currentPassword}
            onValue={setCurrentPassword}
            error={fields.currentPassword}
            hint="Changing outgoing email asks for your password. You will get an email about the change."
            autoComplete="current-password"
            required
          />
        )}
      </section>
      <div className="form-actions">
        <SubmitButton pending={action.pending}>Save settings</SubmitButton>
      </div>
      {leaveGuard.dialog}
    </form>
  );
}

function TestEmail() {
  const { me } = useOutletContext<AdminContext>();
  const [to, setTo] = useState(me.email);
  const [emailId, setEmailId] = useState<string | null>(null);
  const action = useAction();

  const submit = async () => {
    setEmailId(null);
    const result = await action.run(() => api.post<{ emailId: string }>('/settings/test-email', { to }));
    if (result.ok) setEmailId(result.value.emailId);
  };

  return (
    <section className="card section" aria-labelledby="settings-test-email">
      <h2 id="settings-test-email">Send a test email</h2>
      <p className="muted">Uses the saved settings above; save first if you changed them.</p>
      {emailId && (
        <Notice>
          Sent to the queue; see Emails for the result.{' '}
          <Link to={`/admin/emails/${encodeURIComponent(emailId)}`}>Open this email</Link>
        </Notice>
      )}
      <form onSubmit={onSubmit(submit)} noValidate className="form-inline">
        <FormAlert errors={action.errors} fields={['to']} />
        <TextField
          label="Send to"
          name="to"
          type="email"
          value={to}
          onValue={setTo}
          error={action.errors.fields.to}
          autoComplete="email"
        />
        <SubmitButton pending={action.pending} className="button">
          Send test email
        </SubmitButton>
      </form>
    </section>
  );
}

function ApiKeys() {
  const pages = useCursorPages('api-keys');
  const keys = useLoad(
    () => api.get<Page<ApiKey>>('/api-keys', { cursor: pages.cursor }),
    ['api-keys', pages.cursor ?? ''],
    { keepPrevious: true },
  );
  const [name, setName] = useState('');
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [revokedName, setRevokedName] = useState<string | null>(null);
  const create = useAction();
  const revoke = useAction();

  const submit = async () => {
    setCreated(null);
    setRevokedName(null);
    const result = await create.run(() => api.post<{ apiKey: ApiKey; key: string }>('/api-keys', { name }));
    if (!result.ok) return;
    setCreated({ name: result.value.apiKey.name, key: result.value.key });
    setName('');
    pages.first();
    keys.reload();
  };

  const confirmRevoke = async () => {
    if (!revoking) return;
    const target = revoking;
    const result = await revoke.run(() => api.delete(`/api-keys/${encodeURIComponent(target.id)}`));
    setRevoking(null);
    if (!result.ok) return;
    setRevokedName(target.name);
    keys.reload();
  };

  return (
    <section className="card section" aria-labelledby="settings-api-keys">
      <h2 id="settings-api-keys">API keys</h2>
      <p className="muted">
        Outside tools use a key as <code>Authorization: Bearer &lt;key&gt;</code>; it acts as you. See the{' '}
        <a href="/api/docs">API documentation</a>.
      </p>
      {created && <NewKey created={created} onDone={() => setCreated(null)} />}
      {revokedName && <Notice>The key “{revokedName}” is revoked.</Notice>}
      <FormAlert errors={revoke.errors} />

      {keys.error ? (
        <LoadError error={keys.error} retry={keys.reload} />
      ) : !keys.data ? (
        <Loading />
      ) : keys.data.data.length === 0 ? (
        <p>No API keys yet.</p>
      ) : (
        <TableWrap label="API keys">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Prefix</th>
                <th scope="col">Acts as</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.data.data.map((key) => (
                <tr key={key.id}>
                  <td>{key.name}</td>
                  <td>
                    <code>{key.prefix}…</code>
                  </td>
                  <td>{key.user.email}</td>
                  <td>
                    <Time iso={key.createdAt} />
                  </td>
                  <td>
                    {key.lastUsedAt ? (
                      <Time iso={key.lastUsedAt} withTime />
                    ) : (
                      <span className="muted">Never</span>
                    )}
                  </td>
                  <td>
                    <button
                      type="button"
                      className="button button-small button-danger-quiet"
                      onClick={() => setRevoking(key)}
                      aria-label={`Revoke ${key.name}`}
                    >
                      Revoke
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <Pager page={pages.page} list={keys.data} onNext={pages.next} onBack={pages.back} />

      <h3>Create an API key</h3>
      <form onSubmit={onSubmit(submit)} noValidate className="form-inline">
        <FormAlert errors={create.errors} fields={['name']} />
        <TextField
          label="Key name"
          name="name"
          value={name}
          onValue={setName}
          error={create.errors.fields.name}
          hint="What uses it, e.g. “Zapier”."
          autoComplete="off"
        />
        <SubmitButton pending={create.pending} className="button">
          Create API key
        </SubmitButton>
      </form>

      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke “${revoking?.name ?? ''}”?`}
        confirmLabel="Revoke key"
        danger
        pending={revoke.pending}
        onCancel={() => setRevoking(null)}
        onConfirm={() => void confirmRevoke()}
      >
        <p>Anything using this key stops working at once. This cannot be undone.</p>
      </ConfirmDialog>
    </section>
  );
}

function NewKey({ created, onDone }: { created: { name: string; key: string }; onDone(): void }) {
  const [copied, setCopied] = useState<boolean | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.key);
      setCopied(true);
    } catch {
      // No clipboard access (plain http, or refused): the key stays selectable in the field.
      setCopied(false);
    }
  };
  return (
    <div className="alert alert-warning new-key" role="status">
      <p>
        <strong>Your new key “{created.name}”.</strong> Store it now; it will not be shown again.
      </p>
      <div className="copy-row">
        <label htmlFor="new-api-key" className="visually-hidden">
          New API key
        </label>
        <input
          id="new-api-key"
          className="mono"
          readOnly
          value={created.key}
          onFocus={(event) => event.currentTarget.select()}
        />
        <button type="button" className="button" onClick={() => void copy()}>
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      {copied === false && <p>Copying is not allowed here; select the key and copy it yourself.</p>}
      <button type="button" className="link-button" onClick={onDone}>
        I have stored it
      </button>
    </div>
  );
}
