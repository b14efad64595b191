/**
 * The app shell: every built asset, precached and served cache-first; caches of older Workbox
 * versions are dropped.
 */
import { cleanupOutdatedCaches, precacheAndRoute } from 'workbox-precaching'

// workbox-build finds the literal `self.__WB_MANIFEST` and replaces it with the asset list.
declare const self: ServiceWorkerGlobalScope

export function setupPrecache(): void {
  precacheAndRoute(self.__WB_MANIFEST)
  cleanupOutdatedCaches()
}
