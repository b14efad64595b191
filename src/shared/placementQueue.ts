/**
 * The customer's checkout queue: an order placed while the server cannot be reached waits here
 * (IndexedDB, with the Idempotency-Key of its attempt) and is sent when the network returns, from
 * a tab or from the service worker (Background Sync). It reuses the outbox's storage but is a
 * queue of its own: a customer has no credential and no expected version, and what comes back
 * (the order and its tracking token) must reach a tab, which keeps it in My orders. A placed or
 * refused entry therefore stays until a tab has taken it (see src/app/stores/placements.ts).
 */
import * as v from 'valibot'
import { orderSchema, readErrorEnvelope, type Order } from '../protocol'
import type { PlaceOrderBody } from '../protocol/requests'
import { openKeyedStorage, type KeyedStorage } from './outboxDb'
import { PLACEMENT_CHANNEL, PLACEMENT_LOCK } from './swProtocol'

/** One cart line as the customer saw it when placing: shown while the order waits. */
export interface PlacementLine {
  productId: string
  name: string
  quantity: number
  priceCents: number
}

type PlacementState = 'pending' | 'placed' | 'refused'

export interface QueuedPlacement {
  /** The Idempotency-Key: however often it is sent (tab, service worker, both), one order. */
  key: string
  body: PlaceOrderBody
  lines: PlacementLine[]
  totalCents: number
  createdAt: number
  attempts: number
  state: PlacementState
  /** The server's answer once placed: the order and its tracking token. */
  placed: { order: Order; trackingToken: string } | null
  /** Why the server refused it (4xx), or the last transient failure while pending. */
  error: { status: number; code: string; message: string } | null
}

export type PlacementStorage = KeyedStorage<QueuedPlacement>

export function openPlacementStorage(): PlacementStorage {
  return openKeyedStorage<QueuedPlacement>('orderline-placements', 'placements')
}

type Answer = { kind: 'network' } | { kind: 'http'; status: number; body: unknown }

export interface PlacementDeps {
  fetch: (input: string, init: RequestInit) => Promise<Response>
  url: (path: string) => string
}

async function send(entry: QueuedPlacement, deps: PlacementDeps): Promise<Answer> {
  try {
    const response = await deps.fetch(deps.url('/api/orders'), {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json', 'Idempotency-Key': entry.key },
      body: JSON.stringify(entry.body),
      cache: 'no-store',
    })
    return { kind: 'http', status: response.status, body: await response.json().catch(() => null) }
  } catch {
    return { kind: 'network' }
  }
}

/** Whether an HTTP status is worth sending again with the same key (the server did not decide). */
export function isTransientStatus(status: number): boolean {
  return status === 0 || status === 408 || status === 429 || status >= 500
}

/**
 * What one answer does to an entry. Pure. A network failure or a transient status keeps it
 * pending and stops the pass (the next entries would fail the same way); a 201 records the order;
 * any other answer is the server's decision and is kept for the customer to see.
 */
export function settlePlacement(entry: QueuedPlacement, answer: Answer): { next: QueuedPlacement; stop: boolean } {
  const tried = { ...entry, attempts: entry.attempts + 1 }
  if (answer.kind === 'network') return { next: tried, stop: true }
  const { status, body } = answer
  if (status >= 200 && status < 300) {
    const fields = (typeof body === 'object' && body !== null ? body : {}) as { order?: unknown; trackingToken?: unknown }
    const order = v.safeParse(orderSchema, fields.order)
    if (order.success && typeof fields.trackingToken === 'string' && fields.trackingToken) {
      return {
        next: { ...tried, state: 'placed', error: null, placed: { order: order.output, trackingToken: fields.trackingToken } },
        stop: false,
      }
    }
    const error = { status, code: 'invalid_response', message: 'The server sent an unexpected response.' }
    return { next: { ...tried, state: 'refused', error }, stop: false }
  }
  const envelope = readErrorEnvelope(body, status)
  const error = { status, code: envelope.code, message: envelope.message ?? `The server answered ${status}.` }
  if (isTransientStatus(status)) return { next: { ...tried, error }, stop: true }
  return { next: { ...tried, state: 'refused', error }, stop: false }
}

export interface PlacementReport {
  /** Entries that changed state in this pass (placed or refused). */
  settled: QueuedPlacement[]
  /** Something is still pending (network down or server trouble): try again later. */
  deferred: boolean
}

async function sendUnlocked(storage: PlacementStorage, deps: PlacementDeps): Promise<PlacementReport> {
  const report: PlacementReport = { settled: [], deferred: false }
  // Read under the lock: an entry another sender placed a moment ago is no longer pending here.
  for (const entry of await storage.all()) {
    if (entry.state !== 'pending') continue
    const { next, stop } = settlePlacement(entry, await send(entry, deps))
    await storage.put(next)
    if (next.state !== 'pending') report.settled.push(next)
    if (stop) {
      report.deferred = true
      break
    }
  }
  return report
}

/** One pass over the pending placements under the 'orderline-placements' Web Lock (one sender per browser). */
export async function sendPlacements(storage: PlacementStorage, deps: PlacementDeps): Promise<PlacementReport> {
  // Web Locks exist in windows and workers alike; typed loosely so this file fits both libs.
  const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks
  if (!locks) return sendUnlocked(storage, deps)
  return locks.request(PLACEMENT_LOCK, () => sendUnlocked(storage, deps))
}

/** Removes an entry under the same lock, so it never disappears in the middle of being sent. */
export async function removePlacement(storage: PlacementStorage, key: string): Promise<void> {
  const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks
  if (!locks) return storage.remove(key)
  await locks.request(PLACEMENT_LOCK, () => storage.remove(key))
}

/** Tells every tab the queue changed (queued, placed, refused, taken). Tabs reload it from IndexedDB. */
export function announcePlacements(): void {
  if (typeof BroadcastChannel === 'undefined') return
  const channel = new BroadcastChannel(PLACEMENT_CHANNEL)
  channel.postMessage({ type: 'placements-changed' })
  channel.close()
}
