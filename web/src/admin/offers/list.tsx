// Digital Offers: every offer with its type, status, price as a buyer reads it, buyers and revenue;
// New offer asks for the type first (Membership, the only one for now).
import { useId, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, type Page } from '../../api.ts';
import { formatMoney } from '../../format.ts';
import { usePlatformName } from '../../session.tsx';
import {
  LoadError,
  Loading,
  Modal,
  Pager,
  TableWrap,
  useCursorPages,
  useDebounced,
  useLoad,
  useTitle,
} from '../../ui.tsx';
import { type OfferSummary, STATUS_LABELS } from './model.ts';

export function StatusBadge({ status }: { status: OfferSummary['status'] }) {
  const info = STATUS_LABELS[status];
  return <span className={`badge badge-${info.tone}`}>{info.label}</span>;
}

export function OffersListPage() {
  const platformName = usePlatformName();
  useTitle(`Digital Offers · ${platformName}`);
  const navigate = useNavigate();
  const [search, setSearch] = useState('');
  const settled = useDebounced(search.trim());
  const pages = useCursorPages(settled);
  const [choosing, setChoosing] = useState(false);
  const offers = useLoad(
    () => api.get<Page<OfferSummary>>('/offers', { search: settled, cursor: pages.cursor }),
    ['offers', settled, pages.cursor ?? ''],
    { keepPrevious: true },
  );

  return (
    <>
      <div className="page-head">
        <h1>Digital Offers</h1>
        <button type="button" className="button button-primary" onClick={() => setChoosing(true)}>
          New offer
        </button>
      </div>
      <p className="lead">Memberships you sell or give away: buyers enter the hub groups an offer grants.</p>

      <OfferTypeDialog
        open={choosing}
        onCancel={() => setChoosing(false)}
        onChoose={() => {
          setChoosing(false);
          navigate('/admin/offers/new');
        }}
      />

      <div className="toolbar">
        <div className="field field-inline">
          <label htmlFor="offers-search">Search offers</label>
          <input
            id="offers-search"
            type="search"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            placeholder="Title"
          />
        </div>
      </div>

      {offers.error ? (
        <LoadError error={offers.error} retry={offers.reload} />
      ) : !offers.data ? (
        <Loading />
      ) : offers.data.data.length === 0 ? (
        <div className="card empty-state">
          {settled ? (
            <p>No offers match “{settled}”.</p>
          ) : (
            <>
              <p>No offers yet. A membership opens your hub groups to the people who join or buy it.</p>
              <p>
                <button type="button" className="button button-primary" onClick={() => setChoosing(true)}>
                  Create your first offer
                </button>
              </p>
            </>
          )}
        </div>
      ) : (
        <TableWrap label="Offers" busy={offers.loading}>
          <table className="table-rows-link offers-table">
            <thead>
              <tr>
                <th scope="col">
                  <span className="visually-hidden">Thumbnail</span>
                </th>
                <th scope="col">Title</th>
                <th scope="col">Type</th>
                <th scope="col">Status</th>
                <th scope="col">Price</th>
                <th scope="col" className="num">
                  Buyers
                </th>
                <th scope="col" className="num">
                  Revenue
                </th>
              </tr>
            </thead>
            <tbody>
              {offers.data.data.map((offer) => {
                const to = `/admin/offers/${encodeURIComponent(offer.id)}`;
                return (
                  <tr
                    key={offer.id}
                    onClick={(event) => {
                      if ((event.target as HTMLElement).closest('a')) return;
                      navigate(to);
                    }}
                  >
                    <td className="offers-thumb-cell">
                      {offer.thumbnailUrl ? (
                        <img className="offers-thumb" src={offer.thumbnailUrl} alt="" />
                      ) : (
                        <span className="offers-thumb offers-thumb-empty" aria-hidden="true" />
                      )}
                    </td>
                    <td>
                      <Link to={to}>{offer.title || '(untitled)'}</Link>
                      <div className="muted offers-slug">/offers/{offer.slug}</div>
                    </td>
                    <td>Membership</td>
                    <td>
                      <StatusBadge status={offer.status} />
                    </td>
                    <td>{offer.priceLabel}</td>
                    <td className="num">{offer.buyerCount.toLocaleString()}</td>
                    <td className="num">{formatMoney(offer.revenue.amountMinor, offer.revenue.currency)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableWrap>
      )}
      <Pager page={pages.page} list={offers.data} onNext={pages.next} onBack={pages.back} />
    </>
  );
}

/** "Select Membership as an offer type": the choice is there because more types will come. */
function OfferTypeDialog({
  open,
  onCancel,
  onChoose,
}: {
  open: boolean;
  onCancel(): void;
  onChoose(): void;
}) {
  const titleId = useId();
  return (
    <Modal
      open={open}
      title="Choose an offer type"
      className="offer-type-dialog"
      onClose={onCancel}
      actions={
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      }
    >
      <ul className="offer-types">
        <li>
          <button
            type="button"
            className="offer-type"
            onClick={onChoose}
            aria-labelledby={`${titleId}-membership`}
            aria-describedby={`${titleId}-membership-hint`}
          >
            <span className="offer-type-icon" aria-hidden="true">
              🔁
            </span>
            <span className="offer-type-text">
              <span className="offer-type-name" id={`${titleId}-membership`}>
                Membership
              </span>
              <span className="offer-type-hint" id={`${titleId}-membership-hint`}>
                Free, one-time or recurring access to the hub groups you choose.
              </span>
            </span>
          </button>
        </li>
      </ul>
      <p className="muted">More offer types will come; for now every offer is a membership.</p>
    </Modal>
  );
}
