import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { useDelayedChangesStore } from '../../src/app/stores/delayedChanges'

beforeEach(() => {
  setActivePinia(createPinia())
  vi.useFakeTimers()
})
afterEach(() => vi.useRealTimers())

const change = { orderId: 'ord_1', orderNumber: 1001, status: 'cancelled' as const, reason: 'Out of stock' }

describe('delayed changes (cancel with undo)', () => {
  it('sends only once the undo window has passed', () => {
    const store = useDelayedChangesStore()
    const send = vi.fn(async () => {})
    store.schedule(change, send, 5000)
    expect(store.forOrder('ord_1')).toMatchObject({ reason: 'Out of stock' })
    vi.advanceTimersByTime(4999)
    expect(send).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(send).toHaveBeenCalledTimes(1)
    expect(store.entries).toEqual([])
  })

  it('undo inside the window sends nothing, ever', () => {
    const store = useDelayedChangesStore()
    const send = vi.fn(async () => {})
    store.schedule(change, send, 5000)
    vi.advanceTimersByTime(3000)
    expect(store.undo('ord_1')).toBe(true)
    vi.advanceTimersByTime(60_000)
    expect(send).not.toHaveBeenCalled()
    expect(store.undo('ord_1')).toBe(false)
  })

  it('flush (the tab going away) sends what waits at once; a second schedule replaces the first', () => {
    const store = useDelayedChangesStore()
    const first = vi.fn(async () => {})
    const second = vi.fn(async () => {})
    store.schedule(change, first, 5000)
    store.schedule({ ...change, reason: 'Closed early' }, second, 5000)
    expect(store.entries).toHaveLength(1)
    store.flush()
    expect(first).not.toHaveBeenCalled()
    expect(second).toHaveBeenCalledTimes(1)
    vi.advanceTimersByTime(10_000)
    expect(second).toHaveBeenCalledTimes(1)
  })

  it('reports outcomes: successes fade, problems stay until dismissed', () => {
    const store = useDelayedChangesStore()
    store.report('ord_1', { tone: 'success', text: 'done' })
    store.report('ord_2', { tone: 'error', text: 'refused' })
    vi.advanceTimersByTime(10_000)
    expect(store.outcomes.map((o) => o.orderId)).toEqual(['ord_2'])
    store.dismissOutcome('ord_2')
    expect(store.outcomes).toEqual([])
  })
})

describe('tab title count', () => {
  it('prefixes the count, caps it, and strips it again', async () => {
    const { titleWithCount } = await import('../../src/app/composables/unseenOrdersTitle')
    expect(titleWithCount('Order board · Orderline', 3)).toBe('(3) Order board · Orderline')
    expect(titleWithCount('(3) Order board · Orderline', 4)).toBe('(4) Order board · Orderline')
    expect(titleWithCount('(4) Order board · Orderline', 0)).toBe('Order board · Orderline')
    expect(titleWithCount('Dashboard · Orderline', 150)).toBe('(99+) Dashboard · Orderline')
    expect(titleWithCount('(99+) Dashboard · Orderline', 0)).toBe('Dashboard · Orderline')
  })
})
