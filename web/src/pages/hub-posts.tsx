// Posts and comments in the member area: a post card (like, edit, delete, pin), the composer, and a
// post's comments with one level of replies. Bodies arrive as HTML the server has already sanitized.
import { type InfiniteData, useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { Link } from 'react-router';
import { api, type Comment, errorMessage, isNotFound, type Post, paywallOf } from '../api.ts';
import { FormAlert, onSubmit, SubmitButton, TextAreaField, TextField, useAction } from '../forms.tsx';
import { ConfirmDialog, Time } from '../ui.tsx';

/** A failure that means "you may no longer see this": the caller checks what is left. */
export function isAccessLoss(error: unknown): boolean {
  return paywallOf(error) !== null || isNotFound(error);
}

const postPath = (id: string) => `/hub/posts/${encodeURIComponent(id)}`;
const commentPath = (id: string) => `/hub/comments/${encodeURIComponent(id)}`;
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export const MARKDOWN_HINT = 'Markdown works: **bold**, *italic*, [a link](https://…), - lists, > quotes.';

/** The server's sanitized HTML of a post or comment: the one place the SPA renders HTML. */
function Body({ html }: { html: string }) {
  // biome-ignore lint/security/noDangerouslySetInnerHtml: bodyHtml is rendered from Markdown and sanitized by the server.
  return <div className="prose" dangerouslySetInnerHTML={{ __html: html }} />;
}

function Byline({
  author,
  createdAt,
  editedAt,
  href,
}: {
  author: { name: string } | null;
  createdAt: string;
  editedAt: string | null;
  href?: string;
}) {
  const time = <Time iso={createdAt} withTime />;
  return (
    <p className="byline">
      <span className="byline-author">{author?.name || 'Former member'}</span>
      <span className="muted"> · {href ? <Link to={href}>{time}</Link> : time}</span>
      {editedAt && <span className="muted"> · edited</span>}
    </p>
  );
}

/** A post or comment as it looks once the viewer's like is flipped, before the server answers. */
export function toggledLike<T extends { likedByMe: boolean; likeCount: number }>(item: T): T {
  return { ...item, likedByMe: !item.likedByMe, likeCount: item.likeCount + (item.likedByMe ? -1 : 1) };
}

function LikeButton({
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

// --- posts ----------------------------------------------------------------------------------------

export function PostCard({
  post,
  staff,
  full = false,
  onChange,
  onDeleted,
  onPinned,
  onFailure,
}: {
  post: Post;
  staff: boolean;
  /** On the post's own page: no link to itself. */
  full?: boolean;
  onChange(post: Post): void;
  onDeleted(post: Post): void;
  /** Pinning moves the post in the feed; the feed reloads. */
  onPinned?: (post: Post) => void;
  /** A 403/404 that may mean access ended; the page decides what to show. */
  onFailure(error: unknown): void;
}) {
  const [editing, setEditing] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const action = useAction();
  const titleId = useId();
  const href = `/hub/p/${encodeURIComponent(post.id)}`;

  const run = async <T,>(fn: () => Promise<T>): Promise<T | null> => {
    const result = await action.run(fn);
    if (result.ok) return result.value;
    if (isAccessLoss(result.error)) {
      setConfirmDelete(false);
      onFailure(result.error);
    }
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
    setConfirmDelete(false);
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
      {post.pinned && (
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
          {post.canDelete && (
            <button
              type="button"
              className="button button-small button-danger-quiet"
              onClick={() => setConfirmDelete(true)}
            >
              Delete
            </button>
          )}
        </span>
      </div>
      <ConfirmDialog
        open={confirmDelete}
        title="Delete this post?"
        confirmLabel="Delete post"
        danger
        pending={action.pending}
        onCancel={() => setConfirmDelete(false)}
        onConfirm={() => void remove()}
      >
        <p>
          {post.canEdit ? 'Your post' : `${authorName}'s post`}
          {post.title ? ` “${post.title}”` : ''} and its {plural(post.commentCount, 'comment', 'comments')}{' '}
          will be gone for good.
        </p>
      </ConfirmDialog>
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
        label="Edit post"
        name="body"
        value={body}
        onValue={setBody}
        error={action.errors.fields.body}
        hint={MARKDOWN_HINT}
        rows={6}
        autoFocus
      />
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
  onPosted,
  onFailure,
}: {
  groupId: string;
  groupName: string;
  onPosted(post: Post): void;
  onFailure(error: unknown): void;
}) {
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
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
      onPosted(result.value);
    } else if (isAccessLoss(result.error)) onFailure(result.error);
  };

  return (
    <section className="card composer">
      <h2 className="visually-hidden">Write a post in {groupName}</h2>
      <form onSubmit={onSubmit(submit)} noValidate>
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
          label="Write a post"
          name="body"
          value={body}
          onValue={setBody}
          error={action.errors.fields.body}
          hint={MARKDOWN_HINT}
          rows={4}
          placeholder={`Share something with ${groupName}…`}
        />
        <SubmitButton pending={action.pending}>Post</SubmitButton>
      </form>
    </section>
  );
}

// --- comments -------------------------------------------------------------------------------------

/** A post's comments, oldest first, replies under their parent; "Load more" for the next page. */
/** One page of a post's comments, as the API answers it. */
type CommentPage = { data: Comment[]; nextCursor: string | null };

export function Comments({
  post,
  onCountChange,
  onFailure,
}: {
  post: Post;
  /** Comments were added or removed: the post's count is refreshed. */
  onCountChange(delta: number | null): void;
  onFailure(error: unknown): void;
}) {
  const client = useQueryClient();
  const [replyTo, setReplyTo] = useState<string | null>(null);
  const postId = post.id;
  const commentsPath = `${postPath(postId)}/comments`;
  const key = ['hub-comments', postId];
  // Oldest first, a page at a time: "Load more comments" asks for the next page.
  const list = useInfiniteQuery({
    queryKey: key,
    queryFn: ({ pageParam }) =>
      api.get<CommentPage>(commentsPath, pageParam ? { cursor: pageParam } : undefined),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  useEffect(() => {
    if (list.error && isAccessLoss(list.error)) onFailure(list.error);
  }, [list.error, onFailure]);
  const error = list.error && !isAccessLoss(list.error) ? errorMessage(list.error) : null;

  // Each comment once, in the order the pages gave them.
  const comments: Comment[] = [];
  const seen = new Set<string>();
  for (const page of list.data?.pages ?? []) {
    for (const comment of page.data) {
      if (seen.has(comment.id)) continue;
      seen.add(comment.id);
      comments.push(comment);
    }
  }

  /** Changes the cached pages in place: what this browser did shows at once, without a refetch. */
  const patchPages = (change: (page: Comment[], index: number, last: boolean) => Comment[]) =>
    client.setQueryData<InfiniteData<CommentPage, string | null>>(key, (data) =>
      data
        ? {
            ...data,
            pages: data.pages.map((page, index) => ({
              ...page,
              data: change(page.data, index, index === data.pages.length - 1),
            })),
          }
        : data,
    );
  const added = (comment: Comment) => {
    patchPages((page, _index, last) => (last ? [...page, comment] : page));
    setReplyTo(null);
    onCountChange(1);
  };
  const changed = (comment: Comment) =>
    patchPages((page) => page.map((c) => (c.id === comment.id ? comment : c)));
  const removed = (comment: Comment) => {
    patchPages((page) => page.filter((c) => c.id !== comment.id && c.parentId !== comment.id));
    // Replies go with a top-level comment: the server's count is the truth.
    onCountChange(null);
  };
  const loadingMore = list.isFetchingNextPage;

  const topLevel = comments.filter((comment) => comment.parentId === null);
  const repliesOf = (id: string) => comments.filter((comment) => comment.parentId === id);

  return (
    <section className="comments" aria-labelledby="comments-title">
      <h2 id="comments-title">Comments</h2>
      {error && (
        <div className="alert alert-error" role="alert">
          <p>{error}</p>
        </div>
      )}
      {!list.data && !list.error ? (
        <p className="loading" role="status">
          <span className="spinner" aria-hidden="true" /> Loading comments…
        </p>
      ) : topLevel.length === 0 ? (
        <p className="muted">No comments yet. Be the first.</p>
      ) : (
        <ol className="comment-list">
          {topLevel.map((comment) => (
            <li key={comment.id}>
              <CommentItem
                comment={comment}
                onReply={() => setReplyTo(comment.id)}
                onChange={changed}
                onDeleted={removed}
                onFailure={onFailure}
              />
              {(repliesOf(comment.id).length > 0 || replyTo === comment.id) && (
                <ol
                  className="reply-list"
                  aria-label={`Replies to ${comment.author?.name || 'Former member'}`}
                >
                  {repliesOf(comment.id).map((reply) => (
                    <li key={reply.id}>
                      <CommentItem
                        comment={reply}
                        onChange={changed}
                        onDeleted={removed}
                        onFailure={onFailure}
                      />
                    </li>
                  ))}
                  {replyTo === comment.id && (
                    <li>
                      <CommentForm
                        postId={postId}
                        parent={comment}
                        onAdded={added}
                        onCancel={() => setReplyTo(null)}
                        onFailure={onFailure}
                      />
                    </li>
                  )}
                </ol>
              )}
            </li>
          ))}
        </ol>
      )}
      {list.hasNextPage && (
        <button
          type="button"
          className="button load-more"
          disabled={loadingMore}
          aria-busy={loadingMore || undefined}
          onClick={() => void list.fetchNextPage()}
        >
          Load more comments
        </button>
      )}
      <CommentForm postId={postId} parent={null} onAdded={added} onFailure={onFailure} />
    </section>
  );
}

function CommentItem({
  comment,
  onReply,
  onChange,
  onDeleted,
  onFailure,
}: {
  comment: Comment;
  onReply?: () => void;
  onChange(comment: Comment): void;
  onDeleted(comment: Comment): void;
  onFailure(error: unknown): void;
}) {
  const [editing, setEditing] = useState(false);
  const [body, setBody] = useState(comment.body);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const action = useAction();
  const authorName = comment.author?.name || 'Former member';

  const fail = (error: unknown) => {
    if (isAccessLoss(error)) onFailure(error);
  };
  const like = async () => {
    const path = `${commentPath(comment.id)}/like`;
    const before = comment;
    onChange(toggledLike(comment));
    const result = await action.run(() =>
      before.likedByMe ? api.delete<Comment>(path) : api.put<Comment>(path),
    );
    if (result.ok) onChange(result.value);
    else {
      onChange(before);
      fail(result.error);
    }
  };
  const save = async () => {
    const result = await action.run(() => api.patch<Comment>(commentPath(comment.id), { body }));
    if (!result.ok) return fail(result.error);
    setEditing(false);
    onChange(result.value);
  };
  const remove = async () => {
    const result = await action.run(() => api.delete(commentPath(comment.id)));
    setConfirmDelete(false);
    if (result.ok) onDeleted(comment);
    else fail(result.error);
  };

  return (
    <article className="comment" aria-label={`Comment by ${authorName}`}>
      <Byline author={comment.author} createdAt={comment.createdAt} editedAt={comment.editedAt} />
      {editing ? (
        <form onSubmit={onSubmit(save)} noValidate>
          <FormAlert errors={action.errors} fields={['body']} />
          <TextAreaField
            label="Edit comment"
            name="body"
            value={body}
            onValue={setBody}
            error={action.errors.fields.body}
            rows={3}
            autoFocus
          />
          <div className="form-actions">
            <SubmitButton pending={action.pending}>Save comment</SubmitButton>
            <button
              type="button"
              className="button"
              onClick={() => {
                setEditing(false);
                setBody(comment.body);
                action.reset();
              }}
            >
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <>
          <Body html={comment.bodyHtml} />
          <FormAlert errors={action.errors} />
        </>
      )}
      <div className="post-actions">
        <LikeButton
          liked={comment.likedByMe}
          count={comment.likeCount}
          pending={action.pending}
          onToggle={() => void like()}
        />
        <span className="post-tools">
          {onReply && (
            <button type="button" className="button button-small" onClick={onReply}>
              Reply
            </button>
          )}
          {comment.canEdit && !editing && (
            <button
              type="button"
              className="button button-small"
              onClick={() => {
                setBody(comment.body);
                setEditing(true);
              }}
            >
              Edit
            </button>
          )}
          {comment.canDelete && (
            <button
              type="button"
              className="button button-small button-danger-quiet"
              onClick={() => setConfirmDelete(true)}
            >
              Delete
            </button>
          )}
        </span>
      </div>
      <ConfirmDialog
        open={confirmDelete}
        title="Delete this comment?"
        confirmLabel="Delete comment"
        danger
        pending={action.pending}
        onCancel={() => setConfirmDelete(false)}
        onConfirm={() => void remove()}
      >
        <p>
          {comment.canEdit ? 'Your comment' : `${authorName}'s comment`}
          {comment.parentId === null ? ' and its replies' : ''} will be gone for good.
        </p>
      </ConfirmDialog>
    </article>
  );
}

function CommentForm({
  postId,
  parent,
  onAdded,
  onCancel,
  onFailure,
}: {
  postId: string;
  parent: Comment | null;
  onAdded(comment: Comment): void;
  onCancel?: () => void;
  onFailure(error: unknown): void;
}) {
  const [body, setBody] = useState('');
  const action = useAction();
  const label = parent ? `Reply to ${parent.author?.name || 'Former member'}` : 'Write a comment';

  const submit = async () => {
    if (!body.trim()) {
      action.fail({ body: 'is required' });
      return;
    }
    const result = await action.run(() =>
      api.post<Comment>(`${postPath(postId)}/comments`, { body, parentId: parent?.id ?? null }),
    );
    if (result.ok) {
      setBody('');
      onAdded(result.value);
    } else if (isAccessLoss(result.error)) onFailure(result.error);
  };

  return (
    <form onSubmit={onSubmit(submit)} noValidate className={parent ? 'reply-form' : 'comment-form'}>
      <FormAlert errors={action.errors} fields={['body']} />
      <TextAreaField
        label={label}
        name="body"
        value={body}
        onValue={setBody}
        error={action.errors.fields.body}
        hint={parent ? undefined : MARKDOWN_HINT}
        rows={parent ? 2 : 3}
        autoFocus={parent !== null}
      />
      <div className="form-actions">
        <SubmitButton pending={action.pending}>{parent ? 'Post reply' : 'Post comment'}</SubmitButton>
        {onCancel && (
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
