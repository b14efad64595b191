import * as v from 'valibot'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../server/app'
import type { Ack } from '../../src/protocol/events'
import { notificationSchema, orderChangeSchema, statsSchema } from '../../src/protocol/answers'
import type { ClientSocket } from './helpers'
import { api, collect, connectSocket, loginAdmin, patchStatus, placeOrder, sleep, startServer, waitForEvent } from './helpers'

let server: RunningServer
let admin: string
const sockets: ClientSocket[] = []

async function open(auth?: { token?: unknown }): Promise<ClientSocket> {
  const socket = await connectSocket(server, auth)
  sockets.push(socket)
  return socket
}

function watch(socket: ClientSocket, payload: unknown): Promise<Ack> {
  return socket.timeout(3000).emitWithAck('watchOrder', payload as never) as Promise<Ack>
}

beforeAll(async () => {
  server = await startServer()
  admin = await loginAdmin(server)
})
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close()
})
afterAll(() => server.close())

describe('handshake', () => {
  it('accepts anonymous and admin connections', async () => {
    const anonymous = await open()
    const asAdmin = await open({ token: admin })
    expect(anonymous.connected).toBe(true)
    expect(asAdmin.connected).toBe(true)
  })

  it('refuses a bad, non-string or revoked token', async () => {
    await expect(connectSocket(server, { token: 'a.b.c' })).rejects.toThrow('unauthorized')
    await expect(connectSocket(server, { token: 42 })).rejects.toThrow('unauthorized')
    const { trackingToken } = await placeOrder(server)
    await expect(connectSocket(server, { token: trackingToken })).rejects.toThrow('unauthorized')
    const revoked = await loginAdmin(server)
    await api(server, '/api/auth/logout', { method: 'POST', token: revoked })
    await expect(connectSocket(server, { token: revoked })).rejects.toThrow('unauthorized')
  })

  it('refuses a browser origin that is not allowed, accepts same origin', async () => {
    await expect(connectSocket(server, undefined, { extraHeaders: { origin: 'https://evil.example' } })).rejects.toThrow()
    const same = await connectSocket(server, undefined, { extraHeaders: { origin: server.url } })
    sockets.push(same)
    expect(same.connected).toBe(true)
  })

  it('disconnects an admin socket when its token is logged out', async () => {
    const token = await loginAdmin(server)
    const socket = await open({ token })
    const disconnected = new Promise((resolve) => socket.once('disconnect', resolve))
    await api(server, '/api/auth/logout', { method: 'POST', token })
    await expect(disconnected).resolves.toBeDefined()
  })

  it('counts connected sockets in the gauge', async () => {
    await open()
    await open()
    const metrics = await api(server, '/metrics')
    const match = /^realtime_connected_sockets (\d+)$/m.exec(metrics.text)
    expect(Number(match?.[1])).toBeGreaterThanOrEqual(2)
  })
})

describe('watchOrder', () => {
  it('acks ok for the right token and an error for a wrong one', async () => {
    const a = await placeOrder(server)
    const b = await placeOrder(server)
    const socket = await open()
    expect(await watch(socket, { orderId: a.order.id, token: a.trackingToken })).toEqual({ ok: true })
    const wrong = await watch(socket, { orderId: b.order.id, token: a.trackingToken })
    expect(wrong).toMatchObject({ ok: false, error: { code: 'not_found' } })
    const invalid = await watch(socket, { orderId: a.order.id })
    expect(invalid).toMatchObject({ ok: false, error: { code: 'validation_failed' } })
    const extra = await watch(socket, { orderId: a.order.id, token: a.trackingToken, admin: true })
    expect(extra).toMatchObject({ ok: false })
  })

  it('survives events without an ack callback or with junk payloads', async () => {
    const { order, trackingToken } = await placeOrder(server)
    const socket = await open()
    // Untyped on purpose: a client that skips the ack or sends junk must not crash the handler.
    const raw = socket as unknown as { emit: (...args: unknown[]) => void }
    raw.emit('watchOrder', { orderId: order.id, token: trackingToken })
    raw.emit('watchOrder')
    raw.emit('unwatchOrder', 'junk')
    await sleep(100)
    expect(socket.connected).toBe(true)
    expect(await watch(socket, { orderId: order.id, token: trackingToken })).toEqual({ ok: true })
  })
})

