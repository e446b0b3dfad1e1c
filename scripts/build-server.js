#!/usr/bin/env node
// Compiles the server (src/main.ts and what it imports) into dist/server/ as JavaScript, so
// `guildhall start` loads in a fraction of the time the TypeScript loader needs: a restart after a
// crash or a deploy is back within well under a second. Packages stay in node_modules (not bundled).
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist/server', { recursive: true, force: true });

await build({
  entryPoints: { main: 'src/main.ts' },
  outdir: 'dist/server',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Packages are bundled too (resolving and reading hundreds of files was a third of the start), all but
  // those with native code or files read at run time.
  external: [
    'better-sqlite3',
    'sharp',
    '@node-rs/argon2',
    'pg-native',
    'pino',
    'thread-stream',
    '@fastify/swagger-ui',
    '@fastify/static',
    'esbuild',
    'tsx',
    'tsx/*',
  ],
  // Bundled CommonJS packages call require(): give the ES module one.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  sourcemap: 'linked',
  logLevel: 'warning',
  // Chunks are named by content: a rebuild never mixes an old chunk with a new entry.
  chunkNames: 'chunks/[name]-[hash]',
});
