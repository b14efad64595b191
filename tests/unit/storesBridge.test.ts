import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { resetRealtimeClientCache } from '../../src/app/realtime/realtimeAccess'
import { useConnectionStore } from '../../src/app/stores/connection'
import { useDashboardStore } from '../../src/app/stores/dashboard'
import { useNotificationsStore } from '../../src/app/stores/notifications'
import { useOrdersStore } from '../../src/app/stores/orders'
import { startRealtimeBridge } from '../../src/app/bridges/realtimeBridge'
import { SESSION_STORAGE_KEY } from '../../src/app/stores/session'
import { fakeRealtimeClient, realtimeSettled, hubStatus, makeOrder } from './support/fixtures'

const hub = vi.hoisted(() => ({ current: null as ReturnType<typeof import('./support/fixtures').fakeRealtimeClient> | null }))

vi.mock('../../src/app/realtime/hubLadder', () => ({
  getRealtimeClient: () => {
    if (!hub.current) throw new Error('realtime client not implemented yet')
    return hub.current.client
  },
}))

const stats = {
  ordersToday: 3,
  revenueTodayCents: 2100,
  byStatus: { placed: 1, confirmed: 1, preparing: 0, out_for_delivery: 0, delivered: 1, cancelled: 0 },
  avgDeliveryMinutes: 22,
  ordersPerMinute: [0, 1, 2],
  generatedAt: '2026-01-01T12:00:00.000Z',
}

beforeEach(() => {
  localStorage.clear()
  hub.current = fakeRealtimeClient()
  resetRealtimeClientCache()
  setActivePinia(createPinia())
  vi.spyOn(console, 'warn').mockImplementation(() => {})
})

describe('startRealtimeBridge', () => {
  it('shows offline instead of crashing when the client throws', async () => {
    hub.current = null
    resetRealtimeClientCache()
    expect(() => startRealtimeBridge()).not.toThrow()
    const connection = useConnectionStore()
    // Until the client's chunk has loaded, the badge says what is true: still connecting.
    expect(connection.state).toBe('connecting')
    await realtimeSettled()
    expect(connection.state).toBe('offline')
    expect(connection.unavailableReason).toContain('not implemented')
  })

  it('holds what views ask of the hub until the client has loaded, then runs it in order', async () => {
    const { callRealtime, withRealtime } = await import('../../src/app/realtime/realtimeAccess')
    startRealtimeBridge()
    const client = hub.current!.client
    callRealtime((hub) => hub.setCredentials('jwt-1'))
    const ack = withRealtime((hub) => hub.watchOrder('ord_1', 'tok'))
    expect(client.setCredentials).not.toHaveBeenCalled()
    expect(client.watchOrder).not.toHaveBeenCalled()
    await realtimeSettled()
    expect(client.setCredentials).toHaveBeenCalledWith('jwt-1')
    expect(client.setCredentials.mock.invocationCallOrder[0]!).toBeLessThan(client.watchOrder.mock.invocationCallOrder[0]!)
    await expect(ack).resolves.toEqual({ ok: true })
    // Loaded: a call runs at once.
    callRealtime((hub) => hub.unwatchOrder('ord_1'))
    expect(client.unwatchOrder).toHaveBeenCalledWith('ord_1')
  })

  it('a client that cannot load: held calls resolve to nothing, views fall back to REST', async () => {
    const { realtimeUnavailable, withRealtime } = await import('../../src/app/realtime/realtimeAccess')
    hub.current = null
    resetRealtimeClientCache()
    const ack = withRealtime((hub) => hub.watchOrder('ord_1', 'tok'))
    expect(realtimeUnavailable.value).toBe(false)
    await realtimeSettled()
    await expect(ack).resolves.toBeUndefined()
    expect(realtimeUnavailable.value).toBe(true)
  })

  it('mirrors hub status into the connection store', async () => {
    startRealtimeBridge()
    await realtimeSettled()
    const connection = useConnectionStore()
    expect(connection.state).toBe('connecting')
    hub.current!.setStatus(hubStatus({ state: 'polling', mode: 'leader', lastEventAt: 42 }))
    expect(connection.state).toBe('polling')
    expect(connection.mode).toBe('leader')
    expect(connection.lastEventAt).toBe(42)
  })

  it('routes validated events to their stores', async () => {
    startRealtimeBridge()
    await realtimeSettled()
    const emit = hub.current!.emit
    emit({ type: 'newOrder', payload: { seq: 1, order: makeOrder({ id: 'n1', version: 1 }) } })
    emit({ type: 'orderUpdated', payload: { seq: 2, order: makeOrder({ id: 'n1', version: 2 }) } })
    emit({ type: 'orderUpdated', payload: { seq: 3, order: makeOrder({ id: 'n1', version: 1 }) } })
    emit({ type: 'statsUpdated', payload: stats })
    emit({
      type: 'notification',
      payload: { id: 'x', kind: 'newOrder', title: 'New order', body: '', orderId: 'n1', at: '2026-01-01T12:00:00.000Z' },
    })
    const orders = useOrdersStore()
    expect(orders.byId.n1?.version).toBe(2)
    expect(orders.boardIds).toEqual(['n1'])
    expect(orders.lastSeq).toBe(3)
    expect(useDashboardStore().stats?.ordersToday).toBe(3)
    // The notification about the same new order does not toast twice.
    expect(useNotificationsStore().toasts).toHaveLength(1)
  })

  it('gives a stored admin token to the hub at startup', async () => {
    localStorage.setItem(SESSION_STORAGE_KEY, JSON.stringify({ token: 'jwt-9', user: { id: 'u', email: 'a@b.co', role: 'admin' } }))
    startRealtimeBridge()
    await realtimeSettled()
    expect(hub.current!.client.setCredentials).toHaveBeenCalledWith('jwt-9')
  })
})
