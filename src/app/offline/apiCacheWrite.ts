/**
 * Keeps the service worker's copy of an order as new as what the page shows. Socket events
 * never pass through the service worker, so without this an offline reload would show the
 * status of the last REST answer rather than the last known one. Same keys as the SW uses.
 */
import { apiUrl } from '../../config'
import type { Order } from '../../protocol'
import { cacheKeyUrl, cacheNameFor, hashAuthorization, stampForCache } from '../../shared/apiCacheRules'

/** Stores `order` as the cached answer of GET /api/orders/:id for this credential. Best effort. */
export async function rememberOrder(order: Order, token: string): Promise<void> {
  if (typeof caches === 'undefined') return
  try {
    const authorization = `Bearer ${token}`
    const url = new URL(apiUrl(`/api/orders/${encodeURIComponent(order.id)}`), globalThis.location?.href).toString()
    const key = cacheKeyUrl(url, await hashAuthorization(authorization))
    const cache = await caches.open(cacheNameFor(authorization))
    const held = await cache.match(key)
    const heldVersion = held ? Number((held.headers.get('ETag') ?? '').replace(/\D/g, '')) : 0
    if (heldVersion >= order.version) return
    const response = new Response(JSON.stringify(order), {
      status: 200,
      headers: { 'Content-Type': 'application/json; charset=utf-8', ETag: `"v${order.version}"`, 'Cache-Control': 'private, no-cache' },
    })
    await cache.put(key, stampForCache(response, Date.now()))
  } catch {
    // Storage full or unavailable: the page still shows the order; only offline reload loses it.
  }
}
