// How the server is bundled into JavaScript, for `npm run build` (scripts/build-server.js) and the
// benchmark's servers (tests/bench/servers.ts): packages are bundled too (resolving and reading hundreds
// of files was a third of the start), all but those with native code or files read at run time.
export const bundleOptions = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
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
  logLevel: 'warning',
};
