/**
 * Socket.IO hardening that lives beside the handlers rather than inside them: a per-connection
 * event budget (one flooding client cannot keep the event loop busy for everyone else), answers
 * for unknown events, and a guard that restores an admin's session only to that admin's valid
 * credential presented at the reconnect.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import type { Ack } from '../../src/protocol/events'
import type { OrderlineServer, OrderlineSocket } from '../realtime/types'
import type { Auth } from './auth'
import { createRateLimiter } from './rateLimit'

export const RATE_LIMITED_ACK: Ack = {
  ok: false,
  error: { code: 'rate_limited', message: 'Too many requests on this connection; slow down.' },
}

export interface SocketEventLimits {
  /** Sustained events per second per connection; 0 turns the budget off. */
  eventsPerSecond: number
  /** Events a connection may send at once before the sustained rate applies. */
  burst: number
}

function lastFunction(args: unknown[]): ((value: Ack) => void) | undefined {
  const last = args[args.length - 1]
  return typeof last === 'function' ? (last as (value: Ack) => void) : undefined
}

/**
 * Runs before any handler of this socket. Over budget, an event is answered `rate_limited` (when
 * it carries an ack) and dropped before any parsing or database work; events the protocol does
 * not define are answered `unknown_event`, so a client never waits for an ack that cannot come.
 * It also puts the arguments in the one shape handlers expect, `[event, payload, ack?]`: without
 * that, `emit('watchOrder', ack)` handed the ack over as the payload and extra arguments pushed it
 * out of place, and the client waited forever (both found by the fuzz tests).
 */
export function limitSocketEvents(socket: OrderlineSocket, limits: SocketEventLimits, knownEvents: ReadonlySet<string>): void {
  const budget = createRateLimiter({
    limit: limits.burst,
    windowMs: (limits.burst / Math.max(limits.eventsPerSecond, 1e-9)) * 1000,
    maxKeys: 1,
  })
  const unlimited = limits.eventsPerSecond <= 0 || limits.burst <= 0
  socket.use((packet, next) => {
    const [event, ...args] = packet as unknown[]
    const ack = lastFunction(args)
    if (!unlimited && !budget.take('events').ok) {
      ack?.(RATE_LIMITED_ACK)
      return
    }
    if (typeof event !== 'string' || !knownEvents.has(event)) {
      ack?.({ ok: false, error: { code: 'unknown_event', message: 'This event is not part of the protocol.' } })
      return
    }
    const payloads = ack ? args.slice(0, -1) : args
    if (payloads.length > 1) {
      ack?.({ ok: false, error: { code: 'validation_failed', message: 'body: expected one payload argument' } })
      return
    }
    const normalised: unknown[] = ack ? [event, payloads[0], ack] : [event, payloads[0]]
    ;(packet as unknown[]).splice(0, packet.length, ...normalised)
    next()
  })
}

/**
 * Connection state recovery writes the missed packets to the wire *before* the handshake
 * middleware runs (socket.io 4.8 replays them while building the socket), so judging the
 * credential in the middleware alone would leak what the admin room received meanwhile. The
 * session of an admin is therefore restored only for a reconnect that presents, right now, a
 * valid credential of the same admin (signature, expiry, revocation, the user still enabled and
 * the token generation current), and only while the session's own token is neither revoked nor
 * expired. Otherwise the client gets a fresh connection, which the middleware judges from scratch.
 * Call again whenever the adapter is replaced (`io.adapter(...)` re-creates it).
 */
export function guardSessionRecovery(io: OrderlineServer, auth: Pick<Auth, 'isRevoked' | 'verify'>, now: () => number = Date.now): void {
  const namespace = io.of('/') as unknown as {
    adapter: { restoreSession?: (pid: string, offset: string) => Promise<{ data?: unknown } | null | undefined> }
    _createSocket?: (client: unknown, auth: Record<string, unknown>) => Promise<unknown>
  }
  const adapter = namespace.adapter
  const restore = adapter.restoreSession?.bind(adapter)
  const createSocket = namespace._createSocket?.bind(namespace)
  if (!restore || !createSocket) return
  // The adapter is asked for the session without the handshake's credential; the namespace call
  // that asks it has both, so the credential travels alongside, per handshake.
  const presented = new AsyncLocalStorage<{ token: unknown }>()
  namespace._createSocket = (client, handshakeAuth) =>
    presented.run({ token: handshakeAuth?.token }, () => createSocket(client, handshakeAuth))
  adapter.restoreSession = async (pid, offset) => {
    const token = presented.getStore()?.token
    const session = await restore(pid, offset)
    if (!session) return session
    const admin = (session.data as { admin?: { jti?: unknown; exp?: unknown; sub?: unknown } | null } | undefined)?.admin
    if (!admin) return session
    const expired = typeof admin.exp !== 'number' || admin.exp * 1000 <= now()
    const revoked = typeof admin.jti !== 'string' || (await auth.isRevoked(admin.jti))
    if (expired || revoked || typeof token !== 'string') return null
    const claims = await auth.verify(token)
    return claims && claims.sub === admin.sub ? session : null
  }
}
