// A buyer's payments and subscriptions on the user card: refund (in full or part) and cancel (now or
// at the end of the paid period). Access follows through the same transitions Stripe's events make.
import { useState } from 'react';
import type { Static } from 'typebox';
import type { AccessChange as AccessChangeSchema } from '../../../src/modules/access/access.routes.ts';
import { toMinor } from '../../../src/platform/pricing.ts';
import { api, type BillingPurchase, type Payment, type User } from '../api.ts';
import { formatDate, formatMoney } from '../format.ts';
import { FormAlert, Notice, TextField, useAction } from '../forms.tsx';
import { standingOf } from '../pages/billing.tsx';
import { ConfirmDialog, LoadError, Loading, useLoad } from '../ui.tsx';

type AccessChange = Static<typeof AccessChangeSchema>;

const STATE_WORDS: Record<string, string> = {
  active: 'active',
  trialing: 'in trial',
  past_due: 'payment failed',
  canceled: 'canceled',
  ended: 'ended',
  refunded: 'refunded',
  disputed: 'disputed',
  revoked: 'revoked',
};

/** The access ledger's history: every change of the user's entitlements, and what caused it. */
export function AccessHistorySection({ user }: { user: User }) {
  const history = useLoad(
    () => api.get<{ data: AccessChange[] }>(`/users/${encodeURIComponent(user.id)}/access-history`),
    ['user-access-history', user.id],
  );
  if (!history.data || history.data.data.length === 0) return null;
  return (
    <section className="card section" aria-labelledby="user-access-history">
      <h2 id="user-access-history">Access history</h2>
      <ul className="user-payment-list">
        {history.data.data.map((change) => (
          <li key={change.id}>
            {formatDate(change.at)} · {change.offer.title}:{' '}
            {change.from ? `${STATE_WORDS[change.from] ?? change.from} → ` : ''}
            {STATE_WORDS[change.to] ?? change.to}
            {change.accessUntil ? ` (open until ${formatDate(change.accessUntil)})` : ''} · {change.reason}
            {change.stripeObjectId && (
              <>
                {' '}
                · <code>{change.stripeObjectId}</code>
              </>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function PaymentsSection({ user }: { user: User }) {
  const billing = useLoad(
    () => api.get<{ data: BillingPurchase[] }>(`/users/${encodeURIComponent(user.id)}/billing`),
    ['user-billing', user.id],
  );
  return (
    <section className="card section" aria-labelledby="user-payments">
      <h2 id="user-payments">Purchases and payments</h2>
      {billing.error ? (
        <LoadError error={billing.error} retry={billing.reload} />
      ) : !billing.data ? (
        <Loading />
      ) : billing.data.data.length === 0 ? (
        <p className="muted">No purchases.</p>
      ) : (
        billing.data.data.map((purchase) => (
          <PurchaseRow key={purchase.id} purchase={purchase} onChange={billing.reload} />
        ))
      )}
    </section>
  );
}

function PurchaseRow({ purchase, onChange }: { purchase: BillingPurchase; onChange(): void }) {
  const [cancel, setCancel] = useState<'now' | 'period_end' | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();
  const sub = purchase.subscription;
  const subscriptionRuns =
    sub !== null &&
    ['active', 'trialing', 'past_due', 'canceled'].includes(purchase.access.state ?? '') &&
    sub.status !== 'canceled';

  const confirmCancel = async () => {
    if (!cancel) return;
    const result = await action.run(() =>
      api.post(`/purchases/${encodeURIComponent(purchase.id)}/cancel`, { when: cancel }),
    );
    setCancel(null);
    if (!result.ok) return;
    setDone(
      cancel === 'now'
        ? 'The subscription ended now.'
        : 'The subscription ends at the end of its paid period.',
    );
    onChange();
  };

  return (
    <div className="user-purchase">
      <h3 className="user-purchase-title">
        {purchase.offer.title}{' '}
        <span className={`badge ${purchase.access.live ? 'badge-success' : 'badge-muted'}`}>
          {purchase.access.live ? 'Open' : 'Closed'}
        </span>
      </h3>
      <p className="muted">
        Bought {formatDate(purchase.createdAt)} ·{' '}
        {formatMoney(purchase.amount.amountMinor, purchase.amount.currency)}
        {sub ? ` · Stripe: ${sub.status}` : ''}
      </p>
      <p>{standingOf(purchase)}</p>
      {done && <Notice>{done}</Notice>}
      <FormAlert errors={action.errors} />
      {subscriptionRuns && (
        <div className="form-actions">
          {!sub?.cancelAtPeriodEnd && (
            <button type="button" className="button" onClick={() => setCancel('period_end')}>
              Cancel at period end
            </button>
          )}
          <button type="button" className="button button-danger" onClick={() => setCancel('now')}>
            Cancel now
          </button>
        </div>
      )}
      {purchase.payments.length > 0 && (
        <ul className="user-payment-list">
          {purchase.payments.map((payment) => (
            <li key={payment.id}>
              <PaymentLine payment={payment} onChange={onChange} />
            </li>
          ))}
        </ul>
      )}
      <ConfirmDialog
        open={cancel !== null}
        title={cancel === 'now' ? 'End the subscription now?' : 'Cancel at the end of the paid period?'}
        confirmLabel={cancel === 'now' ? 'End now' : 'Cancel at period end'}
        danger={cancel === 'now'}
        pending={action.pending}
        onConfirm={() => void confirmCancel()}
        onCancel={() => setCancel(null)}
      >
        <p>
          {cancel === 'now'
            ? 'Their access to this offer ends at once and they are not charged again. Nothing is refunded by this: refund a payment below if you mean to.'
            : `They are not charged again; their access runs until ${formatDate(sub?.currentPeriodEnd ?? null)}.`}
        </p>
      </ConfirmDialog>
    </div>
  );
}

function PaymentLine({ payment, onChange }: { payment: Payment; onChange(): void }) {
  const [refunding, setRefunding] = useState(false);
  const [amount, setAmount] = useState('');
  const action = useAction();
  const left = payment.amount.amountMinor - payment.refunded.amountMinor;
  const currency = payment.amount.currency;

  const refund = async () => {
    const typed = amount.trim();
    const amountMinor = typed === '' ? null : toMinor(typed, currency);
    const result = await action.run(() =>
      api.post(
        `/payments/${encodeURIComponent(payment.id)}/refund`,
        amountMinor === null && typed === '' ? {} : { amountMinor: amountMinor ?? -1 },
      ),
    );
    if (!result.ok) return;
    setRefunding(false);
    setAmount('');
    onChange();
  };

  return (
    <>
      {formatDate(payment.paidAt)} · {formatMoney(payment.amount.amountMinor, currency)}
      {payment.refunded.amountMinor > 0 &&
        ` · refunded ${formatMoney(payment.refunded.amountMinor, currency)}`}
      {payment.dispute !== 'none' && ` · dispute ${payment.dispute}`}
      {payment.receiptUrl && (
        <>
          {' · '}
          <a href={payment.receiptUrl} target="_blank" rel="noopener noreferrer">
            Receipt
          </a>
        </>
      )}
      {left > 0 && !refunding && (
        <>
          {' · '}
          <button type="button" className="link-button" onClick={() => setRefunding(true)}>
            Refund
          </button>
        </>
      )}
      {refunding && (
        <div className="refund-form">
          <FormAlert errors={action.errors} fields={['amountMinor']} />
          <TextField
            label="Amount to refund"
            name="amountMinor"
            value={amount}
            onValue={setAmount}
            error={action.errors.fields.amountMinor}
            hint={`Empty refunds all that is left: ${formatMoney(left, currency)}. Access follows the offer's refund policy.`}
            inputMode="decimal"
            className="input-short"
          />
          <div className="form-actions">
            <button
              type="button"
              className="button"
              onClick={() => setRefunding(false)}
              disabled={action.pending}
            >
              Keep
            </button>
            <button
              type="button"
              className="button button-danger"
              onClick={() => void refund()}
              disabled={action.pending}
              aria-busy={action.pending || undefined}
            >
              Refund
            </button>
          </div>
        </div>
      )}
    </>
  );
}
