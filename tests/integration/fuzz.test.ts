// Fuzzing every documented operation from the app's own OpenAPI document (issue 11): inputs that fit
// each schema and inputs that break it (wrong types, unknown fields, huge numbers, NUL, lone surrogates,
// emoji, overlong text, odd dates), sent as the signed-in owner. Whatever arrives, the API answers
// below 500, every error has the documented shape, and a refused change changed nothing.
//
// FUZZ_RUNS (runs per operation), FUZZ_SEED (fixed by default, so a run repeats) and FUZZ_OPS (one
// "METHOD /path", or a part of the key of some operations, to fuzz only those); `npm run fuzz` is the
// long run; FUZZ_STATS=1 prints what each operation answered. A failure names its operation, the
// shrunk request, the server's logged error, and how to replay it.

import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tablesOfThisDatabase } from '../../src/platform/db/database.ts';
import {
  type Client,
  client,
  createAdmin,
  createApiKey,
  createGrant,
  createGroup,
  createMember,
  createOwner,
  type Method,
  pngBytes,
  sessionOf,
  signIn,
  type TestUser,
} from '../support/factories.ts';
import {
  connectThroughSettings,
  createStripeTestContext,
  type StripeTestContext,
  sessionIdOf,
  submitCheckout,
} from '../support/stripe.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 30);
const SEED = Number(process.env.FUZZ_SEED ?? 11);
const ONLY = process.env.FUZZ_OPS ?? '';

// --- the OpenAPI document ---------------------------------------------------------------------------

interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean;
  minProperties?: number;
  items?: Schema;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  enum?: unknown[];
  anyOf?: Schema[];
  nullable?: boolean;
}

interface Parameter {
  in: 'path' | 'query' | 'header' | 'cookie';
  name: string;
  required?: boolean;
  schema: Schema;
}

interface Operation {
  method: Method;
  path: string;
  parameters: Parameter[];
  body: Schema | null;
}

// Routes whose body is an image's raw bytes, not JSON: fuzzed with bytes instead.
const UPLOADS = new Set([
  'PUT /api/v1/hub-groups/{id}/image',
  'PUT /api/v1/offers/{id}/media/{kind}',
  'POST /api/v1/offers/{id}/media',
]);

// --- references to real rows, resolved when the request is sent ---------------------------------------

type RefKind =
  | 'user'
  | 'userEmail'
  | 'group'
  | 'allGroups'
  | 'offer'
  | 'grant'
  | 'grantUser'
  | 'post'
  | 'comment'
  | 'apiKey'
  | 'email'
  | 'job'
  | 'purchase'
  | 'payment'
  | 'payout'
  | 'affiliate'
  | 'cursor';

/** A real row's id (or e-mail address, or a cursor a list answered), picked when the request is sent. */
class Ref {
  constructor(
    readonly kind: RefKind,
    readonly pick: number,
  ) {}
  toJSON() {
    return `<${this.kind}#${this.pick}>`;
  }
}

const ref = (kind: RefKind) => fc.nat(50).map((pick) => new Ref(kind, pick));

/** The kind of row a path parameter names, from the path segment before it. */
function pathParamKind(path: string, name: string): RefKind | undefined {
  if (name === 'grantId') return 'grant';
  const segments = path.split('/');
  const before = segments[segments.indexOf(`{${name}}`) - 1];
  const kinds: Record<string, RefKind> = {
    users: 'user',
    'api-keys': 'apiKey',
    emails: 'email',
    jobs: 'job',
    'hub-groups': 'group',
    groups: 'group',
    posts: 'post',
    comments: 'comment',
    offers: 'offer',
    billing: 'purchase',
    purchases: 'purchase',
    payments: 'payment',
    payouts: 'payout',
  };
  return before ? kinds[before] : undefined;
}

/** Body and query fields that carry a real row's id. */
const FIELD_KINDS: Record<string, RefKind> = {
  hubGroupId: 'group',
  offerId: 'offer',
  affiliateId: 'affiliate',
  parentId: 'comment',
  cursor: 'cursor',
  // Someone's address already: taken, or who gets the mail.
  email: 'userEmail',
  to: 'userEmail',
};

// --- inputs -----------------------------------------------------------------------------------------

const WEIRD_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\uD800',
  'x\uDFFFy',
  '\uDBFF\uDFFF',
  '💪🏽‍♀️',
  '👨‍👩‍👧‍👦'.repeat(20),
  'Zoë’s Gym',
  '\u202Eevil',
  '\uFEFF',
  '\r\n\t',
  '<script>alert(1)</script>',
  "'; drop table users; --",
  '%00',
  '%',
  '../../etc/passwd',
  '__proto__',
  'constructor',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-0',
  '1e309',
  '0x10',
  '9007199254740993',
  '١٢٣',
  '=HYPERLINK("x")',
  'ﬁ',
  'İ',
];

