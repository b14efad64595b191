/**
 * socket.io-client behind the hub's SocketPort. The only module that imports socket.io-client,
 * so the library lands in the hub worker chunk (and in the lazy direct-mode chunk), never in the
 * page's main chunk.
 */
import { io, type Socket } from 'socket.io-client'
import type { ClientToServerEvents, ServerToClientEvents } from '../protocol'
import type { SocketFactory } from './socketPort'

/** After the server refuses a handshake, socket.io does not retry by itself; we do, slowly. */
const RETRY_REFUSED_MS = 10_000
/** After a server-side disconnect (`io server disconnect`), likewise. */
const RETRY_SERVER_DISCONNECT_MS = 2_000

/** A factory for sockets to `url` (the API origin), path /socket.io. */
export function socketIoFactory(url: string): SocketFactory {
  return (auth, handlers) => {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(url, {
      path: '/socket.io',
      auth,
      // A fresh Manager per socket: new credentials must never resume the old session's rooms.
      forceNew: true,
      transports: ['websocket', 'polling'],
      // Fall back to long-polling when WebSockets are blocked (proxies, some corporate networks).
      tryAllTransports: true,
    })
    let retryTimer: ReturnType<typeof setTimeout> | undefined
    const retryLater = (ms: number) => {
      clearTimeout(retryTimer)
      retryTimer = setTimeout(
        () => {
          if (!socket.connected) socket.connect()
        },
        ms + Math.random() * ms,
      )
    }

    socket.on('connect', () => handlers.onConnect(socket.recovered))
    socket.on('disconnect', (reason) => {
      handlers.onDisconnect(reason)
      if (reason === 'io server disconnect') retryLater(RETRY_SERVER_DISCONNECT_MS)
    })
    socket.on('connect_error', (error) => {
      handlers.onConnectError(error.message, socket.active)
      if (!socket.active) retryLater(RETRY_REFUSED_MS)
    })
    socket.onAny((name: string, payload: unknown) => handlers.onEvent(name, payload))

    return {
      get connected() {
        return socket.connected
      },
      emitWithAck(event, payload, timeoutMs) {
        // The payload was built by the hub from validated interests; the server validates it again.
        return socket.timeout(timeoutMs).emitWithAck(event, payload as never)
      },
      close() {
        clearTimeout(retryTimer)
        socket.offAny()
        socket.removeAllListeners()
        socket.disconnect()
      },
    }
  }
}
