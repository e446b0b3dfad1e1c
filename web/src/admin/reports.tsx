// Reports: what members reported, newest first — the open queue, or what was already dealt with. Each
// can be hidden (gone for members at once, kept), removed for good, or dismissed; a hidden one can be
// shown again.
import { Link } from 'react-router';
import { api, type Page, type Report } from '../api.ts';
import { formatDateTime } from '../format.ts';
import { FormAlert, useAction } from '../forms.tsx';
import { usePlatformName } from '../session.tsx';
import {
  LoadError,
  Loading,
  Pager,
  Segmented,
  useCursorPages,
  useLoad,
  useTitle,
  useUrlChoice,
} from '../ui.tsx';

const STATUSES = ['open', 'resolved'] as const;
const RESOLUTION = { hidden: 'Hidden', removed: 'Removed', dismissed: 'Dismissed' } as const;

export function ReportsPage() {
  const platformName = usePlatformName();
  useTitle(`Reports · ${platformName}`);
  const [status, setStatus] = useUrlChoice('status', STATUSES);
  const pages = useCursorPages(status);
  const list = useLoad(
    () => api.get<Page<Report>>('/reports', { status, ...(pages.cursor ? { cursor: pages.cursor } : {}) }),
    ['reports', status, pages.cursor ?? ''],
  );
  const action = useAction();
  const resolve = async (report: Report, what: 'hide' | 'remove' | 'dismiss' | 'restore') => {
    const result = await action.run(() => api.post(`/reports/${report.id}/resolve`, { action: what }));
    if (result.ok) list.reload();
  };

  return (
    <>
      <div className="page-head">
        <h1>Reports</h1>
        <Segmented
          legend="Show"
          name="report-status"
          options={[
            { value: 'open', label: 'Open' },
            { value: 'resolved', label: 'Dealt with' },
          ]}
          value={status}
          onChange={setStatus}
        />
      </div>
      <p className="lead">
        Posts and comments members reported. Hiding takes one away from members at once, everywhere, and keeps
        it; removing deletes it.
      </p>
      <FormAlert errors={action.errors} />
      {list.error ? (
        <LoadError error={list.error} retry={list.reload} />
      ) : !list.data ? (
        <Loading />
      ) : list.data.data.length === 0 ? (
        <div className="card empty-state">
          <p>{status === 'open' ? 'Nothing reported is waiting.' : 'No report has been dealt with yet.'}</p>
        </div>
      ) : (
        <ul className="reports">
          {list.data.data.map((report) => (
            <li key={report.id} className="card report">
              <p className="post-group">
                {report.group.name} · {report.comment ? 'a comment on ' : ''}
                <Link to={`/hub/p/${encodeURIComponent(report.post.id)}`}>
                  {report.post.title ?? 'a post'}
                </Link>
                {report.hidden && <span className="badge badge-muted">Hidden</span>}
              </p>
              <blockquote className="report-excerpt">{report.excerpt || '(empty)'}</blockquote>
              <p className="muted">
                By {report.author?.name ?? 'a former member'} · reported by{' '}
                {report.reporter?.name ?? 'a former member'} on {formatDateTime(report.createdAt)}: “
                {report.reason}”
              </p>
              {report.resolution ? (
                <p>
                  {RESOLUTION[report.resolution]} on {formatDateTime(report.resolvedAt)}.{' '}
                  {report.hidden && (
                    <button
                      type="button"
                      className="button button-small"
                      disabled={action.pending}
                      onClick={() => void resolve(report, 'restore')}
                    >
                      Show again
                    </button>
                  )}
                </p>
              ) : (
                <p className="button-row">
                  <button
                    type="button"
                    className="button button-small"
                    disabled={action.pending}
                    onClick={() => void resolve(report, 'hide')}
                  >
                    Hide
                  </button>
                  <button
                    type="button"
                    className="button button-small button-danger"
                    disabled={action.pending}
                    onClick={() => void resolve(report, 'remove')}
                  >
                    Remove
                  </button>
                  <button
                    type="button"
                    className="button button-small"
                    disabled={action.pending}
                    onClick={() => void resolve(report, 'dismiss')}
                  >
                    Dismiss
                  </button>
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
      <Pager page={pages.page} list={list.data} onNext={pages.next} onBack={pages.back} />
    </>
  );
}
