#!/usr/bin/env node
// Compiles the server (src/main.ts and what it imports) into dist/server/ as JavaScript, so
// `guildhall start` loads in a fraction of the time the TypeScript loader needs: a restart after a
// crash or a deploy is back within well under a second.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';
import { bundleOptions } from './server-bundle.js';

rmSync('dist/server', { recursive: true, force: true });

await build({
  ...bundleOptions,
  entryPoints: { main: 'src/main.ts' },
  outdir: 'dist/server',
  splitting: true,
  sourcemap: 'linked',
  // Chunks are named by content: a rebuild never mixes an old chunk with a new entry.
  chunkNames: 'chunks/[name]-[hash]',
});
