import type { Server, Socket } from 'socket.io'
import type { ClientToServerEvents, ServerToClientEvents } from '../../src/protocol/events'
import type { AdminClaims } from '../http/auth'

/** What the handshake middleware learned; survives connection state recovery. */
interface SocketData {
  admin: AdminClaims | null
}

/** None yet; the Redis adapter will not need any either (it relays the events above). */
type InterServerEvents = Record<string, never>

export type OrderlineServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>
export type OrderlineSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>
