// Turning stored objects into responses: Stripe's list envelope with cursor pagination, and `expand[]`
// (dotted paths, `data.` inside lists) resolved against the account's objects.
import { invalidParam, invalidRequest, noSuchObject } from './errors.ts';
import type { Params } from './params.ts';
import type { AccountState } from './store.ts';

export interface ListObject<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

interface Created {
  id: string;
  created: number;
}

/** Stripe's order: newest first; `starting_after` / `ending_before` are ids in that order. */
export function paginate<T extends Created>(items: T[], params: Params, url: string): ListObject<T> {
  const limit = params.integer('limit') ?? 10;
  if (limit < 1 || limit > 100)
    throw invalidParam('limit', 'Limit must be between 1 and 100.', 'parameter_invalid_integer');
  const sorted = items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => b.item.created - a.item.created || b.index - a.index)
    .map(({ item }) => item);
  const created = params.child('created');
  const filtered = created ? sorted.filter((item) => inRange(item.created, created)) : sorted;
  const after = params.string('starting_after');
  const before = params.string('ending_before');
  if (after) {
    const at = filtered.findIndex((item) => item.id === after);
    if (at < 0) throw noSuchObject('object', after, 'starting_after');
    const rest = filtered.slice(at + 1);
    return { object: 'list', data: rest.slice(0, limit), has_more: rest.length > limit, url };
  }
  if (before) {
    const at = filtered.findIndex((item) => item.id === before);
    if (at < 0) throw noSuchObject('object', before, 'ending_before');
    const head = filtered.slice(0, at);
    return {
      object: 'list',
      data: head.slice(Math.max(0, head.length - limit)),
      has_more: head.length > limit,
      url,
    };
  }
  return { object: 'list', data: filtered.slice(0, limit), has_more: filtered.length > limit, url };
}

function inRange(value: number, range: Params): boolean {
  const gt = range.integer('gt');
  const gte = range.integer('gte');
  const lt = range.integer('lt');
  const lte = range.integer('lte');
  return (
    (gt === undefined || value > gt) &&
    (gte === undefined || value >= gte) &&
    (lt === undefined || value < lt) &&
    (lte === undefined || value <= lte)
  );
}

/**
 * Fields Stripe leaves out unless expanded (its "includable" fields), computed on demand; keyed by the
 * field's path in the object (`line_items`, `features.subscription_update.products`).
 */
export type Includable = (state: AccountState, object: Record<string, unknown>) => unknown;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const maxDepth = 4;

export function expandPaths(
  state: AccountState,
  root: unknown,
  paths: string[],
  includables: Record<string, Record<string, Includable>>,
): unknown {
  // Nothing to expand: the caller serializes the stored object as it is.
  if (paths.length === 0) return root;
  const copy: unknown = structuredClone(root);
  for (const path of paths) {
    const segments = path.split('.');
    if (segments.length > maxDepth) {
      throw invalidRequest(
        `You cannot expand more than ${maxDepth} levels of a property. Property: ${path}`,
        'expand',
      );
    }
    expandInto(state, copy, segments, path, includables);
  }
  return copy;
}

function expandInto(
  state: AccountState,
  node: unknown,
  segments: string[],
  path: string,
  includables: Record<string, Record<string, Includable>>,
): void {
  if (!isRecord(node) || segments.length === 0) return;
  const [head, ...rest] = segments as [string, ...string[]];
  if (node.object === 'list' && head === 'data' && Array.isArray(node.data)) {
    for (const item of node.data) expandInto(state, item, rest, path, includables);
    return;
  }
  const kind = typeof node.object === 'string' ? node.object : '';
  // An includable field deeper in the object (`features.subscription_update.products`).
  const deep = segments.length > 1 ? includables[kind]?.[segments.join('.')] : undefined;
  if (deep) {
    let parent: unknown = node;
    for (const part of segments.slice(0, -1)) parent = isRecord(parent) ? parent[part] : undefined;
    if (isRecord(parent)) {
      parent[segments[segments.length - 1] as string] = structuredClone(deep(state, node));
      return;
    }
  }
  const include = includables[kind]?.[head];
  let value = node[head];
  if (value === undefined && include) {
    value = structuredClone(include(state, node));
    node[head] = value;
  } else if (typeof value === 'string') {
    const found = state.objects.get(value);
    if (!found) throw invalidRequest(`This property cannot be expanded (${path}).`, 'expand');
    value = structuredClone(found);
    node[head] = value;
  } else if (value === undefined) {
    throw invalidRequest(`This property cannot be expanded (${path}).`, 'expand');
  }
  if (rest.length > 0) expandInto(state, value, rest, path, includables);
}
