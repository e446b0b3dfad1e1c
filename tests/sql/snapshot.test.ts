// The committed SQL of every repository function is the SQL the code builds now, on both engines: a
// query change that is not in the snapshot fails here (run `npm run sql:snapshot` and commit the diff).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPOSITORIES, type RepositoryName, snapshotOf, snapshotPath } from './snapshot.ts';

const root = join(import.meta.dirname, '..', '..');

describe('SQL snapshots', () => {
  it.each(Object.keys(REPOSITORIES) as RepositoryName[])('%s matches the committed SQL', async (name) => {
    const committed = readFileSync(join(root, snapshotPath(name)), 'utf8');
    const now = `${await snapshotOf(name, 'sqlite')}\n${await snapshotOf(name, 'postgres')}`;
    expect(now, `${snapshotPath(name)} is stale: run npm run sql:snapshot and commit it`).toBe(committed);
  });
});
