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

beforeEach(() => {
  localStorage.clear()
  setActivePinia(createPinia())
})
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
    expect(placed?.kind === 'placed' && placed.trackingToken).toBe('tracking-token-123456')
    const init = fetchMock.mock.calls[0]![1] as RequestInit
    expect(JSON.parse(init.body as string)).toEqual({
      items: [{ productId: 'p1', quantity: 2 }],
      customer: { name: 'Ada', email: 'ada@example.com' },
    })
    expect((init.headers as Record<string, string>)['Idempotency-Key']).toMatch(/^[0-9a-f-]{36}$/)
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

describe('useCheckout: one order per attempt', () => {
  const placedAnswer = (): Response => jsonResponse(201, { order: makeOrder(), trackingToken: 'tracking-token-123456' })
  const keyOf = (call: unknown[]): string => ((call[1] as RequestInit).headers as Record<string, string>)['Idempotency-Key']!
  function filled(retryDelaysMs = [0, 0, 0]) {
    const checkout = useCheckout({ products, retryDelaysMs })
    checkout.setQuantity('p1', 1)
    Object.assign(checkout.fields, { name: 'Ada', email: 'ada@example.com' })
    return checkout
  }

  it('resends a lost answer with the same key, showing "retrying" meanwhile', async () => {
    const phases: string[] = []
    const fetchMock = vi
      .fn()
      .mockRejectedValueOnce(new TypeError('Failed to fetch'))
      .mockResolvedValueOnce(jsonResponse(503, { error: { code: 'unavailable', message: 'busy' } }))
      .mockResolvedValueOnce(placedAnswer())
    vi.stubGlobal('fetch', fetchMock)
    const checkout = filled([5, 5, 5])
    const timer = setInterval(() => phases.push(checkout.phase.value), 1)
    const placed = await checkout.submit()
    clearInterval(timer)
    expect(placed?.kind).toBe('placed')
    expect(fetchMock).toHaveBeenCalledTimes(3)
    expect(new Set(fetchMock.mock.calls.map(keyOf)).size).toBe(1)
    expect(phases).toContain('retrying')
    expect(checkout.phase.value).toBe('idle')
    expect(checkout.itemCount.value).toBe(0)
  })

  it('a double tap sends one request', async () => {
    const fetchMock = vi.fn().mockImplementation(async () => placedAnswer())
    vi.stubGlobal('fetch', fetchMock)
    const checkout = filled()
    const [first, second] = await Promise.all([checkout.submit(), checkout.submit()])
    expect(first?.kind).toBe('placed')
    expect(second).toBeNull()
    expect(fetchMock).toHaveBeenCalledTimes(1)
  })

  it('never resends a 4xx; a corrected cart is a new attempt with a new key', async () => {
    const fetchMock = vi
      .fn()
      .mockResolvedValueOnce(jsonResponse(422, { error: { code: 'unknown_product', message: 'Unknown product p1' } }))
      .mockResolvedValueOnce(placedAnswer())
    vi.stubGlobal('fetch', fetchMock)
    const checkout = filled()
    expect(await checkout.submit()).toBeNull()
    expect(fetchMock).toHaveBeenCalledTimes(1)
    checkout.setQuantity('p2', 1)
    expect((await checkout.submit())?.kind).toBe('placed')
    expect(keyOf(fetchMock.mock.calls[1]!)).not.toBe(keyOf(fetchMock.mock.calls[0]!))
  })

  it('when the network stays away, the same cart keeps its key across tries (and reloads)', async () => {
    const failing = vi.fn().mockRejectedValue(new TypeError('Failed to fetch'))
    vi.stubGlobal('fetch', failing)
    const checkout = filled()
    // happy-dom has no IndexedDB here: nothing can be queued, the failure is shown.
    expect(await checkout.submit()).toBeNull()
    expect(checkout.errors.value.form).toMatch(/try again when you are back online/)
    const fetchMock = vi.fn().mockResolvedValue(placedAnswer())
    vi.stubGlobal('fetch', fetchMock)
    // A reload: a new Pinia reads the cart, and its attempt, back from localStorage.
    setActivePinia(createPinia())
    const again = useCheckout({ products, retryDelaysMs: [] })
    expect(again.itemCount.value).toBe(1)
    expect(again.fields.name).toBe('Ada')
    expect((await again.submit())?.kind).toBe('placed')
    expect(failing).toHaveBeenCalledTimes(4)
    expect(new Set([...failing.mock.calls, ...fetchMock.mock.calls].map(keyOf)).size).toBe(1)
    expect(fetchMock).toHaveBeenCalledTimes(1)
    // Placed: the cart is empty (and so is what a next reload finds), the customer's details stay.
    expect(JSON.parse(localStorage.getItem('orderline.cart') ?? '{}')).toMatchObject({
      quantities: {},
      attempt: null,
      fields: { name: 'Ada' },
    })
  })

  it('validates address and phone like the server, and sends them normalised', async () => {
    const fetchMock = vi.fn().mockResolvedValue(placedAnswer())
    vi.stubGlobal('fetch', fetchMock)
    const checkout = filled()
    checkout.fields.phone = '12ab'
    checkout.fields.address = 'x'.repeat(301)
    await nextTick() // as when typing: the edit is seen before the tap
    expect(await checkout.submit()).toBeNull()
    expect(checkout.errors.value.phone).toMatch(/^The phone number /)
    expect(checkout.errors.value.address).toMatch(/at most 300 characters/)
    expect(checkout.invalidSubmits.value).toBe(1)
    checkout.fields.phone = ' +44  20 7946 0958 '
    checkout.fields.address = '12 Main St\n  Flat 3 \n\nSpringfield'
    expect((await checkout.submit())?.kind).toBe('placed')
    expect(JSON.parse((fetchMock.mock.calls[0]![1] as RequestInit).body as string).customer).toEqual({
      name: 'Ada',
      email: 'ada@example.com',
      address: '12 Main St, Flat 3, Springfield',
      phone: '+44 20 7946 0958',
    })
  })
})

