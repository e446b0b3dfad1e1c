// Where the project's own files are (the built SPA, the public pages' assets), the same whether the
// server runs from src/ through tsx or from the compiled bundle in dist/server/.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

function rootAbove(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`No package.json above ${start}.`);
  }
}

/** The checkout's root: the folder with package.json. */
export const projectRoot = rootAbove(import.meta.dirname);
