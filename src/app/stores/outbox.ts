import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { Order, OrderStatus } from '../../protocol'
import { isOutboxSupported, openOutboxStorage, type OutboxEntry } from '@shared/outboxDb'
import { requestBackgroundSync } from '../offline/swClient'

export const QUEUED_MESSAGE = 'You are offline: the change is saved on this device and will be sent when the network returns.'

/**
 * The admin's queued status changes as this tab sees them (a mirror of the IndexedDB outbox,
 * reloaded whenever any tab or the service worker announces a change). Sending lives in
 * src/app/offline/outboxSync.ts; this store holds, queues and edits entries.
 */
export const useOutboxStore = defineStore('outbox', () => {
  const entries = ref<OutboxEntry[]>([])
  const supported = isOutboxSupported()

  async function load(): Promise<void> {
    if (!supported) return
    entries.value = await openOutboxStorage()
      .all()
      .catch(() => entries.value)
  }

  /** The newest entry still pending for an order: later changes chain on its version. */
  function pendingAhead(orderId: string): OutboxEntry | null {
    const pending = entries.value.filter((entry) => entry.orderId === orderId && entry.state === 'pending')
    return pending[pending.length - 1] ?? null
  }

  function forOrder(orderId: string): OutboxEntry[] {
    return entries.value.filter((entry) => entry.orderId === orderId)
  }

  async function enqueue(
    input: Pick<OutboxEntry, 'key' | 'orderId' | 'orderNumber' | 'fromStatus' | 'status' | 'version' | 'token' | 'reason'>,
  ): Promise<OutboxEntry> {
    const entry: OutboxEntry = { ...input, createdAt: Date.now(), attempts: 0, state: 'pending', error: null, current: null }
    if (supported) await openOutboxStorage().put(entry)
    entries.value = [...entries.value.filter((item) => item.key !== entry.key), entry]
    return entry
  }

  /**
   * Queues a status change that could not reach the server. Keeps the idempotency key of the
   * attempt that failed: if that attempt did reach the server after all, the replay is applied
   * once, not twice. A change queued behind another for the same order expects that one's version.
   * Returns false where there is no outbox (no IndexedDB): the caller reports the failure instead.
   */
  async function queueStatusChange(input: {
    key: string
    held: Order
    status: OrderStatus
    token: string
    reason?: string | undefined
  }): Promise<boolean> {
    if (!supported) return false
    const ahead = pendingAhead(input.held.id)
    await enqueue({
      key: input.key,
      orderId: input.held.id,
      orderNumber: input.held.number,
      fromStatus: ahead?.status ?? input.held.status,
      status: input.status,
      version: ahead ? ahead.version + 1 : input.held.version,
      token: input.token,
      ...(input.reason ? { reason: input.reason } : {}),
    })
    void requestBackgroundSync()
    return true
  }

  const hasPending = (): boolean => entries.value.some((entry) => entry.state === 'pending')

  /** The admin has seen a refused change: it leaves the outbox (never before that). */
  async function dismiss(key: string): Promise<void> {
    if (supported) await openOutboxStorage().remove(key)
    entries.value = entries.value.filter((entry) => entry.key !== key)
  }

  return { entries, supported, load, pendingAhead, forOrder, enqueue, queueStatusChange, hasPending, dismiss }
})
