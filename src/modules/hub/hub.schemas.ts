import { Type } from 'typebox';
import { NullableTimestamp, Timestamp, TRIM_ROOM, Visibility } from '../../platform/http/schemas.ts';
import { LIMITS, SEARCH } from './hub.rules.ts';

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

const WhoMayPost = Type.Union([Type.Literal('members'), Type.Literal('staff')], {
  description:
    'members: everyone who may enter writes posts; staff: only the owner and admins (announcements)',
});

export const HubGroup = Type.Object({
  id: Type.String(),
  name: Type.String(),
  slug: Type.String(),
  description: Type.String(),
  emoji: Type.Union([Type.String(), Type.Null()]),
  imageUrl: Type.Union([Type.String(), Type.Null()]),
  visibility: Visibility,
  position: Type.Integer(),
  paywall: Type.Object({
    callToAction: Type.Union([Type.String(), Type.Null()]),
    description: Type.Union([Type.String(), Type.Null()]),
    url: Type.Union([Type.String(), Type.Null()]),
  }),
  postCount: Type.Integer(),
  whoMayPost: WhoMayPost,
  commentsOn: Type.Boolean({ description: 'Whether members may comment (staff always may)' }),
  directoryOn: Type.Boolean({
    description: 'Whether those who may enter see its member directory (staff always do)',
  }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const HubGroupDetail = Type.Object({
  ...HubGroup.properties,
  grantedBy: Type.Array(Type.Object({ id: Type.String(), title: Type.String(), status: Type.String() }), {
    description: 'Offers whose buyers enter this group',
  }),
});

export const GroupBody = Type.Object({
  name: Type.Optional(Type.String({ maxLength: LIMITS.name + TRIM_ROOM })),
  slug: Type.Optional(
    Type.String({ maxLength: LIMITS.slug, description: 'Lower-case letters, digits, single dashes' }),
  ),
  description: Type.Optional(Type.String({ maxLength: LIMITS.description })),
  emoji: Type.Optional(Nullable(Type.String({ maxLength: 32, description: 'One emoji' }))),
  visibility: Type.Optional(Visibility),
  paywallCta: Type.Optional(Nullable(Type.String({ maxLength: LIMITS.paywallCta }))),
  paywallDescription: Type.Optional(Nullable(Type.String({ maxLength: LIMITS.description }))),
  paywallUrl: Type.Optional(
    Nullable(Type.String({ maxLength: LIMITS.url, description: 'An http or https URL' })),
  ),
  whoMayPost: Type.Optional(WhoMayPost),
  commentsOn: Type.Optional(Type.Boolean()),
  directoryOn: Type.Optional(Type.Boolean()),
});

export const MemberGroup = Type.Object({
  id: Type.String(),
  name: Type.String(),
  slug: Type.String(),
  description: Type.String(),
  emoji: Type.Union([Type.String(), Type.Null()]),
  imageUrl: Type.Union([Type.String(), Type.Null()]),
  visibility: Visibility,
  canEnter: Type.Boolean(),
  postCount: Type.Union([Type.Integer(), Type.Null()]),
  whoMayPost: WhoMayPost,
  commentsOn: Type.Boolean(),
  directoryOn: Type.Boolean({ description: 'Those who may enter see its member directory' }),
});

/** A group as its page shows it: with whether the caller follows it. */
export const MemberGroupDetail = Type.Object({
  ...MemberGroup.properties,
  following: Type.Boolean({ description: 'You hear of each new post in it' }),
});

/** One person in a group's member directory (never an email). */
export const DirectoryEntry = Type.Object({
  id: Type.String(),
  name: Type.String(),
  avatarUrl: Type.Union([Type.String(), Type.Null()]),
  bio: Type.String(),
  staff: Type.Boolean({ description: 'Runs the platform (owner or admin)' }),
});

export const Author = Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]);
/** Who wrote a post or comment, with their picture beside the name (null: none uploaded). */
export const Writer = Type.Union([
  Type.Object({
    id: Type.String(),
    name: Type.String(),
    avatarUrl: Type.Union([Type.String(), Type.Null()]),
  }),
  Type.Null(),
]);

export const Post = Type.Object({
  id: Type.String(),
  groupId: Type.String(),
  author: Writer,
  title: Type.Union([Type.String(), Type.Null()]),
  body: Type.String({ description: 'Markdown as written' }),
  bodyHtml: Type.String({ description: 'Sanitized HTML rendered from body' }),
  pinned: Type.Boolean(),
  likeCount: Type.Integer(),
  commentCount: Type.Integer(),
  likedByMe: Type.Boolean(),
  canEdit: Type.Boolean(),
  canDelete: Type.Boolean(),
  createdAt: Timestamp,
  editedAt: NullableTimestamp,
  hidden: Type.Boolean({ description: 'Hidden by staff after a report (only staff still see it)' }),
});

export const HomePost = Type.Object({
  ...Post.properties,
  group: Type.Object({
    id: Type.String(),
    name: Type.String(),
    slug: Type.String(),
    emoji: Type.Union([Type.String(), Type.Null()]),
  }),
  activityAt: Timestamp,
});

const Segments = Type.Array(Type.Object({ text: Type.String(), hit: Type.Boolean() }), {
  description: 'The text cut where the search words were found (hit: true): show hits marked, as plain text',
});
const GroupRef = Type.Object({
  id: Type.String(),
  name: Type.String(),
  slug: Type.String(),
  emoji: Type.Union([Type.String(), Type.Null()]),
});

export const PostHit = Type.Object({
  id: Type.String(),
  group: GroupRef,
  author: Author,
  title: Type.Union([Type.String(), Type.Null()]),
  titleHit: Segments,
  snippet: Segments,
  likeCount: Type.Integer(),
  commentCount: Type.Integer(),
  createdAt: Timestamp,
});

export const CommentHit = Type.Object({
  id: Type.String(),
  postId: Type.String(),
  postTitle: Type.Union([Type.String(), Type.Null()]),
  group: GroupRef,
  author: Author,
  snippet: Segments,
  createdAt: Timestamp,
});

export const PersonHit = Type.Object({ id: Type.String(), name: Type.String(), nameHit: Segments });

export const SearchQuery = Type.Object({
  q: Type.String({ minLength: 1, maxLength: SEARCH.maxQueryLength, description: 'The words to look for' }),
});

export const Notification = Type.Object({
  id: Type.String(),
  kind: Type.Union(
    [Type.Literal('comment'), Type.Literal('reply'), Type.Literal('mention'), Type.Literal('post')],
    {
      description:
        'comment: on your post; reply: to your comment; mention: someone mentioned you; post: a new post in a group you follow',
    },
  ),
  read: Type.Boolean(),
  actor: Author,
  post: Type.Object({ id: Type.String(), title: Type.Union([Type.String(), Type.Null()]) }),
  comment: Type.Union([Type.Object({ id: Type.String(), excerpt: Type.String() }), Type.Null()]),
  group: GroupRef,
  createdAt: Timestamp,
});

export const Mentionable = Type.Object({
  id: Type.String(),
  name: Type.String(),
  /** What to put in the Markdown: shown as @name, and it tells them. */
  token: Type.String(),
});

export const ReportBody = Type.Object({
  reason: Type.String({ minLength: 1, maxLength: LIMITS.reportReason, description: 'What is wrong with it' }),
});

export const Report = Type.Object({
  id: Type.String(),
  reason: Type.String(),
  reporter: Author,
  /** What was reported: the post, or one of its comments. */
  post: Type.Object({ id: Type.String(), title: Type.Union([Type.String(), Type.Null()]) }),
  comment: Type.Union([Type.Object({ id: Type.String() }), Type.Null()]),
  author: Type.Union([Type.Object({ name: Type.String() }), Type.Null()]),
  excerpt: Type.String(),
  hidden: Type.Boolean({ description: 'The reported item is hidden now' }),
  group: GroupRef,
  createdAt: Timestamp,
  resolution: Type.Union([
    Type.Literal('hidden'),
    Type.Literal('removed'),
    Type.Literal('dismissed'),
    Type.Null(),
  ]),
  resolvedAt: NullableTimestamp,
});

export const ResolveReport = Type.Object({
  action: Type.Union(
    [Type.Literal('hide'), Type.Literal('remove'), Type.Literal('dismiss'), Type.Literal('restore')],
    {
      description:
        'hide: gone for members, kept; remove: deleted; dismiss: nothing wrong; restore: show a hidden item again',
    },
  ),
});

export const Profile = Type.Object({
  id: Type.String(),
  name: Type.String(),
  bio: Type.String(),
  links: Type.Array(Type.String()),
  avatarUrl: Type.Union([Type.String(), Type.Null()]),
  staff: Type.Boolean({ description: 'Runs the platform (owner or admin)' }),
  memberSince: Timestamp,
  posts: Type.Array(
    Type.Object({
      id: Type.String(),
      title: Type.Union([Type.String(), Type.Null()]),
      excerpt: Type.String(),
      group: GroupRef,
      likeCount: Type.Integer(),
      commentCount: Type.Integer(),
      createdAt: Timestamp,
    }),
    { description: 'Their latest posts you may see (10 at most)' },
  ),
});

export const ProfileBody = Type.Object(
  {
    bio: Type.Optional(Type.String({ maxLength: LIMITS.bio + TRIM_ROOM })),
    links: Type.Optional(
      Type.Array(Type.String({ maxLength: LIMITS.url }), {
        maxItems: LIMITS.links,
        description: 'http(s) addresses',
      }),
    ),
  },
  { minProperties: 1 },
);

export const Unread = Type.Object({ unread: Type.Integer({ minimum: 0 }) });

export const ReadNotifications = Type.Object({
  ids: Type.Optional(
    Type.Array(Type.String({ maxLength: 64 }), {
      maxItems: 100,
      description: 'These notifications (yours only); without ids, all of them',
    }),
  ),
});

export const PostBody = Type.Object({
  title: Type.Optional(Nullable(Type.String({ maxLength: LIMITS.postTitle + TRIM_ROOM }))),
  body: Type.String({ minLength: 1, maxLength: LIMITS.body, description: 'Markdown' }),
});
export const PostPatch = Type.Object(
  {
    title: Type.Optional(Nullable(Type.String({ maxLength: LIMITS.postTitle + TRIM_ROOM }))),
    body: Type.Optional(Type.String({ maxLength: LIMITS.body, description: 'Markdown' })),
    pinned: Type.Optional(Type.Boolean()),
  },
  { minProperties: 1 },
);

export const Comment = Type.Object({
  id: Type.String(),
  postId: Type.String(),
  parentId: Type.Union([Type.String(), Type.Null()]),
  author: Writer,
  body: Type.String(),
  bodyHtml: Type.String(),
  likeCount: Type.Integer(),
  likedByMe: Type.Boolean(),
  canEdit: Type.Boolean(),
  canDelete: Type.Boolean(),
  createdAt: Timestamp,
  editedAt: NullableTimestamp,
  hidden: Type.Boolean(),
});
export const CommentBody = Type.Object({
  body: Type.String({ minLength: 1, maxLength: LIMITS.body, description: 'Markdown' }),
  parentId: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
});
export const CommentPatch = Type.Object({
  body: Type.String({ minLength: 1, maxLength: LIMITS.body, description: 'Markdown' }),
});
