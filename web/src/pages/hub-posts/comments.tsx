// A post's comments: the list a page at a time, one level of replies, edit, delete and like.
import { type InfiniteData, useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, type Comment, errorMessage, type Post } from '../../api.ts';
import { FormAlert, onSubmit, SubmitButton, TextAreaField, useAction } from '../../forms.tsx';
import { useMentions } from './mentions.tsx';

/** A failure that means "you may no longer see this": the caller checks what is left. */
import {
  Body,
  Byline,
  commentPath,
  DeleteControl,
  isAccessLoss,
  LikeButton,
  MARKDOWN_HINT,
  postPath,
  ReportControl,
  toggledLike,
} from './shared.tsx';

/** A post's comments, oldest first, replies under their parent; "Load more" for the next page. */
/** One page of a post's comments, as the API answers it. */
type CommentPage = { data: Comment[]; nextCursor: string | null };

export function Comments({
  post,
  open = true,
  onCountChange,
  onFailure,
}: {
  post: Post;
  /** Whether the reader may comment here (the group's setting; staff always may). */
  open?: boolean;
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
        <p className="muted">{open ? 'No comments yet. Be the first.' : 'No comments.'}</p>
      ) : (
        <ol className="comment-list">
          {topLevel.map((comment) => (
            <li key={comment.id}>
              <CommentItem
                comment={comment}
                onReply={open ? () => setReplyTo(comment.id) : undefined}
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
                        groupId={post.groupId}
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
      {open ? (
        <CommentForm
          postId={postId}
          groupId={post.groupId}
          parent={null}
          onAdded={added}
          onFailure={onFailure}
        />
      ) : (
        <p className="muted">Comments are off in this group.</p>
      )}
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
            whenEmpty="Write something first"
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
          {!comment.canEdit && <ReportControl what="comment" path={commentPath(comment.id)} />}
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
            <DeleteControl what="comment" pending={action.pending} onDelete={remove}>
              <p>
                {comment.canEdit ? 'Your comment' : `${authorName}'s comment`}
                {comment.parentId === null ? ' and its replies' : ''} will be gone for good.
              </p>
            </DeleteControl>
          )}
        </span>
      </div>
    </article>
  );
}

function CommentForm({
  postId,
  groupId,
  parent,
  onAdded,
  onCancel,
  onFailure,
}: {
  postId: string;
  groupId: string;
  parent: Comment | null;
  onAdded(comment: Comment): void;
  onCancel?: () => void;
  onFailure(error: unknown): void;
}) {
  const [body, setBody] = useState('');
  const mentions = useMentions(groupId, body, setBody);
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
        whenEmpty="Write something first"
        name="body"
        value={body}
        onValue={setBody}
        error={action.errors.fields.body}
        hint={parent ? undefined : MARKDOWN_HINT}
        rows={parent ? 2 : 3}
        autoFocus={parent !== null}
        {...mentions.textAreaProps}
      />
      {mentions.suggestions}
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