const ODD_DATES = [
  '+010000-01-01T00:00:00.000Z',
  '-000001-01-01T00:00:00.000Z',
  '+275760-09-13T00:00:00.000Z',
  '0000-01-01T00:00:00Z',
  '1969-12-31T23:59:59.999Z',
  '1970-01-01T00:00:00Z',
  '2024-02-30T00:00:00Z',
  '2024-13-01',
  '2024-01-01T25:61:61Z',
  '2026-06-01',
  '2026-06-01T12:00:00+14:00',
  '2026-06-01T12:00:00-12:00',
  '9999-12-31T23:59:59.999Z',
  '2026-06-01T12:00:00.123456789Z',
  'now',
  'yesterday',
  '1700000000000',
];

const HUGE_NUMBERS = [
  1e308,
  -1e308,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53),
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 63,
  1.5,
  -1,
  0,
  -0,
  Number.MIN_VALUE,
];

const weirdString = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...WEIRD_STRINGS) },
  { weight: 2, arbitrary: fc.constantFrom(...ODD_DATES) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }) },
  // Long, but inside the body limit: what a field's own limit must refuse.
  { weight: 1, arbitrary: fc.constantFrom('a', 'é', '\u0000').map((unit) => unit.repeat(200_000)) },
);

/** Any JSON value, with the odd numbers and strings in it. */
const anyJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, true, false),
    fc.constantFrom(...HUGE_NUMBERS),
    fc.integer(),
    weirdString,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom(...WEIRD_STRINGS)), tie('value'), {
      maxKeys: 3,
    }),
  ),
})).value;

/** A value of any other kind than the schema asks for, or one just past its limits. */
function wrong(schema: Schema): fc.Arbitrary<unknown> {
  const near: fc.Arbitrary<unknown>[] = [];
  if (schema.maxLength !== undefined) {
    const max = schema.maxLength;
    near.push(fc.constant('x'.repeat(max + 1)));
    // As long as allowed in characters, longer in UTF-16 units and in bytes.
    near.push(fc.constant(`${'x'.repeat(Math.max(0, max - 1))}💪`));
  }
  if (schema.minLength) near.push(fc.constant(''));
  if (schema.minimum !== undefined) near.push(fc.constant(schema.minimum - 1));
  if (schema.maximum !== undefined) near.push(fc.constant(schema.maximum + 1));
  if (schema.type === 'integer' || schema.type === 'number' || schema.type === 'boolean')
    // Numbers as a query string carries them, which the schema coerces.
    near.push(
      fc.constantFrom(
        0.5,
        1e21,
        '7',
        '1e3',
        'Infinity',
        '-Infinity',
        'NaN',
        '1e309',
        '-0',
        '0x10',
        ' 5',
        '5.0',
        '',
      ),
      fc.constantFrom('true', 'false', '1', '0', 'yes', 'null', 'TRUE'),
    );
  if (schema.maxItems !== undefined)
    near.push(fc.constant(Array.from({ length: schema.maxItems + 1 }, () => 'x')));
  if (schema.type === 'string') near.push(weirdString, weirdString);
  // Just past the limits is where bugs live: twice as likely as any other kind of wrong.
  return fc.oneof(
    fc.constantFrom(null, true, false, 0, -1, 1.5, '', 'x', [], {}, [null], { a: 1 }),
    fc.constantFrom(...HUGE_NUMBERS),
    weirdString,
    anyJson,
    ...near.map((arbitrary) => ({ weight: 2, arbitrary })),
  );
}

/** A plausible string for a field, by its name: what the service checks beyond the schema. */
function namedString(name: string): fc.Arbitrary<string> | undefined {
  if (/email|^to$|mailFrom/i.test(name))
    return fc.oneof(
      fc.emailAddress(),
      fc.constantFrom('a@example.test', 'ZOË@Example.TEST', 'a+b@example.test', 'no-at-sign', '@', 'a@b'),
    );
  if (/At$|date/i.test(name)) return fc.oneof(fc.constantFrom(...ODD_DATES), isoDate());
  if (/url$/i.test(name))
    return fc.oneof(
      fc.webUrl(),
      fc.constantFrom(
        'smtp://127.0.0.1:2525',
        'smtps://user:pass@127.0.0.1:465',
        'javascript:alert(1)',
        'https://example.test/x',
        '/media/x.png',
        'ftp://x',
      ),
    );
  const choices: Record<string, string[]> = {
    type: ['membership', 'course', 'community', 'download', 'coaching'],
    status: ['draft', 'published', 'archived', 'active', 'deactivated'],
    visibility: ['public', 'private', 'hidden'],
    model: ['free', 'one_time', 'recurring'],
    currency: ['usd', 'eur', 'jpy', 'gbp', 'USD', 'xxx', 'bhd'],
    defaultCurrency: ['usd', 'eur', 'jpy', 'USD', 'zz'],
    interval: ['day', 'week', 'month', 'year'],
    secretKey: ['sk_test_fuzz', 'sk_live_fuzz', 'pk_test_fuzz', 'rk_test_fuzz'],
    emoji: ['💪', '🧘‍♀️', '👨‍👩‍👧‍👦', 'x', '🏳️‍🌈'],
    slug: ['yoga', 'a-b-c', 'Upper Case', '-', 'ü', 'admin', 'api'],
    kind: ['thumbnail', 'cover', 'landing'],
  };
  const values = choices[name];
  if (name === 'slug')
    return fc.oneof(
      fc.constantFrom(...(values ?? [])),
      fc.stringMatching(/^[a-z0-9]{1,12}(-[a-z0-9]{1,8})?$/),
    );
  return values ? fc.constantFrom(...values) : undefined;
}

