/**
 * Failures of a running cluster, with clients that behave like the hub: reconnect on their own,
 * apply an update only when its version is newer, and resync (re-watch + GET) after a reconnect
 * the server could not recover. Order matters: Redis restart, graceful stop, then the crash.
 */
import { connect as connectTcp } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { waitFor } from '../../scripts/cluster-lib.mjs'
import type { ClusterNode } from '../../scripts/cluster-lib.mjs'
import { ORDER_STATUSES } from '../../src/protocol/order'
import type { Order, OrderStatus } from '../../src/protocol/order'
import type { Cluster } from './clusterSupport'
import { adminToken, clusterUnavailable, connectAt, http, metricAt, patchAt, placeOrderAt, startCluster } from './clusterSupport'
import type { ClientSocket } from './helpers'

const unavailable = await clusterUnavailable()

/** A customer's view of one order, merged by version the way the app's stores merge. */
interface Tracker {
  socket: ClientSocket
  order: Order
  token: string
  /** Every status the view showed, in order. */
  shown: OrderStatus[]
  /** Statuses received live (events), for "nothing lost" checks. */
  live: OrderStatus[]
  reconnects: { recovered: boolean; at: number }[]
  disconnects: { reason: string; at: number }[]
}

const FAST_RECONNECT = { reconnection: true, reconnectionDelay: 100, reconnectionDelayMax: 500, randomizationFactor: 0 }

