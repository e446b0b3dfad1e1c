// Affiliates: every member who resells an offer, with clicks, sales, revenue brought, commission by
// state and their last payout; paying them (Stripe transfer or marked paid by hand); every commission
// with its sale, flagged sales first to review, and CSV exports.
import { useState } from 'react';
import type { Static } from 'typebox';
import type {
  AffiliateSummary as AffiliateSummarySchema,
  Balance as BalanceSchema,
  Commission as CommissionSchema,
  Payout as PayoutSchema,
} from '../../../src/modules/affiliates/affiliates.routes.ts';
import { api, type Page } from '../api.ts';
import { formatDate, formatMoney } from '../format.ts';
import { FormAlert, Notice, TextField, useAction } from '../forms.tsx';
import { usePlatformName } from '../session.tsx';
import {
  ConfirmDialog,
  LoadError,
  Loading,
  Pager,
  TableWrap,
  useCursorPages,
  useLoad,
  useTitle,
} from '../ui.tsx';

// The shapes are the server's response schemas, imported as types only.
type Balance = Static<typeof BalanceSchema>;
type PayoutView = Static<typeof PayoutSchema>;
type AffiliateView = Static<typeof AffiliateSummarySchema>;
type CommissionView = Static<typeof CommissionSchema>;

const COMMISSION_STATES = {
  pending: 'Pending',
  payable: 'Payable',
  paid: 'Paid',
  reversed: 'Reversed',
} as const;
const PAYOUT_STATES = { pending: 'Sending', paid: 'Paid', failed: 'Failed' } as const;

/**
 * A Stripe payout still sending after five minutes was cut off (a crash between Stripe and Guildhall):
 * sending it again is safe, it finds the transfer Stripe made or makes it under the same key.
 */
const isStuck = (payout: { method: string; status: string; createdAt: string }) =>
  payout.method === 'stripe' &&
  payout.status === 'pending' &&
  Date.now() - Date.parse(payout.createdAt) > 5 * 60_000;

const sum = (balances: Balance[], key: keyof Omit<Balance, 'currency'>) =>
  balances.map((b) => formatMoney(b[key], b.currency)).join(' + ') || '—';

export function AdminAffiliatesPage() {
  const platformName = usePlatformName();
  useTitle(`Affiliates · ${platformName}`);
  const [tab, setTab] = useState<'affiliates' | 'commissions' | 'payouts'>('affiliates');
  return (
    <>
      <h1>Affiliates</h1>
      <p className="lead">
        Members who resell your offers for a commission (Customer Resell Rights in an offer). Commissions are
        held for the hold period in Settings before they can be paid.
      </p>
      <div className="tabs" role="tablist" aria-label="Affiliates">
        {(['affiliates', 'commissions', 'payouts'] as const).map((name) => (
          <button
            key={name}
            type="button"
            role="tab"
            aria-selected={tab === name}
            tabIndex={tab === name ? 0 : -1}
            onClick={() => setTab(name)}
          >
            {name === 'affiliates' ? 'Affiliates' : name === 'commissions' ? 'Commissions' : 'Payouts'}
          </button>
        ))}
      </div>
      <div role="tabpanel" className="tab-panel">
        {tab === 'affiliates' ? (
          <AffiliateList />
        ) : tab === 'commissions' ? (
          <CommissionList />
        ) : (
          <PayoutList />
        )}
      </div>
    </>
  );
}

