/**
 * Security, property-based fuzzing of the Socket.IO surface (fast-check): every client event with
 * random and malformed payloads (random values, wrong types, huge strings, binary, prototype-
 * pollution keys, extra arguments, missing acks), events outside the protocol, raw malformed
 * packets, and random handshake `auth`. For every case: an acknowledgement of the protocol's
 * shape, no room joined without the right token, no stored data changed, the server alive and
 * other clients unaffected.
 */
import fc from 'fast-check'
import { io as ioClient } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../server/app'
import type { Ack } from '../../src/protocol/events'
import { LIMITS } from '../../src/protocol/limits'
import type { ClientSocket } from './helpers'
import { api, connectSocket, loginAdmin, patchStatus, placeOrder, sleep, startServer, waitForEvent } from './helpers'
import { snapshot } from './securitySupport'

let server: RunningServer
let order: { id: string; token: string; version: number }
let other: { id: string; token: string }
let adminToken: string
let cases = 0
const sockets: ClientSocket[] = []

beforeAll(async () => {
  // Limits off: the fuzzer is here to reach validation, not the rate limiter in front of it.
  server = await startServer({ socketEventsPerSecond: 0, watchOrderRateLimit: 0 })
  adminToken = await loginAdmin(server)
  const a = await placeOrder(server)
  const b = await placeOrder(server)
  order = { id: a.order.id, token: a.trackingToken, version: a.order.version }
  other = { id: b.order.id, token: b.trackingToken }
})
afterAll(async () => {
  for (const socket of sockets) socket.close()
  console.log(`[figure] Socket.IO fuzz cases run: ${cases}`)
  await server.close()
})

const anyString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
)
const huge = fc.integer({ min: 100, max: 1500 }).map((n) => 'x'.repeat(n))
const pollution = fc
  .constantFrom(
    '{"__proto__": {"orderId": "ord_x", "token": "tttttttttttttttttttt"}}',
    '{"orderId": "ord_x", "constructor": {"prototype": {"admin": true}}}',
    '{"__proto__": {"admin": true}, "orderId": "x", "token": "yyyyyyyyyyyyyyyy"}',
  )
  .map((text) => JSON.parse(text) as unknown)
const wild = fc.oneof(
  fc.anything({ maxDepth: 2 }),
  fc.jsonValue({ maxDepth: 3 }),
  anyString,
  huge,
  pollution,
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
)
/** Near-valid watch payloads: the real ids and tokens mixed with wrong ones and wrong types. */
const watchish = fc.record(
  {
    orderId: fc.oneof(fc.constant('__A__'), fc.constant('__B__'), anyString, wild),
    token: fc.oneof(fc.constant('__TA__'), fc.constant('__TB__'), anyString, huge, wild),
    extra: wild,
  },
  { requiredKeys: [] },
)
const resolve = (value: unknown): unknown => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value
  const record = value as Record<string, unknown>
  const map: Record<string, string> = { __A__: order.id, __B__: other.id, __TA__: order.token, __TB__: other.token }
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(record)) {
    const v = record[key]
    out[key] = typeof v === 'string' && v in map ? map[v] : v
  }
  return out
}

const isAck = (value: unknown): value is Ack => {
  if (typeof value !== 'object' || value === null) return false
  const ack = value as Record<string, unknown>
  if (ack.ok === true) return Object.keys(ack).length === 1
  const error = ack.error as Record<string, unknown> | undefined
  return ack.ok === false && typeof error?.code === 'string' && typeof error.message === 'string'
}

/** Like connectSocket, but also settles when the transport is closed before any answer. */
function tryConnect(auth: Record<string, unknown>): Promise<ClientSocket | string> {
  const socket: ClientSocket = ioClient(server.url, { transports: ['websocket'], reconnection: false, forceNew: true, auth })
  return new Promise((resolve) => {
    const done = (value: ClientSocket | string) => {
      clearTimeout(timer)
      if (typeof value === 'string') socket.close()
      resolve(value)
    }
    const timer = setTimeout(() => done('timeout'), 5000)
    socket.once('connect', () => done(socket))
    socket.once('connect_error', (error) => done(error.message))
    socket.io.once('close', () => done('closed'))
  })
}

/** Rooms this socket is in on the server, besides its own. */
function roomsOf(socket: ClientSocket): string[] {
  const serverSocket = server.io.of('/').sockets.get(socket.id ?? '')
  return serverSocket ? [...serverSocket.rooms].filter((room) => room !== socket.id) : ['<gone>']
}

