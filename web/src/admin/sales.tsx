// Sales: every purchase, newest first, with filters by offer and state, a search by buyer, and a CSV
// export of what the filters show.
import { useState } from 'react';
import { Link } from 'react-router';
import { api, type Page, type PurchaseStatus, type Sale } from '../api.ts';
import { formatMoney } from '../format.ts';
import { usePlatformName } from '../session.tsx';
import {
  LoadError,
  Loading,
  Pager,
  TableWrap,
  Time,
  useCursorPages,
  useDebounced,
  useLoad,
  useTitle,
} from '../ui.tsx';
import type { OfferSummary } from './offers/model.ts';

const STATUS: Record<PurchaseStatus, { label: string; tone: string }> = {
  fulfilled: { label: 'Paid', tone: 'success' },
  awaiting_confirmation: { label: 'Waiting for the buyer to confirm', tone: 'info' },
  pending: { label: 'Not paid', tone: 'muted' },
  canceled: { label: 'Abandoned', tone: 'muted' },
};

export function SalesPage() {
  const platformName = usePlatformName();
  useTitle(`Sales · ${platformName}`);
  const [search, setSearch] = useState('');
  const [offerId, setOfferId] = useState('');
  const [status, setStatus] = useState<'' | PurchaseStatus>('');
  const settled = useDebounced(search.trim().toLowerCase());
  const filters = { search: settled, offerId, status };
  const key = JSON.stringify(filters);
  const pages = useCursorPages(key);
  const offers = useLoad(() => api.get<Page<OfferSummary>>('/offers', { limit: 100 }), ['sales-offers']);
  const sales = useLoad(
    () => api.get<Page<Sale>>('/sales', { ...filters, cursor: pages.cursor }),
    ['sales', key, pages.cursor ?? ''],
    { keepPrevious: true },
  );
  const exportUrl = `/api/v1/sales/export?${new URLSearchParams(
    Object.entries(filters).filter(([, value]) => value !== ''),
  ).toString()}`;

  return (
    <>
      <div className="page-head">
        <h1>Sales</h1>
        <a className="button" href={exportUrl} download="sales.csv">
          Export CSV
        </a>
      </div>
      <div className="toolbar">
        <div className="field field-inline">
          <label htmlFor="sales-search">Buyer's email</label>
          <input
            id="sales-search"
            type="search"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            placeholder="Starts with…"
          />
        </div>
        <div className="field field-inline">
          <label htmlFor="sales-offer">Offer</label>
          <select id="sales-offer" value={offerId} onChange={(event) => setOfferId(event.target.value)}>
            <option value="">All offers</option>
            {offers.data?.data.map((offer) => (
              <option key={offer.id} value={offer.id}>
                {offer.title}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-inline">
          <label htmlFor="sales-status">State</label>
          <select
            id="sales-status"
            value={status}
            onChange={(event) => setStatus(event.target.value as '' | PurchaseStatus)}
          >
            <option value="">Paid and waiting</option>
            {(Object.keys(STATUS) as PurchaseStatus[]).map((value) => (
              <option key={value} value={value}>
                {STATUS[value].label}
              </option>
            ))}
          </select>
        </div>
      </div>
      {sales.error ? (
        <LoadError error={sales.error} retry={sales.reload} />
      ) : !sales.data ? (
        <Loading />
      ) : sales.data.data.length === 0 ? (
        <div className="card empty-state">
          <p>{settled || offerId || status ? 'No sales match.' : 'No sales yet.'}</p>
        </div>
      ) : (
        <TableWrap label="Sales" busy={sales.loading}>
          <table>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Buyer</th>
                <th scope="col">Offer</th>
                <th scope="col">Amount</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {sales.data.data.map((sale) => (
                <tr key={sale.id}>
                  <td>
                    <Time iso={sale.createdAt} withTime />
                  </td>
                  <td>
                    {sale.buyer.userId ? (
                      <Link to={`/admin/users/${encodeURIComponent(sale.buyer.userId)}`}>
                        {sale.buyer.email}
                      </Link>
                    ) : (
                      sale.buyer.email
                    )}
                    {sale.buyer.name && <div className="muted">{sale.buyer.name}</div>}
                  </td>
                  <td>
                    <Link to={`/admin/offers/${encodeURIComponent(sale.offer.id)}`}>{sale.offer.title}</Link>
                  </td>
                  <td>
                    {formatMoney(sale.amount.amountMinor, sale.amount.currency)}
                    {sale.refunded.amountMinor > 0 && (
                      <div className="muted">
                        refunded {formatMoney(sale.refunded.amountMinor, sale.refunded.currency)}
                      </div>
                    )}
                  </td>
                  <td>
                    <span className={`badge badge-${STATUS[sale.status].tone}`}>
                      {STATUS[sale.status].label}
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <Pager page={pages.page} list={sales.data} onNext={pages.next} onBack={pages.back} />
    </>
  );
}
