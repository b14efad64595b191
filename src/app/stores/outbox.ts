import { defineStore } from 'pinia'
import { ref } from 'vue'
import { isOutboxSupported, openOutboxStorage, type OutboxEntry } from '../../shared/outboxDb'

/**
 * The admin's queued status changes as this tab sees them (a mirror of the IndexedDB outbox,
 * reloaded whenever any tab or the service worker announces a change). Sending lives in
 * src/app/offline/outboxSync.ts; this store only holds and edits entries.
 */
export const useOutboxStore = defineStore('outbox', () => {
  const entries = ref<OutboxEntry[]>([])
  const supported = isOutboxSupported()

  async function load(): Promise<void> {
    if (!supported) return
    entries.value = await openOutboxStorage().all().catch(() => entries.value)
  }

  /** The newest entry still pending for an order: later changes chain on its version. */
  function pendingAhead(orderId: string): OutboxEntry | null {
    const pending = entries.value.filter((entry) => entry.orderId === orderId && entry.state === 'pending')
    return pending[pending.length - 1] ?? null
  }

  function forOrder(orderId: string): OutboxEntry[] {
    return entries.value.filter((entry) => entry.orderId === orderId)
  }

  async function enqueue(input: Pick<OutboxEntry, 'key' | 'orderId' | 'orderNumber' | 'fromStatus' | 'status' | 'version' | 'token'>): Promise<OutboxEntry> {
    const entry: OutboxEntry = { ...input, createdAt: Date.now(), attempts: 0, state: 'pending', error: null, current: null }
    if (supported) await openOutboxStorage().put(entry)
    entries.value = [...entries.value.filter((item) => item.key !== entry.key), entry]
    return entry
  }

  /** The admin has seen a refused change: it leaves the outbox (never before that). */
  async function dismiss(key: string): Promise<void> {
    if (supported) await openOutboxStorage().remove(key)
    entries.value = entries.value.filter((entry) => entry.key !== key)
  }

  return { entries, supported, load, pendingAhead, forOrder, enqueue, dismiss }
})
