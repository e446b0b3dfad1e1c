// The shape every API route has: a method, a path pattern (`:name` segments), and a synchronous
// handler. Handlers run to completion without awaiting, so each request is atomic.
import type { Emulator } from './emulator.ts';
import type { Params } from './params.ts';
import type { AccountState } from './store.ts';

export interface ApiContext {
  emu: Emulator;
  state: AccountState;
  params: Params;
  path: Record<string, string>;
}

export interface ApiRoute {
  method: 'GET' | 'POST' | 'DELETE';
  pattern: string;
  handle: (ctx: ApiContext) => unknown;
}

export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const out: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? '';
    const g = got[i] ?? '';
    if (w.startsWith(':')) {
      if (!g) return undefined;
      out[w.slice(1)] = decodeURIComponent(g);
    } else if (w !== g) return undefined;
  }
  return out;
}
