import * as v from 'valibot'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../server/app'
import type { Order } from '../../src/protocol/order'
import { orderSchema, statsSchema } from '../../src/protocol/answers'
import { api, loginAdmin, patchStatus, placeOrder, startServer } from './helpers'

let server: RunningServer
let admin: string

beforeAll(async () => {
  server = await startServer()
  admin = await loginAdmin(server)
})
afterAll(() => server.close())

describe('POST /api/orders', () => {
  it('prices from the catalogue and returns a tracking token', async () => {
    const res = await api(server, '/api/orders', {
      body: {
        items: [
          { productId: 'espresso', quantity: 2 },
          { productId: 'bagel', quantity: 1 },
        ],
        customer: { name: '  Ada  ', email: 'ada@example.com' },
        note: '<script>alert(1)</script>',
      },
    })
    expect(res.status).toBe(201)
    const order = v.parse(orderSchema, res.body.order)
    expect(order.status).toBe('placed')
    expect(order.version).toBe(1)
    expect(order.totalCents).toBe(2 * 280 + 850)
    expect(order.customer.name).toBe('Ada')
    expect(order.note).toBe('<script>alert(1)</script>')
    expect(order.history).toEqual([{ status: 'placed', version: 1, at: order.createdAt }])
    expect(res.body.trackingToken).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(res.headers.get('location')).toBe(`/api/orders/${order.id}`)
  })

  it('refuses unknown products with 422 unknown_product', async () => {
    const res = await api(server, '/api/orders', {
      body: { items: [{ productId: 'caviar', quantity: 1 }], customer: { name: 'A', email: 'a@example.com' } },
    })
    expect(res.status).toBe(422)
    expect(res.body.error.code).toBe('unknown_product')
  })

  it('refuses client-side prices, zero quantities and empty orders', async () => {
    const bodies = [
      { items: [{ productId: 'espresso', quantity: 1, unitPriceCents: 1 }], customer: { name: 'A', email: 'a@example.com' } },
      { items: [{ productId: 'espresso', quantity: 0 }], customer: { name: 'A', email: 'a@example.com' } },
      { items: [], customer: { name: 'A', email: 'a@example.com' } },
      { items: [{ productId: 'espresso', quantity: 1 }], customer: { name: 'A', email: 'nope' } },
      { items: [{ productId: '../etc', quantity: 1 }], customer: { name: 'A', email: 'a@example.com' } },
    ]
    for (const body of bodies) {
      const res = await api(server, '/api/orders', { body })
      expect(res.status, JSON.stringify(body)).toBe(400)
    }
  })
})

describe('GET /api/orders/:id', () => {
  it('serves the order to its tracking token and to an admin, with an ETag', async () => {
    const { order, trackingToken } = await placeOrder(server)
    const asCustomer = await api(server, `/api/orders/${order.id}`, { token: trackingToken })
    expect(asCustomer.status).toBe(200)
    expect(asCustomer.body).toEqual(order)
    expect(asCustomer.headers.get('etag')).toBe('"v1"')
    const asAdmin = await api(server, `/api/orders/${order.id}`, { token: admin })
    expect(asAdmin.status).toBe(200)
    expect(asAdmin.body.id).toBe(order.id)
  })

  it('answers 304 to a matching If-None-Match and 200 once the order changed', async () => {
    const { order, trackingToken } = await placeOrder(server)
    const same = await api(server, `/api/orders/${order.id}`, { token: trackingToken, headers: { 'if-none-match': '"v1"' } })
    expect(same.status).toBe(304)
    expect(same.text).toBe('')
    const weak = await api(server, `/api/orders/${order.id}`, { token: trackingToken, headers: { 'if-none-match': 'W/"v1"' } })
    expect(weak.status).toBe(304)
    await patchStatus(server, admin, order, 'confirmed')
    const changed = await api(server, `/api/orders/${order.id}`, { token: trackingToken, headers: { 'if-none-match': '"v1"' } })
    expect(changed.status).toBe(200)
    expect(changed.headers.get('etag')).toBe('"v2"')
  })

  it("refuses order A's tracking token on order B with the same 404 as an unknown id", async () => {
    const a = await placeOrder(server)
    const b = await placeOrder(server)
    const cross = await api(server, `/api/orders/${b.order.id}`, { token: a.trackingToken })
    const unknown = await api(server, '/api/orders/ord_doesnotexist', { token: a.trackingToken })
    expect(cross.status).toBe(404)
    expect(unknown.status).toBe(404)
    expect(cross.body).toEqual(unknown.body)
  })

  it('needs a credential', async () => {
    const { order } = await placeOrder(server)
    expect((await api(server, `/api/orders/${order.id}`)).status).toBe(401)
    expect((await api(server, `/api/orders/${order.id}`, { token: 'a.b.c' })).status).toBe(401)
    expect((await api(server, `/api/orders/${order.id}`, { token: 'short' })).status).toBe(404)
  })

  it('validates the id', async () => {
    const res = await api(server, `/api/orders/${'x'.repeat(65)}`, { token: admin })
    expect(res.status).toBe(400)
  })
})

