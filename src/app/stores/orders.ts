import * as v from 'valibot'
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { ApiError, NETWORK_ERROR } from '../api/client'
import * as ordersApi from '../api/orders'
import { isNewer, orderSchema, type Order, type OrderChange, type OrderStatus } from '../../protocol'

let outboxModule: typeof import('./outbox') | undefined

/**
 * The outbox is an admin's tool, never part of a customer page's start, so it loads apart.
 * Screens that change statuses call this as they start; `patchStatus` then needs no await
 * before its request.
 */
export async function loadOutbox(): Promise<typeof import('./outbox')> {
  outboxModule ??= await import('./outbox')
  return outboxModule
}

export type PatchResult =
  | { ok: true; order: Order }
  | { ok: false; kind: 'queued'; message: string }
  | { ok: false; kind: 'conflict' | 'illegal' | 'error'; code: string; message: string; current: Order | null }

function newIdempotencyKey(): string {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`
}

export const useOrdersStore = defineStore('orders', () => {
  const byId = ref<Record<string, Order>>({})
  /** Highest change-log position applied; the resync cursor. */
  const lastSeq = ref(0)
  /** Order board: ids newest first, as listed by the server plus live arrivals. */
  const boardIds = ref<string[]>([])
  const nextCursor = ref<string | null>(null)
  /** Epoch ms at which a live `newOrder` reached this tab, by order id (for highlighting). */
  const arrivedAt = ref<Record<string, number>>({})
  const etags: Record<string, string> = {}
  let listGeneration = 0
  let boardQuery: { status: OrderStatus | null; q: string | null; limit: number | null } = { status: null, q: null, limit: null }

  /** The version rule: keeps the copy with the highest version. Returns whether it changed. */
  function applyOrder(order: Order): boolean {
    if (!isNewer(order, byId.value[order.id])) return false
    byId.value[order.id] = order
    return true
  }

  function applyChange(change: OrderChange): boolean {
    if (change.seq > lastSeq.value) lastSeq.value = change.seq
    return applyOrder(change.order)
  }

  /** A live new order: applied, and put on top of the board once. */
  function applyNewOrder(change: OrderChange): void {
    applyChange(change)
    if (!boardIds.value.includes(change.order.id)) {
      boardIds.value.unshift(change.order.id)
      arrivedAt.value[change.order.id] = Date.now()
    }
  }

  async function fetchOrder(id: string, token: string): Promise<Order> {
    const held = byId.value[id]
    const result = await ordersApi.getOrder(id, token, held ? etags[id] : null)
    if (result.notModified) {
      if (held) return held
      throw new ApiError(304, 'not_modified', 'The order could not be loaded.')
    }
    if (result.etag) etags[id] = result.etag
    applyOrder(result.order)
    return byId.value[id] ?? result.order
  }

  /** Loads the first page (replacing the board) or, with `more`, the next one. */
  async function fetchList(
    token: string,
    options: { status?: OrderStatus | null; q?: string | null; more?: boolean; limit?: number } = {},
  ): Promise<void> {
    // A bare call (a resync) refetches what the board shows: its filter, search and page size.
    const given = options.status !== undefined || options.q !== undefined || options.limit !== undefined
    const query = given ? { status: options.status ?? null, q: options.q ?? null, limit: options.limit ?? null } : boardQuery
    if (!options.more) {
      boardQuery = query
      listGeneration++
    }
    const generation = listGeneration
    const page = await ordersApi.listOrders(
      { status: query.status, q: query.q, cursor: options.more ? nextCursor.value : null, ...(query.limit ? { limit: query.limit } : {}) },
      token,
    )
    for (const order of page.orders) applyOrder(order)
    // A newer list request (another filter) was made meanwhile: its answer decides the board.
    if (generation !== listGeneration) return
    const ids = page.orders.map((order) => order.id)
    boardIds.value = options.more ? [...boardIds.value, ...ids.filter((id) => !boardIds.value.includes(id))] : ids
    nextCursor.value = page.nextCursor
  }

  /** Catches up from the change log after `lastSeq` (admin). Bounded so a huge log can't spin. */
  async function syncChanges(token: string, maxPages = 20): Promise<number> {
    let applied = 0
    for (let page = 0; page < maxPages; page++) {
      const after = lastSeq.value
      const result = await ordersApi.getChanges(after, token)
      for (const change of result.changes) if (applyChange(change)) applied++
      if (result.cursor > lastSeq.value) lastSeq.value = result.cursor
      if (result.changes.length === 0 || lastSeq.value <= after) break
    }
    return applied
  }

  function applyCurrent(current: unknown): Order | null {
    const parsed = v.safeParse(orderSchema, current)
    if (!parsed.success) return null
    applyOrder(parsed.output)
    return byId.value[parsed.output.id] ?? parsed.output
  }

  /**
   * Sends `{status, version}` (and a cancellation's `reason`) for the held copy; conflicts come
   * back as values with `current` applied.
   */
  async function patchStatus(
    id: string,
    status: OrderStatus,
    token: string,
    reason?: string,
    options: { keepalive?: boolean } = {},
  ): Promise<PatchResult> {
    const held = byId.value[id]
    if (!held) return { ok: false, kind: 'error', code: 'not_loaded', message: 'The order is not loaded yet.', current: null }
    const key = newIdempotencyKey()
    // Loaded already when the admin's screens started (loadOutbox), so the request below still
    // leaves within the same task: a tab closed inside the undo window sends it with keepalive.
    const { QUEUED_MESSAGE, useOutboxStore } = outboxModule ?? (await loadOutbox())
    const outbox = useOutboxStore()
    const queue = async (): Promise<PatchResult | null> =>
      (await outbox.queueStatusChange({ key, held, status, token, reason })) ? { ok: false, kind: 'queued', message: QUEUED_MESSAGE } : null
    // Offline, or behind a change already waiting in the outbox: queue it (order matters).
    const offline = globalThis.navigator?.onLine === false
    if (offline || outbox.pendingAhead(id) !== null) {
      const queued = await queue()
      if (queued) return queued
    }
    try {
      const order = await ordersApi.patchOrderStatus(
        id,
        { status, version: held.version, ...(reason ? { reason } : {}) },
        token,
        key,
        options,
      )
      applyOrder(order)
      return { ok: true, order: byId.value[id] ?? order }
    } catch (error) {
      if (!(error instanceof ApiError)) throw error
      if (error.code === NETWORK_ERROR) {
        const queued = await queue()
        if (queued) return queued
      }
      const current = applyCurrent(error.current)
      if (error.status === 409 || error.code === 'version_conflict') {
        return { ok: false, kind: 'conflict', code: error.code, message: error.message, current }
      }
      if (error.status === 422 || error.code === 'illegal_transition') {
        return { ok: false, kind: 'illegal', code: error.code, message: error.message, current }
      }
      throw error
    }
  }

  function reset(): void {
    byId.value = {}
    boardIds.value = []
    nextCursor.value = null
    boardQuery = { status: null, q: null, limit: null }
    arrivedAt.value = {}
    lastSeq.value = 0
    for (const key of Object.keys(etags)) delete etags[key]
  }

  return {
    byId,
    lastSeq,
    boardIds,
    nextCursor,
    arrivedAt,
    applyOrder,
    applyChange,
    applyNewOrder,
    fetchOrder,
    fetchList,
    syncChanges,
    patchStatus,
    reset,
  }
})
