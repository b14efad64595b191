/** Admin UI: the board's server-side search (`q`) and the dashboard's per-minute buckets. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../server/app'
import { bucketPerMinute } from '../../server/store/stats'
import type { Order } from '../../src/protocol/order'
import { api, loginAdmin, startServer } from './helpers'

let server: RunningServer
let admin: string
const placed: Order[] = []

async function place(name: string, email: string): Promise<Order> {
  const res = await api<{ order: Order }>(server, '/api/orders', {
    body: { items: [{ productId: 'espresso', quantity: 1 }], customer: { name, email } },
  })
  expect(res.status).toBe(201)
  return res.body.order
}

async function search(q: string, extra = ''): Promise<Order[]> {
  const res = await api<{ orders: Order[] }>(server, `/api/orders?q=${encodeURIComponent(q)}${extra}`, { token: admin })
  expect(res.status).toBe(200)
  return res.body.orders
}

beforeAll(async () => {
  server = await startServer()
  admin = await loginAdmin(server)
  placed.push(await place('Grace Qwxhopper', 'grace@navy.example'))
  placed.push(await place('Katherine Johnson', 'kj@nasa.example'))
  placed.push(await place('Percy 100%_done', 'percy@example.org'))
})
afterAll(() => server.close())

describe('GET /api/orders?q=', () => {
  it('finds by customer name, case-insensitively', async () => {
    expect((await search('qwxHOPPER')).map((o) => o.id)).toEqual([placed[0]!.id])
  })
  it('finds by email substring', async () => {
    expect((await search('NASA.example')).map((o) => o.id)).toEqual([placed[1]!.id])
  })
  it('finds by exact order number, with or without #', async () => {
    const order = placed[1]!
    expect((await search(String(order.number))).map((o) => o.id)).toEqual([order.id])
    expect((await search(`#${order.number}`)).map((o) => o.id)).toEqual([order.id])
  })
  it('treats % and _ literally', async () => {
    expect((await search('100%_')).map((o) => o.id)).toEqual([placed[2]!.id])
    expect(await search('%')).toHaveLength(1)
    expect(await search('_')).toHaveLength(1)
  })
  it('combines with the status filter and pagination', async () => {
    expect(await search('qwxhopper', '&status=confirmed')).toHaveLength(0)
    const first = await api<{ orders: Order[]; nextCursor: string | null }>(server, '/api/orders?q=example&limit=1', { token: admin })
    expect(first.body.orders).toHaveLength(1)
    expect(first.body.nextCursor).not.toBeNull()
    const second = await api<{ orders: Order[] }>(server, `/api/orders?q=example&limit=1&cursor=${first.body.nextCursor}`, { token: admin })
    expect(second.body.orders[0]!.id).not.toBe(first.body.orders[0]!.id)
  })
  it('refuses an over-long search with 400, never 500', async () => {
    const res = await api(server, `/api/orders?q=${'x'.repeat(101)}`, { token: admin })
    expect(res.status).toBe(400)
  })
})

describe('ordersPerMinute buckets', () => {
  it('counts per wall-clock minute, the current minute last', () => {
    const MINUTE = 60_000
    const now = Date.parse('2026-01-01T10:30:20.000Z')
    const buckets = bucketPerMinute(
      [now, now - 10_000, now - 21_000, now - 59 * MINUTE, now - 60 * MINUTE, now + MINUTE],
      Math.floor(now / MINUTE),
    )
    expect(buckets).toHaveLength(60)
    expect(buckets[59]).toBe(2)
    expect(buckets[58]).toBe(1)
    expect(buckets[0]).toBe(1)
    expect(buckets.reduce((a, b) => a + b, 0)).toBe(4)
  })

  it('matches GET /api/stats for orders placed now', async () => {
    const res = await api<{ ordersPerMinute: number[]; ordersToday: number }>(server, '/api/stats', { token: admin })
    const inLastHour = res.body.ordersPerMinute.reduce((a, b) => a + b, 0)
    // The demo seed spreads six orders over the last hour; the three above were placed now.
    expect(res.body.ordersPerMinute.at(-1)).toBeGreaterThanOrEqual(3)
    expect(inLastHour).toBeGreaterThanOrEqual(3)
  })
})
