import { Type } from 'typebox';
import { NullableTimestamp, Timestamp, Visibility } from '../../platform/http/schemas.ts';

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

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
  name: Type.Optional(Type.String({ maxLength: 10_000 })),
  slug: Type.Optional(Type.String({ maxLength: 10_000 })),
  description: Type.Optional(Type.String({ maxLength: 10_000 })),
  emoji: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  visibility: Type.Optional(Visibility),
  paywallCta: Type.Optional(Nullable(Type.String({ maxLength: 10_000 }))),
  paywallDescription: Type.Optional(Nullable(Type.String({ maxLength: 10_000 }))),
  paywallUrl: Type.Optional(Nullable(Type.String({ maxLength: 10_000 }))),
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
});

export const Author = Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]);

export const Post = Type.Object({
  id: Type.String(),
  groupId: Type.String(),
  author: Author,
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
});

export const PostBody = Type.Object({
  title: Type.Optional(Nullable(Type.String({ maxLength: 100_000 }))),
  body: Type.String({ maxLength: 100_000 }),
});
export const PostPatch = Type.Object(
  {
    title: Type.Optional(Nullable(Type.String({ maxLength: 100_000 }))),
    body: Type.Optional(Type.String({ maxLength: 100_000 })),
    pinned: Type.Optional(Type.Boolean()),
  },
  { minProperties: 1 },
);

export const Comment = Type.Object({
  id: Type.String(),
  postId: Type.String(),
  parentId: Type.Union([Type.String(), Type.Null()]),
  author: Author,
  body: Type.String(),
  bodyHtml: Type.String(),
  likeCount: Type.Integer(),
  likedByMe: Type.Boolean(),
  canEdit: Type.Boolean(),
  canDelete: Type.Boolean(),
  createdAt: Timestamp,
  editedAt: NullableTimestamp,
});
export const CommentBody = Type.Object({
  body: Type.String({ maxLength: 100_000 }),
  parentId: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
});
export const CommentPatch = Type.Object({ body: Type.String({ maxLength: 100_000 }) });