describe('fan-out', () => {
  it('sends a status change to admins and the order watcher only, once each', async () => {
    const a = await placeOrder(server)
    const b = await placeOrder(server)
    const adminSocket = await open({ token: admin })
    const watcherA = await open()
    const watcherB = await open()
    const anonymous = await open()
    // An admin that also watches the order must still get each event once.
    const adminWatcher = await open({ token: admin })
    expect(await watch(watcherA, { orderId: a.order.id, token: a.trackingToken })).toEqual({ ok: true })
    expect(await watch(watcherB, { orderId: b.order.id, token: b.trackingToken })).toEqual({ ok: true })
    expect(await watch(adminWatcher, { orderId: a.order.id, token: a.trackingToken })).toEqual({ ok: true })

    const got = {
      admin: collect(adminSocket, 'orderUpdated'),
      watcherA: collect(watcherA, 'orderUpdated'),
      watcherB: collect(watcherB, 'orderUpdated'),
      anonymous: collect(anonymous, 'orderUpdated'),
      adminWatcher: collect(adminWatcher, 'orderUpdated'),
    }
    const arrived = waitForEvent(watcherA, 'orderUpdated')
    const res = await patchStatus(server, admin, a.order, 'confirmed')
    expect(res.status).toBe(200)
    await arrived
    await sleep(150)

    expect(got.admin).toHaveLength(1)
    expect(got.watcherA).toHaveLength(1)
    expect(got.adminWatcher).toHaveLength(1)
    expect(got.watcherB).toHaveLength(0)
    expect(got.anonymous).toHaveLength(0)
    const change = v.parse(orderChangeSchema, got.watcherA[0])
    expect(change.order).toMatchObject({ id: a.order.id, status: 'confirmed', version: 2 })
    expect(change.seq).toBeGreaterThan(0)
  })

  it('stops sending after unwatchOrder', async () => {
    const { order, trackingToken } = await placeOrder(server)
    const socket = await open()
    expect(await watch(socket, { orderId: order.id, token: trackingToken })).toEqual({ ok: true })
    expect(await socket.timeout(3000).emitWithAck('unwatchOrder', { orderId: order.id })).toEqual({ ok: true })
    const got = collect(socket, 'orderUpdated')
    await patchStatus(server, admin, order, 'confirmed')
    await sleep(150)
    expect(got).toHaveLength(0)
  })

  it('announces a new order, a notification and stats to admins', async () => {
    const adminSocket = await open({ token: admin })
    const anonymous = await open()
    const anonymousNew = collect(anonymous, 'newOrder')
    const anonymousNotes = collect(anonymous, 'notification')
    const stats = waitForEvent(adminSocket, 'statsUpdated')

    const newOrder = waitForEvent(adminSocket, 'newOrder')
    const notification = waitForEvent(adminSocket, 'notification')
    const { order } = await placeOrder(server, 3)
    const change = v.parse(orderChangeSchema, await newOrder)
    expect(change.order.id).toBe(order.id)
    const note = v.parse(notificationSchema, await notification)
    expect(note).toMatchObject({ kind: 'newOrder', orderId: order.id })
    expect(note.title).toContain(String(order.number))
    v.parse(statsSchema, await stats)

    expect(anonymousNew).toHaveLength(0)
    expect(anonymousNotes).toHaveLength(0)
  })

  it('throttles statsUpdated with a trailing emit that reflects the whole burst', async () => {
    const throttleMs = 200
    const throttled = await startServer({ statsThrottleMs: throttleMs })
    try {
      const token = await loginAdmin(throttled)
      const socket = await connectSocket(throttled, { token })
      sockets.push(socket)
      const stats = collect(socket, 'statsUpdated')
      const started = Date.now()
      await Promise.all(Array.from({ length: 8 }, () => placeOrder(throttled)))
      const elapsed = Date.now() - started
      await sleep(throttleMs * 3)
      // At most one emit per window, plus the leading and the trailing one.
      expect(stats.length).toBeGreaterThanOrEqual(1)
      expect(stats.length).toBeLessThanOrEqual(Math.floor(elapsed / throttleMs) + 2)
      const last = v.parse(statsSchema, stats[stats.length - 1])
      const current = await api(throttled, '/api/stats', { token })
      expect(last.byStatus.placed).toBe(current.body.byStatus.placed)
    } finally {
      await throttled.close()
    }
  })

  it('keeps order events away from anonymous sockets', async () => {
    const anonymous = await open()
    const anonymousNew = collect(anonymous, 'newOrder')
    const anonymousNotes = collect(anonymous, 'notification')
    await placeOrder(server)
    await sleep(150)
    expect(anonymousNew).toHaveLength(0)
    expect(anonymousNotes).toHaveLength(0)
  })
})

