/**
 * The Socket.IO contract, documented in docs/protocol.md. Event names are the external contract:
 * tests, benchmarks and deployments depend on them.
 */
import type { Notification } from './answers'
import type { UnwatchOrderPayload, WatchOrderPayload } from './requests'
import type { OrderChange, Stats } from './order'

/** Acknowledgements are values, never thrown: `{ok: true}` or `{ok: false, error}`. */
export type Ack = { ok: true } | { ok: false; error: { code: string; message: string } }

export interface ServerToClientEvents {
  newOrder: (change: OrderChange) => void
  orderUpdated: (change: OrderChange) => void
  statsUpdated: (stats: Stats) => void
  notification: (notification: Notification) => void
}

export interface ClientToServerEvents {
  watchOrder: (payload: WatchOrderPayload, ack: (ack: Ack) => void) => void
  unwatchOrder: (payload: UnwatchOrderPayload, ack: (ack: Ack) => void) => void
}

/** What the hub forwards to tabs: a validated server event, tagged by name. */
export type ServerEvent =
  | { type: 'newOrder'; payload: OrderChange }
  | { type: 'orderUpdated'; payload: OrderChange }
  | { type: 'statsUpdated'; payload: Stats }
  | { type: 'notification'; payload: Notification }

/** Server rooms: only the server joins them, after checking a token. */
export const ADMIN_ROOM = 'admin'
export const orderRoom = (orderId: string): string => `order:${orderId}`

/** REST error envelope. */
export interface ApiErrorBody {
  error: { code: string; message: string; current?: unknown }
}
