import 'fake-indexeddb/auto'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { memoryKeyedStorage } from '../../src/shared/outboxDb'
import { openPlacementStorage, sendPlacements, settlePlacement, type QueuedPlacement } from '../../src/shared/placementQueue'
import { useCartStore } from '../../src/app/stores/cart'
import { useMyOrdersStore } from '../../src/app/stores/myOrders'
import { usePlacementsStore } from '../../src/app/stores/placements'
import { jsonResponse, makeOrder } from './support/fixtures'

vi.mock('../../src/app/realtime/hubLadder', () => ({
  getRealtimeClient: () => {
    throw new Error('no hub in unit tests')
  },
}))

function entry(overrides: Partial<QueuedPlacement> = {}): QueuedPlacement {
  return {
    key: 'key-0123456789abcdef',
    body: { items: [{ productId: 'p1', quantity: 2 }], customer: { name: 'Ada', email: 'ada@example.com' } },
    lines: [{ productId: 'p1', name: 'Coffee', quantity: 2, priceCents: 350 }],
    totalCents: 700,
    createdAt: 1,
    attempts: 0,
    state: 'pending',
    placed: null,
    error: null,
    ...overrides,
  }
}

const placedBody = { order: makeOrder(), trackingToken: 'tracking-token-123456' }

beforeEach(async () => {
  localStorage.clear()
  setActivePinia(createPinia())
  const storage = openPlacementStorage()
  for (const item of await storage.all()) await storage.remove(item.key)
})

describe('settlePlacement', () => {
  it('keeps it pending on a network failure or a transient status, and stops the pass', () => {
    expect(settlePlacement(entry(), { kind: 'network' })).toMatchObject({ next: { state: 'pending', attempts: 1 }, stop: true })
    for (const status of [408, 429, 500, 503]) {
      const { next, stop } = settlePlacement(entry(), { kind: 'http', status, body: { error: { code: 'x', message: 'busy' } } })
      expect(next.state).toBe('pending')
      expect(next.error).toMatchObject({ status, message: 'busy' })
      expect(stop).toBe(true)
    }
  })

  it('records the order and its tracking token on 201', () => {
    const { next, stop } = settlePlacement(entry(), { kind: 'http', status: 201, body: placedBody })
    expect(next.state).toBe('placed')
    expect(next.placed?.trackingToken).toBe('tracking-token-123456')
    expect(next.placed?.order.id).toBe('ord_1')
    expect(stop).toBe(false)
  })

  it("keeps the server's refusal for the customer to see (4xx), never resent", () => {
    const body = { error: { code: 'unknown_product', message: 'Unknown product p1' } }
    const { next } = settlePlacement(entry(), { kind: 'http', status: 422, body })
    expect(next).toMatchObject({ state: 'refused', error: { status: 422, code: 'unknown_product' } })
    expect(settlePlacement(entry(), { kind: 'http', status: 201, body: { nope: true } }).next.state).toBe('refused')
  })
})

describe('sendPlacements', () => {
  it('sends each pending entry with its own key, once placed never again', async () => {
    const storage = memoryKeyedStorage([entry({ key: 'a'.repeat(16), createdAt: 1 }), entry({ key: 'b'.repeat(16), createdAt: 2 })])
    const keys: string[] = []
    const down = vi.fn().mockRejectedValue(new TypeError('Failed to fetch'))
    const report = await sendPlacements(storage, { fetch: down, url: (path) => `http://x${path}` })
    expect(report).toMatchObject({ deferred: true, settled: [] })
    // The pass stopped at the first failure: the second entry was not tried in vain.
    expect(down).toHaveBeenCalledTimes(1)

    const up = vi.fn(async (_url: string, init: RequestInit) => {
      keys.push((init.headers as Record<string, string>)['Idempotency-Key']!)
      return jsonResponse(201, placedBody)
    })
    const second = await sendPlacements(storage, { fetch: up, url: (path) => `http://x${path}` })
    expect(second.deferred).toBe(false)
    expect(second.settled.map((item) => item.state)).toEqual(['placed', 'placed'])
    expect(keys).toEqual(['a'.repeat(16), 'b'.repeat(16)])
    expect(up.mock.calls[0]![0]).toBe('http://x/api/orders')
    expect(JSON.parse(up.mock.calls[0]![1].body as string)).toEqual(entry().body)

    await sendPlacements(storage, { fetch: up, url: (path) => `http://x${path}` })
    expect(up).toHaveBeenCalledTimes(2)
  })
})

describe('the placements store (IndexedDB)', () => {
  it('queues with the key, then takes the placed order into My orders and empties the sent cart', async () => {
    const cart = useCartStore()
    cart.quantities = { p1: 2 }
    Object.assign(cart.fields, { name: 'Ada', email: 'ada@example.com', note: 'ring twice' })
    const key = cart.keyFor(entry().body)
    const placements = usePlacementsStore()
    expect(await placements.enqueue({ key, body: entry().body, lines: entry().lines, totalCents: 700 })).toBe(true)
    expect(placements.pending.map((item) => item.key)).toEqual([key])

    // Another context (the service worker) placed it meanwhile.
    const storage = openPlacementStorage()
    const [stored] = await storage.all()
    await storage.put({ ...stored!, state: 'placed', placed: placedBody })

    await placements.load()
    expect(placements.pending).toEqual([])
    expect(useMyOrdersStore().tokenFor('ord_1')).toBe('tracking-token-123456')
    expect(placements.consumeTaken()).toMatchObject({ key, orderId: 'ord_1', token: 'tracking-token-123456' })
    expect(placements.consumeTaken()).toBeNull()
    expect(cart.quantities).toEqual({})
    expect(cart.fields).toMatchObject({ name: 'Ada', note: '' })
    expect(await storage.all()).toEqual([])
  })

  it('an order taken long before the storefront opens does not pull the customer away from it', async () => {
    await openPlacementStorage().put(entry({ state: 'placed', placed: placedBody }))
    const placements = usePlacementsStore()
    await placements.load()
    expect(placements.consumeTaken(Date.now() + 120_000)).toBeNull()
    expect(useMyOrdersStore().tokenFor('ord_1')).toBe('tracking-token-123456')
  })

  it('a refused order stays until the customer has seen it; its cart can be restored as entered', async () => {
    await openPlacementStorage().put(
      entry({ state: 'refused', error: { status: 422, code: 'unknown_product', message: 'Unknown product p1' } }),
    )
    const placements = usePlacementsStore()
    await placements.load()
    expect(placements.refused).toHaveLength(1)
    const cart = useCartStore()
    cart.restore(placements.refused[0]!.body)
    expect(cart.quantities).toEqual({ p1: 2 })
    expect(cart.fields.email).toBe('ada@example.com')
    await placements.dismiss(entry().key)
    expect(await openPlacementStorage().all()).toEqual([])
  })
})
