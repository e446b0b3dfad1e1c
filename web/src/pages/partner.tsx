// Become a Partner in /hub: the programs open to the member (paid offers with resell rights they
// hold), each with their link, a copy button and a QR code; their clicks, sales and commissions by
// state; a chart of the last 90 days; and how they get paid.
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import type { Static } from 'typebox';
import type { PartnerView as PartnerViewSchema } from '../../../src/modules/affiliates/affiliates.routes.ts';
import { api, isApiError } from '../api.ts';
import { formatDate, formatMoney } from '../format.ts';
import { FormAlert, useAction } from '../forms.tsx';
import { useQrCode } from '../qr.ts';
import { usePlatformName } from '../session.tsx';
import { LoadError, Loading, useLoad, useTitle } from '../ui.tsx';

// The shape is the server's response schema, imported as a type only.
type PartnerView = Static<typeof PartnerViewSchema>;

const STATE_LABELS = { pending: 'Pending', payable: 'Payable', paid: 'Paid', reversed: 'Reversed' } as const;

function termsOf(program: PartnerView['programs'][number]): string {
  const percent = `${program.commissionPercent}%`;
  if (program.pricingModel === 'one_time') return `${percent} of each sale`;
  if (program.recurring === 'first') return `${percent} of the first payment`;
  if (program.recurring === 'months')
    return `${percent} of every payment in the first ${program.months} months`;
  return `${percent} of every payment, renewals included`;
}

export function PartnerPage() {
  const platformName = usePlatformName();
  useTitle(`Become a Partner · ${platformName}`);
  const [params, setParams] = useSearchParams();
  const view = useLoad(() => api.get<PartnerView>('/hub/partner'), ['hub-partner']);
  const back = params.get('payouts');

  // Back from Stripe's onboarding: read the account's state again, then show it.
  useEffect(() => {
    if (!back) return;
    void api.post('/hub/partner/payouts/refresh').finally(() => {
      setParams({}, { replace: true });
      view.reload();
    });
  }, [back, setParams, view.reload]);

  if (view.error) {
    if (isApiError(view.error) && view.error.status === 403) {
      return (
        <>
          <h1>Become a Partner</h1>
          <p>Resell rights are for members: staff are never affiliates.</p>
        </>
      );
    }
    return <LoadError error={view.error} retry={view.reload} />;
  }
  if (!view.data) return <Loading />;
  const data = view.data;
  return (
    <>
      <h1>Become a Partner</h1>
      {data.programs.length === 0 ? (
        <div className="card empty-state">
          <p>
            When you hold a membership whose creator lets buyers resell it, it shows here with your own link:
            everyone who buys through it earns you a commission.
          </p>
        </div>
      ) : (
        <ul className="billing-list">
          {data.programs.map((program) => (
            <li key={program.offer.id}>
              <Program program={program} />
            </li>
          ))}
        </ul>
      )}
      <Totals data={data} />
      <Chart chart={data.chart} />
      <Commissions data={data} />
      <GettingPaid data={data} />
    </>
  );
}

function Program({ program }: { program: PartnerView['programs'][number] }) {
  const [copied, setCopied] = useState(false);
  const qr = useQrCode(program.link);
  const copy = async () => {
    await navigator.clipboard.writeText(program.link);
    setCopied(true);
  };
  return (
    <section className="card section partner-program" aria-label={program.offer.title}>
      <div className="partner-program-text">
        <h2 className="billing-title">{program.offer.title}</h2>
        <p>
          <strong>{termsOf(program)}</strong> bought through your link.
        </p>
        {program.description && <p className="muted">{program.description}</p>}
        <label className="field-label" htmlFor={`link-${program.offer.id}`}>
          Your link
        </label>
        <div className="partner-link">
          <input
            id={`link-${program.offer.id}`}
            readOnly
            value={program.link}
            onFocus={(e) => e.currentTarget.select()}
          />
          <button type="button" className="button" onClick={() => void copy()}>
            {copied ? 'Copied' : 'Copy'}
          </button>
        </div>
        <p className="muted">
          {program.clicks} {program.clicks === 1 ? 'click' : 'clicks'} · {program.sales}{' '}
          {program.sales === 1 ? 'sale' : 'sales'}
          {program.commissions.map((c) => (
            <span key={c.currency}>
              {' '}
              · {formatMoney(c.pendingMinor, c.currency)} pending · {formatMoney(c.payableMinor, c.currency)}{' '}
              payable · {formatMoney(c.paidMinor, c.currency)} paid
              {c.reversedMinor > 0 && ` · ${formatMoney(c.reversedMinor, c.currency)} reversed`}
            </span>
          ))}
        </p>
      </div>
      {qr && (
        <img
          className="partner-qr"
          src={qr}
          alt={`QR code for your link to ${program.offer.title}`}
          width={160}
          height={160}
        />
      )}
    </section>
  );
}

