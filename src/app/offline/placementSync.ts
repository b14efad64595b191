/**
 * Sends the customer's queued checkouts when the network returns: from this tab on start-up, on
 * `online`, and on a backoff timer while something waits; Background Sync lets the service worker
 * send them too, with every tab closed (src/sw/placements.ts). The Web Lock in sendPlacements
 * keeps one sender at a time, and each entry's Idempotency-Key makes even two sends one order.
 */
import { apiUrl } from '../../config'
import { announcePlacements, openPlacementStorage, sendPlacements } from '@shared/placementQueue'
import { PLACEMENT_CHANNEL, PLACEMENT_SYNC_TAG } from '@shared/swProtocol'
import { requestBackgroundSync } from './swClient'

const RETRY_MIN_MS = 2000
const RETRY_MAX_MS = 60_000

/** What the sender needs from the tab: the queue's mirror, reloaded after every change. */
export interface PlacementSyncPorts {
  queue: { readonly supported: boolean; load(): Promise<void>; hasPending(): boolean }
}

let ports: PlacementSyncPorts | null = null
let flushing: Promise<void> | null = null
let retryTimer: ReturnType<typeof setTimeout> | null = null
let retryDelay = RETRY_MIN_MS

function scheduleRetry(): void {
  if (retryTimer) clearTimeout(retryTimer)
  retryTimer = null
  if (!ports?.queue.hasPending()) {
    retryDelay = RETRY_MIN_MS
    return
  }
  retryTimer = setTimeout(() => void flushPlacementsNow(), retryDelay)
  retryDelay = Math.min(RETRY_MAX_MS, retryDelay * 2)
}

/** Sends what waits, now, from this tab (behind any sender already running). */
function flushPlacementsNow(): Promise<void> {
  const queue = ports?.queue
  if (!queue?.supported) return Promise.resolve()
  flushing ??= (async () => {
    try {
      await queue.load()
      if (!queue.hasPending()) return
      const report = await sendPlacements(openPlacementStorage(), { fetch: (input, init) => fetch(input, init), url: apiUrl })
      // Still unreachable: let Background Sync send it even if every tab closes first.
      if (report.deferred) void requestBackgroundSync(PLACEMENT_SYNC_TAG)
      else retryDelay = RETRY_MIN_MS
      if (report.settled.length > 0) announcePlacements()
      await queue.load()
    } catch (error) {
      console.warn('[orderline] sending queued orders failed', error)
    } finally {
      flushing = null
      scheduleRetry()
    }
  })()
  return flushing
}

/** A placement was just queued: ask for Background Sync and start the retry timer. */
export function placementQueued(): void {
  void requestBackgroundSync(PLACEMENT_SYNC_TAG)
  announcePlacements()
  retryDelay = RETRY_MIN_MS
  scheduleRetry()
}

/** Starts the tab side of the placement queue. Returns the teardown. */
export function startPlacementSync(given: PlacementSyncPorts): () => void {
  ports = given
  const { queue } = given
  if (!queue.supported) return () => {}
  const channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(PLACEMENT_CHANNEL)
  if (channel) channel.onmessage = () => void queue.load()
  const online = (): void => {
    retryDelay = RETRY_MIN_MS
    void flushPlacementsNow()
  }
  window.addEventListener('online', online)
  void flushPlacementsNow()
  return () => {
    channel?.close()
    window.removeEventListener('online', online)
    if (retryTimer) clearTimeout(retryTimer)
  }
}
