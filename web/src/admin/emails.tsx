// Emails: the log of every email the platform sent or tried to send. A message is shown inside a
// sandboxed frame with no scripts and no same-origin rights, so a name a visitor typed never runs
// as script here.
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, type EmailDetail, type EmailStatus, type EmailSummary, type Page } from '../api.ts';
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

const STATUS: Record<EmailStatus, { label: string; tone: string; title: string }> = {
  queued: { label: 'Queued', tone: 'info', title: 'Waiting to be sent' },
  sent: { label: 'Sent', tone: 'success', title: 'Handed to the mail server' },
  failed: { label: 'Failed', tone: 'danger', title: 'Could not be sent' },
  logged: {
    label: 'Logged',
    tone: 'muted',
    title: 'Kept here because no SMTP is configured; it was not sent',
  },
};

export function StatusBadge({ status }: { status: EmailStatus }) {
  const info = STATUS[status];
  return (
    <span className={`badge badge-${info.tone}`} title={info.title}>
      {info.label}
    </span>
  );
}

export function EmailsPage() {
  const platformName = usePlatformName();
  useTitle(`Emails · ${platformName}`);
  const navigate = useNavigate();
  const [search, setSearch] = useState('');
  const settled = useDebounced(search.trim());
  const pages = useCursorPages(settled);
  const emails = useLoad(
    () => api.get<Page<EmailSummary>>('/emails', { search: settled, cursor: pages.cursor }),
    ['emails', settled, pages.cursor ?? ''],
    { keepPrevious: true },
  );
  const hasLogged = emails.data?.data.some((email) => email.status === 'logged') ?? false;

  return (
    <>
      <div className="page-head">
        <h1>Emails</h1>
        <button type="button" className="button" onClick={emails.reload} disabled={emails.loading}>
          Refresh
        </button>
      </div>
      <p className="lead">Every email the platform sent or tried to send, newest first.</p>
      {hasLogged && (
        <p className="alert alert-info">
          <strong>Logged</strong> emails are kept here because no outgoing email (SMTP) is configured; they
          were not sent. Set it up in <Link to="/admin/settings">Settings</Link>.
        </p>
      )}
      <div className="toolbar">
        <div className="field field-inline">
          <label htmlFor="emails-search">Search by recipient</label>
          <input
            id="emails-search"
            type="search"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            placeholder="Email address"
          />
        </div>
      </div>
      {emails.error ? (
        <LoadError error={emails.error} retry={emails.reload} />
      ) : !emails.data ? (
        <Loading />
      ) : emails.data.data.length === 0 ? (
        <div className="card empty-state">
          <p>{settled ? `No emails to “${settled}”.` : 'No emails yet.'}</p>
        </div>
      ) : (
        <TableWrap label="Emails" busy={emails.loading}>
          <table className="table-rows-link">
            <thead>
              <tr>
                <th scope="col">To</th>
                <th scope="col">Subject</th>
                <th scope="col">Kind</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {emails.data.data.map((email) => (
                <tr
                  key={email.id}
                  onClick={(event) => {
                    if ((event.target as HTMLElement).closest('a')) return;
                    navigate(`/admin/emails/${encodeURIComponent(email.id)}`);
                  }}
                >
                  <td>{email.to}</td>
                  <td>
                    <Link to={`/admin/emails/${encodeURIComponent(email.id)}`}>
                      {email.subject || '(no subject)'}
                    </Link>
                  </td>
                  <td>{kindLabel(email.kind)}</td>
                  <td>
                    <StatusBadge status={email.status} />
                  </td>
                  <td>
                    <Time iso={email.createdAt} withTime />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <Pager page={pages.page} list={emails.data} onNext={pages.next} onBack={pages.back} />
    </>
  );
}

/** `password_reset` → "Password reset". */
function kindLabel(kind: string): string {
  const words = kind.replace(/[._-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function EmailDetailPage() {
  const { id = '' } = useParams();
  const email = useLoad(() => api.get<EmailDetail>(`/emails/${encodeURIComponent(id)}`), ['email', id]);
  useTitle(email.data ? `${email.data.subject} · Emails` : 'Email');
  return (
    <>
      <p className="breadcrumb">
        <Link to="/admin/emails">← Emails</Link>
      </p>
      {email.error ? (
        <LoadError error={email.error} retry={email.reload} />
      ) : !email.data ? (
        <Loading />
      ) : (
        <EmailView email={email.data} />
      )}
    </>
  );
}

function EmailView({ email }: { email: EmailDetail }) {
  const [tab, setTab] = useState<'html' | 'text'>('html');
  // Only the links the server issued for this message: a link typed into a buyer's name is text in the
  // message, never a button here. The sandboxed frame cannot open links, and without SMTP these are
  // how an invited person gets in; the server redacts the ones the viewer may not use.
  const links = email.links;
  return (
    <>
      <h1>{email.subject || '(no subject)'}</h1>
      <section className="card section" aria-label="Headers">
        <dl className="details">
          <dt>To</dt>
          <dd>{email.to}</dd>
          <dt>Subject</dt>
          <dd>{email.subject}</dd>
          <dt>Kind</dt>
          <dd>{kindLabel(email.kind)}</dd>
          <dt>Status</dt>
          <dd>
            <StatusBadge status={email.status} />
            {email.status === 'logged' && (
              <span className="muted"> Kept here because no SMTP is configured; it was not sent.</span>
            )}
          </dd>
          <dt>Created</dt>
          <dd>
            <Time iso={email.createdAt} withTime />
          </dd>
          <dt>Sent</dt>
          <dd>{email.sentAt ? <Time iso={email.sentAt} withTime /> : <span className="muted">—</span>}</dd>
        </dl>
        {email.error && (
          <div className="alert alert-error" role="alert">
            <p>
              <strong>Error:</strong> {email.error}
            </p>
          </div>
        )}
      </section>

      {links.length > 0 && (
        <section className="card section" aria-labelledby="email-links">
          <h2 id="email-links">Links in this email</h2>
          <ul className="link-list">
            {links.map((href) => (
              <li key={href}>
                <a href={href} target="_blank" rel="noopener noreferrer">
                  {href}
                </a>
              </li>
            ))}
          </ul>
          <p className="muted">
            A sign-in or password link acts for the recipient: opening it in this browser signs you in as
            them. You can copy it and send it to them yourself.
          </p>
        </section>
      )}

      <div className="tabs" role="tablist" aria-label="Message">
        <button
          type="button"
          role="tab"
          id="tab-html"
          aria-selected={tab === 'html'}
          aria-controls="panel-html"
          tabIndex={tab === 'html' ? 0 : -1}
          onClick={() => setTab('html')}
          onKeyDown={(event) => {
            if (event.key === 'ArrowRight') {
              setTab('text');
              document.getElementById('tab-text')?.focus();
            }
          }}
        >
          Message
        </button>
        <button
          type="button"
          role="tab"
          id="tab-text"
          aria-selected={tab === 'text'}
          aria-controls="panel-text"
          tabIndex={tab === 'text' ? 0 : -1}
          onClick={() => setTab('text')}
          onKeyDown={(event) => {
            if (event.key === 'ArrowLeft') {
              setTab('html');
              document.getElementById('tab-html')?.focus();
            }
          }}
        >
          Plain text
        </button>
      </div>
      {tab === 'html' ? (
        <div role="tabpanel" id="panel-html" aria-labelledby="tab-html" className="tab-panel">
          {/* Empty sandbox: no scripts, no forms, no same-origin access; links open nothing here. */}
          <iframe
            className="email-frame"
            sandbox=""
            srcDoc={email.html}
            title={`Message: ${email.subject}`}
          />
        </div>
      ) : (
        <div role="tabpanel" id="panel-text" aria-labelledby="tab-text" className="tab-panel">
          <pre className="email-text">{email.text}</pre>
        </div>
      )}
    </>
  );
}