describe('test hook emit', () => {
  it('emits raw events to a room when enabled', async () => {
    const hooked = await startServer({ enableTestHooks: true })
    try {
      const token = await loginAdmin(hooked)
      const socket = await connectSocket(hooked, { token })
      sockets.push(socket)
      const received = new Promise((resolve) => socket.once('orderUpdated', resolve as never))
      const res = await api(hooked, '/__test__/emit', { body: { event: 'orderUpdated', payload: { seq: 'nope' } } })
      expect(res.status).toBe(200)
      expect(await received).toEqual({ seq: 'nope' })
    } finally {
      await hooked.close()
    }
  })

  it('keeps realtime cut after the network comes back while the realtime switch is on', async () => {
    const hooked = await startServer({ enableTestHooks: true })
    const cut = (hook: 'realtime' | 'network', blocked: boolean) => api(hooked, `/__test__/${hook}`, { body: { blocked } })
    const connects = () =>
      connectSocket(hooked).then(
        (socket) => (socket.close(), true),
        () => false,
      )
    try {
      await cut('realtime', true)
      await cut('network', true)
      await cut('network', false)
      expect(await connects()).toBe(false)
      await cut('realtime', false)
      expect(await connects()).toBe(true)
      // The network switch alone cuts realtime and gives it back.
      await cut('network', true)
      expect(await connects()).toBe(false)
      await cut('network', false)
      expect(await connects()).toBe(true)
    } finally {
      await hooked.close()
    }
  })
})

describe('connection state recovery', () => {
  it('restores rooms and replays missed events after a transport drop', async () => {
    const { order, trackingToken } = await placeOrder(server)
    const socket = await connectSocket(server, undefined, { reconnection: true, reconnectionDelay: 50, reconnectionDelayMax: 100 })
    sockets.push(socket)
    expect(await watch(socket, { orderId: order.id, token: trackingToken })).toEqual({ ok: true })
    // connection state recovery needs at least one packet with an offset before the drop
    const first = waitForEvent(socket, 'orderUpdated')
    await patchStatus(server, admin, order, 'confirmed')
    await first

    // Wait until the server has noticed the drop, so the next change is really missed live.
    const serverSawDrop = new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (![...server.io.of('/').sockets.values()].some((s) => s.rooms.has(`order:${order.id}`))) {
          clearInterval(check)
          resolve()
        }
      }, 10)
    })
    const reconnected = new Promise<void>((resolve) => socket.once('connect', () => resolve()))
    socket.io.engine.close()
    await serverSawDrop
    const missed = collect(socket, 'orderUpdated')
    await patchStatus(server, admin, { id: order.id, version: 2 }, 'preparing')
    await reconnected
    await sleep(200)
    expect(socket.recovered).toBe(true)
    expect(missed.map((c) => c.order.status)).toEqual(['preparing'])

    // Rooms came back with the session: later changes arrive without a new watchOrder.
    const later = waitForEvent(socket, 'orderUpdated')
    await patchStatus(server, admin, { id: order.id, version: 3 }, 'out_for_delivery')
    expect((await later).order.status).toBe('out_for_delivery')
  })
})
