/**
 * Two nodes (separate processes) on one PostgreSQL and one Redis, nginx in front: an event raised
 * on either node reaches the sockets on both, and writes from both stay consistent.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Ack } from '../../src/protocol/events'
import type { Cluster } from './clusterSupport'
import { adminToken, clusterUnavailable, connectAt, http, metricAt, patchAt, placeOrderAt, startCluster } from './clusterSupport'
import type { ClientSocket } from './helpers'
import { waitForEvent } from './helpers'

const unavailable = await clusterUnavailable()

describe.skipIf(unavailable !== null)('two nodes behind nginx', () => {
  let cluster: Cluster
  let nodeA: string
  let nodeB: string
  let admin: string
  const sockets: ClientSocket[] = []

  beforeAll(async () => {
    cluster = await startCluster(2)
    ;[nodeA, nodeB] = cluster.nodes.map((node) => node.url) as [string, string]
    admin = await adminToken(nodeA)
  }, 180_000)
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close()
  })
  afterAll(() => cluster?.stop(), 60_000)

  const open = async (base: string, options = {}) => {
    const socket = await connectAt(base, options)
    sockets.push(socket)
    return socket
  }

  it('reports Redis in readiness on every node', async () => {
    for (const base of [nodeA, nodeB]) {
      const ready = await http(base, '/readyz')
      expect(ready).toEqual({ status: 200, body: { status: 'ready', checks: { database: 'ok', redis: 'ok' } } })
    }
  })

  it('delivers a status change made through node B to a customer connected to node A', async () => {
    const { order, trackingToken } = await placeOrderAt(nodeA)
    const customer = await open(nodeA)
    expect(await customer.timeout(5000).emitWithAck('watchOrder', { orderId: order.id, token: trackingToken })).toEqual({ ok: true })
    const updated = waitForEvent(customer, 'orderUpdated', 10_000)
    const res = await patchAt(nodeB, admin, order, 'confirmed')
    expect(res.status).toBe(200)
    const change = await updated
    expect(change.order).toMatchObject({ id: order.id, status: 'confirmed', version: 2 })
    expect(await metricAt(nodeA, 'realtime_connected_sockets')).toBeGreaterThanOrEqual(1)
  })

  it('shows an order placed through node A on the admin board connected to node B', async () => {
    const board = await open(nodeB, { auth: { token: admin } })
    const newOrder = waitForEvent(board, 'newOrder', 10_000)
    const notification = waitForEvent(board, 'notification', 10_000)
    const { order } = await placeOrderAt(nodeA)
    expect((await newOrder).order.id).toBe(order.id)
    expect((await notification).orderId).toBe(order.id)
    // And node B's REST view agrees with what node A wrote.
    const listed = await http<{ orders: { id: string }[] }>(nodeB, '/api/orders?limit=5', { token: admin })
    expect(listed.body.orders.map((o) => o.id)).toContain(order.id)
  })

  it('ends the admin sessions of a token logged out through the other node, and refuses it there', async () => {
    const token = await adminToken(nodeA)
    const board = await open(nodeB, { auth: { token } })
    const reason = new Promise<string>((resolve) => board.once('disconnect', resolve))
    const started = performance.now()
    expect((await http(nodeA, '/api/auth/logout', { method: 'POST', token })).status).toBe(204)
    // disconnectSockets travels through the Redis adapter to node B.
    expect(await reason).toBe('io server disconnect')
    const elapsedMs = performance.now() - started
    expect(elapsedMs).toBeLessThan(5_000)
    console.info(`cross-node logout: node B socket ended ${elapsedMs.toFixed(0)} ms after the logout request`)
    expect((await http(nodeB, '/api/stats', { token })).status).toBe(401)
    await expect(connectAt(nodeB, { auth: { token } })).rejects.toThrow('unauthorized')
  })

  it('lets exactly one of two concurrent PATCHes of one order from both nodes succeed', async () => {
    for (let round = 0; round < 8; round++) {
      const { order } = await placeOrderAt(nodeA)
      const [a, b] = await Promise.all([patchAt(nodeA, admin, order, 'confirmed'), patchAt(nodeB, admin, order, 'cancelled')])
      expect([a.status, b.status].sort()).toEqual([200, 409])
      const loser = a.status === 409 ? a : b
      expect(loser.body.error.code).toBe('version_conflict')
      const current = await http<{ version: number; history: unknown[] }>(nodeB, `/api/orders/${order.id}`, { token: admin })
      expect(current.body.version).toBe(2)
      expect(current.body.history).toHaveLength(2)
    }
  })

  it('keeps a long-polling session on one node through nginx (sticky) and fans out to it', async () => {
    const { order, trackingToken } = await placeOrderAt(cluster.nginx.url)
    // Polling only: every request of the session must reach the node that created it, or the
    // handshake fails with "Session ID unknown". Hash affinity makes it so.
    const customer = await open(cluster.nginx.url, { transports: ['polling'] })
    expect(customer.io.engine.transport.name).toBe('polling')
    const ack = (await customer.timeout(5000).emitWithAck('watchOrder', { orderId: order.id, token: trackingToken })) as Ack
    expect(ack).toEqual({ ok: true })
    // Whichever node nginx chose, a change made on each node reaches it.
    let version = 1
    for (const [base, status] of [
      [nodeA, 'confirmed'],
      [nodeB, 'preparing'],
    ] as const) {
      const updated = waitForEvent(customer, 'orderUpdated', 10_000)
      expect((await patchAt(base, admin, { id: order.id, version }, status)).status).toBe(200)
      expect((await updated).order.status).toBe(status)
      version++
    }
  })
})
