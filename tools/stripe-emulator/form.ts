// Stripe's request encoding: form bodies and query strings with bracketed keys
// (`line_items[0][price]=…`, `metadata[k]=v`, `expand[]=…`), decoded into nested values. Objects whose
// keys are all indices become arrays, in index order, as Stripe reads them.

export type ParamValue = string | number | boolean | null | ParamValue[] | ParamObject;
export interface ParamObject {
  [key: string]: ParamValue;
}

function splitKey(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0) return [key];
  const parts = [key.slice(0, open)];
  const pattern = /\[([^\]]*)\]/g;
  for (const match of key.slice(open).matchAll(pattern)) parts.push(match[1] ?? '');
  return parts;
}

function assign(target: ParamObject, path: string[], value: string): void {
  let node: ParamObject = target;
  for (let i = 0; i < path.length; i++) {
    let segment = path[i] ?? '';
    const last = i === path.length - 1;
    if (segment === '') segment = String(Object.keys(node).length);
    if (last) {
      node[segment] = value;
      return;
    }
    const next = node[segment];
    if (next && typeof next === 'object' && !Array.isArray(next)) {
      node = next;
    } else {
      const created: ParamObject = {};
      node[segment] = created;
      node = created;
    }
  }
}

function arraysFromIndices(value: ParamValue): ParamValue {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(arraysFromIndices);
  const keys = Object.keys(value);
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return keys.sort((a, b) => Number(a) - Number(b)).map((k) => arraysFromIndices(value[k] as ParamValue));
  }
  const out: ParamObject = {};
  for (const k of keys) out[k] = arraysFromIndices(value[k] as ParamValue);
  return out;
}

export function parseForm(encoded: string): ParamObject {
  const root: ParamObject = {};
  for (const [key, value] of new URLSearchParams(encoded)) assign(root, splitKey(key), value);
  return arraysFromIndices(root) as ParamObject;
}

/** The inverse, for tests and for pages that post back to the emulator. */
export function encodeForm(value: ParamObject, prefix = ''): string {
  const pairs: string[] = [];
  const walk = (v: ParamValue, key: string) => {
    if (v === null || v === undefined) return;
    if (Array.isArray(v)) {
      for (const [i, item] of v.entries()) walk(item, `${key}[${i}]`);
    } else if (typeof v === 'object') for (const [k, child] of Object.entries(v)) walk(child, `${key}[${k}]`);
    else pairs.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(v))}`);
  };
  for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}[${k}]` : k);
  return pairs.join('&');
}
