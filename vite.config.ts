import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import { VitePWA } from 'vite-plugin-pwa'
import { precompress } from './scripts/precompress'
import { entryCompileHint } from './scripts/compile-hint'
import { adminOnlyFiles } from './scripts/precache-scope.mjs'
import { hashedClassicScripts } from './scripts/classic-scripts'
import { inlineEntryStylesheet, inlinedStylesheets } from './scripts/inline-css'

// One id per build: it names the SharedWorker and rides in the tab ↔ hub handshake, so tabs
// of an old build never talk to a hub of a new one (docs/architecture.md, "Deploys").
const BUILD_ID = process.env.BUILD_ID ?? `${Date.now().toString(36)}`

// Where `npm run dev` proxies the API and the socket (the backend started by scripts/dev.mjs).
const BACKEND = process.env.DEV_BACKEND_URL ?? 'http://127.0.0.1:3001'

// Where this build writes (vite build --outDir …): the precache reads the chunk graph there.
let outDir = 'dist'

export default defineConfig({
  resolve: {
    // src/shared: the code every browser runtime may import (tsconfig.base.json has the same path).
    alias: { '@shared': fileURLToPath(new URL('./src/shared', import.meta.url)) },
  },
  plugins: [
    // Every component is <script setup>: the Options API's runtime support is dead weight in every page.
    vue({ features: { optionsAPI: false } }),
    hashedClassicScripts(['boot-guard.js', 'early-order.js']),
    // The entry's stylesheet inside index.html: the first paint waits for no other file.
    inlineEntryStylesheet(),
    {
      name: 'orderline:out-dir',
      configResolved(config) {
        outDir = path.resolve(config.root, config.build.outDir)
      },
    },
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src/sw',
      filename: 'sw.ts',
      registerType: 'prompt',
      injectRegister: false,
      // Vite 8 emits the SW as an ES module by default; a classic registration then fails.
      injectManifest: {
        rollupFormat: 'iife',
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        // The page loads the hashed copy of the boot guard (scripts/classic-scripts.ts); the
        // browser fetches the favicon itself, outside the service worker, so a precached copy
        // would only be a second download. The manifest's screenshots are for the install
        // dialog, not the offline app.
        globIgnores: ['**/node_modules/**', 'boot-guard.js', 'early-order.js', 'favicon.svg', 'screenshots/**'],
        // The precache is the customer shell: a customer never downloads the admin app. Admin
        // chunks (board, order page, dashboard with uPlot, diagnostics) are cached by the service
        // worker when an admin first loads them (src/sw/precache.ts).
        manifestTransforms: [
          (entries) => {
            const admin = new Set(adminOnlyFiles(outDir))
            // The inlined entry stylesheet is inside the precached index.html already.
            const skip = (url: string) => admin.has(url) || inlinedStylesheets.has(url)
            return { manifest: entries.filter((entry) => !skip(entry.url)), warnings: [] }
          },
        ],
      },
      includeAssets: ['apple-touch-icon.png'],
      manifest: {
        id: '/',
        name: 'Orderline',
        short_name: 'Orderline',
        description: 'Place an order and track it live.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'any',
        categories: ['food', 'shopping'],
        // One colour for the splash in light and dark mode (the manifest cannot follow the colour
        // scheme): a deep brand green, neither a white flash in the dark nor a black one in daylight.
        // The toolbar does follow it, through the two theme-color metas in index.html.
        background_color: '#12352d',
        theme_color: '#1f6f5c',
        // A second launch (icon, shortcut, link) brings the open window forward instead of a new one.
        launch_handler: { client_mode: 'focus-existing' },
        icons: [
          { src: '/icons/icon-96.png', sizes: '96x96', type: 'image/png' },
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
        // Customers' shortcuts only: the installed app is the shop; admins open /admin themselves.
        shortcuts: [
          {
            name: 'Shop',
            short_name: 'Shop',
            url: '/',
            icons: [
              { src: '/icons/icon-96.png', sizes: '96x96', type: 'image/png' },
              { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
            ],
          },
          {
            name: 'My orders',
            short_name: 'Orders',
            url: '/orders',
            icons: [
              { src: '/icons/icon-96.png', sizes: '96x96', type: 'image/png' },
              { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
            ],
          },
        ],
        // Real screenshots of the app (tests/e2e/screenshots.spec.ts writes them): Chrome's richer
        // install dialog needs one "narrow" and one "wide".
        screenshots: [
          {
            src: '/screenshots/narrow.png',
            sizes: '720x1480',
            type: 'image/png',
            form_factor: 'narrow',
            label: 'The shop on a phone',
          },
          {
            src: '/screenshots/wide.png',
            sizes: '1280x800',
            type: 'image/png',
            form_factor: 'wide',
            label: 'Following an order live on a desktop',
          },
        ],
      },
      devOptions: { enabled: false },
    }),
    // The entry compiles eagerly, off the main thread (V8's compile hint as its first line).
    entryCompileHint(),
    // Last: .br/.gz copies of the finished build, service worker included (server/routes/static.ts serves them).
    precompress(),
  ],
  define: {
    __BUILD_ID__: JSON.stringify(BUILD_ID),
  },
  worker: {
    // Module workers so the hub chunk can share code-split modules with the app.
    format: 'es',
  },
  build: {
    target: 'es2022',
    // Every browser that runs this build's es2022 preloads modules natively (the few that do not
    // still load them, a little later): the polyfill would be ~1 kB in every first download.
    modulePreload: { polyfill: false },
    sourcemap: true,
    rolldownOptions: {
      output: {
        // Few, larger chunks where a first visit pays a round trip and a set of headers per file:
        // everything the entry needs at once in one chunk (left to itself the bundler splits it
        // into a dozen small shared chunks, each a request of its own), the hub's client in one,
        // and what starts after the first render in one.
        codeSplitting: {
          groups: [
            { name: 'start', tags: ['$initial'], priority: 3 },
            {
              name: 'hub-client',
              test: /src[\\/]app[\\/]realtime[\\/]|node_modules[\\/]comlink[\\/]|src[\\/]shared[\\/]leaderMessages/,
              priority: 2,
            },
            {
              name: 'later',
              test: /src[\\/]app[\\/](startLater\.ts|offline[\\/]placementSync|stores[\\/](placements|cart|outbox)\.ts|pwa[\\/]|components[\\/]Toast(Area|Item)\.vue)|src[\\/]shared[\\/](placementQueue|outboxDb)|pwa-register|workbox-window/,
              priority: 1,
            },
          ],
        },
      },
    },
    // dist/.vite/manifest.json: the chunk graph the size budget (scripts/bundle-size.mjs) reads.
    manifest: true,
  },
  server: {
    proxy: {
      '/api': BACKEND,
      '/healthz': BACKEND,
      '/readyz': BACKEND,
      '/socket.io': { target: BACKEND, ws: true },
    },
  },
})
