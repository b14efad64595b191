/**
 * Sends the outbox when the network returns: Background Sync where the browser has it (the SW
 * replays even with every tab closed), and from a tab on start-up, on `online`, whenever the
 * server answers again, and on a backoff timer while something is pending. The Web Lock inside
 * replayOutbox keeps all of these down to one sender at a time per browser.
 */
import * as v from 'valibot'
import { apiUrl } from '../../config'
import { orderSchema, type Order } from '../../protocol'
import { openOutboxStorage } from '@shared/outboxDb'
import { announceOutbox, replayOutbox, type OutboxAnnouncement } from '@shared/outboxReplay'
import { onNetworkBackHook, requestBackgroundSync } from './swClient'
import { OUTBOX_CHANNEL } from '@shared/swProtocol'

const RETRY_MIN_MS = 2000
const RETRY_MAX_MS = 60_000

/** What the sender needs from the tab: the outbox mirror and where applied orders go. */
export interface OutboxSyncPorts {
  outbox: { readonly supported: boolean; load(): Promise<void>; hasPending(): boolean }
  applyOrder(order: Order): void
}

let ports: OutboxSyncPorts | null = null
let flushing: Promise<void> | null = null
let retryTimer: ReturnType<typeof setTimeout> | null = null
let retryDelay = RETRY_MIN_MS

/** Orders the SW or another tab applied: validated here, since they come from storage and other contexts. */
function applyAnnounced(applied: unknown[]): void {
  for (const candidate of applied) {
    const parsed = v.safeParse(orderSchema, candidate)
    if (parsed.success) ports?.applyOrder(parsed.output)
  }
}

function scheduleRetry(): void {
  if (retryTimer) clearTimeout(retryTimer)
  retryTimer = null
  if (!ports?.outbox.hasPending()) {
    retryDelay = RETRY_MIN_MS
    return
  }
  retryTimer = setTimeout(() => void flushOutboxNow(), retryDelay)
  retryDelay = Math.min(RETRY_MAX_MS, retryDelay * 2)
}

/** Replays now from this tab (queued behind any sender already running). */
function flushOutboxNow(): Promise<void> {
  const outbox = ports?.outbox
  if (!outbox) return Promise.resolve()
  flushing ??= (async () => {
    try {
      await outbox.load()
      if (!outbox.hasPending()) return
      const report = await replayOutbox(openOutboxStorage(), { fetch: (input, init) => fetch(input, init), url: apiUrl })
      applyAnnounced(report.applied)
      // Still offline: let Background Sync send it even if every tab closes before the network returns.
      if (report.deferred) void requestBackgroundSync()
      else retryDelay = RETRY_MIN_MS
      if (report.applied.length > 0 || report.refused.length > 0) announceOutbox(report)
      await outbox.load()
    } catch (error) {
      console.warn('[orderline] outbox replay failed', error)
    } finally {
      flushing = null
      scheduleRetry()
    }
  })()
  return flushing
}

/** The server answered again: send what waits, without waiting for the backoff. */
function onNetworkBack(): void {
  if (ports?.outbox.hasPending() && !flushing) {
    retryDelay = RETRY_MIN_MS
    void flushOutboxNow()
  }
}

/** Starts the tab side of the outbox. Returns the teardown. */
export function startOutboxSync(given: OutboxSyncPorts): () => void {
  ports = given
  const { outbox } = given
  if (!outbox.supported) return () => {}
  onNetworkBackHook(onNetworkBack)
  const channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(OUTBOX_CHANNEL)
  if (channel) {
    channel.onmessage = (event: MessageEvent<Partial<OutboxAnnouncement>>) => {
      if (event.data?.type !== 'outbox-changed') return
      applyAnnounced(Array.isArray(event.data.applied) ? event.data.applied : [])
      void outbox.load()
    }
  }
  const online = (): void => onNetworkBack()
  window.addEventListener('online', online)
  void flushOutboxNow()
  return () => {
    channel?.close()
    onNetworkBackHook(null)
    window.removeEventListener('online', online)
    if (retryTimer) clearTimeout(retryTimer)
  }
}