describe('GET /api/orders (admin)', () => {
  it('refuses tracking tokens and anonymous callers', async () => {
    const { trackingToken } = await placeOrder(server)
    expect((await api(server, '/api/orders', { token: trackingToken })).status).toBe(401)
    expect((await api(server, '/api/orders')).status).toBe(401)
  })

  it('pages newest first with a cursor and filters by status', async () => {
    const fresh = await startServer()
    try {
      const token = await loginAdmin(fresh)
      for (let i = 0; i < 5; i++) await placeOrder(fresh)
      const seen: Order[] = []
      let cursor: string | null = null
      let pages = 0
      do {
        const qs: string = cursor ? `?limit=3&cursor=${cursor}` : '?limit=3'
        const res = await api(fresh, `/api/orders${qs}`, { token })
        expect(res.status).toBe(200)
        seen.push(...res.body.orders)
        cursor = res.body.nextCursor
        pages++
      } while (cursor && pages < 20)
      const numbers = seen.map((o) => o.number)
      expect(numbers).toEqual([...numbers].sort((a, b) => b - a))
      expect(new Set(seen.map((o) => o.id)).size).toBe(seen.length)
      expect(seen.length).toBe(11) // 6 demo orders + 5
      const placed = await api(fresh, '/api/orders?status=placed&limit=100', { token })
      expect(placed.body.orders.length).toBeGreaterThanOrEqual(5)
      expect(placed.body.orders.every((o: Order) => o.status === 'placed')).toBe(true)
      expect(placed.body.nextCursor).toBeNull()
    } finally {
      await fresh.close()
    }
  })
})

