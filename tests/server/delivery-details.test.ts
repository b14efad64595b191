/**
 * Optional delivery details (customer.address, customer.phone): validated and normalised on the
 * way in, stored, shown to admins everywhere they see orders and to the order's own tracking
 * token, never to another customer. Clients that omit them keep working unchanged.
 */
import * as v from 'valibot'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../server/app'
import type { Order } from '../../src/protocol/order'
import { orderSchema } from '../../src/protocol/answers'
import { api, collect, connectSocket, loginAdmin, patchStatus, placeOrder, sleep, startServer, waitForEvent } from './helpers'

let server: RunningServer
let admin: string

beforeAll(async () => {
  server = await startServer({ orderRateLimitPerIp: 0 })
  admin = await loginAdmin(server)
})
afterAll(() => server.close())

const ADDRESS = 'Flat 3, 12 Cafe\u0301 Lane, Springfield'
const withDetails = (customer: Record<string, unknown>) => ({
  items: [{ productId: 'espresso', quantity: 1 }],
  customer: { name: 'Dee Tail', email: 'dee@example.com', ...customer },
})

async function placeWith(customer: Record<string, unknown>) {
  const res = await api<{ order: Order; trackingToken: string }>(server, '/api/orders', { body: withDetails(customer) })
  expect(res.status, res.text).toBe(201)
  return res.body
}

describe('customer.address and customer.phone', () => {
  it('are normalised and stored: NFC, trimmed, phone spacing collapsed, full-width digits made ASCII', async () => {
    const { order } = await placeWith({ address: `  ${ADDRESS}  `, phone: ' +49 (30)\u00a0１２３４-5678 ' })
    expect(v.parse(orderSchema, order).customer).toEqual({
      name: 'Dee Tail',
      email: 'dee@example.com',
      address: ADDRESS.normalize('NFC'),
      phone: '+49 (30) 1234-5678',
    })
    const row = await server.store.db
      .selectFrom('orders')
      .select(['customer_address', 'customer_phone'])
      .where('id', '=', order.id)
      .executeTakeFirstOrThrow()
    expect(row).toEqual({ customer_address: 'Flat 3, 12 Café Lane, Springfield', customer_phone: '+49 (30) 1234-5678' })
  })

  it('are optional: an order without them looks exactly as before, empty strings mean "not given"', async () => {
    const plain = await placeOrder(server)
    expect(Object.keys(plain.order.customer).sort()).toEqual(['email', 'name'])
    const empty = await placeWith({ address: '   ', phone: '' })
    expect(Object.keys(empty.order.customer).sort()).toEqual(['email', 'name'])
  })

  it('refuses bad values with 400 validation_failed naming the field', async () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ address: 'line one\nline two' }, 'customer.address'],
      [{ address: 'tab\there' }, 'customer.address'],
      [{ address: 'evil \u202egnp.exe' }, 'customer.address'],
      [{ address: 'x'.repeat(301) }, 'customer.address'],
      [{ address: 42 }, 'customer.address'],
      [{ phone: '12345' }, 'customer.phone'],
      [{ phone: 'call me maybe' }, 'customer.phone'],
      [{ phone: '+1 555 0100 ext 7' }, 'customer.phone'],
      [{ phone: '1'.repeat(16) }, 'customer.phone'],
      [{ phone: '+1 (555) 0100-0100-99' }, 'customer.phone'],
      [{ phone: '++15550100' }, 'customer.phone'],
      [{ phone: 15550100 }, 'customer.phone'],
      [{ fax: '123456' }, 'customer'],
    ]
    for (const [customer, field] of bad) {
      const res = await api(server, '/api/orders', { body: withDetails(customer) })
      expect(res.status, JSON.stringify(customer)).toBe(400)
      expect(res.body.error.code).toBe('validation_failed')
      expect(res.body.error.message, JSON.stringify(customer)).toContain(field)
    }
  })

  it('admins see them in GET, the list, the change feed and socket events', async () => {
    const socket = await connectSocket(server, { token: admin })
    const newOrder = waitForEvent(socket, 'newOrder')
    const { order } = await placeWith({ address: ADDRESS, phone: '+1 555 0100' })
    expect((await newOrder).order.customer).toMatchObject({ address: ADDRESS.normalize('NFC'), phone: '+1 555 0100' })
    const updated = waitForEvent(socket, 'orderUpdated')
    await patchStatus(server, admin, order, 'confirmed')
    expect((await updated).order.customer.phone).toBe('+1 555 0100')
    socket.close()

    const get = await api<Order>(server, `/api/orders/${order.id}`, { token: admin })
    expect(get.body.customer.address).toBe(ADDRESS.normalize('NFC'))
    const list = await api<{ orders: Order[] }>(server, '/api/orders?q=Dee', { token: admin })
    expect(list.body.orders.find((o) => o.id === order.id)?.customer.phone).toBe('+1 555 0100')
    const changes = await api<{ changes: { order: Order }[] }>(server, '/api/changes?after=0&limit=500', { token: admin })
    expect(changes.body.changes.find((c) => c.order.id === order.id)?.order.customer.address).toBe(ADDRESS.normalize('NFC'))
  })

  it('the tracking-token holder sees their own; no other customer ever does', async () => {
    const mine = await placeWith({ address: ADDRESS, phone: '+1 555 0199' })
    const other = await placeOrder(server)
    const own = await api<Order>(server, `/api/orders/${mine.order.id}`, { token: mine.trackingToken })
    expect(own.body.customer.phone).toBe('+1 555 0199')

    const cross = await api(server, `/api/orders/${mine.order.id}`, { token: other.trackingToken })
    expect(cross.status).toBe(404)
    expect(cross.text).not.toContain('555 0199')
    for (const path of ['/api/orders', '/api/changes?after=0']) {
      const res = await api(server, path, { token: other.trackingToken })
      expect(res.status).toBe(401)
      expect(res.text).not.toContain('555 0199')
    }

    // Sockets: the owner's watcher gets them, another customer's watcher and anonymous sockets get nothing of this order.
    const owner = await connectSocket(server)
    const stranger = await connectSocket(server)
    expect(await owner.timeout(3000).emitWithAck('watchOrder', { orderId: mine.order.id, token: mine.trackingToken })).toEqual({ ok: true })
    expect(await stranger.timeout(3000).emitWithAck('watchOrder', { orderId: other.order.id, token: other.trackingToken })).toEqual({
      ok: true,
    })
    expect(await stranger.timeout(3000).emitWithAck('watchOrder', { orderId: mine.order.id, token: other.trackingToken })).toMatchObject({
      ok: false,
    })
    const strangerSaw = {
      updated: collect(stranger, 'orderUpdated'),
      placed: collect(stranger, 'newOrder'),
      notes: collect(stranger, 'notification'),
    }
    const ownerSaw = waitForEvent(owner, 'orderUpdated')
    await patchStatus(server, admin, mine.order, 'confirmed')
    expect((await ownerSaw).order.customer.address).toBe(ADDRESS.normalize('NFC'))
    await placeWith({ address: 'Another Street 5', phone: '+1 555 0142' })
    await sleep(200)
    expect(JSON.stringify(strangerSaw)).not.toContain('555')
    expect(strangerSaw.updated).toHaveLength(0)
    owner.close()
    stranger.close()
  })
})
