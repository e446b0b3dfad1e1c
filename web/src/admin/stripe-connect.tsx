// Connecting Stripe: the owner pastes a secret or restricted key; Guildhall verifies it and sets up the
// account (its webhook endpoint, its billing portal). Used in Settings and in place in the offer editor.
import { useState } from 'react';
import { api, type StripeStatus } from '../api.ts';
import { FormAlert, onSubmit, SubmitButton, TextField, useAction } from '../forms.tsx';

export function StripeConnectForm({
  onConnected,
  replacing = false,
  nested = false,
}: {
  onConnected(status: StripeStatus): void;
  replacing?: boolean;
  /**
   * Inside another form (the offer editor): a group with a plain button, never a nested <form>, whose
   * submit the browser would hand to the outer form as a GET carrying the key in the address.
   */
  nested?: boolean;
}) {
  const [secretKey, setSecretKey] = useState('');
  const action = useAction();
  const submit = async () => {
    const result = await action.run(() => api.put<StripeStatus>('/settings/stripe', { secretKey }));
    if (!result.ok) return;
    setSecretKey('');
    onConnected(result.value);
  };
  const fields = (
    <>
      <FormAlert errors={action.errors} fields={['secretKey']} />
      <TextField
        label="Stripe secret key"
        name="secretKey"
        type="password"
        value={secretKey}
        onValue={setSecretKey}
        error={action.errors.fields.secretKey}
        hint={
          <>
            In your Stripe dashboard: Developers → API keys. A test key (<code>sk_test_…</code>) takes test
            payments only; a live key (<code>sk_live_…</code>) takes real money. A restricted key (
            <code>rk_…</code>) works when it may write checkout, customers, products, prices, subscriptions,
            refunds, webhook endpoints and the billing portal.
          </>
        }
        autoComplete="off"
        spellCheck={false}
        required
        onKeyDown={(event) => {
          // Enter connects here, not the form around it.
          if (nested && event.key === 'Enter') {
            event.preventDefault();
            void submit();
          }
        }}
      />
    </>
  );
  const label = replacing ? 'Replace key' : 'Connect Stripe';
  if (nested) {
    return (
      <fieldset className="stripe-connect">
        <legend className="visually-hidden">Connect Stripe</legend>
        {fields}
        <button
          type="button"
          className="button button-primary"
          onClick={() => void submit()}
          disabled={action.pending}
          aria-busy={action.pending || undefined}
        >
          {label}
        </button>
      </fieldset>
    );
  }
  return (
    <form onSubmit={onSubmit(submit)} noValidate className="stripe-connect">
      {fields}
      <SubmitButton pending={action.pending}>{label}</SubmitButton>
    </form>
  );
}

/** What Stripe says of the connected account, and what it still needs. */
export function StripeAccountSummary({ status }: { status: StripeStatus }) {
  const account = status.account;
  if (!account) return null;
  return (
    <div className="stripe-account">
      <p>
        Payments go to <strong>{account.displayName ?? account.id}</strong> (<code>{account.id}</code>),{' '}
        {account.livemode ? (
          <span className="badge badge-success">Live</span>
        ) : (
          <span className="badge badge-info">Test mode</span>
        )}{' '}
        key ending in <code>{account.keyLast4}</code>.
      </p>
      <ul className="stripe-capabilities">
        <li>{account.chargesEnabled ? '✓ Can take payments' : '✗ Cannot take payments yet'}</li>
        <li>{account.payoutsEnabled ? '✓ Pays out to your bank' : '✗ Payouts are not on yet'}</li>
      </ul>
      {account.requirements.length > 0 && (
        <div className="alert alert-warning" role="status">
          <p>Stripe still needs:</p>
          <ul>
            {account.requirements.map((item) => (
              <li key={item}>{item}</li>
            ))}
          </ul>
          <p>
            <a href={`${account.dashboardUrl}/account/onboarding`} target="_blank" rel="noopener noreferrer">
              Finish in your Stripe dashboard
            </a>
            ; this page follows what Stripe says.
          </p>
        </div>
      )}
    </div>
  );
}
