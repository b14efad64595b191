/**
 * Socket.IO on the same http server as Fastify. Only the server joins rooms, and only after it
 * has checked a credential: the admin JWT at the handshake, a tracking token per `watchOrder`.
 * The handshake, events, acks and rooms are described in docs/protocol.md.
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http'
import { Server } from 'socket.io'
import { ADMIN_ROOM, orderRoom } from '../../src/protocol/events'
import type { Ack } from '../../src/protocol/events'
import { describeIssues, unwatchOrderPayloadSchema, watchOrderPayloadSchema } from '../../src/protocol/requests'
import { LIMITS } from '../../src/protocol/limits'
import type { Auth } from '../http/auth'
import type { Metrics } from '../http/metrics'
import { refuseEngineRequest } from '../http/edge'
import { isOriginAllowed } from '../http/origins'
import { createRateLimiter } from '../http/rateLimit'
import { RATE_LIMITED_ACK, guardSessionRecovery, limitSocketEvents } from '../http/socketSecurity'
import type { SocketEventLimits } from '../http/socketSecurity'
import { TRACKING_EXPIRED, trackingExpired } from '../http/tracking'
import type { Store } from '../store/index'
import type { RealtimeAdapter } from './adapter'
import type { OrderlineServer, OrderlineSocket } from './types'

export interface RealtimeOptions {
  httpServer: HttpServer
  allowedOrigins: string[]
  /** The Redis streams adapter when REDIS_URL is set (see adapter.ts); the in-memory one otherwise. */
  adapter?: RealtimeAdapter['adapter'] | undefined
  auth: Auth
  store: Store
  metrics: Metrics
  onError: (error: unknown) => void
  /** Abuse limits (docs/security.md); omitted → the defaults of `loadConfig`. */
  limits?: SocketEventLimits & { watchOrderPerWindow: number; windowMs: number }
  /** The Host allow-list (server/http/edge.ts), judged on every Engine.IO request. */
  hostAllowed: (host: string | undefined) => boolean
  /** The client's address, proxy-aware (TRUST_PROXY). */
  clientAddress: (request: IncomingMessage) => string
  /** Socket.IO connections one address may hold (0 = no cap). */
  socketsPerIp: number
  /** How long a tracking token works after its order ended (server/http/tracking.ts). */
  trackingTtlMs: number
}

const DEFAULT_LIMITS = { eventsPerSecond: 20, burst: 60, watchOrderPerWindow: 120, windowMs: 60_000 }
const CLIENT_EVENTS: ReadonlySet<string> = new Set(['watchOrder', 'unwatchOrder'])

/** Servers whose realtime path a test has cut (server/routes/testHooks.ts); empty otherwise. */
const blockedServers = new WeakSet<OrderlineServer>()

/**
 * Test hook: refuses every handshake and drops connected sockets, like a proxy that blocks
 * WebSockets and long-polling, so browser tests can exercise the fallback poll.
 */
export function setRealtimeBlocked(io: OrderlineServer, blocked: boolean): void {
  if (!blocked) return void blockedServers.delete(io)
  blockedServers.add(io)
  // `local`: with the Redis adapter a bare disconnectSockets would reach every node's sockets.
  io.local.disconnectSockets(true)
}

/** Acks are optional on the wire: a client that sends no callback must not crash the handler. */
function ackOf(ack: unknown): (value: Ack) => void {
  return typeof ack === 'function' ? (ack as (value: Ack) => void) : () => {}
}

/**
 * Creates the Socket.IO server. With the Redis streams adapter, `io.to(room).emit` reaches every
 * node and recovery sessions live in Redis, so a client may resume on any node.
 */
