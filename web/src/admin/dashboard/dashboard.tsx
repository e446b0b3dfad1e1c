// The dashboard's front page: what a creator checks every morning — members, sales, revenue and
// subscriptions over a chosen range, the top offers and the latest activity — and, until the platform is
// set up, the steps that get it there.
import { Link, useOutletContext, useSearchParams } from 'react-router';
import { api, type Dashboard } from '../../api.ts';
import { formatMoney } from '../../format.ts';
import { usePlatformName } from '../../session.tsx';
import { LoadError, Loading, Segmented, TableWrap, Time, useLoad, useTitle } from '../../ui.tsx';
import type { AdminContext } from '../admin-layout.tsx';
import { Chart } from './chart.tsx';
import { FailedJobs } from './failed-jobs.tsx';
import { amountsText, isRange, leadingCurrency, percent, RANGE_LABELS, type RangeKey } from './model.ts';

export function DashboardPage() {
  const platformName = usePlatformName();
  const { me } = useOutletContext<AdminContext>();
  useTitle(`Dashboard · ${platformName}`);
  const [params, setParams] = useSearchParams();
  const asked = params.get('range');
  const range: RangeKey = isRange(asked) ? asked : '30d';
  const dashboard = useLoad(() => api.get<Dashboard>('/dashboard', { range }), ['dashboard', range], {
    keepPrevious: true,
  });
  const view = dashboard.data;

  return (
    <>
      <div className="page-head">
        <h1>Dashboard</h1>
        <div className="button-row">
          <Segmented
            legend="Range"
            name="dashboard-range"
            options={(Object.keys(RANGE_LABELS) as RangeKey[]).map((key) => ({
              value: key,
              label: RANGE_LABELS[key],
            }))}
            value={range}
            onChange={(key) => setParams(key === '30d' ? {} : { range: key }, { replace: true })}
          />
          <a
            className="button"
            href={`/api/v1/dashboard/export?range=${range}`}
            download={`dashboard-${range}.csv`}
          >
            Export CSV
          </a>
        </div>
      </div>
      <p className="lead">
        {me.name ? `Hello, ${me.name}. ` : ''}How {platformName} is doing
        {view ? ` over the last ${RANGE_LABELS[range]}` : ''}.
      </p>
      {dashboard.error && !view ? (
        <LoadError error={dashboard.error} retry={dashboard.reload} />
      ) : !view ? (
        <Loading />
      ) : (
        <div aria-busy={dashboard.loading || undefined}>
          {!view.checklist.done && <Checklist steps={view.checklist.steps} />}
          <Figures view={view} range={range} />
          <section className="card section" aria-labelledby="dashboard-chart">
            <h2 id="dashboard-chart">Joins, sales and revenue {view.byMonth ? 'by month' : 'by day'}</h2>
            <Chart view={view} currency={leadingCurrency(view)} />
          </section>
          <div className="dashboard-columns">
            <TopOffers view={view} />
            <Activity view={view} />
          </div>
        </div>
      )}
      <FailedJobs />
    </>
  );
}

