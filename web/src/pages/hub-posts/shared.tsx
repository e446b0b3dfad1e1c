// What posts and comments share: the access-loss test, paths, the rendered body, the byline and the
// like button (optimistic: it turns at once).
import { type ReactNode, useState } from 'react';
import { Link } from 'react-router';
import { api, isNotFound, paywallOf } from '../../api.ts';
import { FormAlert, TextAreaField, useAction } from '../../forms.tsx';
import { Avatar } from '../../hub-common.tsx';
import { ConfirmDialog, Time } from '../../ui.tsx';

/** A failure that means "you may no longer see this": the caller checks what is left. */

export function isAccessLoss(error: unknown): boolean {
  return paywallOf(error) !== null || isNotFound(error);
}

export const postPath = (id: string) => `/hub/posts/${encodeURIComponent(id)}`;
export const commentPath = (id: string) => `/hub/comments/${encodeURIComponent(id)}`;
export const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export const MARKDOWN_HINT = 'Markdown works: **bold**, *italic*, [a link](https://…), - lists, > quotes.';

/**
 * A post's or comment's Delete button and the dialog that confirms it; the dialog closes once the
 * delete is answered (a refusal leaves the card, with the form's message).
 */
export function DeleteControl({
  what,
  pending,
  onDelete,
  children,
}: {
  what: 'post' | 'comment';
  pending: boolean;
  onDelete(): Promise<void>;
  children: ReactNode;
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="button button-small button-danger-quiet" onClick={() => setOpen(true)}>
        Delete
      </button>
      <ConfirmDialog
        open={open}
        title={`Delete this ${what}?`}
        confirmLabel={`Delete ${what}`}
        danger
        pending={pending}
        onCancel={() => setOpen(false)}
        onConfirm={() => void onDelete().finally(() => setOpen(false))}
      >
        {children}
      </ConfirmDialog>
    </>
  );
}

/**
 * "Report": a dialog asks why, then the report goes to the people who run the platform (a post or a
 * comment someone else wrote). Reporting twice while a report is open changes nothing.
 */
export function ReportControl({ what, path }: { what: 'post' | 'comment'; path: string }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [sent, setSent] = useState(false);
  const action = useAction();
  const send = async () => {
    if (!reason.trim()) return action.fail({ reason: 'is required' });
    const result = await action.run(() => api.post(`${path}/report`, { reason }));
    if (result.ok) {
      setOpen(false);
      setSent(true);
    }
  };
  if (sent) return <span className="muted">Reported. Thank you.</span>;
  return (
    <>
      <button type="button" className="button button-small" onClick={() => setOpen(true)}>
        Report
      </button>
      <ConfirmDialog
        open={open}
        title={`Report this ${what}?`}
        confirmLabel="Send report"
        pending={action.pending}
        onCancel={() => setOpen(false)}
        onConfirm={() => void send()}
      >
        <p>The people who run this community will see it, and what you say here. The author will not.</p>
        <FormAlert errors={action.errors} fields={['reason']} />
        <TextAreaField
          label="What is wrong with it?"
          name="reason"
          value={reason}
          onValue={setReason}
          error={action.errors.fields.reason}
          whenEmpty="Say what is wrong first"
          rows={3}
          maxLength={500}
        />
      </ConfirmDialog>
    </>
  );
}

/** The server's sanitized HTML of a post or comment: the one place the SPA renders HTML. */
export function Body({ html }: { html: string }) {
  // biome-ignore lint/security/noDangerouslySetInnerHtml: bodyHtml is rendered from Markdown and sanitized by the server.
  return <div className="prose" dangerouslySetInnerHTML={{ __html: html }} />;
}

export function Byline({
  author,
  createdAt,
  editedAt,
  href,
}: {
  author: { id?: string; name: string; avatarUrl?: string | null } | null;
  createdAt: string;
  editedAt: string | null;
  href?: string;
}) {
  const time = <Time iso={createdAt} withTime />;
  return (
    <p className="byline">
      {author && <Avatar name={author.name} url={author.avatarUrl ?? null} size="tiny" />}
      {author?.id ? (
        <Link className="byline-author" to={`/hub/people/${encodeURIComponent(author.id)}`}>
          {author.name}
        </Link>
      ) : (
        <span className="byline-author">{author?.name || 'Former member'}</span>
      )}
      <span className="muted"> · {href ? <Link to={href}>{time}</Link> : time}</span>
      {editedAt && <span className="muted"> · edited</span>}
    </p>
  );
}

/** A post or comment as it looks once the viewer's like is flipped, before the server answers. */
export function toggledLike<T extends { likedByMe: boolean; likeCount: number }>(item: T): T {
  return { ...item, likedByMe: !item.likedByMe, likeCount: item.likeCount + (item.likedByMe ? -1 : 1) };
}

export function LikeButton({
  liked,
  count,
  pending,
  onToggle,
}: {
  liked: boolean;
  count: number;
  pending: boolean;
  onToggle(): void;
}) {
  return (
    <span className="like">
      <button
        type="button"
        className={`button button-small like-button${liked ? ' liked' : ''}`}
        aria-pressed={liked}
        disabled={pending}
        onClick={onToggle}
      >
        <span aria-hidden="true">{liked ? '♥' : '♡'}</span> Like
      </button>
      <span className="muted like-count">{plural(count, 'like', 'likes')}</span>
    </span>
  );
}