const isoDate = () =>
  fc
    .date({ min: new Date(Date.UTC(1900, 0, 1)), max: new Date(Date.UTC(2200, 0, 1)), noInvalidDate: true })
    .map((d) => d.toISOString());

/** A landing-page block (its items are untyped in the schema; the service reads them). */
const landingBlock = fc.record(
  {
    id: fc.oneof(fc.constantFrom('a', 'b-1'), weirdString),
    type: fc.oneof(
      fc.constantFrom('hero', 'text', 'image', 'benefits', 'testimonials', 'faq', 'price', 'cta'),
      weirdString,
    ),
    heading: fc.oneof(fc.string({ maxLength: 20 }), anyJson),
    subheading: fc.string({ maxLength: 20 }),
    body: fc.oneof(fc.string({ maxLength: 20 }), anyJson),
    buttonLabel: fc.string({ maxLength: 70 }),
    imageUrl: fc.oneof(fc.constantFrom('/media/x.png', 'https://example.test/a.png'), anyJson),
    items: fc.oneof(
      fc.array(
        fc.oneof(
          fc.record(
            { value: fc.string(), quote: fc.string(), author: fc.string(), question: fc.string() },
            { requiredKeys: [] },
          ),
          anyJson,
        ),
        { maxLength: 3 },
      ),
      anyJson,
    ),
  },
  { requiredKeys: ['type'] },
);

/** Values the schema allows (bounded in size), leaning to what the service accepts. */
function valid(schema: Schema, name = ''): fc.Arbitrary<unknown> {
  const base = validBase(schema, name);
  return schema.nullable ? fc.oneof({ weight: 4, arbitrary: base }, fc.constant(null)) : base;
}

function validBase(schema: Schema, name: string): fc.Arbitrary<unknown> {
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((s) => valid(s, name)));
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const kind = FIELD_KINDS[name];
  switch (schema.type) {
    case 'string': {
      const min = schema.minLength ?? 0;
      const max = schema.maxLength ?? 1000;
      const free = fc.string({
        unit: 'grapheme',
        minLength: min,
        maxLength: Math.min(max, Math.max(min, 40)),
      });
      const named = namedString(name);
      const options: fc.WeightedArbitrary<unknown>[] = [
        { weight: 4, arbitrary: free },
        // As long as the field may be (a few fields take 100 000 characters: one in a while).
        { weight: max > 10_000 ? 1 : 2, arbitrary: fc.constant('ab '.repeat(max).slice(0, max)) },
      ];
      if (named) options.push({ weight: 12, arbitrary: named });
      if (kind) options.push({ weight: 12, arbitrary: ref(kind) });
      return fc.oneof(...options);
    }
    case 'integer': {
      const min = schema.minimum ?? -1_000_000;
      const max = schema.maximum ?? 1_000_000_000;
      // The schema's own bounds, and past what a 32-bit or 64-bit column holds where it sets none.
      const edges = [min, max];
      if (schema.maximum === undefined) edges.push(2 ** 31, 2 ** 53 - 1, 1e21);
      if (schema.minimum === undefined) edges.push(-(2 ** 31) - 1, -(2 ** 53 - 1));
      return fc.oneof({ weight: 3, arbitrary: fc.integer({ min, max }) }, fc.constantFrom(...edges));
    }
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e9, max: schema.maximum ?? 1e9, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array': {
      const items = schema.items ?? {};
      const maxLength = Math.min(schema.maxItems ?? 5, 5);
      if (name === 'ids' || name === 'hubGroupIds')
        return fc.oneof(
          ref('allGroups'),
          fc.array(ref('group'), { maxLength }),
          fc.array(valid(items), { maxLength }),
        );
      if (name === 'blocks') return fc.array(landingBlock, { maxLength });
      return fc.array(valid(items), { maxLength });
    }
    case 'object': {
      const properties = schema.properties ?? {};
      const model = Object.fromEntries(Object.entries(properties).map(([key, s]) => [key, valid(s, key)]));
      const record = fc.record(model, { requiredKeys: schema.required ?? [] });
      const least = schema.minProperties ?? 0;
      return least ? record.filter((value) => Object.keys(value).length >= least) : record;
    }
    default:
      return anyJson;
  }
}

