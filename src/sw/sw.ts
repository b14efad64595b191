/**
 * Service worker entry (built as an iife: see vite.config.ts). One file per concern, wired here:
 * precache.ts (customer shell; admin chunks cached on first use), navigation.ts (SPA fallback), lifecycle.ts (prompted updates),
 * apiCache.ts (GET /api/*, network first), poll.ts (fallback poll, ticks from the hub),
 * outbox.ts (offline admin writes, Background Sync), placements.ts (offline checkout, Background
 * Sync), router.ts (window messages), notifications.ts (notification clicks) and push.ts
 * (customers' Web Push); both register themselves on import.
 */
import { setupApiCache } from './apiCache'
import { setupLifecycle } from './lifecycle'
import { setupNavigation } from './navigation'
import { setupOutbox } from './outbox'
import { setupPlacements } from './placements'
import { setupPrecache } from './precache'
import { setupMessages } from './router'
import './notifications'
import './push'

declare const self: ServiceWorkerGlobalScope

setupLifecycle()
setupMessages(self)
// Before workbox's routes: API requests are ours, everything else falls through to precache.
setupApiCache(self)
setupPrecache()
setupNavigation()
setupOutbox(self)
setupPlacements(self)
