// The background jobs that gave up, with a retry: the dashboard's last card.
import { useState } from 'react';
import { api, errorMessage, type Job, type Page } from '../../api.ts';
import { Notice } from '../../forms.tsx';
import { LoadError, Loading, TableWrap, Time, useLoad } from '../../ui.tsx';

export function FailedJobs() {
  const jobs = useLoad(() => api.get<Page<Job>>('/jobs', { status: 'failed' }), ['jobs', 'failed']);
  const [retrying, setRetrying] = useState<string | null>(null);
  const [message, setMessage] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);

  const retry = async (job: Job) => {
    setRetrying(job.id);
    setMessage(null);
    try {
      await api.post(`/jobs/${encodeURIComponent(job.id)}/retry`);
      setMessage({ tone: 'success', text: `“${job.name}” is queued again.` });
      jobs.reload();
    } catch (error) {
      setMessage({ tone: 'error', text: errorMessage(error) });
    } finally {
      setRetrying(null);
    }
  };

  return (
    <section className="card section" aria-labelledby="jobs-title">
      <h2 id="jobs-title">Background jobs</h2>
      <p className="muted">
        Emails and other work run in the background and retry by themselves. Jobs that gave up are listed
        here.
      </p>
      {message &&
        (message.tone === 'success' ? (
          <Notice>{message.text}</Notice>
        ) : (
          <div className="alert alert-error" role="alert">
            {message.text}
          </div>
        ))}
      {jobs.loading && !jobs.data ? (
        <Loading />
      ) : jobs.error ? (
        <LoadError error={jobs.error} retry={jobs.reload} />
      ) : jobs.data && jobs.data.data.length === 0 ? (
        <p>No failed jobs.</p>
      ) : (
        <TableWrap label="Failed jobs">
          <table>
            <thead>
              <tr>
                <th scope="col">Job</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last error</th>
                <th scope="col">When</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {jobs.data?.data.map((job) => (
                <tr key={job.id}>
                  <td>
                    <code>{job.name}</code>
                  </td>
                  <td>{job.attempts}</td>
                  <td className="cell-wrap">{job.lastError ?? <span className="muted">—</span>}</td>
                  <td>
                    <Time iso={job.updatedAt} withTime />
                  </td>
                  <td>
                    <button
                      type="button"
                      className="button button-small"
                      onClick={() => void retry(job)}
                      disabled={retrying === job.id}
                      aria-busy={retrying === job.id || undefined}
                      aria-label={`Retry ${job.name}`}
                    >
                      Retry
                    </button>
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