const EXTRA_KEYS = [
  'extra',
  'id',
  'role',
  'password',
  'ownerId',
  '__proto__',
  'constructor',
  '💪',
  '',
  'a\u0000',
];

/** Values that break the schema somewhere: the whole value, one field deep inside, an unknown field, a missing one. */
function invalid(schema: Schema, name = ''): fc.Arbitrary<unknown> {
  const options: fc.Arbitrary<unknown>[] = [wrong(schema)];
  if (schema.anyOf) options.push(fc.oneof(...schema.anyOf.map((s) => invalid(s, name))));
  if (schema.type === 'object' && schema.properties) {
    const properties = schema.properties;
    const keys = Object.keys(properties);
    const whole = valid(schema, name) as fc.Arbitrary<Record<string, unknown>>;
    if (keys.length)
      options.push(
        fc
          .tuple(whole, fc.constantFrom(...keys))
          .chain(([value, key]) =>
            invalid(properties[key] as Schema, key).map((bad) => ({ ...value, [key]: bad })),
          ),
      );
    options.push(
      fc
        .tuple(whole, fc.constantFrom(...EXTRA_KEYS), anyJson)
        .map(([value, key, extra]) => JSON.parse(JSON.stringify({ ...value, [key]: extra, extra }))),
    );
    const required = schema.required ?? [];
    if (required.length)
      options.push(
        fc.tuple(whole, fc.constantFrom(...required)).map(([value, key]) => {
          const { [key]: _dropped, ...rest } = value;
          return rest;
        }),
      );
  }
  if (schema.type === 'array' && schema.items) {
    const items = schema.items;
    options.push(fc.array(invalid(items, name), { minLength: 1, maxLength: 3 }));
  }
  return fc.oneof(...options);
}

type Body =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  | { kind: 'raw'; payload: string | Uint8Array; contentType: string };

interface Input {
  valid: boolean;
  params: Record<string, unknown>;
  query: [string, unknown][];
  body: Body;
}

const rawBody: fc.Arbitrary<Body> = fc.oneof(
  fc.constantFrom<Body>(
    { kind: 'raw', payload: '', contentType: 'application/json' },
    { kind: 'raw', payload: '{"a":', contentType: 'application/json' },
    { kind: 'raw', payload: '{"a":1,"a":2}', contentType: 'application/json' },
    { kind: 'raw', payload: '{"__proto__":{"admin":true}}', contentType: 'application/json' },
    { kind: 'raw', payload: 'name=x', contentType: 'application/x-www-form-urlencoded' },
    { kind: 'raw', payload: 'x', contentType: 'text/plain' },
    { kind: 'raw', payload: `{"a":"${'x'.repeat(1_100_000)}"}`, contentType: 'application/json' },
  ),
  fc.tuple(fc.nat(40), anyJson).map(
    ([depth, inner]): Body => ({
      kind: 'raw',
      payload: '['.repeat(depth * 100) + JSON.stringify(inner) + ']'.repeat(depth * 100),
      contentType: 'application/json',
    }),
  ),
);

let png: Buffer;
const IMAGE_TYPES = [
  'image/png',
  'image/jpeg',
  'image/webp',
  'image/gif',
  'image/svg+xml',
  'image/png; charset=binary',
  'application/octet-stream',
  'text/plain',
];
const imageBody: fc.Arbitrary<Body> = fc
  .tuple(
    fc.oneof(
      fc.constant('png' as const),
      fc.nat(200).map((cut) => ({ cut })),
      fc.uint8Array({ maxLength: 200 }),
    ),
    fc.constantFrom(...IMAGE_TYPES),
  )
  .map(([bytes, contentType]): Body => {
    const payload = bytes === 'png' ? png : 'cut' in bytes ? png.subarray(0, bytes.cut) : bytes;
    return { kind: 'raw', payload: Buffer.from(payload), contentType };
  });

