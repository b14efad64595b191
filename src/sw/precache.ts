/**
 * The customer shell, precached; the admin app's files, cached on first use.
 *
 * The precache manifest holds the customer shell only (vite.config.ts leaves the admin chunks
 * out): served cache-first, replaced per build, caches of older Workbox versions dropped. The
 * admin app's chunks (board, order page, dashboard and uPlot, diagnostics) are cached here the
 * first time an admin loads them, so an admin who opened the board once has it offline, and a
 * customer never downloads any of it.
 */
import { cleanupOutdatedCaches, precacheAndRoute } from 'workbox-precaching'
import { registerRoute } from 'workbox-routing'

// workbox-build finds the literal `self.__WB_MANIFEST` and replaces it with the asset list.
declare const self: ServiceWorkerGlobalScope

/** Cache of the admin app's chunks, filled as they are first fetched. */
const ASSETS_CACHE = 'orderline-assets-v1'
/** Hashed files of older builds pile up here across deploys: keep the newest this many. */
const ASSETS_CACHE_LIMIT = 80

/** Cache-first for the hashed build files the precache does not hold (the admin app). */
async function assetFromCache(request: Request): Promise<Response> {
  const cache = await caches.open(ASSETS_CACHE)
  // A hashed name never changes content: whatever Origin or encoding the first request had, it fits.
  const hit = await cache.match(request, { ignoreVary: true })
  if (hit) return hit
  const response = await fetch(request)
  if (response.ok && response.type === 'basic') {
    await cache.put(request, response.clone())
    const keys = await cache.keys()
    await Promise.all(keys.slice(0, Math.max(0, keys.length - ASSETS_CACHE_LIMIT)).map((key) => cache.delete(key)))
  }
  return response
}

export function setupPrecache(): void {
  precacheAndRoute(self.__WB_MANIFEST)
  cleanupOutdatedCaches()
  // After the precache route: only what it does not hold reaches this one.
  registerRoute(
    ({ request, url, sameOrigin }) => sameOrigin && request.method === 'GET' && url.pathname.startsWith('/assets/'),
    ({ request }) => assetFromCache(request),
  )
}