function AffiliateList() {
  const pages = useCursorPages('affiliates');
  const list = useLoad(
    () => api.get<Page<AffiliateView>>('/affiliates', { cursor: pages.cursor }),
    ['affiliates', pages.cursor ?? ''],
    { keepPrevious: true },
  );
  const [paying, setPaying] = useState<{ affiliate: AffiliateView; method: 'stripe' | 'manual' } | null>(
    null,
  );
  const [reference, setReference] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();

  const pay = async () => {
    if (!paying) return;
    const result = await action.run(() =>
      api.post<PayoutView>('/payouts', {
        affiliateId: paying.affiliate.id,
        method: paying.method,
        ...(paying.method === 'manual' && reference.trim() ? { reference: reference.trim() } : {}),
      }),
    );
    setPaying(null);
    setReference('');
    if (!result.ok) return;
    const payout = result.value;
    setDone(
      payout.status === 'paid'
        ? `${formatMoney(payout.amount.amountMinor, payout.amount.currency)} paid to ${paying.affiliate.user.email}.`
        : `The transfer to ${paying.affiliate.user.email} did not go through: ${payout.error ?? 'see Payouts'}. Retry it from Payouts.`,
    );
    list.reload();
  };

  if (list.error) return <LoadError error={list.error} retry={list.reload} />;
  if (!list.data) return <Loading />;
  return (
    <>
      {done && <Notice>{done}</Notice>}
      <FormAlert errors={action.errors} />
      {list.data.data.length === 0 ? (
        <div className="card empty-state">
          <p>
            No affiliates yet. Members who hold an offer with resell rights find their link under Become a
            Partner.
          </p>
        </div>
      ) : (
        <TableWrap label="Affiliates">
          <table>
            <thead>
              <tr>
                <th scope="col">Affiliate</th>
                <th scope="col">Clicks</th>
                <th scope="col">Sales</th>
                <th scope="col">Revenue brought</th>
                <th scope="col">Pending</th>
                <th scope="col">Payable</th>
                <th scope="col">Paid</th>
                <th scope="col">Last payout</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.data.map((affiliate) => {
                const payable = affiliate.balances.some((b) => b.payableMinor > 0);
                return (
                  <tr key={affiliate.id}>
                    <td>
                      {affiliate.user.name || affiliate.user.email}
                      <div className="muted">{affiliate.user.email}</div>
                    </td>
                    <td>{affiliate.clicks}</td>
                    <td>{affiliate.sales}</td>
                    <td>
                      {affiliate.revenue.map((r) => formatMoney(r.amountMinor, r.currency)).join(' + ') ||
                        '—'}
                    </td>
                    <td>{sum(affiliate.balances, 'pendingMinor')}</td>
                    <td>{sum(affiliate.balances, 'payableMinor')}</td>
                    <td>{sum(affiliate.balances, 'paidMinor')}</td>
                    <td>
                      {affiliate.lastPayout
                        ? `${formatMoney(affiliate.lastPayout.amount.amountMinor, affiliate.lastPayout.amount.currency)} · ${
                            affiliate.lastPayout.status === 'paid'
                              ? formatDate(affiliate.lastPayout.paidAt)
                              : affiliate.lastPayout.status
                          }`
                        : '—'}
                    </td>
                    <td>
                      {payable &&
                        (affiliate.payoutsConnected ? (
                          <button
                            type="button"
                            className="button button-nowrap"
                            onClick={() => setPaying({ affiliate, method: 'stripe' })}
                          >
                            Pay now
                          </button>
                        ) : (
                          <button
                            type="button"
                            className="button button-nowrap"
                            onClick={() => setPaying({ affiliate, method: 'manual' })}
                          >
                            Mark paid
                          </button>
                        ))}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableWrap>
      )}
      <Pager page={pages.page} list={list.data} onNext={pages.next} onBack={pages.back} />
      <ConfirmDialog
        open={paying !== null}
        title={paying?.method === 'stripe' ? 'Pay through Stripe?' : 'Mark as paid?'}
        confirmLabel={paying?.method === 'stripe' ? 'Send payout' : 'Mark paid'}
        pending={action.pending}
        onConfirm={() => void pay()}
        onCancel={() => setPaying(null)}
      >
        {paying?.method === 'stripe' ? (
          <p>
            Sends {sum(paying.affiliate.balances, 'payableMinor')} to {paying.affiliate.user.email}'s Stripe
            account by transfer.
          </p>
        ) : (
          <>
            <p>
              Records that you paid {paying ? sum(paying.affiliate.balances, 'payableMinor') : ''} to{' '}
              {paying?.affiliate.user.email} yourself (PayPal, Wise, a bank transfer). They are emailed that
              it was sent.
            </p>
            <TextField
              label="Reference (optional)"
              name="reference"
              value={reference}
              onValue={setReference}
              hint="e.g. the PayPal or Wise transaction id"
              maxLength={200}
            />
          </>
        )}
      </ConfirmDialog>
    </>
  );
}

function CommissionList() {
  const [flagged, setFlagged] = useState(false);
  const pages = useCursorPages(String(flagged));
  const list = useLoad(
    () =>
      api.get<Page<CommissionView>>('/commissions', {
        cursor: pages.cursor,
        ...(flagged ? { flagged: 'true' } : {}),
      }),
    ['commissions', flagged, pages.cursor ?? ''],
    { keepPrevious: true },
  );
  return (
    <>
      <div className="toolbar">
        <label className="offer-toggle">
          <input type="checkbox" checked={flagged} onChange={(e) => setFlagged(e.target.checked)} /> Only
          flagged sales
        </label>
        <a
          className="button"
          href={`/api/v1/commissions/export${flagged ? '?flagged=true' : ''}`}
          download="commissions.csv"
        >
          Export CSV
        </a>
      </div>
      {list.error ? (
        <LoadError error={list.error} retry={list.reload} />
      ) : !list.data ? (
        <Loading />
      ) : list.data.data.length === 0 ? (
        <div className="card empty-state">
          <p>{flagged ? 'No flagged sales.' : 'No commissions yet.'}</p>
        </div>
      ) : (
        <TableWrap label="Commissions">
          <table>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Affiliate</th>
                <th scope="col">Offer</th>
                <th scope="col">Buyer</th>
                <th scope="col">Paid</th>
                <th scope="col">Commission</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {list.data.data.map((row) => (
                <tr key={row.id}>
                  <td>{formatDate(row.createdAt)}</td>
                  <td>{row.affiliate.email}</td>
                  <td>{row.offer.title}</td>
                  <td>
                    {row.buyer}
                    {row.flagged && <div className="field-error">{row.flagged}</div>}
                  </td>
                  <td>{formatMoney(row.paid.amountMinor, row.paid.currency)}</td>
                  <td>
                    {formatMoney(row.worth.amountMinor, row.worth.currency)}{' '}
                    <span className="muted">({row.percent}%)</span>
                  </td>
                  <td>{COMMISSION_STATES[row.state]}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {list.data && <Pager page={pages.page} list={list.data} onNext={pages.next} onBack={pages.back} />}
    </>
  );
}

function PayoutList() {
  const pages = useCursorPages('payouts');
  const list = useLoad(
    () => api.get<Page<PayoutView>>('/payouts', { cursor: pages.cursor }),
    ['payouts', pages.cursor ?? ''],
    { keepPrevious: true },
  );
  const action = useAction();
  const retry = async (id: string) => {
    const result = await action.run(() => api.post(`/payouts/${encodeURIComponent(id)}/retry`));
    if (result.ok) list.reload();
  };
  if (list.error) return <LoadError error={list.error} retry={list.reload} />;
  if (!list.data) return <Loading />;
  return (
    <>
      <FormAlert errors={action.errors} />
      {list.data.data.length === 0 ? (
        <div className="card empty-state">
          <p>No payouts yet.</p>
        </div>
      ) : (
        <TableWrap label="Payouts">
          <table>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Affiliate</th>
                <th scope="col">Amount</th>
                <th scope="col">How</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {list.data.data.map((payout) => (
                <tr key={payout.id}>
                  <td>{formatDate(payout.createdAt)}</td>
                  <td>{payout.affiliate.email}</td>
                  <td>{formatMoney(payout.amount.amountMinor, payout.amount.currency)}</td>
                  <td>
                    {payout.method === 'stripe'
                      ? 'Stripe transfer'
                      : `By hand${payout.reference ? ` · ${payout.reference}` : ''}`}
                  </td>
                  <td>
                    {PAYOUT_STATES[payout.status]}
                    {isStuck(payout) && (
                      <>
                        <div className="muted">
                          Still sending after five minutes: Guildhall may have stopped mid-way.
                        </div>
                        <button
                          type="button"
                          className="button"
                          onClick={() => void retry(payout.id)}
                          disabled={action.pending}
                        >
                          Send again
                        </button>
                      </>
                    )}
                    {payout.status === 'failed' && (
                      <>
                        <div className="field-error">{payout.error}</div>
                        <button
                          type="button"
                          className="button"
                          onClick={() => void retry(payout.id)}
                          disabled={action.pending}
                        >
                          Retry
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <Pager page={pages.page} list={list.data} onNext={pages.next} onBack={pages.back} />
    </>
  );
}
