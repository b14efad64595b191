/**
 * Delivery estimates: from configured defaults on thin history, from the median of real stage
 * durations once there is enough, on every order the server sends (REST and socket), null once
 * the order is finished. Also measures what the estimate adds per request.
 */
import * as v from 'valibot'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../server/app'
import { DEFAULT_STAGE_MS, MIN_STAGE_SAMPLES, createEstimator, estimateFor } from '../../server/store/estimates'
import { changeStatus, placeOrder as placeStored } from '../../server/store/orders'
import type { Order, OrderStatus } from '../../src/protocol/order'
import { orderSchema } from '../../src/protocol/answers'
import { api, connectSocket, loginAdmin, patchStatus, placeOrder, startServer, waitForEvent } from './helpers'

let server: RunningServer
let admin: string

beforeAll(async () => {
  server = await startServer({ orderRateLimitPerIp: 0 })
  admin = await loginAdmin(server)
})
afterAll(() => server.close())

const minutes = (n: number) => n * 60_000
const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString()

/** Orders that went the whole way with the given stage durations, written at chosen times. */
async function history(target: RunningServer, count: number, stages: [number, number, number, number]) {
  const opened = { db: target.store.db, dialect: target.store.dialect }
  const path: OrderStatus[] = ['confirmed', 'preparing', 'out_for_delivery', 'delivered']
  for (let i = 0; i < count; i++) {
    let at = Date.now() - minutes(120)
    const placed = await placeStored(
      opened,
      { items: [{ productId: 'espresso', quantity: 1 }], customer: { name: 'H', email: 'h@example.com' } },
      new Date(at),
    )
    if (!placed.ok) throw new Error('place failed')
    for (const [step, status] of path.entries()) {
      at += stages[step]!
      await changeStatus(opened, { orderId: placed.change.order.id, status, version: step + 1 }, new Date(at))
    }
  }
}

