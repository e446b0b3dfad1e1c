// `npm run sql:snapshot`: rewrites every repository's SQL snapshot (one file per repository, both engines).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPOSITORIES, type RepositoryName, snapshotOf, snapshotPath } from './snapshot.ts';

const root = join(import.meta.dirname, '..', '..');
for (const name of Object.keys(REPOSITORIES) as RepositoryName[]) {
  const text = `${await snapshotOf(name, 'sqlite')}\n${await snapshotOf(name, 'postgres')}`;
  writeFileSync(join(root, snapshotPath(name)), text);
  process.stdout.write(`${snapshotPath(name)}\n`);
}