function Totals({ data }: { data: PartnerView }) {
  if (data.balances.length === 0) return null;
  return (
    <section className="card section" aria-labelledby="partner-totals">
      <h2 id="partner-totals">Your commissions</h2>
      {data.balances.map((balance) => (
        <dl className="details partner-totals" key={balance.currency}>
          <dt>Pending (held while refunds can happen)</dt>
          <dd>{formatMoney(balance.pendingMinor, balance.currency)}</dd>
          <dt>Payable</dt>
          <dd>{formatMoney(Math.max(0, balance.payableMinor), balance.currency)}</dd>
          {balance.payableMinor < 0 && (
            <>
              <dt>To be absorbed</dt>
              <dd>
                {formatMoney(-balance.payableMinor, balance.currency)} (a refund after a payout; later
                commissions cover it)
              </dd>
            </>
          )}
          <dt>Paid</dt>
          <dd>{formatMoney(balance.paidMinor, balance.currency)}</dd>
          <dt>Reversed</dt>
          <dd>{formatMoney(balance.reversedMinor, balance.currency)}</dd>
        </dl>
      ))}
    </section>
  );
}

/** The last 90 days: a bar per day of what was earned (a screen reader gets the sums). */
function Chart({ chart }: { chart: PartnerView['chart'] }) {
  const max = Math.max(1, ...chart.map((day) => day.earnedMinor));
  const clicks = chart.reduce((sum, day) => sum + day.clicks, 0);
  const sales = chart.reduce((sum, day) => sum + day.sales, 0);
  return (
    <section className="card section" aria-labelledby="partner-chart">
      <h2 id="partner-chart">Last 90 days</h2>
      <p className="muted">
        {clicks} {clicks === 1 ? 'click' : 'clicks'} · {sales} {sales === 1 ? 'sale' : 'sales'}
      </p>
      <svg
        className="partner-chart"
        viewBox="0 0 360 80"
        role="img"
        aria-label={`Commissions earned per day: ${sales} sales in 90 days`}
      >
        {chart.map((day, index) => {
          const height = Math.round((day.earnedMinor / max) * 76);
          return <rect key={day.day} x={index * 4} y={80 - height} width={3} height={height} />;
        })}
      </svg>
    </section>
  );
}

function Commissions({ data }: { data: PartnerView }) {
  if (data.commissions.length === 0) return null;
  return (
    <section className="card section" aria-labelledby="partner-sales">
      <h2 id="partner-sales">Sales through your links</h2>
      {/* A list, not a table: it reads on a phone without scrolling sideways. */}
      <ul className="partner-sales">
        {data.commissions.map((row) => (
          <li key={row.id}>
            <div>
              <div>{row.offer.title}</div>
              <div className="muted">
                {formatDate(row.createdAt)} · {row.buyer} paid{' '}
                {formatMoney(row.paid.amountMinor, row.paid.currency)}
              </div>
            </div>
            <div className="partner-sale-amount">
              <strong>{formatMoney(row.worth.amountMinor, row.worth.currency)}</strong>
              <div className="muted">
                {STATE_LABELS[row.state]}
                {row.state === 'pending' && ` until ${formatDate(row.payableAt)}`}
              </div>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

function GettingPaid({ data }: { data: PartnerView }) {
  const action = useAction();
  const connect = async () => {
    const result = await action.run(() => api.post<{ url: string }>('/hub/partner/payouts/onboarding'));
    if (result.ok) window.location.assign(result.value.url);
  };
  const { connected, payoutsEnabled, last } = data.payouts;
  return (
    <section className="card section" aria-labelledby="partner-payouts">
      <h2 id="partner-payouts">Getting paid</h2>
      {payoutsEnabled ? (
        <p>Your commissions are sent to your own Stripe account once they are payable.</p>
      ) : (
        <p>
          Connect your own Stripe account to be paid automatically once commissions are payable. Until then,
          the creator pays you by hand.
        </p>
      )}
      <FormAlert errors={action.errors} />
      {!payoutsEnabled && (
        <button
          type="button"
          className="button button-primary"
          onClick={() => void connect()}
          disabled={action.pending}
        >
          {connected ? 'Finish connecting Stripe' : 'Connect Stripe for payouts'}
        </button>
      )}
      {last && (
        <p className="muted">
          Last payout: {formatMoney(last.amount.amountMinor, last.amount.currency)}
          {last.paidAt ? `, ${formatDate(last.paidAt)}` : ` (${last.status})`}
        </p>
      )}
    </section>
  );
}