function inputs(op: Operation): fc.Arbitrary<Input> {
  const key = `${op.method} ${op.path}`;
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');

  function paramArb(p: Parameter, good: boolean): fc.Arbitrary<unknown> {
    const kind = p.in === 'path' ? pathParamKind(op.path, p.name) : FIELD_KINDS[p.name];
    // A list's cursor is only ever one it gave out (or none yet).
    if (good && p.name === 'cursor') return ref('cursor');
    const fitting = kind
      ? fc.oneof({ weight: 4, arbitrary: ref(kind) }, { weight: 1, arbitrary: valid(p.schema, p.name) })
      : valid(p.schema, p.name);
    if (good) return p.name === 'hubGroupIds' ? fc.oneof(ref('allGroups'), fitting) : fitting;
    return fc.oneof(fitting, wrong(p.schema), fc.array(fitting, { minLength: 2, maxLength: 2 }));
  }

  function params(good: boolean): fc.Arbitrary<Record<string, unknown>> {
    const each = fc.record(Object.fromEntries(pathParams.map((p) => [p.name, paramArb(p, good)])));
    if (!op.path.includes('{grantId}')) return each;
    // A user and one of their own grants, or any mix.
    const pair = fc.nat(50).map(
      (pick): Record<string, unknown> => ({
        id: new Ref('grantUser', pick),
        grantId: new Ref('grant', pick),
      }),
    );
    return fc.oneof(pair, each);
  }

  function query(good: boolean): fc.Arbitrary<[string, unknown][]> {
    const each = queryParams.map((p) =>
      p.required || (good && p.name === 'kind')
        ? paramArb(p, good).map((v): [string, unknown][] => [[p.name, v]])
        : fc.option(
            paramArb(p, good).map((v): [string, unknown][] => [[p.name, v]]),
            { nil: [] as [string, unknown][] },
          ),
    );
    const extra = good
      ? fc.constant([] as [string, unknown][])
      : fc.array(fc.tuple(fc.constantFrom(...EXTRA_KEYS, 'limit', 'cursor'), weirdString), { maxLength: 2 });
    return fc.tuple(fc.tuple(...each), extra).map(([parts, more]) => [...parts.flat(), ...more]);
  }

  function body(good: boolean): fc.Arbitrary<Body> {
    if (UPLOADS.has(key)) return imageBody;
    if (!op.body) {
      if (op.method === 'GET' || op.method === 'DELETE' || good) return fc.constant<Body>({ kind: 'none' });
      return fc.oneof(
        fc.constant<Body>({ kind: 'none' }),
        anyJson.map((value): Body => ({ kind: 'json', value })),
      );
    }
    if (good) return valid(op.body).map((value): Body => ({ kind: 'json', value }));
    return fc.oneof(
      { weight: 8, arbitrary: invalid(op.body).map((value): Body => ({ kind: 'json', value })) },
      { weight: 1, arbitrary: rawBody },
      { weight: 1, arbitrary: fc.constant<Body>({ kind: 'none' }) },
    );
  }

  const good = fc
    .record({ params: params(true), query: query(true), body: body(true) })
    .map((parts): Input => ({ valid: true, ...parts }));
  // A bad input breaks one part (the rest may be bad or good).
  const bad = fc
    .tuple(fc.constantFrom('params', 'query', 'body'), params(true), params(false), query(true), query(false))
    .chain(([part, goodParams, badParams, goodQuery, badQuery]) =>
      (part === 'body' ? body(false) : body(true)).map(
        (b): Input => ({
          valid: false,
          params: part === 'params' ? badParams : goodParams,
          query: part === 'query' ? badQuery : goodQuery,
          body: b,
        }),
      ),
    );
  return fc.oneof(good, bad);
}

// --- sending ------------------------------------------------------------------------------------------

/** encodeURIComponent, with lone surrogates sent as the (invalid UTF-8) bytes a careless client sends. */
function encode(text: string): string {
  let out = '';
  for (const unit of text) {
    try {
      out += encodeURIComponent(unit);
    } catch {
      const code = unit.charCodeAt(0);
      const bytes = [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)];
      out += bytes.map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    }
  }
  return out;
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
}

// --- the test ---------------------------------------------------------------------------------------

let ctx: StripeTestContext;
let ownerUser: TestUser;
let member: TestUser;
let admin: Client;
let operations: Operation[] = [];
let snapshotText = '';
/**
 * On PostgreSQL, a connection of its own that prepares the snapshot once: planning a union over every
 * table took 7 ms, more than half of this test's time there; running the prepared plan takes 1 ms.
 */
let snapshotClient: pg.Client | null = null;
const refIds = new Map<RefKind, string[]>();
/** Cursors each list answered, by path: a list takes only its own. */
const cursors = new Map<string, string[]>();
let currentPath = '';
const serverErrors = new Map<string, unknown[]>();
let requests = 0;
const statuses = new Map<string, Map<string, number>>();

async function loadRefs() {
  const tables: [RefKind, string, string][] = [
    ['user', 'users', 'id'],
    ['userEmail', 'users', 'email'],
    ['group', 'hub_groups', 'id'],
    ['offer', 'offers', 'id'],
    ['grant', 'access_grants', 'id'],
    ['grantUser', 'access_grants', 'user_id'],
    ['post', 'posts', 'id'],
    ['comment', 'comments', 'id'],
    ['apiKey', 'api_keys', 'id'],
    ['email', 'emails', 'id'],
    ['job', 'jobs', 'id'],
    ['purchase', 'purchases', 'id'],
    ['payment', 'payments', 'id'],
    ['payout', 'payouts', 'id'],
    ['affiliate', 'affiliates', 'user_id'],
  ];
  await Promise.all(
    tables.map(async ([kind, table, column]) => {
      // Ordered by id, so a grant and its user share a position.
      const result = await sql<{
        v: unknown;
      }>`select ${sql.ref(column)} as v from ${sql.table(table)} order by id limit 50`.execute(ctx.db);
      refIds.set(
        kind,
        result.rows.map((row) => String(row.v)),
      );
    }),
  );
}

