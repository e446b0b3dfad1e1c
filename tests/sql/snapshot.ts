// The SQL every repository function builds, per engine, as committed text (src/modules/<m>/<m>.sql.md):
// a change to a query shows in review as a change to its SQL, on both dialects. Each exported function
// is called on a Kysely that compiles without executing (tests/support/sql-capture.ts) with sample
// arguments chosen by parameter name; it sees no rows, so a function that goes on to use a result
// shows the queries up to that point. Writes whose columns the caller picks (a row or a patch) say so
// instead of showing one arbitrary shape.
import type { CompiledQuery } from 'kysely';
import * as access from '../../src/modules/access/access.repository.ts';
import * as accounts from '../../src/modules/accounts/accounts.repository.ts';
import * as affiliates from '../../src/modules/affiliates/affiliates.repository.ts';
import * as email from '../../src/modules/email/email.repository.ts';
import * as hub from '../../src/modules/hub/hub.repository.ts';
import * as metrics from '../../src/modules/metrics/metrics.repository.ts';
import * as offers from '../../src/modules/offers/offer.repository.ts';
import * as purchases from '../../src/modules/purchases/purchase.repository.ts';
import * as settings from '../../src/modules/settings/settings.repository.ts';
import type { Engine } from '../../src/platform/db/database.ts';
import * as jobs from '../../src/platform/jobs.ts';
import * as rateLimits from '../../src/platform/shared-store.ts';
import { capturingDb } from '../support/sql-capture.ts';

export const REPOSITORIES = {
  access,
  accounts,
  affiliates,
  email,
  hub,
  metrics,
  offers,
  purchases,
  settings,
  jobs,
  rateLimits,
} as const;
export type RepositoryName = keyof typeof REPOSITORIES;

/** Where a repository's snapshot lives: beside it. */
export function snapshotPath(name: RepositoryName): string {
  if (name === 'jobs') return 'src/platform/jobs.sql.md';
  if (name === 'rateLimits') return 'src/platform/shared-store.sql.md';
  const file = { offers: 'offer', purchases: 'purchase' }[name as string] ?? name;
  return `src/modules/${name}/${file}.repository.sql.md`;
}

const NOW = 1_800_000_000_000;

/** The parameter names of a function, from its source (the TypeScript types are already stripped). */
function parameterNames(fn: (...args: never[]) => unknown): string[] {
  const source = fn.toString();
  const open = source.indexOf('(');
  let depth = 0;
  let end = open;
  for (let i = open; i < source.length; i++) {
    const c = source[i];
    if (c === '(' || c === '{' || c === '[') depth++;
    if (c === ')' || c === '}' || c === ']') depth--;
    if (depth === 0) {
      end = i;
      break;
    }
  }
  return source
    .slice(open + 1, end)
    .split(',')
    .map((part) => part.trim().split(/[\s=]/)[0] ?? '')
    .filter(Boolean);
}

type Sample = { value: unknown } | { skip: string };

/** A sample argument for a parameter, by its name. */
function sampleFor(name: string): Sample {
  // A write's columns are the caller's: one sample column shows the statement's own clauses (conflicts,
  // conditions, RETURNING) without pretending to be the only shape.
  if (/^(row|patch)$/.test(name)) return { value: { id: 'sample-id' } };
  if (/^(after|before)$/.test(name)) return { value: { at: NOW, id: 'sample-id' } };
  if (name === 'cursor') return { value: undefined };
  if (name === 'status') return { value: 'failed' };
  if (name === 'limit') return { value: 20 };
  if (/^(now|since|day|at|openUntil|amountMinor|attempts)$/.test(name)) return { value: NOW };
  if (/(Ids|ids|keys|^from|^states|^statuses|^purposes)$/.test(name))
    return { value: ['sample-1', 'sample-2'] };
  if (name === 'exceptId') return { value: 'sample-except' };
  if (name === 'filter' || name === 'options')
    return {
      value: {
        search: 'sample',
        after: { at: NOW, id: 'sample-id' },
        limit: 20,
        publishedOnly: true,
        terms: ['sample'],
        groupIds: ['sample-1', 'sample-2'],
      },
    };
  if (name === 'post' || name === 'comment')
    return { value: { id: 'sample-id', hubGroupId: 'sample-group', postId: 'sample-post' } };
  if (name === 'value') return { value: { sample: true } };
  if (name === 'kind') return { value: 'post' };
  if (name === 'clock') return { value: { now: () => NOW } };
  if (name === 'payload') return { value: { sample: true } };
  if (name === 'like') return { value: true };
  if (name === 'counts') return { value: [{ day: NOW, metric: 'sample', currency: '', delta: 1 }] };
  if (name === 'change') return { value: { attempts: 1, dueAt: NOW, error: 'sample-error' } };
  if (name === 'event') return { value: { id: 'sample-1', type: 'sample.type' } };
  if (name === 'entries' || name === 'events')
    return {
      value: [
        {
          id: 'sample-1',
          type: 'sample.type',
          kind: 'account',
          account: null,
          objectId: 'sample-object',
          relatedId: null,
        },
      ],
    };
  return { value: `sample-${name}` };
}

/** Each function's SQL, in name order, as Markdown with one fenced block per query. */
export async function snapshotOf(name: RepositoryName, engine: Engine): Promise<string> {
  const module = REPOSITORIES[name] as Record<string, unknown>;
  const lines = [`# ${name} repository: SQL on ${engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`, ''];
  lines.push('Generated by `npm run sql:snapshot`; `npm test` fails when it differs from the code.', '');
  for (const key of Object.keys(module).sort()) {
    const fn = module[key];
    if (typeof fn !== 'function') continue;
    const names = parameterNames(fn as (...args: never[]) => unknown);
    if (!['db', 'trx', 'executor'].includes(names[0] ?? '')) {
      // Not a repository function (a helper, a rule): listed, so nothing vanishes unseen.
      lines.push(`## ${key}`, '', 'Takes no database.', '');
      continue;
    }
    lines.push(`## ${key}`, '');
    const samples = names.slice(1).map(sampleFor);
    const skipped = samples.find((sample): sample is { skip: string } => 'skip' in sample);
    if (skipped) {
      lines.push(`Not shown: ${skipped.skip}.`, '');
      continue;
    }
    const queries: CompiledQuery[] = [];
    const db = capturingDb(engine, (query) => queries.push(query));
    try {
      await (fn as (...args: unknown[]) => Promise<unknown>)(
        db,
        ...samples.map((sample) => (sample as { value: unknown }).value),
      );
    } catch (error) {
      // No rows came back: what ran until then is the function's SQL (and the reason it stopped).
      if (queries.length === 0) lines.push(`Stopped before a query: ${(error as Error).message}`, '');
    }
    for (const query of queries) lines.push('```sql', query.sql, '```', '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
