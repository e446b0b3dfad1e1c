// A post in the member area: its card (like, edit, delete, pin), its editor, and the composer.
import { type Dispatch, type SetStateAction, type SyntheticEvent, useEffect, useId, useState } from 'react';
import { Link } from 'react-router';
import { api, errorMessage, type Post } from '../../api.ts';
import {
  type Action,
  FormAlert,
  onSubmit,
  SubmitButton,
  TextAreaField,
  TextField,
  useAction,
} from '../../forms.tsx';
import { useMentions } from './mentions.tsx';

/** A failure that means "you may no longer see this": the caller checks what is left. */
import {
  Body,
  Byline,
  DeleteControl,
  isAccessLoss,
  LikeButton,
  MARKDOWN_HINT,
  plural,
  postPath,
  ReportControl,
  toggledLike,
} from './shared.tsx';

export function PostCard({
  post,
  staff,
  full = false,
  group,
  onChange,
  onDeleted,
  onPinned,
  onFailure,
}: {
  post: Post;
  staff: boolean;
  /** On the post's own page: no link to itself. */
  full?: boolean;
  /** In the home feed, where posts of several groups meet: the group, named and linked above the post. */
  group?: { name: string; slug: string; emoji: string | null };
  onChange(post: Post): void;
  onDeleted(post: Post): void;
  /** Pinning moves the post in the feed; the feed reloads. */
  onPinned?: (post: Post) => void;
  /** A 403/404 that may mean access ended; the page decides what to show. */
  onFailure(error: unknown): void;
}) {
  const [editing, setEditing] = useState(false);
  const action = useAction();
  const titleId = useId();
  const href = `/hub/p/${encodeURIComponent(post.id)}`;

  const run = async <T,>(fn: () => Promise<T>): Promise<T | null> => {
    const result = await action.run(fn);
    if (result.ok) return result.value;
    if (isAccessLoss(result.error)) onFailure(result.error);
    return null;
  };

  // Optimistic: the heart turns at once; a refusal puts it back as it was (the message says why).
  const like = async () => {
    const before = post;
    onChange(toggledLike(post));
    const changed = await run(() =>
      before.likedByMe
        ? api.delete<Post>(`${postPath(post.id)}/like`)
        : api.put<Post>(`${postPath(post.id)}/like`),
    );
    onChange(changed ?? before);
  };
  const pin = async () => {
    const changed = await run(() => api.patch<Post>(postPath(post.id), { pinned: !post.pinned }));
    if (!changed) return;
    onChange(changed);
    onPinned?.(changed);
  };
  const remove = async () => {
    const result = await action.run(() => api.delete(postPath(post.id)));
    if (result.ok) onDeleted(post);
    else if (isAccessLoss(result.error)) onFailure(result.error);
  };

  const authorName = post.author?.name || 'Former member';
  return (
    <article
      className={`card post${post.pinned ? ' post-pinned' : ''}`}
      aria-labelledby={post.title ? titleId : undefined}
      aria-label={post.title ? undefined : `Post by ${authorName}`}
    >
      {group && (
        <p className="post-group">
          <Link to={`/hub/g/${encodeURIComponent(group.slug)}`}>
            {group.emoji && <span aria-hidden="true">{group.emoji} </span>}
            {group.name}
          </Link>
        </p>
      )}
      {post.hidden && <p className="badge badge-muted">Hidden after a report: only staff see it</p>}
      {post.pinned && !group && (
        <p className="pinned-mark">
          <span aria-hidden="true">📌</span> Pinned
        </p>
      )}
      <Byline
        author={post.author}
        createdAt={post.createdAt}
        editedAt={post.editedAt}
        href={full ? undefined : href}
      />
      {editing ? (
        <PostEditor
          post={post}
          onCancel={() => setEditing(false)}
          onSaved={(saved) => {
            setEditing(false);
            onChange(saved);
          }}
          onFailure={onFailure}
        />
      ) : (
        <>
          {post.title &&
            (full ? (
              <h1 id={titleId} className="post-title">
                {post.title}
              </h1>
            ) : (
              <h2 id={titleId} className="post-title">
                <Link to={href}>{post.title}</Link>
              </h2>
            ))}
          <Body html={post.bodyHtml} />
        </>
      )}
      <FormAlert errors={action.errors} />
      <div className="post-actions">
        <LikeButton
          liked={post.likedByMe}
          count={post.likeCount}
          pending={action.pending}
          onToggle={() => void like()}
        />
        {full ? (
          <span className="muted">{plural(post.commentCount, 'comment', 'comments')}</span>
        ) : (
          <Link to={href} className="post-comments-link">
            {plural(post.commentCount, 'comment', 'comments')}
          </Link>
        )}
        <span className="post-tools">
          {post.canEdit && !editing && (
            <button type="button" className="button button-small" onClick={() => setEditing(true)}>
              Edit
            </button>
          )}
          {staff && (
            <button
              type="button"
              className="button button-small"
              disabled={action.pending}
              onClick={() => void pin()}
            >
              {post.pinned ? 'Unpin' : 'Pin'}
            </button>
          )}
          {!post.canEdit && <ReportControl what="post" path={postPath(post.id)} />}
          {post.canDelete && (
            <DeleteControl what="post" pending={action.pending} onDelete={remove}>
              <p>
                {post.canEdit ? 'Your post' : `${authorName}'s post`}
                {post.title ? ` “${post.title}”` : ''} and its{' '}
                {plural(post.commentCount, 'comment', 'comments')} will be gone for good.
              </p>
            </DeleteControl>
          )}
        </span>
      </div>
    </article>
  );
}