function resolve(value: unknown): unknown {
  if (value instanceof Ref) {
    if (value.kind === 'allGroups') {
      const groups = [...(refIds.get('group') ?? [])];
      return value.pick % 2 ? groups.reverse() : groups;
    }
    if (value.kind === 'cursor') {
      const pool = cursors.get(currentPath) ?? [];
      return pool.length ? pool[value.pick % pool.length] : undefined;
    }
    const pool = refIds.get(value.kind) ?? [];
    return pool.length ? pool[value.pick % pool.length] : `no-${value.kind}`;
  }
  if (Array.isArray(value)) return value.map(resolve);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
  return value;
}

/**
 * Row counts and a cheap checksum of every table (lengths of every value, newest update). Sessions and
 * rate-limit counters are bookkeeping a refused request may write (a failed sign-in is counted).
 */
async function buildSnapshotQuery() {
  const tables = (await tablesOfThisDatabase(ctx.db)).filter(
    (table) => !table.name.startsWith('kysely_') && table.name !== 'sessions' && table.name !== 'rate_limits',
  );
  const parts = tables.map((table) => {
    const lengths = table.columns
      .map((column) => `coalesce(length(cast(${column.name} as text)), 0)`)
      .join(' + ');
    const updated = table.columns.some((column) => column.name === 'updated_at') ? 'max(updated_at)' : '0';
    return `select '${table.name}' as t, count(*) as n, coalesce(sum(${lengths}), 0) as s, ${updated} as u from ${table.name}`;
  });
  snapshotText = parts.join(' union all ');
  if (ctx.config.database.kind === 'postgres') {
    snapshotClient = new pg.Client({ connectionString: ctx.config.database.url });
    await snapshotClient.connect();
  }
}

async function snapshot(): Promise<string> {
  const result = snapshotClient
    ? await snapshotClient.query({ name: 'snapshot', text: snapshotText })
    : await sql.raw(snapshotText).execute(ctx.db);
  return JSON.stringify(
    (result.rows as Record<string, unknown>[]).map((row) => [
      row.t,
      String(row.n),
      String(row.s),
      String(row.u),
    ]),
  );
}

