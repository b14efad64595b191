/**
 * Offline admin writes: Background Sync wakes the SW when the browser thinks the network is
 * back, even with no tab open, and the outbox is replayed from IndexedDB. Tabs replay it too
 * (on `online`, start-up, reconnection); the Web Lock in replayOutbox keeps it to one sender.
 */
import { apiUrl } from '../config'
import { openOutboxStorage } from '@shared/outboxDb'
import { announceOutbox, replayOutbox } from '@shared/outboxReplay'
import { OUTBOX_SYNC_TAG } from '@shared/swProtocol'

interface SyncEvent extends ExtendableEvent {
  readonly tag: string
  readonly lastChance: boolean
}

/** Replays the outbox once and tells every tab what happened. Throws when entries remain, so Background Sync retries. */
export async function flushOutbox(throwIfDeferred: boolean): Promise<void> {
  const report = await replayOutbox(openOutboxStorage(), { fetch: (input, init) => fetch(input, init), url: apiUrl })
  announceOutbox(report)
  if (throwIfDeferred && report.deferred) throw new Error('outbox: network still down, retry later')
}

export function setupOutbox(scope: ServiceWorkerGlobalScope): void {
  scope.addEventListener('sync', (event) => {
    const sync = event as SyncEvent
    if (sync.tag === OUTBOX_SYNC_TAG) sync.waitUntil(flushOutbox(!sync.lastChance))
  })
}
