/**
 * GET /api/* through the service worker: network first with a short timeout, falling back to
 * the cached copy (marked with X-Orderline-Cache: hit and its age). The window that asked is
 * told where its answer came from, which is how the page knows it shows cached data.
 */
import * as v from 'valibot'
import { config } from '../config'
import {
  ADMIN_API_CACHE,
  NETWORK_TIMEOUT_MS,
  cacheKeyUrl,
  cacheNameFor,
  cachedAtOf,
  hashAuthorization,
  isCacheableApiPath,
  markCached,
  stampForCache,
} from '@shared/apiCacheRules'
import { etagOfVersion, orderSchema, type Order } from '../protocol'
import type { ClientMessage } from '@shared/swProtocol'

declare const self: ServiceWorkerGlobalScope

const apiOrigin = config.apiUrl ? new URL(config.apiUrl).origin : self.location.origin

/** Stores a fresh 200 answer under the credential's key. Used by the fetch route and the poll. */
export async function storeApiResponse(url: string, authorization: string | null, response: Response): Promise<void> {
  if (response.status !== 200) return
  const key = cacheKeyUrl(url, await hashAuthorization(authorization))
  const cache = await caches.open(cacheNameFor(authorization))
  await cache.put(key, stampForCache(response, Date.now()))
}

/**
 * Stores `order` as the cached answer of GET /api/orders/:id for this credential, unless the
 * cache already holds that version or a newer one. Socket events never pass through the service
 * worker, so the page tells it what it shows: an offline reload then shows the last known status.
 */
export async function rememberOrder(order: Order, token: string): Promise<void> {
  const authorization = `Bearer ${token}`
  const url = orderUrl(order.id)
  const held = await cachedCopy(url, authorization)
  const heldVersion = held ? Number((held.headers.get('ETag') ?? '').replace(/\D/g, '')) : 0
  if (heldVersion >= order.version) return
  const response = new Response(JSON.stringify(order), {
    status: 200,
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      ETag: etagOfVersion(order.version),
      'Cache-Control': 'private, no-cache',
    },
  })
  await storeApiResponse(url, authorization, response)
}

function orderUrl(orderId: string): string {
  return new URL(`/api/orders/${encodeURIComponent(orderId)}`, config.apiUrl || self.location.origin).toString()
}

/** The cached answer of GET /api/orders/:id for this tracking token, or null (none, or unreadable). */
export async function cachedOrder(orderId: string, token: string): Promise<Order | null> {
  const held = await cachedCopy(orderUrl(orderId), `Bearer ${token}`)
  if (!held) return null
  const parsed = v.safeParse(orderSchema, await held.json().catch(() => null))
  return parsed.success ? parsed.output : null
}

async function cachedCopy(url: string, authorization: string | null): Promise<Response | undefined> {
  const key = cacheKeyUrl(url, await hashAuthorization(authorization))
  const cache = await caches.open(cacheNameFor(authorization))
  return cache.match(key)
}

/** Drops every cached admin answer: called on logout from any tab (per-user caches, docs/security.md). */
export async function clearAdminApiCache(): Promise<void> {
  await caches.delete(ADMIN_API_CACHE)
}

function notify(clientId: string, message: ClientMessage): void {
  if (!clientId) return
  // Windows only: the hub's SharedWorker fetches through here too and has no use for it.
  void self.clients.get(clientId).then((client) => {
    if (client?.type === 'window') client.postMessage(message)
  })
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms)
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error: unknown) => (clearTimeout(timer), reject(error)),
    )
  })
}

async function networkFirst(request: Request, clientId: string): Promise<Response> {
  const authorization = request.headers.get('Authorization')
  const network = fetch(request)
  try {
    const response = await withTimeout(network, NETWORK_TIMEOUT_MS)
    if (response.status === 200) await storeApiResponse(request.url, authorization, response.clone()).catch(() => undefined)
    notify(clientId, { type: 'orderline:api', source: 'network', cachedAt: null, at: Date.now() })
    return response
  } catch {
    const cached = await cachedCopy(request.url, authorization).catch(() => undefined)
    if (cached) {
      const cachedAt = cachedAtOf(cached) ?? Date.now()
      notify(clientId, { type: 'orderline:api', source: 'cache', cachedAt, at: Date.now() })
      return markCached(cached, cachedAt)
    }
    notify(clientId, { type: 'orderline:api', source: 'none', cachedAt: null, at: Date.now() })
    // Slow but alive: keep waiting for the network rather than failing at the timeout.
    return network
  }
}

export function setupApiCache(scope: ServiceWorkerGlobalScope): void {
  scope.addEventListener('fetch', (event) => {
    const { request } = event
    if (request.method !== 'GET') return
    const url = new URL(request.url)
    if (url.origin !== apiOrigin || !isCacheableApiPath(url.pathname)) return
    event.respondWith(networkFirst(request, event.clientId))
  })
}