describe('PATCH /api/orders/:id (admin)', () => {
  it('moves the status forward and bumps the version', async () => {
    const { order } = await placeOrder(server)
    const res = await patchStatus(server, admin, order, 'confirmed')
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ id: order.id, status: 'confirmed', version: 2 })
    expect(res.body.history.map((h: { status: string }) => h.status)).toEqual(['placed', 'confirmed'])
  })

  it('answers a stale version with 409 and the current order', async () => {
    const { order } = await placeOrder(server)
    await patchStatus(server, admin, order, 'confirmed')
    const stale = await patchStatus(server, admin, order, 'cancelled')
    expect(stale.status).toBe(409)
    expect(stale.body.error.code).toBe('version_conflict')
    expect(stale.body.error.current).toMatchObject({ id: order.id, status: 'confirmed', version: 2 })
  })

  it('answers an illegal transition with 422 and the current order', async () => {
    const { order } = await placeOrder(server)
    const res = await patchStatus(server, admin, order, 'delivered')
    expect(res.status).toBe(422)
    expect(res.body.error.code).toBe('illegal_transition')
    expect(res.body.error.current).toMatchObject({ status: 'placed', version: 1 })
  })

  it('applies a request with an Idempotency-Key once and replays the first answer', async () => {
    const { order } = await placeOrder(server)
    const headers = { 'idempotency-key': `key-${order.id}` }
    const first = await patchStatus(server, admin, order, 'confirmed', headers)
    const again = await patchStatus(server, admin, order, 'confirmed', headers)
    expect(first.status).toBe(200)
    expect(again.status).toBe(200)
    expect(again.body).toEqual(first.body)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    const now = await api(server, `/api/orders/${order.id}`, { token: admin })
    expect(now.body.version).toBe(2)
    // Same key, different request: refused rather than silently replayed.
    const misuse = await patchStatus(server, admin, { id: order.id, version: 2 }, 'preparing', headers)
    expect(misuse.status).toBe(422)
    expect(misuse.body.error.code).toBe('idempotency_key_reused')
  })

  it('applies concurrent retries with the same key once', async () => {
    const { order } = await placeOrder(server)
    const headers = { 'idempotency-key': `race-${order.id}` }
    const results = await Promise.all([1, 2, 3, 4].map(() => patchStatus(server, admin, order, 'confirmed', headers)))
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200])
    const changes = await api(server, '/api/changes?after=0&limit=500', { token: admin })
    const entries = changes.body.changes.filter((c: { order: Order }) => c.order.id === order.id)
    expect(entries).toHaveLength(1)
    expect(entries[0].order.version).toBe(2)
  })

  it('validates the Idempotency-Key, the body and the role', async () => {
    const { order, trackingToken } = await placeOrder(server)
    expect((await patchStatus(server, admin, order, 'confirmed', { 'idempotency-key': 'bad key!' })).status).toBe(400)
    expect((await patchStatus(server, admin, order, 'shipped')).status).toBe(400)
    expect((await api(server, `/api/orders/${order.id}`, { method: 'PATCH', token: admin, body: { status: 'confirmed' } })).status).toBe(
      400,
    )
    expect((await patchStatus(server, trackingToken, order, 'cancelled')).status).toBe(401)
    expect((await patchStatus(server, admin, { id: 'ord_missing', version: 1 }, 'confirmed')).status).toBe(404)
  })
})

describe('GET /api/changes (admin)', () => {
  it('returns changes after a seq, in order, with a cursor', async () => {
    const first = await api(server, '/api/changes?after=0', { token: admin })
    expect(first.status).toBe(200)
    const seqs: number[] = first.body.changes.map((c: { seq: number }) => c.seq)
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
    const cursor = first.body.cursor as number
    expect(cursor).toBeGreaterThanOrEqual(Math.max(...seqs))

    const { order } = await placeOrder(server)
    await patchStatus(server, admin, order, 'confirmed')
    const next = await api(server, `/api/changes?after=${cursor}`, { token: admin })
    expect(next.body.changes).toHaveLength(1)
    expect(next.body.changes[0].seq).toBeGreaterThan(cursor)
    expect(next.body.changes[0].order).toMatchObject({ id: order.id, version: 2 })

    const none = await api(server, `/api/changes?after=${next.body.cursor}`, { token: admin })
    expect(none.body).toMatchObject({ changes: [], cursor: next.body.cursor })
  })

  it('pages with limit without skipping entries', async () => {
    let after = 0
    const all: number[] = []
    for (let i = 0; i < 200; i++) {
      const res = await api(server, `/api/changes?after=${after}&limit=2`, { token: admin })
      if (res.body.changes.length === 0 && !res.body.hasMore) break
      all.push(...res.body.changes.map((c: { seq: number }) => c.seq))
      expect(res.body.cursor).toBeGreaterThan(after)
      after = res.body.cursor
    }
    expect(all).toEqual([...all].sort((a, b) => a - b))
  })

  it('is admin-only', async () => {
    const { trackingToken } = await placeOrder(server)
    expect((await api(server, '/api/changes?after=0', { token: trackingToken })).status).toBe(401)
  })
})

describe('GET /api/stats (admin)', () => {
  it('returns figures matching the Stats schema', async () => {
    const res = await api(server, '/api/stats', { token: admin })
    expect(res.status).toBe(200)
    const stats = v.parse(statsSchema, res.body)
    expect(stats.ordersPerMinute).toHaveLength(60)
    expect(stats.ordersToday).toBeGreaterThan(0)
    expect(stats.byStatus.delivered).toBeGreaterThanOrEqual(1)
    expect(stats.avgDeliveryMinutes).not.toBeNull()
    expect((await api(server, '/api/stats')).status).toBe(401)
  })
})
