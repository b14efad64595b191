import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { resetRealtimeClientCache } from '../../src/app/realtime/realtimeAccess'
import type { OrderChange } from '../../src/protocol'
import { needsResync, planResync, syncKeyOf, type ResyncTracker } from '../../src/app/realtime/resync'
import { useConnectionStore } from '../../src/app/stores/connection'
import { useOrdersStore } from '../../src/app/stores/orders'
import { startRealtimeBridge } from '../../src/app/bridges/realtimeBridge'
import { fakeRealtimeClient, realtimeSettled, hubStatus, makeOrder } from './support/fixtures'

const hub = vi.hoisted(() => ({ current: null as ReturnType<typeof import('./support/fixtures').fakeRealtimeClient> | null }))
const api = vi.hoisted(() => ({
  getOrder: vi.fn(),
  getChanges: vi.fn(),
  listOrders: vi.fn(),
}))

vi.mock('../../src/app/realtime/hubLadder', () => ({ getRealtimeClient: () => hub.current!.client }))
vi.mock('../../src/app/api/orders', () => api)

describe('resync cursor logic (pure)', () => {
  it('a new sync epoch or a new hub starts a stream to catch up with; only when live', async () => {
    const tracker: ResyncTracker = { synced: null }
    expect(needsResync(tracker, { state: 'connecting', hubId: 'a', syncEpoch: 1 })).toBe(false)
    expect(needsResync(tracker, { state: 'live', hubId: 'a', syncEpoch: 1 })).toBe(true)
    tracker.synced = syncKeyOf({ hubId: 'a', syncEpoch: 1 })
    expect(needsResync(tracker, { state: 'live', hubId: 'a', syncEpoch: 1 })).toBe(false)
    expect(needsResync(tracker, { state: 'live', hubId: 'a', syncEpoch: 2 })).toBe(true)
    expect(needsResync(tracker, { state: 'live', hubId: 'b', syncEpoch: 1 })).toBe(true)
  })

  it('plans watched orders, the change log after the cursor, or the board when no cursor is held', async () => {
    const interests = [{ kind: 'order' as const, orderId: 'ord_1', token: 't' }, { kind: 'admin' as const }]
    expect(planResync({ interests, adminToken: 'jwt', lastSeq: 12, boardLoaded: true, statsLoaded: true })).toEqual({
      orders: [{ orderId: 'ord_1', token: 't' }],
      adminChangesAfter: 12,
      adminList: false,
      adminStats: true,
    })
    expect(planResync({ interests, adminToken: 'jwt', lastSeq: 0, boardLoaded: true, statsLoaded: false })).toMatchObject({
      adminChangesAfter: null,
      adminList: true,
    })
    // Logged out: never an admin request, even if a stale admin interest lingers.
    expect(planResync({ interests, adminToken: null, lastSeq: 12, boardLoaded: true, statsLoaded: true })).toMatchObject({
      adminChangesAfter: null,
      adminList: false,
      adminStats: false,
    })
  })
})

describe('bridge resync', () => {
  beforeEach(() => {
    localStorage.clear()
    hub.current = fakeRealtimeClient()
    resetRealtimeClientCache()
    setActivePinia(createPinia())
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    Object.values(api).forEach((fn) => fn.mockReset())
  })

  it('reports connecting until watched orders and the change log are caught up, then live', async () => {
    localStorage.setItem(
      'orderline.session',
      JSON.stringify({ token: 'jwt-admin', user: { id: 'u1', email: 'a@b.c', role: 'admin', name: 'Admin' } }),
    )
    const interests = [{ kind: 'order' as const, orderId: 'ord_1', token: 'tok' }, { kind: 'admin' as const }]
    const client = Object.assign(hub.current!.client, { interests: () => interests })
    void client
    let releaseOrder!: () => void
    api.getOrder.mockImplementation(
      () =>
        new Promise(
          (resolve) => (releaseOrder = () => resolve({ notModified: false, etag: '"3"', order: makeOrder({ id: 'ord_1', version: 3 }) })),
        ),
    )
    const change: OrderChange = { seq: 9, order: makeOrder({ id: 'ord_2', version: 2 }) }
    api.getChanges.mockResolvedValueOnce({ changes: [change], cursor: 9 }).mockResolvedValue({ changes: [], cursor: 9 })
    startRealtimeBridge()
    await realtimeSettled()
    const orders = useOrdersStore()
    orders.applyChange({ seq: 5, order: makeOrder({ id: 'ord_2', version: 1 }) })
    const connection = useConnectionStore()

    hub.current!.setStatus(hubStatus({ state: 'live', hubId: 'h1', syncEpoch: 2 }))
    expect(connection.state).toBe('connecting')
    await vi.waitFor(() => expect(api.getChanges).toHaveBeenCalledWith(5, 'jwt-admin'))
    expect(connection.state).toBe('connecting')
    releaseOrder()
    await vi.waitFor(() => expect(connection.state).toBe('live'))
    expect(orders.byId.ord_1?.version).toBe(3)
    expect(orders.byId.ord_2?.version).toBe(2)
    expect(orders.lastSeq).toBe(9)

    // Same stream again (a counter-only status): no second resync.
    hub.current!.setStatus(hubStatus({ state: 'live', hubId: 'h1', syncEpoch: 2, eventsIn: 4 }))
    expect(connection.state).toBe('live')
    expect(api.getOrder).toHaveBeenCalledTimes(1)
    // A new hub (leader hand-over): resync again.
    hub.current!.setStatus(hubStatus({ state: 'live', hubId: 'h2', syncEpoch: 1 }))
    await vi.waitFor(() => expect(api.getOrder).toHaveBeenCalledTimes(2))
  })
})