describe('estimate on the order', () => {
  it('uses the defaults on thin history: 2 + 3 + 15 + 20 minutes from placing', async () => {
    const fresh = await startServer({ seedDemoData: true })
    try {
      const { order } = await placeOrder(fresh)
      expect(order.estimate).toEqual({
        basis: 'defaults',
        deliveredAt: plus(order.createdAt, minutes(40)),
        steps: [
          { status: 'confirmed', at: plus(order.createdAt, minutes(2)) },
          { status: 'preparing', at: plus(order.createdAt, minutes(5)) },
          { status: 'out_for_delivery', at: plus(order.createdAt, minutes(20)) },
          { status: 'delivered', at: plus(order.createdAt, minutes(40)) },
        ],
      })
    } finally {
      await fresh.close()
    }
  })

  it('switches to the median of real durations once every stage has enough samples', async () => {
    await history(server, MIN_STAGE_SAMPLES + 2, [minutes(1), minutes(2), minutes(10), minutes(12)])
    await server.store.refreshEstimates()
    const { order } = await placeOrder(server)
    expect(order.estimate?.basis).toBe('history')
    expect(order.estimate?.deliveredAt).toBe(plus(order.createdAt, minutes(25)))
    expect(order.estimate?.steps.map((s) => s.status)).toEqual(['confirmed', 'preparing', 'out_for_delivery', 'delivered'])

    // After a change the estimate starts from the new status's time.
    const patched = await patchStatus(server, admin, order, 'confirmed')
    const confirmed = patched.body as Order
    expect(confirmed.estimate?.steps.map((s) => s.status)).toEqual(['preparing', 'out_for_delivery', 'delivered'])
    expect(confirmed.estimate?.deliveredAt).toBe(plus(confirmed.updatedAt, minutes(24)))
  })

  it('is on every REST answer and socket payload, and null once delivered or cancelled', async () => {
    const socket = await connectSocket(server, { token: admin })
    const announced = waitForEvent(socket, 'newOrder')
    const placed = await placeOrder(server)
    expect((await announced).order.estimate?.deliveredAt).toBeTypeOf('string')
    const customerGet = await api<Order>(server, `/api/orders/${placed.order.id}`, { token: placed.trackingToken })
    expect(customerGet.body.estimate).toEqual(placed.order.estimate)
    const list = await api<{ orders: Order[] }>(server, '/api/orders?limit=5', { token: admin })
    expect(list.body.orders.every((o) => o.estimate === null || typeof o.estimate?.deliveredAt === 'string')).toBe(true)
    const feed = await api<{ changes: { order: Order }[] }>(server, '/api/changes?after=0&limit=500', { token: admin })
    expect(feed.body.changes.every((c) => c.order.estimate !== undefined)).toBe(true)

    let order = placed.order
    for (const status of ['confirmed', 'preparing', 'out_for_delivery', 'delivered'] as const) {
      const updated = waitForEvent(socket, 'orderUpdated')
      order = (await patchStatus(server, admin, order, status)).body as Order
      const event = await updated
      expect(event.order.estimate).toEqual(order.estimate)
      if (status === 'delivered') expect(order.estimate).toBeNull()
      else expect(order.estimate?.steps[0]?.status).not.toBe(status)
    }
    const cancelled = await patchStatus(server, admin, (await placeOrder(server)).order, 'cancelled')
    expect(cancelled.body.estimate).toBeNull()
    socket.close()
  })

  it('old clients keep parsing orders with or without it', () => {
    const base = {
      id: 'ord_x',
      number: 1,
      status: 'placed',
      version: 1,
      items: [],
      totalCents: 0,
      customer: { name: 'a', email: 'a@b.c' },
      note: null,
      createdAt: 'x',
      updatedAt: 'x',
      history: [],
    }
    expect(v.safeParse(orderSchema, base).success).toBe(true)
    expect(v.safeParse(orderSchema, { ...base, estimate: null }).success).toBe(true)
    expect(v.safeParse(orderSchema, { ...base, estimate: { deliveredAt: 'x', basis: 'guess', steps: [] } }).success).toBe(false)
  })

  it('uses a default for each stage lacking history, and says so', () => {
    const timings = {
      placed: { medianMs: minutes(1), samples: 50 },
      confirmed: { medianMs: minutes(1), samples: 50 },
      preparing: { medianMs: minutes(1), samples: 50 },
      out_for_delivery: { medianMs: minutes(1), samples: MIN_STAGE_SAMPLES - 1 },
    }
    const estimate = estimateFor({ status: 'preparing', updatedAt: '2026-01-01T00:00:00.000Z' }, timings)
    expect(estimate).toEqual({
      basis: 'defaults',
      deliveredAt: new Date(Date.parse('2026-01-01T00:00:00.000Z') + minutes(1) + DEFAULT_STAGE_MS.out_for_delivery).toISOString(),
      steps: [
        { status: 'out_for_delivery', at: '2026-01-01T00:01:00.000Z' },
        { status: 'delivered', at: '2026-01-01T00:21:00.000Z' },
      ],
    })
  })

  it('measures what it costs (figures)', async () => {
    const timings = await server.store.refreshEstimates()
    const order = (await placeOrder(server)).order
    const estimator = createEstimator(server.store.db, 60_000)
    await estimator.refresh()
    const rounds = 20_000
    let started = performance.now()
    for (let i = 0; i < rounds; i++) estimator.decorate(order)
    const decorateUs = ((performance.now() - started) * 1000) / rounds
    started = performance.now()
    for (let i = 0; i < 20; i++) await estimator.refresh()
    const refreshMs = (performance.now() - started) / 20
    const gets: number[] = []
    for (let i = 0; i < 200; i++) {
      const t = performance.now()
      await api(server, `/api/orders/${order.id}`, { token: admin })
      gets.push(performance.now() - t)
    }
    gets.sort((a, b) => a - b)
    console.log(
      `[figure] estimate: decorate ${decorateUs.toFixed(2)} µs per order; median refresh ${refreshMs.toFixed(2)} ms ` +
        `(samples ${Object.values(timings)
          .map((t) => t.samples)
          .join('/')}), at most once per ${server.config.etaRefreshMs / 1000} s; ` +
        `GET /api/orders/:id p50 ${gets[100]!.toFixed(2)} ms (${server.store.dialect})`,
    )
    expect(decorateUs).toBeLessThan(200)
  })
})
