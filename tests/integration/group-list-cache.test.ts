// A member's group list (src/modules/access/access.service.ts): every group's row and the member's
// entries (whether they may enter each) are kept while nothing they were read from changed — the
// 'catalog' and 'access' topics, and the clock for a paid-up date or a grant's end — so each change
// below is seen on the very next read by a member whose list was already kept.
import sharp from 'sharp';
import { Type } from 'typebox';
import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemberGroup } from '../../src/modules/hub/hub.schemas.ts';
import { changesOf } from '../../src/platform/db/changes.ts';
import {
  type Client,
  createAdmin,
  createEntitlement,
  createGrant,
  createGroup,
  createMember,
  createOffer,
  signIn,
  type TestGroup,
  type TestUser,
} from '../support/factories.ts';
import { createTestContext, type TestContext } from '../support/test-app.ts';

let ctx: TestContext;
const statements: string[] = [];
let admin: Client;
let member: Client;
let memberUser: TestUser;
let open: TestGroup;

type Listed = {
  id: string;
  name: string;
  canEnter: boolean;
  postCount: number | null;
  imageUrl: string | null;
};

beforeAll(async () => {
  ctx = await createTestContext({ onQuery: (sql) => statements.push(sql) });
  admin = await signIn(ctx, await createAdmin(ctx));
  memberUser = await createMember(ctx);
  member = await signIn(ctx, memberUser);
  open = await createGroup(ctx, { visibility: 'private' });
  await createGrant(ctx, memberUser, open);
});
afterAll(async () => ctx.close());

async function listed(): Promise<Listed[]> {
  const response = await member.get('/api/v1/hub/groups');
  expect(response.statusCode).toBe(200);
  return response.json().data as Listed[];
}

/**
 * The group's entry on the very next read (after a change: the first read that could be stale), checked
 * against a second read from the rows that read kept.
 */
async function keptEntry(id: string): Promise<Listed | undefined> {
  const next = (await listed()).find((group) => group.id === id);
  expect((await listed()).find((group) => group.id === id)).toEqual(next);
  return next;
}

function patch(group: { id: string }, body: Record<string, unknown>) {
  return admin.request('PATCH', `/api/v1/hub-groups/${group.id}`, body).then((response) => {
    expect(response.statusCode).toBe(200);
  });
}

describe("a member's group list, kept by version", () => {
  it('reads no group row the second time, and sends exactly the documented shape', async () => {
    await listed();
    statements.length = 0;
    const response = await member.get('/api/v1/hub/groups');
    // Only the entries (id, version, may enter) beside the session: no full group row.
    expect(statements.filter((sql) => /"hub_groups"\."name"|"name" from "hub_groups"/.test(sql))).toEqual([]);
    const body = response.json();
    expect(Value.Check(Type.Object({ data: Type.Array(MemberGroup) }), body)).toBe(true);
    expect(Object.keys(body.data[0])).toEqual(Object.keys(MemberGroup.properties));
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('reads the groups once after a like or a comment, then not at all', async () => {
    const created = await member.post(`/api/v1/hub/groups/${open.id}/posts`, { body: 'Like me' });
    expect(created.statusCode).toBe(201);
    await listed();
    await member.request('PUT', `/api/v1/hub/posts/${created.json().id}/like`, {});
    await member.post(`/api/v1/hub/posts/${created.json().id}/comments`, { body: 'And a comment' });
    const groupRows = () =>
      statements.filter((sql) => /"hub_groups"\."name"|"name" from "hub_groups"/.test(sql));
    statements.length = 0;
    await listed();
    // A like or a comment moves the group's feed version: the process reads every group's row once,
    // for every member's list (src/modules/access/access.service.ts), then keeps it.
    expect(groupRows()).toHaveLength(1);
    await changesOf(ctx.db).settled();
    await listed();
    statements.length = 0;
    await listed();
    expect(groupRows()).toEqual([]);
  });

  it('shows a rename and a new description at once', async () => {
    await keptEntry(open.id);
    await patch(open, { name: 'Renamed at once', description: 'Fresh words' });
    const entry = await keptEntry(open.id);
    expect(entry?.name).toBe('Renamed at once');
    const full = (await member.get('/api/v1/hub/groups')).json().data.find((g: Listed) => g.id === open.id);
    expect(full.description).toBe('Fresh words');
  });

  it('shows a new post count at once, and a deleted post', async () => {
    const before = (await keptEntry(open.id))?.postCount ?? 0;
    const created = await member.post(`/api/v1/hub/groups/${open.id}/posts`, { body: 'Counted' });
    expect(created.statusCode).toBe(201);
    expect((await keptEntry(open.id))?.postCount).toBe(before + 1);
    await member.delete(`/api/v1/hub/posts/${created.json().id}`);
    expect((await keptEntry(open.id))?.postCount).toBe(before);
  });

  it('shows a new image and its removal at once', async () => {
    const png = await sharp({ create: { width: 40, height: 40, channels: 3, background: '#123456' } })
      .png()
      .toBuffer();
    await keptEntry(open.id);
    const uploaded = await admin.request('PUT', `/api/v1/hub-groups/${open.id}/image`, png, {
      'content-type': 'image/png',
    });
    expect(uploaded.statusCode).toBe(200);
    expect((await keptEntry(open.id))?.imageUrl).toBe(uploaded.json().imageUrl);
    await admin.delete(`/api/v1/hub-groups/${open.id}/image`);
    expect((await keptEntry(open.id))?.imageUrl).toBeNull();
  });

  it('follows a new order at once', async () => {
    const other = await createGroup(ctx, { visibility: 'public' });
    const order = (await listed()).map((group) => group.id);
    const reversed = [...order].reverse();
    expect(reversed).toContain(other.id);
    await listed();
    expect((await admin.post('/api/v1/hub-groups/reorder', { ids: reversed })).statusCode).toBe(200);
    expect((await listed()).map((group) => group.id)).toEqual(reversed);
  });

  it('hides a group made hidden that the member may not enter, and shows it again when made private', async () => {
    const group = await createGroup(ctx, { visibility: 'private' });
    expect((await keptEntry(group.id))?.canEnter).toBe(false);
    await patch(group, { visibility: 'hidden' });
    expect(await keptEntry(group.id)).toBeUndefined();
    await patch(group, { visibility: 'private' });
    expect((await keptEntry(group.id))?.canEnter).toBe(false);
  });

  it('opens a group the moment the member is entitled to it, and drops a deleted group', async () => {
    const group = await createGroup(ctx, { visibility: 'private' });
    const locked = await keptEntry(group.id);
    expect(locked).toMatchObject({ canEnter: false, postCount: null });
    const offer = await createOffer(ctx, [group]);
    await createEntitlement(ctx, memberUser, offer, { state: 'active' });
    expect((await keptEntry(group.id))?.canEnter).toBe(true);
    expect((await admin.request('DELETE', `/api/v1/hub-groups/${group.id}?confirm=true`)).statusCode).toBe(
      204,
    );
    expect(await keptEntry(group.id)).toBeUndefined();
  });
});