function PostEditor({
  post,
  onSaved,
  onCancel,
  onFailure,
}: {
  post: Post;
  onSaved(post: Post): void;
  onCancel(): void;
  onFailure(error: unknown): void;
}) {
  const [title, setTitle] = useState(post.title ?? '');
  const [body, setBody] = useState(post.body);
  const action = useAction();

  const submit = async () => {
    const result = await action.run(() =>
      api.patch<Post>(postPath(post.id), { title: title.trim() || null, body }),
    );
    if (result.ok) onSaved(result.value);
    else if (isAccessLoss(result.error)) onFailure(result.error);
  };

  return (
    <form onSubmit={onSubmit(submit)} noValidate className="post-editor">
      <PostFields
        action={action}
        title={[title, setTitle]}
        body={[body, setBody]}
        bodyField={{ label: 'Edit post', rows: 6, autoFocus: true }}
      />
      <ComposerTools groupId={post.groupId} body={body} setBody={setBody} onFailure={onFailure} />
      <div className="form-actions">
        <SubmitButton pending={action.pending}>Save post</SubmitButton>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function PostComposer({
  groupId,
  groupName,
  openSignal = 0,
  onPosted,
  onFailure,
}: {
  groupId: string;
  groupName: string;
  /** Changing it opens the composer (the welcome prompt's "Introduce yourself"). */
  openSignal?: number;
  onPosted(post: Post): void;
  onFailure(error: unknown): void;
}) {
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const mentions = useMentions(groupId, body, setBody);
  // One line until the member means to write: the feed's first post stays on a phone's first screen.
  const [open, setOpen] = useState(false);
  useEffect(() => {
    if (openSignal > 0) setOpen(true);
  }, [openSignal]);
  const action = useAction();

  const submit = async () => {
    if (!body.trim()) {
      action.fail({ body: 'is required' });
      return;
    }
    const result = await action.run(() =>
      api.post<Post>(`/hub/groups/${encodeURIComponent(groupId)}/posts`, {
        title: title.trim() || null,
        body,
      }),
    );
    if (result.ok) {
      setTitle('');
      setBody('');
      setOpen(false);
      onPosted(result.value);
    } else if (isAccessLoss(result.error)) onFailure(result.error);
  };

  if (!open) {
    return (
      <section className="card composer composer-closed">
        <h2 className="visually-hidden">Write a post in {groupName}</h2>
        <button type="button" className="composer-opener" onClick={() => setOpen(true)}>
          Write something…
        </button>
      </section>
    );
  }
  return (
    <section className="card composer">
      <h2 className="visually-hidden">Write a post in {groupName}</h2>
      <form onSubmit={onSubmit(submit)} noValidate>
        <PostFields
          action={action}
          title={[title, setTitle]}
          body={[body, setBody]}
          bodyField={{
            label: 'Write a post',
            rows: 4,
            autoFocus: true,
            placeholder: `Share something with ${groupName}… (@ to mention someone)`,
            ...mentions.textAreaProps,
          }}
        />
        {mentions.suggestions}
        <ComposerTools groupId={groupId} body={body} setBody={setBody} onFailure={onFailure} />
        <div className="button-row">
          <SubmitButton pending={action.pending}>Post</SubmitButton>
          {!title && !body && (
            <button type="button" className="button" onClick={() => setOpen(false)}>
              Cancel
            </button>
          )}
        </div>
      </form>
    </section>
  );
}

/**
 * Under the composer: add an image (uploaded into the group, re-encoded; its Markdown goes into the
 * post) and a preview of the post exactly as it will show (rendered by the server, as the post will be).
 */
function ComposerTools({
  groupId,
  body,
  setBody,
  onFailure,
}: {
  groupId: string;
  body: string;
  setBody: Dispatch<SetStateAction<string>>;
  onFailure(error: unknown): void;
}) {
  const inputId = useId();
  const [uploading, setUploading] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  // A preview shows what was written when it was asked for: writing on closes it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the body changing is the trigger.
  useEffect(() => setPreview(null), [body]);
  const upload = async (file: File | undefined) => {
    if (!file) return;
    setUploading(true);
    setProblem(null);
    try {
      const image = await api.sendFile<{ markdown: string }>(
        'POST',
        `/hub/groups/${encodeURIComponent(groupId)}/images`,
        file,
      );
      // What was typed while the image uploaded stays: the image goes after the body as it is now.
      setBody((current) => `${current.trimEnd()}${current.trim() ? '\n\n' : ''}${image.markdown}\n`);
    } catch (error) {
      if (isAccessLoss(error)) onFailure(error);
      else setProblem(errorMessage(error));
    } finally {
      setUploading(false);
    }
  };
  const [previewing, setPreviewing] = useState(false);
  const showPreview = async () => {
    setProblem(null);
    setPreviewing(true);
    try {
      setPreview((await api.post<{ html: string }>('/hub/preview', { body })).html);
    } catch (error) {
      setProblem(errorMessage(error));
    } finally {
      setPreviewing(false);
    }
  };
  return (
    <>
      <div className="composer-tools">
        <label className={`button button-small${uploading ? ' is-busy' : ''}`} htmlFor={inputId}>
          {uploading ? 'Uploading…' : 'Add image'}
        </label>
        <input
          id={inputId}
          className="visually-hidden"
          type="file"
          accept="image/png,image/jpeg,image/webp,image/gif"
          disabled={uploading}
          onChange={(event) => {
            void upload(event.target.files?.[0]);
            event.target.value = '';
          }}
        />
        {preview === null ? (
          <button
            type="button"
            className="button button-small"
            disabled={!body.trim() || previewing}
            onClick={() => void showPreview()}
          >
            Preview
          </button>
        ) : (
          <button type="button" className="button button-small" onClick={() => setPreview(null)}>
            Hide preview
          </button>
        )}
      </div>
      {problem && (
        <p className="field-error" role="alert">
          {problem}
        </p>
      )}
      {preview !== null && (
        <section className="composer-preview" aria-label="Preview">
          <Body html={preview} />
        </section>
      )}
    </>
  );
}

/** A post's title and body with the form's message: one set of fields for writing and for editing. */
function PostFields({
  action,
  title: [title, setTitle],
  body: [body, setBody],
  bodyField,
}: {
  action: Action;
  title: [string, (value: string) => void];
  body: [string, (value: string) => void];
  bodyField: {
    label: string;
    rows: number;
    autoFocus?: boolean;
    placeholder?: string;
    onSelect?: (event: SyntheticEvent<HTMLTextAreaElement>) => void;
  };
}) {
  return (
    <>
      <FormAlert errors={action.errors} fields={['title', 'body']} />
      <TextField
        label="Title (optional)"
        name="title"
        value={title}
        onValue={setTitle}
        error={action.errors.fields.title}
        maxLength={200}
        autoComplete="off"
      />
      <TextAreaField
        {...bodyField}
        name="body"
        value={body}
        onValue={setBody}
        error={action.errors.fields.body}
        whenEmpty="Write something first"
        hint={MARKDOWN_HINT}
      />
    </>
  );
}
