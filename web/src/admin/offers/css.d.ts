// Stylesheets imported for their side effect (Vite bundles them into the SPA's CSS).
declare module '*.css';
