/**
 * Receives what the service worker tells windows: poll results (merged into the orders store
 * by version, after validation) and where each API answer came from (freshness). Also listens
 * on the BroadcastChannel a tab without a service worker uses for the same poll results.
 */
import type { Pinia } from 'pinia'
import { watch } from 'vue'
import { useConnectionStore } from '../stores/connection'
import { useDashboardStore } from '../stores/dashboard'
import { useOrdersStore } from '../stores/orders'
import { useFreshnessStore } from '../stores/freshness'
import { POLL_CHANNEL, onLocalPollResult } from '../offline/pollRelay'
import { refreshNow } from '../composables/useRefreshable'
import { isServiceWorkerSupported, notifyNetworkBack } from '../offline/swClient'
import { parseClientMessage, type ClientMessage } from '@shared/swProtocol'

/** Applies one SW message to the stores. Exported for unit tests. */
export function applyClientMessage(message: ClientMessage, pinia?: Pinia): void {
  const freshness = useFreshnessStore(pinia)
  if (message.type === 'orderline:api') {
    if (message.source === 'network') {
      freshness.confirmed(message.at)
      notifyNetworkBack()
    } else if (message.source === 'cache') freshness.servedFromCache(message.cachedAt)
    else freshness.failed()
    return
  }
  const orders = useOrdersStore(pinia)
  for (const order of message.orders) orders.applyOrder(order)
  for (const change of message.changes) orders.applyChange(change)
  if (message.stats) useDashboardStore(pinia).applyStats(message.stats)
  if (message.ok) {
    freshness.confirmed(message.at)
    notifyNetworkBack()
  } else if (message.networkError) freshness.failed()
}

/** Starts listening. Returns the teardown. */
export function startSwBridge(pinia?: Pinia): () => void {
  const teardown: Array<() => void> = []
  const receive = (data: unknown): void => {
    const message = parseClientMessage(data)
    if (message) applyClientMessage(message, pinia)
  }
  if (isServiceWorkerSupported()) {
    const listener = (event: MessageEvent): void => receive(event.data)
    navigator.serviceWorker.addEventListener('message', listener)
    // Messages sent before the app is ready are queued until this is called.
    navigator.serviceWorker.startMessages()
    teardown.push(() => navigator.serviceWorker.removeEventListener('message', listener))
  }
  if (typeof BroadcastChannel !== 'undefined') {
    const channel = new BroadcastChannel(POLL_CHANNEL)
    channel.onmessage = (event: MessageEvent) => receive(event.data)
    teardown.push(() => channel.close())
  }
  onLocalPollResult((message) => applyClientMessage(message, pinia))
  teardown.push(() => onLocalPollResult(null))

  // Socket events are server confirmations too; the hub going live means the network is back.
  const connection = useConnectionStore(pinia)
  const freshness = useFreshnessStore(pinia)
  teardown.push(
    watch(
      () => [connection.state, connection.lastEventAt] as const,
      ([state, lastEventAt]) => {
        if (state === 'live') {
          freshness.confirmed(Math.max(lastEventAt ?? 0, Date.now()))
          notifyNetworkBack()
        }
      },
      { immediate: true },
    ),
  )
  // Back online: catch up at once rather than at the next tick.
  const online = (): void => void refreshNow()
  const offline = (): void => freshness.failed()
  window.addEventListener('online', online)
  window.addEventListener('offline', offline)
  teardown.push(() => {
    window.removeEventListener('online', online)
    window.removeEventListener('offline', offline)
  })
  return () => teardown.forEach((stop) => stop())
}
