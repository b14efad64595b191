/**
 * Service worker entry (built as an iife, DESIGN §5). One file per concern, wired here:
 * precache.ts (app shell), navigation.ts (SPA fallback), lifecycle.ts (prompted updates).
 * Next: apiCache.ts (GET /api/*), poll.ts (fallback poll driven by ticks from the hub),
 * outbox.ts (offline writes), notifications.ts.
 */
import { setupLifecycle } from './lifecycle'
import { setupNavigation } from './navigation'
import { setupPrecache } from './precache'

declare const self: ServiceWorkerGlobalScope

setupLifecycle(self)
setupPrecache()
setupNavigation()
