import * as v from 'valibot'
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { orderSchema } from '../../protocol'
import { isOutboxSupported } from '@shared/outboxDb'
import { openPlacementStorage, removePlacement, type PlacementLine, type QueuedPlacement } from '@shared/placementQueue'
import type { PlaceOrderBody } from '../../protocol/requests'
import { placementQueued } from '../offline/placementSync'
import { useCartStore } from './cart'
import { useMyOrdersStore } from './myOrders'
import { useOrdersStore } from './orders'

/** An order sent from the queue and taken by this tab: the storefront moves on to its tracking page. */
export interface TakenPlacement {
  key: string
  orderId: string
  token: string
  takenAt: number
}

/** A storefront opened later than this after an order was taken elsewhere stays where it is. */
const TAKEN_FRESH_MS = 60_000

/**
 * The customer's queued checkouts as this tab sees them (a mirror of IndexedDB, reloaded when any
 * tab or the service worker announces a change). A placed entry is taken by the first tab that
 * loads it: into My orders with its tracking token, the cart emptied, then out of the queue.
 * Sending lives in src/app/offline/placementSync.ts.
 */
export const usePlacementsStore = defineStore('placements', () => {
  const entries = ref<QueuedPlacement[]>([])
  const taken = ref<TakenPlacement[]>([])
  const supported = isOutboxSupported()
  // Two loads may overlap (start-up, the storefront, an announcement): each order is taken once per tab.
  const takenKeys = new Set<string>()
  const pending = computed(() => entries.value.filter((entry) => entry.state === 'pending'))
  const refused = computed(() => entries.value.filter((entry) => entry.state === 'refused'))

  async function take(entry: QueuedPlacement): Promise<void> {
    // From storage another context wrote: checked before it reaches the stores.
    const order = v.safeParse(orderSchema, entry.placed?.order)
    const token = entry.placed?.trackingToken
    if (order.success && token && !takenKeys.has(entry.key)) {
      takenKeys.add(entry.key)
      useOrdersStore().applyOrder(order.output)
      useMyOrdersStore().remember({ orderId: order.output.id, token, number: order.output.number, placedAt: order.output.createdAt })
      useCartStore().clearPlaced(entry.key)
      taken.value = [...taken.value, { key: entry.key, orderId: order.output.id, token, takenAt: Date.now() }]
    }
    await removePlacement(openPlacementStorage(), entry.key)
  }

  async function load(): Promise<void> {
    if (!supported) return
    const all = await openPlacementStorage()
      .all()
      .catch(() => null)
    if (!all) return
    for (const entry of all) if (entry.state === 'placed') await take(entry).catch(() => undefined)
    entries.value = all.filter((entry) => entry.state !== 'placed')
  }

  /** Queues a checkout that could not reach the server, with the key of that attempt. False without IndexedDB. */
  async function enqueue(input: { key: string; body: PlaceOrderBody; lines: PlacementLine[]; totalCents: number }): Promise<boolean> {
    if (!supported) return false
    const entry: QueuedPlacement = { ...input, createdAt: Date.now(), attempts: 0, state: 'pending', placed: null, error: null }
    await openPlacementStorage().put(entry)
    entries.value = [...entries.value.filter((item) => item.key !== entry.key), entry]
    placementQueued()
    return true
  }

  /** The customer has seen a refusal (its cart is back in the form): it leaves the queue. */
  async function dismiss(key: string): Promise<void> {
    if (supported) await removePlacement(openPlacementStorage(), key)
    entries.value = entries.value.filter((entry) => entry.key !== key)
  }

  /**
   * The newest order taken since the last call, for the storefront to move on to; none if it was
   * taken a while ago while the customer was on another page (it is in My orders).
   */
  function consumeTaken(now = Date.now()): TakenPlacement | null {
    const last = taken.value[taken.value.length - 1] ?? null
    taken.value = []
    return last && now - last.takenAt < TAKEN_FRESH_MS ? last : null
  }

  const hasPending = (): boolean => pending.value.length > 0

  return { entries, taken, supported, pending, refused, load, enqueue, dismiss, consumeTaken, hasPending }
})
