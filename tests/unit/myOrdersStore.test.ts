import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { MY_ORDERS_STORAGE_KEY, useMyOrdersStore } from '../../src/app/stores/myOrders'

beforeEach(() => {
  localStorage.clear()
  setActivePinia(createPinia())
})

describe('useMyOrdersStore', () => {
  it('survives a reload', () => {
    const store = useMyOrdersStore()
    store.remember({ orderId: 'ord_1', token: 'tok-1', number: 1001, placedAt: '2026-01-01T10:00:00.000Z' })
    store.remember({ orderId: 'ord_2', token: 'tok-2', number: 1002, placedAt: '2026-01-02T10:00:00.000Z' })

    setActivePinia(createPinia())
    const reloaded = useMyOrdersStore()
    expect(reloaded.entries.map((entry) => entry.orderId)).toEqual(['ord_2', 'ord_1'])
    expect(reloaded.tokenFor('ord_1')).toBe('tok-1')
    expect(reloaded.tokenFor('nope')).toBeNull()
  })

  it('updates an entry instead of duplicating it, keeping what it knew', () => {
    const store = useMyOrdersStore()
    store.remember({ orderId: 'ord_1', token: 'tok-1', number: 1001, placedAt: '2026-01-01T10:00:00.000Z' })
    store.remember({ orderId: 'ord_1', token: 'tok-1b' })
    expect(store.entries).toEqual([{ orderId: 'ord_1', token: 'tok-1b', number: 1001, placedAt: '2026-01-01T10:00:00.000Z' }])
  })

  it('forgets an order and drops corrupt stored entries', () => {
    localStorage.setItem(
      MY_ORDERS_STORAGE_KEY,
      JSON.stringify([{ orderId: 'ord_1', token: 't', number: 1, placedAt: '2026-01-01' }, { orderId: '<bad>' }, 'junk']),
    )
    const store = useMyOrdersStore()
    expect(store.entries).toHaveLength(1)
    store.forget('ord_1')
    expect(JSON.parse(localStorage.getItem(MY_ORDERS_STORAGE_KEY)!)).toEqual([])
  })

  it("follows another tab's changes", () => {
    const store = useMyOrdersStore()
    const value = JSON.stringify([{ orderId: 'ord_9', token: 't9', number: 9, placedAt: '2026-01-01' }])
    window.dispatchEvent(new StorageEvent('storage', { key: MY_ORDERS_STORAGE_KEY, newValue: value }))
    expect(store.tokenFor('ord_9')).toBe('t9')
  })
})
