/**
 * Socket.IO on the same http server as Fastify. Only the server joins rooms, and only after it
 * has checked a credential: the admin JWT at the handshake, a tracking token per `watchOrder`.
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http'
import { Server } from 'socket.io'
import { ADMIN_ROOM, orderRoom } from '../../src/protocol/events'
import type { Ack } from '../../src/protocol/events'
import { LIMITS, describeIssues, unwatchOrderPayloadSchema, watchOrderPayloadSchema } from '../../src/protocol/schemas'
import type { Auth } from '../http/auth'
import type { Metrics } from '../http/metrics'
import { isOriginAllowed } from '../http/origins'
import type { Store } from '../store/index'
import type { OrderlineServer, OrderlineSocket } from './types'

export interface RealtimeOptions {
  httpServer: HttpServer
  allowedOrigins: string[]
  redisUrl: string | null
  auth: Auth
  store: Store
  metrics: Metrics
  onError: (error: unknown) => void
}

/** Acks are optional on the wire: a client that sends no callback must not crash the handler. */
function ackOf(ack: unknown): (value: Ack) => void {
  return typeof ack === 'function' ? (ack as (value: Ack) => void) : () => {}
}

/**
 * Creates the Socket.IO server. The adapter seam: REDIS_URL will select the Redis streams adapter
 * here (cross-node fan-out and recovery); until then it is refused rather than silently ignored,
 * because a multi-node deployment without it would lose events between nodes.
 */
export function createRealtime(options: RealtimeOptions): OrderlineServer {
  if (options.redisUrl) {
    throw new Error('REDIS_URL is set, but the Redis adapter is not supported yet. Unset REDIS_URL to use the in-memory adapter (single node).')
  }
  const io: OrderlineServer = new Server(options.httpServer, {
    serveClient: false,
    maxHttpBufferSize: LIMITS.socketPacket,
    connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000, skipMiddlewares: false },
    cors: { origin: options.allowedOrigins, credentials: true },
    // Browsers always send Origin on a cross-origin handshake; Node clients send none and are
    // allowed (they could forge any Origin anyway, so refusing them would protect nothing).
    allowRequest: (req: IncomingMessage, callback) => {
      const allowed = isOriginAllowed(req.headers.origin, req.headers.host, options.allowedOrigins)
      callback(allowed ? null : 'origin not allowed', allowed)
    },
  })

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
      .catch(() => next(new Error('unauthorized')))
  })

  io.on('connection', (socket: OrderlineSocket) => {
    options.metrics.connectedSockets.inc()
    socket.on('disconnect', () => options.metrics.connectedSockets.dec())
    const admin = socket.data.admin
    if (admin) {
      void socket.join(ADMIN_ROOM)
      // A socket outliving its token would keep receiving admin data: end it when the token expires.
      const expiry = setTimeout(() => socket.disconnect(true), Math.max(0, admin.exp * 1000 - Date.now()))
      expiry.unref()
      socket.once('disconnect', () => clearTimeout(expiry))
    }

    socket.on('watchOrder', (payload: unknown, rawAck: unknown) => {
      const ack = ackOf(rawAck)
      const parsed = watchOrderPayloadSchema.safeParse(payload)
      if (!parsed.success) return ack({ ok: false, error: { code: 'validation_failed', message: describeIssues(parsed.error) } })
      const { orderId, token } = parsed.data
      options.store
        .getOrderWithToken(orderId, token)
        .then(async (order) => {
          // Same answer for "no such order" and "wrong token": the token is the capability.
          if (!order) return ack({ ok: false, error: { code: 'not_found', message: 'No order matches this id and token.' } })
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

/** Ends the sessions of a revoked admin token on this node. */
export function disconnectAdminToken(io: OrderlineServer, jti: string): void {
  for (const socket of io.of('/').sockets.values()) {
    if (socket.data.admin?.jti === jti) socket.disconnect(true)
  }
}
