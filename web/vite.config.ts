// Builds the SPA (/admin, /hub, /account, sign-in pages) into dist/web, which the server serves.
// Vite transforms TSX itself (oxc); no React plugin, so no fast refresh in dev — a full reload is fine.
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'web',
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    // The server's CSP forbids inline scripts; never inline the module preload polyfill or assets.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    rolldownOptions: {
      onwarn(warning, warn) {
        // react-router marks its modules "use client" for React Server Components; meaningless in an SPA.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  server: {
    // `npm run dev:web` next to `npm start`: the API answers from the real server.
    proxy: { '/api': 'http://localhost:3000' },
  },
});
