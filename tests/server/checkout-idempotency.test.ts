/**
 * Checkout retries never order twice: `POST /api/orders` with an Idempotency-Key, over real
 * HTTP, including ten concurrent attempts with one key (one transaction wins, nine replay).
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../server/app'
import type { Order } from '../../src/protocol/order'
import { api, collect, connectSocket, loginAdmin, patchStatus, sleep, startServer } from './helpers'

let server: RunningServer
let admin: string

beforeAll(async () => {
  server = await startServer({ orderRateLimitPerIp: 0 })
  admin = await loginAdmin(server)
})
afterAll(() => server.close())

const body = (name = 'Ida Retry') => ({ items: [{ productId: 'espresso', quantity: 2 }], customer: { name, email: 'ida@example.com' } })
const place = (key: string | undefined, payload: unknown = body(), token?: string) =>
  api<{ order: Order; trackingToken: string; error?: { code: string } }>(server, '/api/orders', {
    body: payload,
    token,
    headers: key === undefined ? {} : { 'idempotency-key': key },
  })
const orderCount = async () =>
  Number(
    (
      await server.store.db
        .selectFrom('orders')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  )

describe('POST /api/orders with Idempotency-Key', () => {
  it('ten concurrent attempts with one key: one order, ten identical 201s, nine replays, one newOrder', async () => {
    const socket = await connectSocket(server, { token: admin })
    const announced = collect(socket, 'newOrder')
    const before = await orderCount()
    const key = randomUUID()
    const answers = await Promise.all(Array.from({ length: 10 }, () => place(key)))
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201))
    expect(new Set(answers.map((a) => a.text)).size).toBe(1)
    expect(answers.filter((a) => a.headers.get('idempotent-replayed') === 'true')).toHaveLength(9)
    expect(answers.filter((a) => a.headers.get('idempotent-replayed') === null)).toHaveLength(1)
    expect(await orderCount()).toBe(before + 1)
    const { order, trackingToken } = answers[0]!.body
    expect(answers.every((a) => a.headers.get('location') === `/api/orders/${order.id}`)).toBe(true)
    // The replayed token really opens the order.
    expect((await api(server, `/api/orders/${order.id}`, { token: trackingToken })).status).toBe(200)
    await sleep(200)
    expect(announced.filter((change) => change.order.id === order.id)).toHaveLength(1)
    socket.close()
  })

  it('a later retry replays the first answer even after the order moved on', async () => {
    const key = randomUUID()
    const first = await place(key)
    await patchStatus(server, admin, first.body.order, 'confirmed')
    const retry = await place(key)
    expect(retry.status).toBe(201)
    expect(retry.headers.get('idempotent-replayed')).toBe('true')
    expect(retry.body.order.id).toBe(first.body.order.id)
    expect(retry.body.trackingToken).toBe(first.body.trackingToken)
    expect(retry.body.order.version).toBe(1)
  })

  it('the same key with a different body is 422 idempotency_key_reused and places nothing', async () => {
    const key = randomUUID()
    expect((await place(key)).status).toBe(201)
    const before = await orderCount()
    for (const other of [
      body('Someone Else'),
      { ...body(), note: 'extra' },
      { items: [{ productId: 'espresso', quantity: 3 }], customer: body().customer },
    ]) {
      const res = await place(key, other)
      expect(res.status).toBe(422)
      expect(res.body).toMatchObject({ error: { code: 'idempotency_key_reused' } })
    }
    expect(await orderCount()).toBe(before)
  })

  it('the body is compared after normalisation: key order and surrounding spaces do not matter', async () => {
    const key = randomUUID()
    const first = await place(key, {
      customer: { email: 'ida@example.com', name: 'Ida Retry' },
      items: [{ quantity: 2, productId: 'espresso' }],
    })
    const again = await place(key, {
      items: [{ productId: 'espresso', quantity: 2 }],
      customer: { name: '  Ida Retry ', email: ' ida@example.com' },
    })
    expect(again.status).toBe(201)
    expect(again.body.order.id).toBe(first.body.order.id)
  })

  it('without a key every POST places a new order, as before', async () => {
    const a = await place(undefined)
    const b = await place(undefined)
    expect(a.body.order.id).not.toBe(b.body.order.id)
    expect(a.headers.get('idempotent-replayed')).toBeNull()
  })

  it('keys are per caller, and never meet an admin PATCH key', async () => {
    const key = randomUUID()
    const anonymous = await place(key)
    const asAdmin = await place(key, body(), admin)
    expect(asAdmin.status).toBe(201)
    expect(asAdmin.headers.get('idempotent-replayed')).toBeNull()
    expect(asAdmin.body.order.id).not.toBe(anonymous.body.order.id)
    // The admin's own retry replays in the admin's scope.
    expect((await place(key, body(), admin)).body.order.id).toBe(asAdmin.body.order.id)
    // The same string as a PATCH key is another namespace altogether.
    const patched = await patchStatus(server, admin, anonymous.body.order, 'confirmed', { 'idempotency-key': key })
    expect(patched.status).toBe(200)
    expect((await place(key)).body.order.id).toBe(anonymous.body.order.id)
  })

  it('keys expire after 24 hours: the same key then places a new order', async () => {
    const key = randomUUID()
    const first = await place(key)
    await server.store.db
      .updateTable('placement_keys')
      .set({ created_at: new Date(Date.now() - 25 * 3600_000).toISOString() })
      .where('order_id', '=', first.body.order.id)
      .execute()
    const later = await place(key)
    expect(later.status).toBe(201)
    expect(later.headers.get('idempotent-replayed')).toBeNull()
    expect(later.body.order.id).not.toBe(first.body.order.id)
  })

  it('a refused checkout (unknown product) records nothing: the key stays free', async () => {
    const key = randomUUID()
    const bad = await place(key, { items: [{ productId: 'caviar', quantity: 1 }], customer: body().customer })
    expect(bad.status).toBe(422)
    expect(bad.body.error?.code).toBe('unknown_product')
    const good = await place(key)
    expect(good.status).toBe(201)
    expect(good.headers.get('idempotent-replayed')).toBeNull()
  })

  it('refuses malformed keys with 400 and places nothing', async () => {
    const before = await orderCount()
    for (const key of ['short', 'x'.repeat(129), 'has space in it 123', 'ünïcode-key-123456', 'a,b-0123456789abcdef']) {
      const res = await place(key)
      expect(res.status, key).toBe(400)
      expect(res.body.error?.code).toBe('validation_failed')
    }
    expect(await orderCount()).toBe(before)
  })

  it('stores neither the key nor a usable tracking token', async () => {
    const key = randomUUID()
    const placed = await place(key)
    const rows = await server.store.db.selectFrom('placement_keys').selectAll().where('order_id', '=', placed.body.order.id).execute()
    expect(rows).toHaveLength(1)
    const stored = JSON.stringify(rows)
    expect(stored).not.toContain(key)
    expect(stored).not.toContain(placed.body.trackingToken)
  })
})
