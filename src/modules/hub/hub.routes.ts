// Thin HTTP for the Hub: the creator's /hub-groups and the members' /hub.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireActor } from '../../platform/http/auth.ts';
import { errors, IdParams, ListQuery, NoContent, PageOf } from '../../platform/http/schemas.ts';
import { sendJsonText } from '../../platform/http/web.ts';
import { IMAGE_BODY_TYPES, MAX_UPLOAD_BYTES } from '../../platform/media.ts';
import type { AccessService } from '../access/index.ts';
import {
  presentComment,
  presentCommentHit,
  presentDirectoryEntry,
  presentGroup,
  presentHomePostJson,
  presentMemberGroup,
  presentMemberGroupJson,
  presentMentionable,
  presentNotification,
  presentPersonHit,
  presentPost,
  presentPostHit,
  presentPostJson,
  presentProfile,
  presentReport,
} from './hub.presenter.ts';
import { type GroupInput, LIMITS } from './hub.rules.ts';
import {
  Comment,
  CommentBody,
  CommentHit,
  CommentPatch,
  DirectoryEntry,
  GroupBody,
  HomePost,
  HubGroup,
  HubGroupDetail,
  MemberGroup,
  MemberGroupDetail,
  Mentionable,
  Notification,
  PersonHit,
  Post,
  PostBody,
  PostHit,
  PostPatch,
  Profile,
  ProfileBody,
  ReadNotifications,
  Report,
  ReportBody,
  ResolveReport,
  SearchQuery,
  Unread,
} from './hub.schemas.ts';
import type { HubService } from './hub.service.ts';

const PageQuery = Type.Object({ cursor: ListQuery.properties.cursor, limit: ListQuery.properties.limit });
const Ok = Type.Object({ ok: Type.Literal(true) });
const HomeQuery = Type.Object({
  ...PageQuery.properties,
  order: Type.Optional(
    Type.Union([Type.Literal('latest'), Type.Literal('active')], {
      description:
        'latest: newest posts first (the default); active: newest activity (post or comment) first',
    }),
  ),
});

const SearchPageQuery = Type.Object({ ...SearchQuery.properties, ...PageQuery.properties });
/** At most this many people answer a name search (a longer name narrows it). */
const PEOPLE_PER_SEARCH = 20;