function Checklist({ steps }: { steps: Dashboard['checklist']['steps'] }) {
  const done = steps.filter((step) => step.done).length;
  return (
    <section className="card section checklist" aria-labelledby="dashboard-checklist">
      <h2 id="dashboard-checklist">Getting started</h2>
      <p className="muted">
        {done} of {steps.length} done. This list goes away once every step is.
      </p>
      <ol>
        {steps.map((step) => (
          <li key={step.key} className={step.done ? 'is-done' : undefined}>
            <span aria-hidden="true" className="checklist-mark">
              {step.done ? '✓' : ''}
            </span>
            {step.done ? (
              <span>
                {step.label} <span className="visually-hidden">(done)</span>
              </span>
            ) : (
              <Link to={step.href}>{step.label}</Link>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}

function Figure({ label, value, note }: { label: string; value: string; note?: string }) {
  return (
    <div className="figure">
      <dt>{label}</dt>
      <dd>
        <span className="figure-value">{value}</span>
        {note && <span className="figure-note">{note}</span>}
      </dd>
    </div>
  );
}

function Figures({ view, range }: { view: Dashboard; range: RangeKey }) {
  const { totals, period } = view;
  const net = period.revenue.map((row) => ({ amountMinor: row.netMinor, currency: row.currency }));
  const refunded = period.revenue.filter((row) => row.refundedMinor > 0);
  const currency = leadingCurrency(view);
  return (
    <section className="card section" aria-labelledby="dashboard-figures">
      <h2 id="dashboard-figures" className="visually-hidden">
        Figures
      </h2>
      <dl className="figures">
        <Figure
          label="Members"
          value={totals.members.toLocaleString()}
          note={`${totals.newMembersThisWeek.toLocaleString()} new this week`}
        />
        <Figure
          label={`Revenue, last ${RANGE_LABELS[range]}`}
          value={amountsText(net, currency)}
          note={
            refunded.length
              ? `net of ${refunded.map((row) => formatMoney(row.refundedMinor, row.currency)).join(' · ')} refunded`
              : 'net of refunds'
          }
        />
        <Figure
          label="MRR"
          value={amountsText(totals.mrr, currency)}
          note="active and past-due subscriptions"
        />
        <Figure
          label={`Sales, last ${RANGE_LABELS[range]}`}
          value={period.sales.toLocaleString()}
          note={`${period.joins.toLocaleString()} ${period.joins === 1 ? 'join' : 'joins'} in all`}
        />
        <Figure
          label="Active subscriptions"
          value={totals.activeSubscriptions.toLocaleString()}
          note={[
            totals.canceling ? `and ${totals.canceling.toLocaleString()} canceling at period end` : null,
            `${period.cancellations.toLocaleString()} ${period.cancellations === 1 ? 'cancellation' : 'cancellations'} in the last ${RANGE_LABELS[range]}`,
          ]
            .filter(Boolean)
            .join(' · ')}
        />
        <Figure label="Trials" value={totals.trials.toLocaleString()} />
        <Figure
          label="Past due"
          value={totals.pastDue.toLocaleString()}
          note={totals.pastDue ? 'Stripe is retrying their payment' : undefined}
        />
        <Figure
          label="Churn, 30 days"
          value={percent(totals.churn30d)}
          note="subscriptions that ended, of those running 30 days ago"
        />
      </dl>
    </section>
  );
}

function TopOffers({ view }: { view: Dashboard }) {
  return (
    <section className="card section" aria-labelledby="dashboard-top-offers">
      <h2 id="dashboard-top-offers">Top offers</h2>
      {view.topOffers.length === 0 ? (
        <p className="muted">
          Nobody has joined or bought an offer yet. <Link to="/admin/offers">See your offers</Link>.
        </p>
      ) : (
        <TableWrap label="Top offers">
          <table>
            <caption className="visually-hidden">Top offers, all time, by revenue net of refunds</caption>
            <thead>
              <tr>
                <th scope="col">Offer</th>
                <th scope="col" className="numeric">
                  Buyers
                </th>
                <th scope="col" className="numeric">
                  Revenue
                </th>
              </tr>
            </thead>
            <tbody>
              {view.topOffers.map((offer) => (
                <tr key={offer.id}>
                  <td>
                    <Link to={`/admin/offers/${offer.id}`}>{offer.title}</Link>
                  </td>
                  <td className="numeric">{offer.buyerCount.toLocaleString()}</td>
                  <td className="numeric">
                    {formatMoney(offer.revenue.amountMinor, offer.revenue.currency)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}

const ACTIVITY_WORDS: Record<Dashboard['activity'][number]['kind'], string> = {
  join: 'joined',
  payment: 'paid',
  cancellation: 'canceled',
  refund: 'was refunded',
  ended: 'lost access to',
};

function Activity({ view }: { view: Dashboard }) {
  return (
    <section className="card section" aria-labelledby="dashboard-activity">
      <h2 id="dashboard-activity">Recent activity</h2>
      {view.activity.length === 0 ? (
        <p className="muted">Joins, purchases, cancellations and refunds will show here.</p>
      ) : (
        <ul className="activity">
          {view.activity.map((item) => (
            <li key={item.id}>
              <span>
                {item.user ? (
                  <Link to={`/admin/users/${item.user.id}`}>{item.user.name || item.user.email}</Link>
                ) : (
                  'Someone'
                )}{' '}
                {ACTIVITY_WORDS[item.kind]}
                {item.amount ? ` ${formatMoney(item.amount.amountMinor, item.amount.currency)}` : ''}
                {item.offer ? (
                  <>
                    {item.kind === 'payment' || item.kind === 'refund' ? ' for ' : ' '}
                    <Link to={`/admin/offers/${item.offer.id}`}>{item.offer.title}</Link>
                  </>
                ) : null}
              </span>
              <span className="muted">
                <Time iso={item.at} withTime />
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
