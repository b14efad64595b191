/**
 * SPA navigations: any in-app URL is answered with the precached index.html, offline included.
 * Server paths are left to the network: the API, the socket, health and metrics.
 */
import { createHandlerBoundToURL } from 'workbox-precaching'
import { NavigationRoute, registerRoute } from 'workbox-routing'

const NAVIGATION_DENYLIST: RegExp[] = [/^\/api\//, /^\/socket\.io\//, /^\/healthz/, /^\/readyz/, /^\/metrics/]

export function setupNavigation(): void {
  registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html'), { denylist: NAVIGATION_DENYLIST }))
}