describe.skipIf(unavailable !== null)('failures in a two-node cluster', () => {
  let cluster: Cluster
  let admin: string
  const trackers: Tracker[] = []

  beforeAll(async () => {
    cluster = await startCluster(2)
    admin = await adminToken(cluster.nginx.url)
  }, 180_000)
  afterEach(() => {
    for (const t of trackers.splice(0)) t.socket.close()
  })
  afterAll(() => cluster?.stop(), 60_000)

  const apply = (t: Tracker, order: Order) => {
    if (order.version <= t.order.version) return
    t.order = order
    t.shown.push(order.status)
  }

  /** Connects through `base`, watches a fresh order, and keeps the view merged and resynced. */
  async function track(base: string): Promise<Tracker> {
    const { order, trackingToken } = await placeOrderAt(cluster.nginx.url)
    const socket = await connectAt(base, FAST_RECONNECT)
    const t: Tracker = { socket, order, token: trackingToken, shown: [order.status], live: [], reconnects: [], disconnects: [] }
    trackers.push(t)
    socket.on('orderUpdated', (change) => {
      t.live.push(change.order.status)
      apply(t, change.order)
    })
    socket.on('disconnect', (reason) => t.disconnects.push({ reason, at: Date.now() }))
    // Registered after the first connect, so every 'connect' here is a reconnect; `recovered` is
    // only known once the server's CONNECT arrives (the Manager's 'reconnect' fires before).
    socket.on('connect', () => {
      t.reconnects.push({ recovered: socket.recovered, at: Date.now() })
      if (socket.recovered) return
      // What the hub does when the server could not restore the session: re-join and refetch.
      void socket
        .timeout(5000)
        .emitWithAck('watchOrder', { orderId: order.id, token: trackingToken })
        .then(() => http<Order>(base, `/api/orders/${order.id}`, { token: trackingToken }))
        .then((res) => res.status === 200 && apply(t, res.body))
        .catch(() => {})
    })
    expect(await socket.timeout(5000).emitWithAck('watchOrder', { orderId: order.id, token: trackingToken })).toEqual({ ok: true })
    return t
  }

  /** Moves an order one step along the happy path through `base`, with the version the server has. */
  async function advance(base: string, orderId: string): Promise<Order> {
    const current = await http<Order>(base, `/api/orders/${orderId}`, { token: admin })
    const next = ORDER_STATUSES[ORDER_STATUSES.indexOf(current.body.status) + 1] as OrderStatus
    const res = await patchAt(base, admin, current.body, next)
    if (res.status !== 200) throw new Error(`advance failed: ${res.status} ${JSON.stringify(res.body)}`)
    return res.body as Order
  }

  /**
   * The node holding the most of the sockets opened through nginx (usually all: every test client
   * is 127.0.0.1, so the hash sends them to one node, unless a node was marked down meanwhile).
   */
  async function nodeHolding(): Promise<{ holder: ClusterNode; other: ClusterNode; count: number }> {
    const [a, b] = cluster.nodes as [ClusterNode, ClusterNode]
    const [countA, countB] = await Promise.all([
      metricAt(a.url, 'realtime_connected_sockets'),
      metricAt(b.url, 'realtime_connected_sockets'),
    ])
    return countA >= countB ? { holder: a, other: b, count: countA } : { holder: b, other: a, count: countB }
  }

  const backwards = (shown: OrderStatus[]) =>
    shown.some((s, i) => i > 0 && ORDER_STATUSES.indexOf(s) < ORDER_STATUSES.indexOf(shown[i - 1]!))

  it('survives a Redis restart: readiness reports it, fan-out resumes, nothing emitted afterwards is lost', async () => {
    const [a, b] = cluster.nodes as [ClusterNode, ClusterNode]
    const onA = await track(a.url)
    const onB = await track(b.url)
    await advance(a.url, onB.order.id)
    await advance(b.url, onA.order.id)
    await waitFor(() => onA.order.status === 'confirmed' && onB.order.status === 'confirmed', { message: 'fan-out before the restart' })

    await cluster.redis.kill()
    for (const node of [a, b]) {
      await waitFor(async () => (await fetch(`${node.url}/readyz`)).status === 503, { message: `${node.url} to report Redis down` })
    }
    const down = await http<{ error: { code: string } }>(a.url, '/readyz')
    expect(down.body.error.code).toBe('not_ready')
    // The node keeps serving what does not need Redis.
    expect((await http(a.url, '/api/products')).status).toBe(200)

    await cluster.redis.start()
    for (const node of [a, b]) {
      await waitFor(async () => (await fetch(`${node.url}/readyz`)).ok, { timeoutMs: 20_000, message: `${node.url} ready again` })
    }
    // Give the adapters' blocking readers a moment to be re-attached to the new stream.
    await new Promise((resolve) => setTimeout(resolve, 500))
    onA.live.length = 0
    onB.live.length = 0
    // Each change is made on the node the customer is NOT connected to: it must cross Redis.
    const steps: OrderStatus[] = ['preparing', 'out_for_delivery', 'delivered']
    for (const _ of steps) {
      await advance(b.url, onA.order.id)
      await advance(a.url, onB.order.id)
    }
    await waitFor(() => onA.live.length === 3 && onB.live.length === 3, { timeoutMs: 15_000, message: 'every change after the restart' })
    expect(onA.live).toEqual(steps)
    expect(onB.live).toEqual(steps)
  }, 90_000)

  it('stops a node gracefully: in-flight requests finish, clients reconnect at once elsewhere and resume their session', async () => {
    const clients = await Promise.all(Array.from({ length: 5 }, () => track(cluster.nginx.url)))
    // Recovery needs one packet with an offset before the drop.
    for (const t of clients) await advance(cluster.nginx.url, t.order.id)
    await waitFor(() => clients.every((t) => t.order.version === 2), { message: 'first events' })
    const { holder, other, count } = await nodeHolding()
    expect(count).toBe(clients.length)

    // An in-flight request: headers and half the body sent to the node before it is told to stop.
    const body = JSON.stringify({ items: [{ productId: 'espresso', quantity: 1 }], customer: { name: 'Late', email: 'late@example.com' } })
    const raw = connectTcp(holder.port, '127.0.0.1')
    let response = ''
    raw.on('data', (chunk) => (response += chunk.toString()))
    await new Promise<void>((resolve) => raw.once('connect', () => resolve()))
    raw.write(
      `POST /api/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
    )
    raw.write(body.slice(0, 20))
    await new Promise((resolve) => setTimeout(resolve, 200))

    const stoppedAt = Date.now()
    const exit = holder.stop(15_000)
    await new Promise((resolve) => setTimeout(resolve, 300))
    // write, not end: a half-close would tell the server nobody is waiting for the answer.
    raw.write(body.slice(20))
    await waitFor(() => response.includes('\r\n\r\n'), { message: 'the in-flight response' })
    raw.destroy()
    expect(response).toMatch(/^HTTP\/1\.1 201/)

    await waitFor(() => clients.every((t) => t.reconnects.length >= 1 && t.socket.connected), { timeoutMs: 15_000, message: 'reconnects' })
    expect(await exit).toEqual({ code: 0, signal: null })
    for (const t of clients) {
      // A transport close (not "io server disconnect"): the client reconnects by itself…
      expect(t.disconnects[0]?.reason).toBe('transport close')
      // …promptly, to the other node through nginx, and the session (rooms) comes along from Redis.
      expect(t.reconnects[0]!.at - stoppedAt).toBeLessThan(5_000)
      expect(t.reconnects[0]!.recovered).toBe(true)
    }
    expect(await metricAt(other.url, 'realtime_connected_sockets')).toBeGreaterThanOrEqual(clients.length)
    // Rooms came back without a new watchOrder: the next change arrives live.
    for (const t of clients) await advance(other.url, t.order.id)
    await waitFor(() => clients.every((t) => t.order.version === 3), { message: 'events after the resume' })
    for (const t of clients) expect(t.live).toEqual(['confirmed', 'preparing'])

    await holder.start()
    // nginx marked the stopped node down for fail_timeout (3 s, deploy/nginx.conf); let the mark
    // expire so the next test starts with both nodes in rotation, as a deploy would wait.
    await new Promise((resolve) => setTimeout(resolve, 3_500))
  }, 180_000)

  it('survives a crash (SIGKILL): clients reconnect through nginx to the other node and converge, nothing lost or backwards', async () => {
    const clients = await Promise.all(Array.from({ length: 6 }, () => track(cluster.nginx.url)))
    const { holder, other, count } = await nodeHolding()
    expect(count).toBeGreaterThan(0)
    for (const t of clients) await advance(other.url, t.order.id)
    await waitFor(() => clients.every((t) => t.order.status === 'confirmed'), { message: 'events before the crash' })

    await holder.kill()
    // Changes while the clients are cut off: nobody persisted their sessions, so these can only
    // reach them through the resync after reconnecting.
    for (const t of clients) await advance(other.url, t.order.id)
    const cutOff = () => clients.filter((t) => t.disconnects.length > 0)
    await waitFor(() => cutOff().length === count && cutOff().every((t) => t.socket.connected && t.reconnects.length >= 1), {
      timeoutMs: 20_000,
      message: "the crashed node's clients to reconnect through nginx",
    })
    expect(cutOff().every((t) => t.reconnects[0]!.recovered === false)).toBe(true)
    // The resync (re-watch, then GET) brings what was missed…
    await waitFor(() => clients.every((t) => t.order.status === 'preparing'), { timeoutMs: 15_000, message: 'resync after the crash' })
    expect(await metricAt(other.url, 'realtime_connected_sockets')).toBeGreaterThanOrEqual(clients.length)
    // …and changes after it arrive live.
    for (const t of clients) await advance(other.url, t.order.id)
    await waitFor(() => clients.every((t) => t.order.status === 'out_for_delivery'), { timeoutMs: 15_000, message: 'convergence' })

    for (const t of clients) {
      const server = await http<Order>(other.url, `/api/orders/${t.order.id}`, { token: admin })
      expect({ status: t.order.status, version: t.order.version }).toEqual({ status: server.body.status, version: server.body.version })
      expect(t.shown).toEqual(['placed', 'confirmed', 'preparing', 'out_for_delivery'])
      expect(backwards(t.shown)).toBe(false)
      expect(new Set(t.shown).size).toBe(t.shown.length)
      expect(t.live).toContain('out_for_delivery')
    }
  }, 120_000)
})