function checkErrorShape(response: LightMyRequestResponse): string | null {
  let body: unknown;
  try {
    body = response.json();
  } catch {
    return `not JSON: ${response.body.slice(0, 300)}`;
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return 'not an object';
  const keys = Object.keys(body);
  if (keys.length !== 1 || keys[0] !== 'error') return `top-level keys ${JSON.stringify(keys)}`;
  const error = (body as { error: unknown }).error as Record<string, unknown>;
  if (!error || typeof error !== 'object') return 'error is not an object';
  const extra = Object.keys(error).filter((k) => !['code', 'message', 'details'].includes(k));
  if (extra.length) return `unexpected error keys ${JSON.stringify(extra)}`;
  if (typeof error.code !== 'string' || !/^[a-z][a-z0-9_]*$/.test(error.code))
    return `code ${JSON.stringify(error.code)} is not snake_case`;
  if (typeof error.message !== 'string' || !error.message) return 'message is not a non-empty string';
  if (error.code === 'validation_failed') {
    const fields = (error.details as { fields?: unknown } | undefined)?.fields;
    if (
      !Array.isArray(fields) ||
      !fields.length ||
      !fields.every((f) => f && typeof f.field === 'string' && typeof f.message === 'string')
    )
      return 'validation_failed without details.fields naming the field';
  }
  return null;
}

function describeRequest(method: string, url: string, body: Body): string {
  const shown =
    body.kind === 'none'
      ? ''
      : body.kind === 'json'
        ? ` body=${JSON.stringify(body.value)}`
        : ` body(${body.contentType})=${typeof body.payload === 'string' ? JSON.stringify(body.payload) : `<${body.payload.length} bytes>`}`;
  const line = `${method} ${url}${shown}`;
  return line.length > 1500 ? `${line.slice(0, 1500)}… (${line.length} chars)` : line;
}

async function send(op: Operation, input: Input): Promise<void> {
  currentPath = op.path;
  let url = op.path;
  for (const [name, value] of Object.entries(input.params)) {
    url = url.replace(`{${name}}`, encode(asText(resolve(value))));
  }
  const query = input.query.flatMap(([name, value]) => {
    const resolved = resolve(value);
    if (resolved === undefined) return [];
    const values = Array.isArray(resolved) && name !== 'hubGroupIds' ? resolved : [resolved];
    return values.map((v) => {
      const text = name === 'hubGroupIds' && Array.isArray(v) ? v.join(',') : asText(v);
      return `${encode(name)}=${encode(text)}`;
    });
  });
  if (query.length) url += `?${query.join('&')}`;
  const body: Body =
    input.body.kind === 'json' ? { kind: 'json', value: resolve(input.body.value) } : input.body;
  const payload =
    body.kind === 'none' ? undefined : body.kind === 'json' ? JSON.stringify(body.value) : body.payload;
  const headers: Record<string, string> =
    body.kind === 'none'
      ? {}
      : { 'content-type': body.kind === 'json' ? 'application/json' : body.contentType };

  const mutating = op.method !== 'GET';
  // Every request moves the clock, so a write in it shows as a newer updated_at.
  ctx.clock.advance(1);
  const before = mutating ? await snapshot() : '';
  serverErrors.clear();
  const response = await admin.request(op.method, url, payload, headers);
  requests += 1;
  const status = response.statusCode;
  const seen = statuses.get(`${op.method} ${op.path}`) ?? new Map<string, number>();
  const code = status >= 400 ? /"code":"([^"]*)"/.exec(response.body)?.[1] : undefined;
  const label = code ? `${status} ${code}` : String(status);
  seen.set(label, (seen.get(label) ?? 0) + 1);
  statuses.set(`${op.method} ${op.path}`, seen);
  const what = `${describeRequest(op.method, url, body)}\n  → ${status} ${response.body.slice(0, 600)}`;

  if (status >= 500) {
    const logged = [...serverErrors.values()].flat();
    throw new Error(`5xx: ${what}\n  server log: ${JSON.stringify(logged, null, 1).slice(0, 3000)}`);
  }
  if (status >= 400) {
    const problem = checkErrorShape(response);
    if (problem) throw new Error(`error shape (${problem}): ${what}`);
    if (mutating) {
      const after = await snapshot();
      if (after !== before) {
        const was = JSON.parse(before) as string[][];
        const changed = (JSON.parse(after) as string[][]).filter(
          (row, i) => JSON.stringify(row) !== JSON.stringify(was[i]),
        );
        throw new Error(`a refused change changed tables ${JSON.stringify(changed)}: ${what}`);
      }
    }
  }
  if (status === 401) {
    // The fuzzer signed itself out (sign-out, sign out everywhere, a new password): a fresh session.
    admin = await sessionOf(ctx, ownerUser);
  }
  if (status < 300 && response.headers['content-type']?.toString().includes('json')) {
    const next = (response.json() as { nextCursor?: unknown }).nextCursor;
    const pool = cursors.get(op.path) ?? [];
    if (typeof next === 'string' && pool.length < 50 && !pool.includes(next))
      cursors.set(op.path, [...pool, next]);
  }
  if (status < 300 && mutating) await repair(op);
}

/**
 * Puts back what an accepted change took away, so later operations still reach past "not found": the
 * owner's role and status, Stripe's connection, a group with a grant, a post and a comment.
 */
async function repair(op: Operation) {
  await ctx.db
    .updateTable('users')
    .set({ role: 'owner', status: 'active' })
    .where('id', '=', ownerUser.id)
    .execute();
  if (op.path === '/api/v1/settings/stripe') await connectThroughSettings(admin);
  await loadRefs();
  let [group] = refIds.get('group') ?? [];
  if (!group) group = (await createGroup(ctx, { name: 'Yoga', visibility: 'private' })).id;
  if (!refIds.get('grant')?.length) await createGrant(ctx, member, { id: group }, { note: 'fixture' });
  if (!refIds.get('post')?.length) {
    const made = await admin.post(`/api/v1/hub/groups/${group}/posts`, { title: 'Hello', body: 'First' });
    if (made.statusCode !== 201) throw new Error(`could not make a post: ${made.statusCode} ${made.body}`);
    await admin.post(`/api/v1/hub/posts/${made.json().id}/comments`, { body: 'A comment' });
  } else if (!refIds.get('comment')?.length) {
    await admin.post(`/api/v1/hub/posts/${refIds.get('post')?.[0]}/comments`, { body: 'A comment' });
  }
  await loadRefs();
}

