/**
 * Graceful shutdown of one node of several. The order matters:
 *
 * 1. Stop accepting connections, so a client that reconnects (directly, or through nginx, whose
 *    `proxy_next_upstream` skips a refused node) lands on another node, never back here.
 * 2. Close every socket as a *transport* close ("server shutting down"), not a Socket.IO
 *    disconnect: the client then reconnects on its own at once (after `io server disconnect` it
 *    would not), and its session is persisted to the adapter, so with Redis the next node
 *    restores rooms and replays what it missed.
 * 3. Let in-flight HTTP requests finish (Fastify answers new requests on kept-alive connections
 *    503 + `Connection: close`), then hand back to the caller to close Redis and the database:
 *    a PATCH that was mid-flight still commits and still fans out.
 */
import type { FastifyInstance } from 'fastify'
import type { OrderlineServer } from './types'

export interface DrainOptions {
  app: FastifyInstance
  io: OrderlineServer
  /** Idle keep-alive connections are closed on this period while draining. */
  idleSweepMs?: number
}

/** Resolves once sockets are closed and every in-flight request has been answered. */
export async function drainNode({ app, io, idleSweepMs = 100 }: DrainOptions): Promise<void> {
  // 1. Stop listening. The callback is not needed: Fastify's close below waits for the drain.
  if (app.server.listening) app.server.close()
  const fastifyClosed = app.close().catch(() => {})
  // A request that finished after the first sweep leaves an idle keep-alive connection behind.
  const sweep = setInterval(() => app.server.closeIdleConnections(), idleSweepMs)
  try {
    // 2. Persist sessions and close transports. Its own httpServer.close() finds the server
    //    already closed and waits for the same drain.
    await io.close().catch(() => {})
    // 3. In-flight requests.
    await fastifyClosed
  } finally {
    clearInterval(sweep)
  }
}