export function hubRoutes(deps: { hub: HubService; access: AccessService }): FastifyPluginAsyncTypebox {
  const { hub, access } = deps;
  return async (app) => {
    // Images arrive as their raw bytes (Content-Type image/… or application/octet-stream).
    app.addContentTypeParser(
      IMAGE_BODY_TYPES,
      { parseAs: 'buffer', bodyLimit: MAX_UPLOAD_BYTES },
      (_request, body, done) => done(null, body),
    );

    // --- the creator's side ---
    app.get(
      '/hub-groups',
      {
        schema: {
          tags: ['hub-groups'],
          summary: 'Every hub group, in order',
          response: { 200: Type.Object({ data: Type.Array(HubGroup) }), ...errors(401, 403) },
        },
      },
      async (request) => ({ data: (await hub.listGroups(requireActor(request))).map(presentGroup) }),
    );

    app.post(
      '/hub-groups',
      {
        schema: {
          tags: ['hub-groups'],
          summary: 'Create a hub group',
          body: GroupBody,
          response: { 201: HubGroup, ...errors(400, 401, 403, 409) },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(presentGroup(await hub.createGroup(requireActor(request), request.body as GroupInput))),
    );

    app.post(
      '/hub-groups/reorder',
      {
        schema: {
          tags: ['hub-groups'],
          summary: 'Put the groups in this order',
          body: Type.Object({ ids: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 1000 }) }),
          response: { 200: Ok, ...errors(400, 401, 403) },
        },
      },
      async (request) => {
        await hub.reorderGroups(requireActor(request), request.body.ids);
        return { ok: true as const };
      },
    );

    app.get(
      '/hub-groups/:id',
      {
        schema: {
          tags: ['hub-groups'],
          summary: 'One hub group, with the offers that grant it',
          params: IdParams,
          response: { 200: HubGroupDetail, ...errors(401, 403, 404) },
        },
      },
      async (request) => {
        const { group, grantedBy } = await hub.getGroup(requireActor(request), request.params.id);
        return {
          ...presentGroup(group),
          grantedBy: grantedBy.map(({ id, title, status }) => ({ id, title, status })),
        };
      },
    );

    app.patch(
      '/hub-groups/:id',
      {
        schema: {
          tags: ['hub-groups'],
          summary: 'Change a hub group',
          params: IdParams,
          body: GroupBody,
          response: { 200: HubGroup, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request) =>
        presentGroup(
          await hub.updateGroup(requireActor(request), request.params.id, request.body as GroupInput),
        ),
    );

    app.delete(
      '/hub-groups/:id',
      {
        schema: {
          tags: ['hub-groups'],
          summary:
            'Delete a hub group and its posts; when offers grant it, answers 409 naming them unless confirm=true',
          params: IdParams,
          querystring: Type.Object({ confirm: Type.Optional(Type.Boolean()) }),
          response: { 204: NoContent, ...errors(401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        await hub.deleteGroup(requireActor(request), request.params.id, request.query.confirm === true);
        return reply.status(204).send(null);
      },
    );

    app.put(
      '/hub-groups/:id/image',
      {
        schema: {
          tags: ['hub-groups'],
          summary: 'Set the group image: the raw PNG, JPEG, WebP or GIF bytes (at most 5 MB)',
          params: IdParams,
          response: { 200: HubGroup, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) =>
        presentGroup(await hub.uploadGroupImage(requireActor(request), request.params.id, request.body)),
    );

    app.delete(
      '/hub-groups/:id/image',
      {
        schema: {
          tags: ['hub-groups'],
          summary: 'Remove the group image',
          params: IdParams,
          response: { 200: HubGroup, ...errors(401, 403, 404) },
        },
      },
      async (request) => presentGroup(await hub.removeGroupImage(requireActor(request), request.params.id)),
    );

    // --- the members' side ---
    app.get(
      '/hub/groups',
      {
        schema: {
          tags: ['hub'],
          summary: 'The groups you see, each with whether you may enter',
          response: { 200: Type.Object({ data: Type.Array(MemberGroup) }), ...errors(401) },
        },
      },
      async (request, reply) => {
        // Joined from each group's JSON (kept per row and version), like the feed: the schema above is
        // what this text is, and the hub tests parse it against it.
        const groups = await access.visibleGroups(requireActor(request));
        const json = groups.map(({ group, canEnter }) => presentMemberGroupJson(group, canEnter));
        return sendJsonText(reply, `{"data":[${json.join(',')}]}`);
      },
    );

    app.get(
      '/hub/home',
      {
        schema: {
          tags: ['hub'],
          summary: 'Home: the posts of every group you may enter, newest (or most recently active) first',
          querystring: HomeQuery,
          response: { 200: PageOf(HomePost), ...errors(400, 401) },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        const page = await hub.home(actor, {
          order: request.query.order ?? 'latest',
          cursor: request.query.cursor,
          limit: request.query.limit ?? 20,
        });
        // Joined from each post's JSON (kept per cached row), as the group feed: the tests parse it
        // against the schema above.
        const posts = page.data.map(({ post, likedByMe }) => presentHomePostJson(post, likedByMe, actor));
        return sendJsonText(
          reply,
          `{"data":[${posts.join(',')}],"nextCursor":${JSON.stringify(page.nextCursor)}}`,
        );
      },
    );

    app.get(
      '/hub/search/posts',
      {
        schema: {
          tags: ['hub'],
          summary: 'Posts with every word (the last as a prefix) in the groups you may enter, newest first',
          querystring: SearchPageQuery,
          response: { 200: PageOf(PostHit), ...errors(400, 401) },
        },
      },
      async (request) => {
        const { q, cursor, limit } = request.query;
        const page = await hub.findPosts(requireActor(request), { text: q, cursor, limit: limit ?? 20 });
        return { data: page.data.map(presentPostHit), nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/hub/search/comments',
      {
        schema: {
          tags: ['hub'],
          summary:
            'Comments with every word (the last as a prefix) in the groups you may enter, newest first',
          querystring: SearchPageQuery,
          response: { 200: PageOf(CommentHit), ...errors(400, 401) },
        },
      },
      async (request) => {
        const { q, cursor, limit } = request.query;
        const page = await hub.findComments(requireActor(request), { text: q, cursor, limit: limit ?? 20 });
        return { data: page.data.map(presentCommentHit), nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/hub/search/people',
      {
        schema: {
          tags: ['hub'],
          summary: `People whose name starts with q (at least 2 characters), among the authors of posts in the groups you may enter; the first ${PEOPLE_PER_SEARCH}, alphabetical; id and name only`,
          querystring: SearchQuery,
          response: { 200: Type.Object({ data: Type.Array(PersonHit) }), ...errors(400, 401) },
        },
      },
      async (request) => {
        const { q } = request.query;
        const people = await hub.findPeople(requireActor(request), q, PEOPLE_PER_SEARCH);
        return { data: people.map((person) => presentPersonHit(person, q)) };
      },
    );

    app.get(
      '/hub/groups/:id/mentionable',
      {
        schema: {
          tags: ['hub'],
          summary:
            "People who may enter the group whose name starts with q (a mention's completion, 8 at most)",
          params: IdParams,
          querystring: Type.Object({ q: Type.String({ maxLength: 80 }) }),
          response: { 200: Type.Object({ data: Type.Array(Mentionable) }), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const people = await hub.mentionable(requireActor(request), request.params.id, request.query.q);
        return { data: people.map(presentMentionable) };
      },
    );

    for (const kind of ['posts', 'comments'] as const) {
      app.post(
        `/hub/${kind}/:id/report`,
        {
          schema: {
            tags: ['hub'],
            summary: `Report a ${kind === 'posts' ? 'post' : 'comment'} to the people who run the platform`,
            params: IdParams,
            body: ReportBody,
            response: { 201: Ok, ...errors(400, 401, 404, 429) },
          },
        },
        async (request, reply) => {
          const target = kind === 'posts' ? { postId: request.params.id } : { commentId: request.params.id };
          await hub.report(requireActor(request), target, request.body);
          return reply.status(201).send({ ok: true as const });
        },
      );
    }

    app.get(
      '/hub/people/:id',
      {
        schema: {
          tags: ['hub'],
          summary: "A member's profile and their latest posts you may see (never an email)",
          params: IdParams,
          response: { 200: Profile, ...errors(401, 404) },
        },
      },
      async (request) => presentProfile(await hub.profile(requireActor(request), request.params.id)),
    );

    app.patch(
      '/hub/profile',
      {
        schema: {
          tags: ['hub'],
          summary: 'Your bio and links (your name is set with PATCH /me)',
          body: ProfileBody,
          response: { 200: Profile, ...errors(400, 401) },
        },
      },
      async (request) => presentProfile(await hub.updateProfile(requireActor(request), request.body)),
    );

    app.put(
      '/hub/profile/avatar',
      {
        bodyLimit: MAX_UPLOAD_BYTES,
        schema: {
          tags: ['hub'],
          summary: 'Set your avatar: the raw PNG, JPEG, WebP or GIF bytes (re-encoded, 256 px at most)',
          response: { 200: Profile, ...errors(400, 401) },
        },
      },
      async (request) => presentProfile(await hub.setAvatar(requireActor(request), request.body)),
    );

    app.delete(
      '/hub/profile/avatar',
      {
        schema: { tags: ['hub'], summary: 'Remove your avatar', response: { 200: Profile, ...errors(401) } },
      },
      async (request) => presentProfile(await hub.removeAvatar(requireActor(request))),
    );

    app.get(
      '/reports',
      {
        schema: {
          tags: ['moderation'],
          summary: 'Reported posts and comments: open ones (the queue), or those dealt with; newest first',
          querystring: Type.Object({
            ...PageQuery.properties,
            status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('resolved')])),
          }),
          response: { 200: PageOf(Report), ...errors(400, 401, 403) },
        },
      },
      async (request) => {
        const page = await hub.reports(requireActor(request), {
          open: request.query.status !== 'resolved',
          cursor: request.query.cursor,
          limit: request.query.limit ?? 25,
        });
        return { data: page.data.map(presentReport), nextCursor: page.nextCursor };
      },
    );

    app.post(
      '/reports/:id/resolve',
      {
        schema: {
          tags: ['moderation'],
          summary: 'Hide, remove or show again what a report is about, or dismiss it',
          params: IdParams,
          body: ResolveReport,
          response: { 204: NoContent, ...errors(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        await hub.resolveReport(requireActor(request), request.params.id, request.body.action);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/notifications/unsubscribe',
      {
        // A mail client posts this with no session: the signed link is the authority.
        config: { public: true },
        schema: {
          tags: ['hub'],
          summary:
            'Stop notification emails, from the signed link in one (no sign-in; RFC 8058 one-click: List-Unsubscribe=One-Click)',
          querystring: Type.Object({
            u: Type.String({ maxLength: 64, description: 'The member' }),
            k: Type.Optional(
              Type.Union([Type.Literal('replies'), Type.Literal('mentions'), Type.Literal('posts')], {
                description:
                  'The kind of email to stop (an email about a mention stops mention emails); absent: all of them',
              }),
            ),
            t: Type.String({ maxLength: 128, description: 'The signature from the email' }),
          }),
          body: Type.Optional(
            Type.Object({ 'List-Unsubscribe': Type.Optional(Type.String({ maxLength: 32 })) }),
          ),
          response: { 200: Ok, ...errors(400) },
        },
      },
      async (request) => {
        await hub.unsubscribe(request.query.u, request.query.t, request.query.k ?? null);
        return { ok: true as const };
      },
    );

    app.get(
      '/hub/notifications',
      {
        schema: {
          tags: ['hub'],
          summary: 'Comments on your posts and replies to your comments, newest first (groups you may enter)',
          querystring: PageQuery,
          response: { 200: PageOf(Notification), ...errors(400, 401) },
        },
      },
      async (request) => {
        const page = await hub.notifications(requireActor(request), {
          cursor: request.query.cursor,
          limit: request.query.limit ?? 20,
        });
        return { data: page.data.map(presentNotification), nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/hub/notifications/unread',
      {
        schema: {
          tags: ['hub'],
          summary: 'How many of your notifications are unread (the bell)',
          response: { 200: Unread, ...errors(401) },
        },
      },
      async (request) => ({ unread: await hub.unreadNotifications(requireActor(request)) }),
    );

    app.post(
      '/hub/notifications/read',
      {
        schema: {
          tags: ['hub'],
          summary: 'Mark notifications read (these ids, or all); answers how many are left unread',
          body: ReadNotifications,
          response: { 200: Unread, ...errors(400, 401) },
        },
      },
      async (request) => ({
        unread: await hub.readNotifications(requireActor(request), request.body.ids ?? 'all'),
      }),
    );

    app.get(
      '/hub/groups/:id',
      {
        schema: {
          tags: ['hub'],
          summary: 'A group you may enter (by id or slug); 403 access_required with its paywall otherwise',
          params: IdParams,
          response: { 200: MemberGroupDetail, ...errors(401, 403, 404) },
        },
      },
      async (request) => {
        const { group, following } = await hub.memberGroup(requireActor(request), request.params.id);
        return { ...presentMemberGroup({ ...group, canEnter: true }), following };
      },
    );

    const Following = Type.Object({ following: Type.Boolean() });
    app.put(
      '/hub/groups/:id/follow',
      {
        schema: {
          tags: ['hub'],
          summary:
            'Follow a group you may enter: hear of each new post in it (in the bell, and by email if you chose)',
          params: IdParams,
          response: { 200: Following, ...errors(401, 403, 404) },
        },
      },
      async (request) => ({ following: await hub.follow(requireActor(request), request.params.id, true) }),
    );
    app.delete(
      '/hub/groups/:id/follow',
      {
        schema: {
          tags: ['hub'],
          summary: 'Stop following a group (whether or not you may still enter it, or it still exists)',
          params: IdParams,
          response: { 200: Following, ...errors(401) },
        },
      },
      async (request) => ({ following: await hub.follow(requireActor(request), request.params.id, false) }),
    );

    app.post(
      '/hub/groups/:id/images',
      {
        bodyLimit: MAX_UPLOAD_BYTES,
        schema: {
          tags: ['hub'],
          summary:
            'Upload an image for a post in a group you may post in: the raw PNG, JPEG, WebP or GIF bytes (re-encoded, 1600 px at most); put its markdown in the post',
          params: IdParams,
          response: {
            201: Type.Object({
              url: Type.String(),
              width: Type.Integer(),
              height: Type.Integer(),
              markdown: Type.String({ description: 'The image as Markdown: ![](url)' }),
            }),
            ...errors(400, 401, 403, 404, 429),
          },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await hub.uploadImage(requireActor(request), request.params.id, request.body)),
    );

    app.post(
      '/hub/preview',
      {
        schema: {
          tags: ['hub'],
          summary: 'How Markdown will look once posted (the same renderer and sanitizer as posts)',
          body: Type.Object({ body: Type.String({ maxLength: LIMITS.body }) }),
          response: { 200: Type.Object({ html: Type.String() }), ...errors(400, 401, 429) },
        },
      },
      async (request) => ({ html: await hub.preview(requireActor(request), request.body.body) }),
    );

    app.get(
      '/hub/groups/:id/members',
      {
        schema: {
          tags: ['hub'],
          summary:
            "A group's member directory, by name (q: names starting so); 403 directory_off when its creator turned it off",
          params: IdParams,
          querystring: Type.Object({
            ...PageQuery.properties,
            q: Type.Optional(Type.String({ maxLength: 80, description: 'The start of a name' })),
          }),
          response: { 200: PageOf(DirectoryEntry), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const { q, cursor, limit } = request.query;
        const page = await hub.directory(requireActor(request), request.params.id, {
          ...(q !== undefined ? { q } : {}),
          ...(cursor !== undefined ? { cursor } : {}),
          limit: limit ?? 30,
        });
        return { data: page.data.map(presentDirectoryEntry), nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/hub/groups/:id/posts',
      {
        schema: {
          tags: ['hub'],
          summary: 'The feed: pinned posts first, then newest first',
          params: IdParams,
          querystring: PageQuery,
          response: { 200: PageOf(Post), ...errors(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        const page = await hub.feed(actor, request.params.id, {
          cursor: request.query.cursor,
          limit: request.query.limit ?? 20,
        });
        // Joined from each post's JSON (kept per cached row) rather than serialized afresh: the
        // schema above is what this text is, and the feed tests parse it against it.
        const posts = page.data.map(({ post, likedByMe }) => presentPostJson(post, likedByMe, actor));
        return sendJsonText(
          reply,
          `{"data":[${posts.join(',')}],"nextCursor":${JSON.stringify(page.nextCursor)}}`,
        );
      },
    );

    app.post(
      '/hub/groups/:id/posts',
      {
        schema: {
          tags: ['hub'],
          summary: 'Write a post (Markdown)',
          params: IdParams,
          body: PostBody,
          response: { 201: Post, ...errors(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        return reply
          .status(201)
          .send(presentPost(await hub.createPost(actor, request.params.id, request.body), actor));
      },
    );

    app.get(
      '/hub/posts/:id',
      {
        schema: {
          tags: ['hub'],
          summary: 'One post',
          params: IdParams,
          response: { 200: Post, ...errors(401, 404) },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        return presentPost(await hub.getPost(actor, request.params.id), actor);
      },
    );

    app.patch(
      '/hub/posts/:id',
      {
        schema: {
          tags: ['hub'],
          summary: 'Edit your post; staff pin or unpin any post',
          params: IdParams,
          body: PostPatch,
          response: { 200: Post, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        return presentPost(await hub.updatePost(actor, request.params.id, request.body), actor);
      },
    );

    app.delete(
      '/hub/posts/:id',
      {
        schema: {
          tags: ['hub'],
          summary: 'Delete your post (staff: any post)',
          params: IdParams,
          response: { 204: NoContent, ...errors(401, 403, 404) },
        },
      },
      async (request, reply) => {
        await hub.deletePost(requireActor(request), request.params.id);
        return reply.status(204).send(null);
      },
    );

    for (const like of [true, false]) {
      const method = like ? 'put' : 'delete';
      app[method](
        '/hub/posts/:id/like',
        {
          schema: {
            tags: ['hub'],
            summary: like ? 'Like a post' : 'Take back your like',
            params: IdParams,
            response: { 200: Post, ...errors(401, 404) },
          },
        },
        async (request) => {
          const actor = requireActor(request);
          return presentPost(await hub.likePost(actor, request.params.id, like), actor);
        },
      );
      app[method](
        '/hub/comments/:id/like',
        {
          schema: {
            tags: ['hub'],
            summary: like ? 'Like a comment' : 'Take back your like',
            params: IdParams,
            response: { 200: Comment, ...errors(401, 404) },
          },
        },
        async (request) => {
          const actor = requireActor(request);
          return presentComment(await hub.likeComment(actor, request.params.id, like), actor);
        },
      );
    }

    app.get(
      '/hub/posts/:id/comments',
      {
        schema: {
          tags: ['hub'],
          summary: 'A post’s comments and replies, oldest first',
          params: IdParams,
          querystring: PageQuery,
          response: { 200: PageOf(Comment), ...errors(400, 401, 404) },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        const page = await hub.comments(actor, request.params.id, {
          cursor: request.query.cursor,
          limit: request.query.limit ?? 50,
        });
        return {
          data: page.data.map((comment) => presentComment(comment, actor)),
          nextCursor: page.nextCursor,
        };
      },
    );

    app.post(
      '/hub/posts/:id/comments',
      {
        schema: {
          tags: ['hub'],
          summary: 'Comment on a post, or reply to a comment with parentId',
          params: IdParams,
          body: CommentBody,
          response: { 201: Comment, ...errors(400, 401, 404) },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        return reply
          .status(201)
          .send(presentComment(await hub.createComment(actor, request.params.id, request.body), actor));
      },
    );

    app.patch(
      '/hub/comments/:id',
      {
        schema: {
          tags: ['hub'],
          summary: 'Edit your comment',
          params: IdParams,
          body: CommentPatch,
          response: { 200: Comment, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        return presentComment(await hub.updateComment(actor, request.params.id, request.body), actor);
      },
    );

    app.delete(
      '/hub/comments/:id',
      {
        schema: {
          tags: ['hub'],
          summary: 'Delete your comment (staff: any comment)',
          params: IdParams,
          response: { 204: NoContent, ...errors(401, 403, 404) },
        },
      },
      async (request, reply) => {
        await hub.deleteComment(requireActor(request), request.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}
