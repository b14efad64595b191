/**
 * Offline checkout: Background Sync wakes the SW when the browser thinks the network is back,
 * even with every tab closed, and the customer's queued orders are sent. The answer (order and
 * tracking token) stays in IndexedDB until a tab takes it into My orders. Tabs send the queue
 * too (start-up, `online`); the Web Lock and the Idempotency-Key keep it to one order.
 */
import { apiUrl } from '../config'
import { announcePlacements, openPlacementStorage, sendPlacements } from '@shared/placementQueue'
import { PLACEMENT_SYNC_TAG } from '@shared/swProtocol'

interface SyncEvent extends ExtendableEvent {
  readonly tag: string
  readonly lastChance: boolean
}

/** One pass; throws while something is still pending, so Background Sync tries again later. */
async function flushPlacements(throwIfDeferred: boolean): Promise<void> {
  const report = await sendPlacements(openPlacementStorage(), { fetch: (input, init) => fetch(input, init), url: apiUrl })
  if (report.settled.length > 0) announcePlacements()
  if (throwIfDeferred && report.deferred) throw new Error('placements: network still down, retry later')
}

export function setupPlacements(scope: ServiceWorkerGlobalScope): void {
  scope.addEventListener('sync', (event) => {
    const sync = event as SyncEvent
    if (sync.tag === PLACEMENT_SYNC_TAG) sync.waitUntil(flushPlacements(!sync.lastChance))
  })
}
