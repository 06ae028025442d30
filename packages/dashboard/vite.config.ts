// The dashboard's build: a Preact single-page app under /dashboard/, with JSX compiled by Vite's own Oxc transform
// (no Babel plugin needed). `npm run dev -w @fitroom/dashboard` serves it with the API proxied to a running server.
import { defineConfig } from 'vite';

const API = process.env.FITROOM_URL ?? 'http://localhost:8080';

export default defineConfig({
  base: '/dashboard/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    target: 'es2022',
    // Every asset a file of its own: the Content-Security-Policy allows scripts, styles and fonts from 'self' only.
    assetsInlineLimit: 0,
    // Modern browsers only (ES modules): the polyfill would be an inline-able extra for nothing.
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: { '/admin': API, '/dashboard/session': API, '/tryon': API },
  },
});
