import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { memoryOutboxStorage } from '../../src/shared/outboxDb'
import { useOrdersStore } from '../../src/app/stores/orders'
import { useOutboxStore } from '../../src/app/stores/outbox'
import { makeOrder } from './support/fixtures'

vi.mock('../../src/app/realtime/hubLadder', () => ({
  getRealtimeClient: () => {
    throw new Error('no hub in unit tests')
  },
}))

// happy-dom has no IndexedDB: the outbox runs on the in-memory storage with the same interface.
const storage = vi.hoisted(() => ({ current: null as null | ReturnType<typeof import('../../src/shared/outboxDb').memoryOutboxStorage> }))
vi.mock('../../src/shared/outboxDb', async (original) => {
  const actual = await original<typeof import('../../src/shared/outboxDb')>()
  return { ...actual, isOutboxSupported: () => true, openOutboxStorage: () => storage.current! }
})

beforeEach(() => {
  storage.current = memoryOutboxStorage()
  setActivePinia(createPinia())
})
afterEach(() => vi.unstubAllGlobals())

describe('an admin status change that cannot reach the server', () => {
  it('goes to the outbox with the idempotency key of the failed attempt and the expected version', async () => {
    const sentKeys: string[] = []
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_url: string, init: RequestInit) => {
        sentKeys.push((init.headers as Record<string, string>)['Idempotency-Key']!)
        throw new TypeError('Failed to fetch')
      }),
    )
    const orders = useOrdersStore()
    orders.applyOrder(makeOrder({ version: 1 }))
    const result = await orders.patchStatus('ord_1', 'confirmed', 'a.b.c')
    expect(result).toMatchObject({ ok: false, kind: 'queued' })
    const [entry] = await storage.current!.all()
    expect(entry).toMatchObject({ orderId: 'ord_1', status: 'confirmed', version: 1, state: 'pending', token: 'a.b.c' })
    // Same key as the attempt: if that request did land, the replay is applied once, not twice.
    expect(entry!.key).toBe(sentKeys[0])
    expect(useOutboxStore().forOrder('ord_1')).toHaveLength(1)
  })

  it('queues a second change behind the first, expecting the version the first will produce', async () => {
    const fetchSpy = vi.fn(async () => {
      throw new TypeError('Failed to fetch')
    })
    vi.stubGlobal('fetch', fetchSpy)
    const orders = useOrdersStore()
    orders.applyOrder(makeOrder({ version: 1 }))
    await orders.patchStatus('ord_1', 'confirmed', 'a.b.c')
    const second = await orders.patchStatus('ord_1', 'preparing', 'a.b.c')
    expect(second).toMatchObject({ ok: false, kind: 'queued' })
    expect(fetchSpy).toHaveBeenCalledTimes(1) // order matters: the second never overtakes the first
    const entries = await storage.current!.all()
    expect(entries.map((item) => [item.fromStatus, item.status, item.version])).toEqual([
      ['placed', 'confirmed', 1],
      ['confirmed', 'preparing', 2],
    ])
  })

  it('is not queued when the server answered (a 409 is a conflict, shown at once)', async () => {
    const current = makeOrder({ version: 2, status: 'cancelled' })
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response(JSON.stringify({ error: { code: 'version_conflict', message: 'stale', current } }), { status: 409 })),
    )
    const orders = useOrdersStore()
    orders.applyOrder(makeOrder({ version: 1 }))
    const result = await orders.patchStatus('ord_1', 'confirmed', 'a.b.c')
    expect(result).toMatchObject({ ok: false, kind: 'conflict' })
    expect(await storage.current!.all()).toEqual([])
  })
})
