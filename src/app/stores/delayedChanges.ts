import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { OrderStatus } from '../../protocol'

/** How long a cancellation can be taken back before it is sent. */
const UNDO_WINDOW_MS = 6000
const OUTCOME_MS = 5000

export interface DelayedChange {
  orderId: string
  orderNumber: number
  status: OrderStatus
  reason: string
  /** Epoch ms the change goes out. */
  dueAt: number
}

/**
 * Terminal changes (cancel) wait a few seconds in this tab before they are sent, so the admin can
 * take them back: the state machine has no way out of `cancelled`, so "undo" cannot be a second
 * change. When the window ends, `send` runs the ordinary status change (version check, outbox
 * when offline). A tab that goes away inside the window sends at once rather than losing it.
 */
export const useDelayedChangesStore = defineStore('delayedChanges', () => {
  const entries = ref<DelayedChange[]>([])
  /** How the last sent changes went, shown briefly by the undo bar: order id → outcome. */
  const outcomes = ref<{ orderId: string; tone: 'success' | 'warning' | 'error'; text: string }[]>([])
  /** `send(exiting)`: exiting = the tab is going away and the request must outlive it. */
  const timers = new Map<string, { timer: ReturnType<typeof setTimeout>; send: (exiting: boolean) => Promise<void> }>()

  function fire(orderId: string, exiting = false): void {
    const held = timers.get(orderId)
    if (!held) return
    clearTimeout(held.timer)
    timers.delete(orderId)
    entries.value = entries.value.filter((entry) => entry.orderId !== orderId)
    void held.send(exiting)
  }

  /** Schedules `send` after the undo window; a second schedule for the order replaces the first. */
  function schedule(change: Omit<DelayedChange, 'dueAt'>, send: (exiting: boolean) => Promise<void>, windowMs = UNDO_WINDOW_MS): void {
    undo(change.orderId)
    const entry: DelayedChange = { ...change, dueAt: Date.now() + windowMs }
    entries.value = [...entries.value, entry]
    timers.set(change.orderId, { timer: setTimeout(() => fire(change.orderId), windowMs), send })
  }

  /** Takes the change back: nothing was sent. Returns whether there was one to take back. */
  function undo(orderId: string): boolean {
    const held = timers.get(orderId)
    if (held) clearTimeout(held.timer)
    timers.delete(orderId)
    const before = entries.value.length
    entries.value = entries.value.filter((entry) => entry.orderId !== orderId)
    return entries.value.length !== before
  }

  function forOrder(orderId: string): DelayedChange | null {
    return entries.value.find((entry) => entry.orderId === orderId) ?? null
  }

  /** Sends everything still waiting, now (the tab is being hidden for good). */
  function flush(): void {
    for (const orderId of [...timers.keys()]) fire(orderId, true)
  }

  function report(orderId: string, outcome: { tone: 'success' | 'warning' | 'error'; text: string }): void {
    outcomes.value = [...outcomes.value.filter((item) => item.orderId !== orderId), { orderId, ...outcome }]
    // Successes fade after a while; problems stay until dismissed.
    if (outcome.tone === 'success') setTimeout(() => dismissOutcome(orderId), OUTCOME_MS)
  }

  function dismissOutcome(orderId: string): void {
    outcomes.value = outcomes.value.filter((item) => item.orderId !== orderId)
  }

  return { entries, outcomes, schedule, undo, forOrder, flush, report, dismissOutcome }
})