export function createRealtime(options: RealtimeOptions): OrderlineServer {
  const io: OrderlineServer = new Server(options.httpServer, {
    ...(options.adapter ? { adapter: options.adapter } : {}),
    serveClient: false,
    maxHttpBufferSize: LIMITS.socketPacket,
    connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000, skipMiddlewares: false },
    cors: { origin: options.allowedOrigins, credentials: true },
    allowRequest: (_req: IncomingMessage, callback) => {
      if (blockedServers.has(io)) return callback('realtime blocked (test hook)', false)
      callback(null, true)
    },
  })
  guardEngineRequests(io, options)

  const limits = options.limits ?? DEFAULT_LIMITS
  // Every socket's token buckets live here, keyed by socket id and dropped on disconnect.
  const watchLimiter = createRateLimiter({ limit: limits.watchOrderPerWindow, windowMs: limits.windowMs })
  guardSessionRecovery(io, options.auth)

  io.use((socket, next) => {
    const token: unknown = (socket.handshake.auth as Record<string, unknown> | undefined)?.token
    socket.data.admin = null
    if (token === undefined || token === null) return next()
    if (typeof token !== 'string') return next(new Error('unauthorized'))
    options.auth
      .verify(token)
      .then((claims) => {
        if (!claims) return next(new Error('unauthorized'))
        socket.data.admin = claims
        next()
      })
      // Only the revocation lookup throws: the database is down, which is not the client's fault.
      .catch(() => next(new Error('unavailable')))
  })

  io.on('connection', (socket: OrderlineSocket) => {
    options.metrics.connectedSockets.inc()
    socket.on('disconnect', () => options.metrics.connectedSockets.dec())
    socket.once('disconnect', () => watchLimiter.reset(socket.id))
    limitSocketEvents(socket, limits, CLIENT_EVENTS)
    const admin = socket.data.admin
    // A recovered session brings its rooms back before the middleware ran; without a valid
    // admin credential now, the admin room must not come back with it.
    if (!admin && socket.recovered) void socket.leave(ADMIN_ROOM)
    if (admin) {
      // The token's own room lets a logout on any node end this socket (disconnectAdminToken), the
      // user's room a "sign out everywhere" or a password change (disconnectAdminUser).
      void socket.join([ADMIN_ROOM, adminTokenRoom(admin.jti), adminUserRoom(admin.sub)])
      // A socket outliving its token would keep receiving admin data: end it when the token expires.
      const expiry = setTimeout(() => socket.disconnect(true), Math.max(0, admin.exp * 1000 - Date.now()))
      expiry.unref()
      socket.once('disconnect', () => clearTimeout(expiry))
    }

    socket.on('watchOrder', (payload: unknown, rawAck: unknown) => {
      const ack = ackOf(rawAck)
      if (!watchLimiter.take(socket.id).ok) return ack(RATE_LIMITED_ACK)
      const parsed = watchOrderPayloadSchema.safeParse(payload)
      if (!parsed.success) return ack({ ok: false, error: { code: 'validation_failed', message: describeIssues(parsed.error) } })
      const { orderId, token } = parsed.data
      options.store
        .getOrderWithToken(orderId, token)
        .then(async (order) => {
          // Same answer for "no such order" and "wrong token": the token is the capability.
          if (!order) return ack({ ok: false, error: { code: 'not_found', message: 'No order matches this id and token.' } })
          if (trackingExpired(order, options.trackingTtlMs)) return ack({ ok: false, error: { ...TRACKING_EXPIRED } })
          await socket.join(orderRoom(orderId))
          ack({ ok: true })
        })
        .catch((error: unknown) => {
          options.onError(error)
          ack({ ok: false, error: { code: 'internal_error', message: 'Could not watch this order.' } })
        })
    })

    socket.on('unwatchOrder', (payload: unknown, rawAck: unknown) => {
      const ack = ackOf(rawAck)
      const parsed = unwatchOrderPayloadSchema.safeParse(payload)
      if (!parsed.success) return ack({ ok: false, error: { code: 'validation_failed', message: describeIssues(parsed.error) } })
      Promise.resolve(socket.leave(orderRoom(parsed.data.orderId)))
        .then(() => ack({ ok: true }))
        .catch(options.onError)
    })
  })

  return io
}

/** A room per admin token id, and one per admin user; only server code ever names them. */
const adminTokenRoom = (jti: string) => `admin-token:${jti}`
const adminUserRoom = (userId: string) => `admin-user:${userId}`

/** Ends every session of an admin user on every node (sign out everywhere, password change, disabled). */
export function disconnectAdminUser(io: OrderlineServer, userId: string): void {
  io.in(adminUserRoom(userId)).disconnectSockets(true)
}

type EngineMiddleware = (req: IncomingMessage, res: unknown, next: (error?: unknown) => void) => void

/**
 * Runs first on every Engine.IO request: the handshake, every long-polling GET and POST of an
 * existing session, and the WebSocket upgrade (Engine.IO's own `allowRequest` only sees the
 * handshake, and its CORS layer would answer preflights before a middleware added with `use`).
 *
 * - Host not in the allow-list: 421 (DNS rebinding).
 * - Origin neither the Host's own nor in ALLOWED_ORIGINS: 403 (cross-site WebSocket hijacking).
 *   Browsers always send Origin cross-origin; Node clients send none and are allowed (they could
 *   forge any Origin anyway, so refusing them would protect nothing).
 * - A new session from an address that already holds `socketsPerIp`: 429. The count itself is
 *   kept on Engine.IO's `connection`, which also closes anything past the cap that raced in.
 */
function guardEngineRequests(io: OrderlineServer, options: RealtimeOptions): void {
  const open = new Map<string, number>()
  const cap = options.socketsPerIp
  const guard: EngineMiddleware = (req, res, next) => {
    if (!options.hostAllowed(req.headers.host)) {
      return refuseEngineRequest(req, res, 421, 'misdirected_request', 'This server does not serve that host name.')
    }
    if (!isOriginAllowed(req.headers.origin, req.headers.host, options.allowedOrigins)) {
      return refuseEngineRequest(req, res, 403, 'origin_not_allowed', 'This origin may not open a socket here.')
    }
    const handshake = !new URL(req.url ?? '/', 'http://x').searchParams.has('sid')
    if (handshake && cap > 0 && (open.get(options.clientAddress(req)) ?? 0) >= cap) {
      return refuseEngineRequest(req, res, 429, 'too_many_connections', 'Too many open sockets from this address.')
    }
    next()
  }
  ;(io.engine as unknown as { middlewares: EngineMiddleware[] }).middlewares.unshift(guard)
  if (cap <= 0) return
  io.engine.on(
    'connection',
    (socket: { request: IncomingMessage; once(event: 'close', listener: () => void): unknown; close(): unknown }) => {
      const address = options.clientAddress(socket.request)
      const count = (open.get(address) ?? 0) + 1
      open.set(address, count)
      socket.once('close', () => {
        const left = (open.get(address) ?? 1) - 1
        if (left > 0) open.set(address, left)
        else open.delete(address)
      })
      if (count > cap) socket.close()
    },
  )
}

/**
 * Ends every session of a revoked admin token, on every node: with the Redis adapter
 * `disconnectSockets` is broadcast to the whole cluster, so the logout holds where the sockets are.
 */
export function disconnectAdminToken(io: OrderlineServer, jti: string): void {
  io.in(adminTokenRoom(jti)).disconnectSockets(true)
}
