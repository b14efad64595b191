/**
 * Input and answers after the security review: customer names are normalised and refused when
 * blank, invisible or carrying control / bidi override characters; authenticated lists are never
 * stored by a cache; tracking links expire a while after their order ended (410 over REST, a
 * `tracking_expired` ack on the socket).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../server/app'
import { api, connectSocket, loginAdmin, patchStatus, placeOrder, startServer } from './helpers'

let server: RunningServer
let admin: string
const DAY_MS = 24 * 60 * 60 * 1000

beforeAll(async () => {
  server = await startServer({ trackingTtlMs: 30 * DAY_MS })
  admin = await loginAdmin(server)
})
afterAll(() => server.close())

const orderWithName = (name: string, note?: string) =>
  api(server, '/api/orders', {
    body: {
      items: [{ productId: 'espresso', quantity: 1 }],
      customer: { name, email: 'n@example.com' },
      ...(note === undefined ? {} : { note }),
    },
  })

describe('customer names', () => {
  it('refuses names that show nothing, or hold control or bidi override characters', async () => {
    for (const name of ['\u200B', ' \u200B\u200C\u2060 ', '\uFEFF', '\u3164', 'A\u0000B', 'bell\u0007', 'evil\u202Egnp.exe', 'x\u2066y']) {
      const res = await orderWithName(name)
      expect(res.status, JSON.stringify(name)).toBe(400)
      expect(res.body.error.code).toBe('validation_failed')
    }
    for (const note of ['nul\u0000', 'swap\u202E']) expect((await orderWithName('Ada', note)).status, JSON.stringify(note)).toBe(400)
  })

  it('stores names in NFC and keeps ordinary ones (accents, scripts, line breaks in notes)', async () => {
    const decomposed = await orderWithName('Zoe\u0308 Me\u0301lanie', 'Ring twice,\n\tplease.')
    expect(decomposed.status).toBe(201)
    expect(decomposed.body.order.customer.name).toBe('Zoë Mélanie')
    for (const name of ['Ада Лавлейс', 'محمد', '李小龍', "O'Brien-Smith"]) expect((await orderWithName(name)).status, name).toBe(201)
  })
})

describe('authenticated lists are never stored', () => {
  it('GET /api/orders, /api/changes and /api/stats answer Cache-Control: private, no-store', async () => {
    for (const path of ['/api/orders', '/api/changes', '/api/stats']) {
      const res = await api(server, path, { token: admin })
      expect(res.status, path).toBe(200)
      expect(res.headers.get('cache-control'), path).toBe('private, no-store')
    }
  })
})

describe('tracking links expire after the order ended', () => {
  /** Moves the order's end (its last update) `days` into the past. */
  async function endedDaysAgo(orderId: string, days: number): Promise<void> {
    const at = new Date(Date.now() - days * DAY_MS).toISOString()
    await server.store.db.updateTable('orders').set({ updated_at: at }).where('id', '=', orderId).execute()
  }

  async function cancelled() {
    const placed = await placeOrder(server)
    expect((await patchStatus(server, admin, placed.order, 'cancelled')).status).toBe(200)
    return placed
  }

  const watch = async (orderId: string, token: string) => {
    const socket = await connectSocket(server)
    try {
      return await socket.timeout(3000).emitWithAck('watchOrder', { orderId, token })
    } finally {
      socket.close()
    }
  }

  it('answers 410 over REST and a tracking_expired ack on the socket past the TTL', async () => {
    const { order, trackingToken } = await cancelled()
    await endedDaysAgo(order.id, 31)
    const res = await api(server, `/api/orders/${order.id}`, { token: trackingToken })
    expect(res.status).toBe(410)
    expect(res.body.error).toEqual({ code: 'tracking_expired', message: 'This tracking link has expired.' })
    expect(await watch(order.id, trackingToken)).toEqual({
      ok: false,
      error: { code: 'tracking_expired', message: 'This tracking link has expired.' },
    })
    // Admins still read it; a wrong token still learns nothing but 404.
    expect((await api(server, `/api/orders/${order.id}`, { token: admin })).status).toBe(200)
    expect((await api(server, `/api/orders/${order.id}`, { token: 'x'.repeat(43) })).status).toBe(404)
  })

  it('keeps working within the TTL, and for an order that has not ended however old (controls)', async () => {
    const recent = await cancelled()
    await endedDaysAgo(recent.order.id, 29)
    expect((await api(server, `/api/orders/${recent.order.id}`, { token: recent.trackingToken })).status).toBe(200)
    expect(await watch(recent.order.id, recent.trackingToken)).toEqual({ ok: true })

    const open = await placeOrder(server)
    await endedDaysAgo(open.order.id, 90)
    expect((await api(server, `/api/orders/${open.order.id}`, { token: open.trackingToken })).status).toBe(200)
  })
})
