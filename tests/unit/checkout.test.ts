import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick, ref } from 'vue'
import { useCheckout } from '../../src/app/composables/useCheckout'
import { tokenFromHash } from '../../src/app/composables/useTrackingToken'
import { jsonResponse, makeOrder } from './support/fixtures'

const products = ref([
  { id: 'p1', name: 'Coffee', description: '', priceCents: 350 },
  { id: 'p2', name: 'Bagel', description: '', priceCents: 800 },
])

beforeEach(() => setActivePinia(createPinia()))
afterEach(() => vi.unstubAllGlobals())

describe('tokenFromHash', () => {
  it('reads t from the fragment and nothing else', () => {
    expect(tokenFromHash('#t=abc_DEF-123')).toBe('abc_DEF-123')
    expect(tokenFromHash('#x=1&t=tok')).toBe('tok')
    expect(tokenFromHash('#t=')).toBeNull()
    expect(tokenFromHash('')).toBeNull()
    expect(tokenFromHash('#token=abc')).toBeNull()
  })
})

describe('useCheckout', () => {
  it('totals the cart in integer cents', () => {
    const checkout = useCheckout({ products })
    checkout.setQuantity('p1', 3)
    checkout.setQuantity('p2', 1)
    expect(checkout.totalCents.value).toBe(1850)
    expect(checkout.totalLabel.value).toBe('$18.50')
    expect(checkout.itemCount.value).toBe(4)
  })

  it('shows inline errors per field and sends nothing when invalid', async () => {
    const fetchMock = vi.fn()
    vi.stubGlobal('fetch', fetchMock)
    const checkout = useCheckout({ products })
    checkout.fields.email = 'nope'
    expect(await checkout.submit()).toBeNull()
    expect(Object.keys(checkout.errors.value).sort()).toEqual(['email', 'items', 'name'])
    expect(fetchMock).not.toHaveBeenCalled()
    checkout.fields.name = 'Ada'
    await nextTick()
    expect(checkout.errors.value.name).toBeUndefined()
  })

  it('posts a schema-valid body and clears the cart on success', async () => {
    const fetchMock = vi.fn().mockResolvedValue(jsonResponse(201, { order: makeOrder(), trackingToken: 'tracking-token-123456' }))
    vi.stubGlobal('fetch', fetchMock)
    const checkout = useCheckout({ products })
    checkout.setQuantity('p1', 2)
    Object.assign(checkout.fields, { name: ' Ada ', email: 'ada@example.com', note: '  ' })
    const placed = await checkout.submit()
    expect(placed?.trackingToken).toBe('tracking-token-123456')
    expect(JSON.parse((fetchMock.mock.calls[0]![1] as RequestInit).body as string)).toEqual({
      items: [{ productId: 'p1', quantity: 2 }],
      customer: { name: 'Ada', email: 'ada@example.com' },
    })
    expect(checkout.itemCount.value).toBe(0)
  })

  it('shows the server message when the order is refused', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn().mockResolvedValue(jsonResponse(400, { error: { code: 'unknown_product', message: 'Unknown product p1' } })),
    )
    const checkout = useCheckout({ products })
    checkout.setQuantity('p1', 1)
    Object.assign(checkout.fields, { name: 'Ada', email: 'ada@example.com' })
    expect(await checkout.submit()).toBeNull()
    expect(checkout.errors.value.form).toBe('Unknown product p1')
    expect(checkout.busy.value).toBe(false)
  })
})