/** Makes one of every object a path can name, so fuzzing reaches past "not found". */
async function createFixtures() {
  ownerUser = await createOwner(ctx);
  admin = await signIn(ctx, ownerUser);
  await connectThroughSettings(admin);
  member = await createMember(ctx);
  await createAdmin(ctx);
  const yoga = await createGroup(ctx, { name: 'Yoga', visibility: 'private' });
  await createGroup(ctx, { name: 'Lobby', visibility: 'public' });
  await createGrant(ctx, member, yoga, { note: 'fixture' });
  await createApiKey(ctx, ownerUser);
  png = await pngBytes(40, 30);

  const offer = (
    await admin.post('/api/v1/offers', {
      type: 'membership',
      title: 'Fuzz Circle',
      hubGroupIds: [yoga.id],
      pricing: { model: 'recurring', amountMinor: 900, currency: 'usd', interval: 'month', intervalCount: 1 },
    })
  ).json() as { id: string };
  await admin.request('PUT', `/api/v1/offers/${offer.id}/media/thumbnail`, png, {
    'content-type': 'image/png',
  });
  const published = (await admin.patch(`/api/v1/offers/${offer.id}`, { status: 'published' })).json() as {
    slug: string;
  };
  const started = await submitCheckout(client(ctx), published.slug, {
    email: 'buyer@example.test',
    name: 'Buyer',
  });
  if (started.statusCode !== 303) throw new Error(`checkout failed: ${started.statusCode} ${started.body}`);
  await ctx.pay(sessionIdOf(started.headers.location as string));
  await ctx.deliver();

  await admin.post('/api/v1/settings/test-email', { to: 'owner@example.test' });
  await ctx.drainJobs();
  await repair(operations[0] as Operation);
}

beforeAll(async () => {
  ctx = await createStripeTestContext();
  // Errors the app logs (a 500's cause) are caught here, per request; the logger itself stays silent.
  const log = ctx.app.log as unknown as { child: (...args: unknown[]) => Record<string, unknown> };
  const child = log.child.bind(log);
  log.child = (...args: unknown[]) => {
    const made = child(...args);
    const capture =
      (level: string) =>
      (...entry: unknown[]) => {
        const first = entry[0] as { err?: Error } | undefined;
        const err = first?.err;
        serverErrors.set(`${level}${serverErrors.size}`, [
          level,
          err ? { message: err.message, stack: err.stack?.split('\n').slice(0, 6).join('\n') } : entry,
        ]);
      };
    made.error = capture('error');
    made.fatal = capture('fatal');
    return made;
  };

  const doc = (await ctx.app.inject({ method: 'GET', url: '/api/docs/json' })).json() as {
    paths: Record<
      string,
      Record<
        string,
        { parameters?: Parameter[]; requestBody?: { content: Record<string, { schema: Schema }> } }
      >
    >;
  };
  operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase() as Method,
      path,
      parameters: op.parameters ?? [],
      body: op.requestBody?.content['application/json']?.schema ?? null,
    })),
  );
  await createFixtures();
  await buildSnapshotQuery();
  await loadRefs();
}, 120_000);

afterAll(async () => {
  console.info(`fuzz: ${requests} requests, ${RUNS} runs per operation, seed ${SEED}`);
  if (process.env.FUZZ_STATS)
    for (const [key, seen] of statuses)
      console.info(`${key}: ${[...seen].map(([label, n]) => `${label}×${n}`).join(', ')}`);
  await snapshotClient?.end();
  await ctx?.close();
});

/** A seed per operation, so adding a route does not change what the others are sent. */
function seedOf(key: string): number {
  let hash = SEED;
  for (const char of key) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) | 0;
  return hash;
}

describe('fuzzing every documented operation', () => {
  it('notices a change in the tables', async () => {
    const before = await snapshot();
    expect((await admin.patch('/api/v1/me', { name: 'Renamed By The Fuzzer' })).statusCode).toBe(200);
    expect(await snapshot()).not.toBe(before);
  });

  it('reads the document, and knows which routes take raw bytes', () => {
    expect(operations.length).toBeGreaterThan(50);
    for (const upload of UPLOADS) expect(operations.map((o) => `${o.method} ${o.path}`)).toContain(upload);
    expect(operations.filter((o) => o.path.startsWith('/webhooks'))).toEqual([]);
  });

  // One test over every operation (they are known only once the app answers), reporting each failing
  // operation with its shrunk counterexample and the seed to replay it.
  it(
    'answers every input below 500, with the documented error shape, and refused changes change nothing',
    async () => {
      const failures: string[] = [];
      for (const op of operations) {
        const key = `${op.method} ${op.path}`;
        // A whole "METHOD /path" names one operation; anything else is a part of some.
        if (ONLY && (ONLY.includes(' ') ? key !== ONLY : !key.includes(ONLY))) continue;
        const seed = seedOf(key);
        const result = await fc.check(
          fc.asyncProperty(inputs(op), (input) => send(op, input)),
          { numRuns: RUNS, seed },
        );
        if (result.failed) {
          failures.push(
            `${key} (replay: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS} FUZZ_OPS='${key}'; fast-check seed ${seed}, path ${result.counterexamplePath}):\n  ${
              result.errorInstance instanceof Error ? result.errorInstance.message : 'interrupted'
            }`,
          );
        }
      }
      expect(failures, failures.join('\n\n')).toEqual([]);
    },
    60_000 + RUNS * 3_000,
  );
});
