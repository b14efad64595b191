/**
 * Web Push for customers (docs/protocol.md, "Web Push"): the server sends `{orderId, number,
 * status, version}` on every status change of an order this browser subscribed to. The page may
 * be closed, so everything happens here: the cached order moves forward (an offline open shows
 * the new status) and a system notification says what changed, tag = order id so a newer one
 * replaces the older. A version this browser already announced (a hidden tab, or an earlier
 * push) or an older one does nothing at all: the claim in src/shared/notifiedTags.ts is shared
 * with the tabs. Self-registering on import, like notifications.ts.
 */
import { claimVersion, getTrackedOrder, releaseVersion, statusClaimKey } from '@shared/notifiedTags'
import { STATUS_MESSAGES, statusTitle, trackingUrl } from '@shared/orderNotice'
import { applyPushedStatus, parsePushPayload } from '@shared/pushUpdate'
import type { PushPayload } from '../protocol'
import { cachedOrder, rememberOrder } from './apiCache'

declare const self: ServiceWorkerGlobalScope

function readJson(data: PushMessageData | null): unknown {
  try {
    return data?.json()
  } catch {
    return null
  }
}

/** A visible tab showing this order announces the change itself (toast, title). */
async function shownInFront(orderId: string): Promise<boolean> {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true })
  return windows.some((client) => {
    try {
      return client.visibilityState === 'visible' && new URL(client.url).pathname === `/track/${orderId}`
    } catch {
      return false
    }
  })
}

/** Moves the cached copy forward; no copy (never opened offline-ready here): nothing to move. */
async function updateCache(payload: PushPayload, token: string): Promise<void> {
  const held = await cachedOrder(payload.orderId, token)
  const next = held && applyPushedStatus(held, payload, new Date().toISOString())
  if (next) await rememberOrder(next, token)
}

/** One push: claim the version, move the cache, then announce unless a tab in front does. */
async function handlePush(data: unknown): Promise<void> {
  const payload = parsePushPayload(data)
  if (!payload) return
  // Not (or no longer) asked for here: the customer turned it off and the server may not know yet.
  const tracked = await getTrackedOrder(payload.orderId)
  if (!tracked) return
  const claimKey = statusClaimKey(payload.orderId)
  const claim = await claimVersion(claimKey, payload.version)
  if (!claim.claimed) return
  await updateCache(payload, tracked.token).catch(() => undefined)
  if (await shownInFront(payload.orderId)) return
  try {
    await self.registration.showNotification(statusTitle(payload.number, payload.status), {
      tag: payload.orderId,
      body: STATUS_MESSAGES[payload.status],
      icon: '/icons/icon-192.png',
      data: { orderId: payload.orderId, url: trackingUrl(payload.orderId, tracked.token) },
    })
  } catch (error) {
    // Not shown (permission withdrawn meanwhile): a tab may still announce this version.
    await releaseVersion(claimKey, { version: payload.version, previous: claim.previous }).catch(() => undefined)
    throw error
  }
}

self.addEventListener('push', (event: PushEvent) => {
  event.waitUntil(handlePush(readJson(event.data)))
})