describe('the attempt key', () => {
  it('falls back to getRandomValues where randomUUID is missing (plain http)', async () => {
    const real = globalThis.crypto
    vi.stubGlobal('crypto', { getRandomValues: (array: Uint8Array) => real.getRandomValues(array) })
    const { useCartStore } = await import('../../src/app/stores/cart')
    const key = useCartStore().keyFor({ items: [{ productId: 'p1', quantity: 1 }], customer: { name: 'Ada', email: 'a@example.com' } })
    expect(key).toMatch(/^[0-9a-f]{32}$/)
  })
})

describe("useCheckout: the server's order rules load on the first submit", () => {
  afterEach(() => {
    vi.doUnmock('../../src/protocol/requests')
    vi.resetModules()
    vi.restoreAllMocks()
  })

  /** useCheckout from a fresh module graph, with the rules module replaced by `factory`. */
  async function freshCheckout(factory: () => Promise<unknown>) {
    vi.resetModules()
    vi.doMock('../../src/protocol/requests', factory)
    const { useCheckout: fresh } = await import('../../src/app/composables/useCheckout')
    setActivePinia(createPinia())
    const checkout = fresh({ products })
    checkout.setQuantity('p1', 1)
    return checkout
  }

  it('not with the page: the zod schemas are built when the customer first submits', async () => {
    let loads = 0
    const checkout = await freshCheckout(async () => {
      loads++
      return vi.importActual('../../src/protocol/requests')
    })
    vi.stubGlobal('fetch', vi.fn())
    expect(loads).toBe(0)
    checkout.fields.email = 'nope'
    expect(await checkout.submit()).toBeNull()
    expect(loads).toBe(1)
    expect(checkout.errors.value.email).toBe('Please enter a valid email address.')
  })

  it('rules that cannot load (offline, not yet cached): the order goes to the server unchecked, and its answer shows', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const checkout = await freshCheckout(async () => {
      throw new TypeError('Failed to fetch dynamically imported module')
    })
    const fetchMock = vi
      .fn()
      .mockResolvedValue(jsonResponse(400, { error: { code: 'invalid_body', message: 'customer.email: Invalid email address' } }))
    vi.stubGlobal('fetch', fetchMock)
    Object.assign(checkout.fields, { name: 'Ada', email: 'nope' })
    expect(await checkout.submit()).toBeNull()
    expect(fetchMock).toHaveBeenCalledTimes(1)
    expect(JSON.parse((fetchMock.mock.calls[0]![1] as RequestInit).body as string)).toEqual({
      items: [{ productId: 'p1', quantity: 1 }],
      customer: { name: 'Ada', email: 'nope' },
    })
    expect(checkout.errors.value.form).toBe('customer.email: Invalid email address')
    expect(checkout.busy.value).toBe(false)
  })
})
