#!/usr/bin/env node
// The `guildhall` command. It runs the compiled server (dist/server, made by `npm run build`, which
// `npm install` runs) when that is at least as new as every file under src/ and tools/; otherwise —
// a checkout being edited, or never built — the TypeScript itself through tsx's loader, which takes
// about a second longer to start.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// A production process unless told otherwise: React renders the public pages with its production
// build (the development build costs a third to a half of each page), and libraries drop dev checks.
process.env.NODE_ENV ??= 'production';

const root = join(import.meta.dirname, '..');
const compiled = join(root, 'dist', 'server', 'main.js');

function newestUnder(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

function compiledIsCurrent() {
  if (process.env.GUILDHALL_FROM_SOURCE === '1' || !existsSync(compiled)) return false;
  const built = statSync(compiled).mtimeMs;
  return ['src', 'tools'].every((dir) => newestUnder(join(root, dir)) <= built);
}

if (compiledIsCurrent()) {
  await import(pathToFileURL(compiled).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}