describe('Socket.IO fuzzing', () => {
  it('watchOrder / unwatchOrder / unknown events with random arguments: protocol acks, no stray rooms, no data change', async () => {
    const socket = await connectSocket(server)
    sockets.push(socket)
    const before = await snapshot(server)
    const event = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('watchOrder', 'unwatchOrder') },
      {
        weight: 1,
        arbitrary: fc.oneof(
          anyString.filter((s) => s.length > 0),
          fc.constantFrom('joinRoom', 'admin', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'orderUpdated', 'newOrder'),
        ),
      },
    )
    // Frames past maxHttpBufferSize end the connection by design (tested below), so keep these under it.
    const args = fc
      .array(fc.oneof({ weight: 3, arbitrary: watchish }, { weight: 2, arbitrary: wild }), { maxLength: 3 })
      .filter(
        (a) =>
          Buffer.byteLength(JSON.stringify(a, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)) ?? '') <
          LIMITS.socketPacket - 512,
      )
    await fc.assert(
      fc.asyncProperty(event, args, fc.boolean(), async (name, rawArgs, withAck) => {
        cases++
        const payload = rawArgs.map(resolve)
        const raw = socket as unknown as {
          emit(event: string, ...a: unknown[]): void
          timeout(ms: number): { emitWithAck(event: string, ...a: unknown[]): Promise<unknown> }
        }
        if (['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener'].includes(name)) return
        if (withAck) {
          const ack = await raw.timeout(3000).emitWithAck(name, ...payload)
          expect(isAck(ack), `${name} ${JSON.stringify(payload).slice(0, 200)} → ${JSON.stringify(ack)}`).toBe(true)
          const watchedA = name === 'watchOrder' && (payload[0] as Record<string, unknown> | undefined)?.orderId === order.id
          if ((ack as Ack).ok && name === 'watchOrder') {
            // Only the exact pair (A, A's token) or (B, B's token) may ever be accepted.
            const p = payload[0] as Record<string, unknown>
            expect([`${order.id}|${order.token}`, `${other.id}|${other.token}`]).toContain(`${String(p.orderId)}|${String(p.token)}`)
            // Keys holding undefined are not on the wire (JSON drops them), so the server never saw them.
            expect(
              Object.keys(p)
                .filter((key) => p[key] !== undefined)
                .sort(),
            ).toEqual(['orderId', 'token'])
            void watchedA
          }
        } else {
          raw.emit(name, ...payload)
        }
        for (const room of roomsOf(socket)) expect([`order:${order.id}`, `order:${other.id}`], `stray room ${room}`).toContain(room)
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 250) * 5 },
    )
    expect(socket.connected).toBe(true)
    expect(await snapshot(server)).toBe(before)
  })

  it('random handshake auth: connects only anonymously or as admin, never lands in the admin room otherwise', async () => {
    const auth = fc.oneof(
      fc.record({ token: fc.oneof(wild, anyString, fc.constant('__TA__'), fc.constant('__ADMIN_TAMPERED__')) }, { requiredKeys: [] }),
      fc.dictionary(anyString, wild, { maxKeys: 3 }),
      pollution,
    )
    await fc.assert(
      fc.asyncProperty(auth, async (candidate) => {
        cases++
        const value = candidate as Record<string, unknown>
        const token =
          value.token === '__TA__' ? order.token : value.token === '__ADMIN_TAMPERED__' ? `${adminToken.slice(0, -2)}xx` : value.token
        const authObject = typeof candidate === 'object' && candidate !== null ? { ...value, ...('token' in value ? { token } : {}) } : {}
        const outcome = await tryConnect(authObject)
        if (typeof outcome === 'string') {
          // Refused by the middleware, or (an auth object past maxHttpBufferSize) by the transport.
          expect(['unauthorized', 'closed'], JSON.stringify(authObject).slice(0, 100)).toContain(outcome)
          return
        }
        const socket = outcome
        try {
          // Connected: then it had no token at all (anonymous), and holds no room.
          expect(token === undefined || token === null, `connected with ${JSON.stringify(authObject).slice(0, 100)}`).toBe(true)
          expect(roomsOf(socket)).toEqual([])
        } finally {
          socket.close()
        }
      }),
      { numRuns: Math.round(Number(process.env.FUZZ_RUNS ?? 250) * 0.6) },
    )
  })

  it('raw malformed packets and oversized frames end only the offending connection', async () => {
    const control = await connectSocket(server)
    sockets.push(control)
    expect(await control.timeout(3000).emitWithAck('watchOrder', { orderId: order.id, token: order.token })).toEqual({ ok: true })
    const packet = fc.oneof(
      anyString,
      fc.jsonValue().map((v) => `2${JSON.stringify(v)}`),
      fc.jsonValue().map((v) => `21${JSON.stringify(['watchOrder', v])}`),
      fc.constantFrom(
        '2',
        '2[',
        '2["watchOrder"',
        '0/admin,',
        '1',
        '3',
        '4',
        '5-["watchOrder",{"_placeholder":true,"num":9}]',
        '2/admin,["x"]',
        '29999999999999999999["watchOrder"]',
        `2${'['.repeat(5000)}`,
      ),
      fc
        .integer({ min: LIMITS.socketPacket + 1, max: LIMITS.socketPacket * 4 })
        .map((n) => `2["watchOrder",{"orderId":"${'x'.repeat(n)}"}]`),
    )
    let victim = await connectSocket(server)
    await fc.assert(
      fc.asyncProperty(packet, async (text) => {
        cases++
        if (!victim.connected) {
          victim.close()
          victim = await connectSocket(server)
        }
        const engine = victim.io.engine as unknown as { send(data: string): void }
        engine.send(text)
        await sleep(2)
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 250) },
    )
    victim.close()
    await sleep(100)
    // The control client never noticed: still connected, still watching, still receiving.
    expect(control.connected).toBe(true)
    const update = waitForEvent(control, 'orderUpdated', 5000)
    expect((await patchStatus(server, adminToken, order, 'confirmed')).status).toBe(200)
    expect((await update).order.id).toBe(order.id)
    expect((await api(server, '/healthz')).status).toBe(200)
  })

  it('a packet over maxHttpBufferSize closes that connection, over websocket and over polling', async () => {
    for (const transports of [['websocket'], ['polling']]) {
      cases++
      const socket = await connectSocket(server, undefined, { transports })
      const closed = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)))
      socket.emit('watchOrder', { orderId: 'x'.repeat(LIMITS.socketPacket * 2), token: 'y'.repeat(20) } as never, () => {})
      expect(await closed).toMatch(/transport (close|error)/)
      socket.close()
    }
    expect((await api(server, '/healthz')).status).toBe(200)
  })
})
