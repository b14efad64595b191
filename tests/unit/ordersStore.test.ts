import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { useOrdersStore } from '../../src/app/stores/orders'
import { jsonResponse, makeOrder } from './support/fixtures'

vi.mock('../../src/app/realtime/hubLadder', () => ({
  getRealtimeClient: () => {
    throw new Error('no hub in unit tests')
  },
}))

function shuffle<T>(items: T[], seed: number): T[] {
  const copy = [...items]
  let state = seed
  for (let i = copy.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31
    const j = state % (i + 1)
    ;[copy[i], copy[j]] = [copy[j]!, copy[i]!]
  }
  return copy
}

beforeEach(() => setActivePinia(createPinia()))
afterEach(() => vi.unstubAllGlobals())

describe('useOrdersStore version rule', () => {
  it('never lets an older version overwrite a newer one', () => {
    const orders = useOrdersStore()
    expect(orders.applyOrder(makeOrder({ version: 3 }))).toBe(true)
    expect(orders.applyOrder(makeOrder({ version: 2 }))).toBe(false)
    expect(orders.applyOrder(makeOrder({ version: 3, note: 'duplicate' }))).toBe(false)
    expect(orders.byId.ord_1).toMatchObject({ version: 3, status: 'preparing', note: null })
  })

  it('ends at the highest version whatever order the events arrive in', () => {
    const changes = Array.from({ length: 5 }, (_, i) => ({ seq: 10 + i, order: makeOrder({ version: i + 1 }) }))
    for (let seed = 1; seed <= 25; seed++) {
      setActivePinia(createPinia())
      const orders = useOrdersStore()
      // Duplicates too: replays and poll results repeat events.
      for (const change of shuffle([...changes, ...changes], seed)) orders.applyChange(change)
      expect(orders.byId.ord_1?.version).toBe(5)
      expect(orders.byId.ord_1?.status).toBe('delivered')
      expect(orders.lastSeq).toBe(14)
    }
  })

  it('puts a live new order on top of the board once', () => {
    const orders = useOrdersStore()
    orders.applyNewOrder({ seq: 1, order: makeOrder({ id: 'a' }) })
    orders.applyNewOrder({ seq: 2, order: makeOrder({ id: 'b' }) })
    orders.applyNewOrder({ seq: 2, order: makeOrder({ id: 'b' }) })
    expect(orders.boardIds).toEqual(['b', 'a'])
    expect(orders.arrivedAt.b).toBeTypeOf('number')
  })
})

describe('useOrdersStore REST actions', () => {
  it('fetchOrder keeps a newer socket copy over an older REST answer', async () => {
    const orders = useOrdersStore()
    orders.applyOrder(makeOrder({ version: 4 }))
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(jsonResponse(200, makeOrder({ version: 2 }))))
    const order = await orders.fetchOrder('ord_1', 'tracking-token-123456')
    expect(order.version).toBe(4)
  })

  it('patchStatus applies the server copy on success', async () => {
    const orders = useOrdersStore()
    orders.applyOrder(makeOrder({ version: 1 }))
    const fetchMock = vi.fn().mockResolvedValue(jsonResponse(200, makeOrder({ version: 2 })))
    vi.stubGlobal('fetch', fetchMock)
    const result = await orders.patchStatus('ord_1', 'confirmed', 'admin-token')
    expect(result.ok).toBe(true)
    expect(orders.byId.ord_1?.status).toBe('confirmed')
    const init = fetchMock.mock.calls[0]![1] as RequestInit
    expect(JSON.parse(init.body as string)).toEqual({ status: 'confirmed', version: 1 })
    expect((init.headers as Record<string, string>)['Idempotency-Key']).toMatch(/^[A-Za-z0-9_-]{8,128}$/)
  })

  it('patchStatus reports a 409 as a conflict and applies `current`', async () => {
    const orders = useOrdersStore()
    orders.applyOrder(makeOrder({ version: 1 }))
    const current = makeOrder({ version: 3 })
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(jsonResponse(409, { error: { code: 'version_conflict', message: 'stale', current } })))
    const result = await orders.patchStatus('ord_1', 'confirmed', 'admin-token')
    expect(result).toMatchObject({ ok: false, kind: 'conflict', current: { version: 3 } })
    expect(orders.byId.ord_1?.version).toBe(3)
  })

  it('patchStatus reports a 422 as illegal and ignores an invalid `current`', async () => {
    const orders = useOrdersStore()
    orders.applyOrder(makeOrder({ version: 2 }))
    vi.stubGlobal(
      'fetch',
      vi.fn().mockResolvedValue(jsonResponse(422, { error: { code: 'illegal_transition', message: 'no', current: { id: 'ord_1' } } })),
    )
    const result = await orders.patchStatus('ord_1', 'delivered', 'admin-token')
    expect(result).toMatchObject({ ok: false, kind: 'illegal', current: null })
    expect(orders.byId.ord_1?.version).toBe(2)
  })

  it('fetchList replaces the board and "more" appends the next page', async () => {
    const orders = useOrdersStore()
    vi.stubGlobal(
      'fetch',
      vi
        .fn()
        .mockResolvedValueOnce(jsonResponse(200, { orders: [makeOrder({ id: 'b' }), makeOrder({ id: 'a' })], nextCursor: 'c1' }))
        .mockResolvedValueOnce(jsonResponse(200, { orders: [makeOrder({ id: 'z' })], nextCursor: null })),
    )
    await orders.fetchList('admin-token')
    expect(orders.boardIds).toEqual(['b', 'a'])
    expect(orders.nextCursor).toBe('c1')
    await orders.fetchList('admin-token', { more: true })
    expect(orders.boardIds).toEqual(['b', 'a', 'z'])
    expect(orders.nextCursor).toBeNull()
  })

  it('syncChanges applies the change log after lastSeq', async () => {
    const orders = useOrdersStore()
    orders.applyChange({ seq: 5, order: makeOrder({ version: 1 }) })
    const fetchMock = vi
      .fn()
      .mockResolvedValueOnce(jsonResponse(200, { changes: [{ seq: 6, order: makeOrder({ version: 2 }) }], cursor: 6 }))
      .mockResolvedValueOnce(jsonResponse(200, { changes: [], cursor: 6 }))
    vi.stubGlobal('fetch', fetchMock)
    expect(await orders.syncChanges('admin-token')).toBe(1)
    expect(fetchMock.mock.calls[0]![0]).toBe('/api/changes?after=5')
    expect(orders.lastSeq).toBe(6)
    expect(orders.byId.ord_1?.version).toBe(2)
  })
})
