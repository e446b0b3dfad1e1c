// Billing in /hub: a member's purchases with their receipts, the next renewal, cancel at period end
// and resume, and "Update payment method" through Stripe's billing portal.
import { useState } from 'react';
import { api, type BillingPurchase } from '../api.ts';
import { formatDate, formatMoney } from '../format.ts';
import { FormAlert, Notice, useAction } from '../forms.tsx';
import { usePlatformName } from '../session.tsx';
import { ConfirmDialog, LoadError, Loading, useLoad, useTitle } from '../ui.tsx';

export function BillingPage() {
  const platformName = usePlatformName();
  useTitle(`Billing · ${platformName}`);
  const billing = useLoad(() => api.get<{ data: BillingPurchase[] }>('/hub/billing'), ['hub-billing']);
  const portal = useAction();
  const hasSubscription = billing.data?.data.some((purchase) => purchase.subscription !== null) ?? false;

  const openPortal = async () => {
    const result = await portal.run(() => api.post<{ url: string }>('/hub/billing/portal'));
    if (result.ok) window.location.assign(result.value.url);
  };

  return (
    <>
      <div className="page-head">
        <h1>Billing</h1>
        {hasSubscription && (
          <button
            type="button"
            className="button"
            onClick={() => void openPortal()}
            disabled={portal.pending}
            aria-busy={portal.pending || undefined}
          >
            Update payment method
          </button>
        )}
      </div>
      <FormAlert errors={portal.errors} />
      {billing.error ? (
        <LoadError error={billing.error} retry={billing.reload} />
      ) : !billing.data ? (
        <Loading />
      ) : billing.data.data.length === 0 ? (
        <div className="card empty-state">
          <p>No purchases yet.</p>
        </div>
      ) : (
        <ul className="billing-list">
          {billing.data.data.map((purchase) => (
            <li key={purchase.id}>
              <PurchaseCard purchase={purchase} onChange={billing.reload} />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** "9.00 every month", "50.00 once", "Free". */
function priceOf(purchase: BillingPurchase): string {
  const amount = formatMoney(purchase.amount.amountMinor, purchase.amount.currency);
  if (purchase.amount.amountMinor === 0) return 'Free';
  const sub = purchase.subscription;
  if (!sub?.interval) return `${amount}, paid once`;
  const count = sub.intervalCount ?? 1;
  return `${amount} every ${count === 1 ? sub.interval : `${count} ${sub.interval}s`}`;
}

/** Where a purchase stands, in words. */
export function standingOf(purchase: BillingPurchase): string {
  if (purchase.status === 'awaiting_confirmation')
    return 'Waiting for you to confirm it from the email we sent.';
  const { access, subscription } = purchase;
  const until = formatDate(access.until);
  if (access.state === 'refunded') return 'Refunded: it no longer opens its groups.';
  if (access.state === 'disputed')
    return 'The payment is disputed: its groups are closed until that is settled.';
  if (access.state === 'revoked') return 'Ended by the creator.';
  if (subscription) {
    if (access.state === 'canceled' && access.live) return `Canceled: your access runs until ${until}.`;
    if (access.state === 'past_due')
      return access.live
        ? `Your last payment failed. Update your payment method: access stays open until ${until}.`
        : 'Your last payment failed and your access is paused. Update your payment method to come back.';
    if (access.state === 'trialing')
      return `Free trial until ${formatDate(subscription.currentPeriodEnd)}, then it renews.`;
    if (access.state === 'active') return `Renews on ${formatDate(subscription.currentPeriodEnd)}.`;
    return 'Ended.';
  }
  return access.live ? 'Yours for good.' : 'Ended.';
}

function PurchaseCard({ purchase, onChange }: { purchase: BillingPurchase; onChange(): void }) {
  const [confirming, setConfirming] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();
  const sub = purchase.subscription;
  const canCancel = sub !== null && purchase.access.state !== 'canceled' && purchase.access.live;
  const canResume = sub !== null && sub.cancelAtPeriodEnd && purchase.access.state === 'canceled';

  const change = async (what: 'cancel' | 'resume') => {
    const result = await action.run(() =>
      api.post(`/hub/billing/${encodeURIComponent(purchase.id)}/${what}`),
    );
    setConfirming(false);
    if (!result.ok) return;
    setDone(
      what === 'cancel'
        ? 'Canceled. Your access runs until the end of the paid period.'
        : 'Your subscription goes on.',
    );
    onChange();
  };

  return (
    <section className="card section billing-card" aria-label={purchase.offer.title}>
      <div className="billing-head">
        <h2 className="billing-title">{purchase.offer.title}</h2>
        <span className={`badge ${purchase.access.live ? 'badge-success' : 'badge-muted'}`}>
          {purchase.access.live ? 'Open' : 'Closed'}
        </span>
      </div>
      <p className="muted">{priceOf(purchase)}</p>
      <p>{standingOf(purchase)}</p>
      {done && <Notice>{done}</Notice>}
      <FormAlert errors={action.errors} />
      {(canCancel || canResume) && (
        <div className="form-actions">
          {canCancel && (
            <button
              type="button"
              className="button"
              onClick={() => setConfirming(true)}
              disabled={action.pending}
            >
              Cancel subscription
            </button>
          )}
          {canResume && (
            <button
              type="button"
              className="button button-primary"
              onClick={() => void change('resume')}
              disabled={action.pending}
              aria-busy={action.pending || undefined}
            >
              Keep my subscription
            </button>
          )}
        </div>
      )}
      {purchase.payments.length > 0 && (
        <table className="billing-payments">
          <caption className="visually-hidden">Payments for {purchase.offer.title}</caption>
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Amount</th>
              <th scope="col">Receipt</th>
            </tr>
          </thead>
          <tbody>
            {purchase.payments.map((payment) => (
              <tr key={payment.id}>
                <td>{formatDate(payment.paidAt)}</td>
                <td>
                  {formatMoney(payment.amount.amountMinor, payment.amount.currency)}
                  {payment.refunded.amountMinor > 0 && (
                    <span className="muted">
                      {' '}
                      (refunded {formatMoney(payment.refunded.amountMinor, payment.refunded.currency)})
                    </span>
                  )}
                </td>
                <td>
                  {payment.receiptUrl ? (
                    <a href={payment.receiptUrl} target="_blank" rel="noopener noreferrer">
                      Receipt
                    </a>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ConfirmDialog
        open={confirming}
        title={`Cancel ${purchase.offer.title}?`}
        confirmLabel="Cancel subscription"
        danger
        pending={action.pending}
        onConfirm={() => void change('cancel')}
        onCancel={() => setConfirming(false)}
      >
        <p>
          You are not charged again. Your access stays open until {formatDate(sub?.currentPeriodEnd ?? null)},
          and you can change your mind until then.
        </p>
      </ConfirmDialog>
    </section>
  );
}
