/**
 * Cancelling with a reason: PATCH {status: "cancelled", version, reason} stores the reason,
 * returns it on the order, broadcasts it in `orderUpdated` and shows it to the tracking-token
 * holder. A reason anywhere but a cancellation, or a malformed one, is a 400 that names the field;
 * a cancellation without one still works as before.
 */
import * as v from 'valibot'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../server/app'
import type { Order } from '../../src/protocol/order'
import { orderSchema } from '../../src/protocol/answers'
import { api, connectSocket, loginAdmin, placeOrder, startServer, waitForEvent } from './helpers'

let server: RunningServer
let admin: string

beforeAll(async () => {
  server = await startServer({ orderRateLimitPerIp: 0 })
  admin = await loginAdmin(server)
})
afterAll(() => server.close())

const patch = (order: Pick<Order, 'id' | 'version'>, body: Record<string, unknown>, headers?: Record<string, string>) =>
  api<any>(server, `/api/orders/${order.id}`, { method: 'PATCH', token: admin, body: { version: order.version, ...body }, headers })

describe('PATCH /api/orders/:id with a cancellation reason', () => {
  it('stores the reason (NFC, trimmed), returns it, broadcasts it and shows it to the customer', async () => {
    const { order, trackingToken } = await placeOrder(server)
    const socket = await connectSocket(server, { token: admin })
    const updated = waitForEvent(socket, 'orderUpdated')
    const res = await patch(order, { status: 'cancelled', reason: '  Out of cafe\u0301 beans  ' })
    expect(res.status, res.text).toBe(200)
    expect(v.parse(orderSchema, res.body).cancelReason).toBe('Out of café beans')
    expect((await updated).order.cancelReason).toBe('Out of café beans')
    socket.close()

    const own = await api<Order>(server, `/api/orders/${order.id}`, { token: trackingToken })
    expect(own.status).toBe(200)
    expect(own.body).toMatchObject({ status: 'cancelled', cancelReason: 'Out of café beans' })
    const row = await server.store.db.selectFrom('orders').select('cancel_reason').where('id', '=', order.id).executeTakeFirstOrThrow()
    expect(row.cancel_reason).toBe('Out of café beans')
  })

  it('a cancellation without a reason works as before: no cancelReason field', async () => {
    const { order } = await placeOrder(server)
    const res = await patch(order, { status: 'cancelled' })
    expect(res.status, res.text).toBe(200)
    expect(res.body.status).toBe('cancelled')
    expect('cancelReason' in res.body).toBe(false)
  })

  it('refuses a reason on any other change, and malformed reasons, with 400 naming the field', async () => {
    const { order } = await placeOrder(server)
    const bad: Record<string, unknown>[] = [
      { status: 'confirmed', reason: 'no reason to give one' },
      { status: 'cancelled', reason: '' },
      { status: 'cancelled', reason: '   ' },
      { status: 'cancelled', reason: '\u200b' },
      { status: 'cancelled', reason: 'line one\nline two' },
      { status: 'cancelled', reason: 'evil \u202egnp.exe' },
      { status: 'cancelled', reason: 'x'.repeat(201) },
      { status: 'cancelled', reason: 42 },
    ]
    for (const body of bad) {
      const res = await patch(order, body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.body.error.code).toBe('validation_failed')
      expect(res.body.error.message, JSON.stringify(body)).toContain('reason')
    }
    // Nothing was applied.
    const get = await api<Order>(server, `/api/orders/${order.id}`, { token: admin })
    expect(get.body).toMatchObject({ status: 'placed', version: order.version })
    expect('cancelReason' in get.body).toBe(false)
  })

  it('an Idempotency-Key replays the same cancellation, and refuses the key with another reason', async () => {
    const { order } = await placeOrder(server)
    const key = 'cancel-key-0001'
    const first = await patch(order, { status: 'cancelled', reason: 'Customer asked' }, { 'idempotency-key': key })
    expect(first.status, first.text).toBe(200)
    const again = await patch(order, { status: 'cancelled', reason: 'Customer asked' }, { 'idempotency-key': key })
    expect(again.status).toBe(200)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(again.body.cancelReason).toBe('Customer asked')
    const other = await patch(order, { status: 'cancelled', reason: 'Something else' }, { 'idempotency-key': key })
    expect(other.status).toBe(422)
    expect(other.body.error.code).toBe('idempotency_key_reused')
  })
})
