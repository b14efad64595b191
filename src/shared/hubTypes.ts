/**
 * The tab-side contract of the realtime hub. App code (stores, views) sees only this,
 * whatever carries it: a SharedWorker (normal), a leader tab (no SharedWorker), a direct
 * socket per tab (no Web Locks either), or nothing at all (VITE_ENABLE_SOCKET=false).
 */
import type { Ack, ServerEvent } from '../protocol'

/** Shown in data-testid="connection-state" data-state: a test hook (docs/protocol.md, "UI hooks"). */
export type ConnectionState = 'live' | 'connecting' | 'polling' | 'offline' | 'disabled'

export type HubMode = 'shared-worker' | 'leader' | 'direct' | 'disabled'

/** Bumped whenever the tab ↔ hub messages change shape: a tab never talks to another version. */
export const HUB_PROTOCOL_VERSION = 1

/** What a tab can ask the hub to route to it. */
/**
 * What a tab wants from the hub. `order` and `admin` are server rooms; `stats` is the dashboard's
 * figures, which ride the admin feed live and the fallback poll's plan while the socket is down.
 */
export type Interest = { kind: 'order'; orderId: string; token: string } | { kind: 'admin' } | { kind: 'stats' }

export interface HubStatus {
  state: ConnectionState
  mode: HubMode
  /** Epoch ms of the last event received from the server, or null. */
  lastEventAt: number | null
  tabs: number
  rooms: string[]
  eventsIn: number
  eventsForwarded: number
  invalidDropped: number
  reconnects: number
  /** Whether the hub currently holds admin credentials. */
  admin: boolean
  /**
   * Bumped each time the socket (re)connects without connection state recovery: events may have
   * been missed, so stores resync (change log for admins, watched orders for customers) when it
   * changes. Optional so status literals written elsewhere stay valid.
   */
  syncEpoch?: number
  /** Last handshake or disconnect reason, for diagnostics; null when live. */
  lastError?: string | null
  /** This hub instance: a new id (leader hand-over, worker restart) means events may have been missed. */
  hubId?: string
  /** Whether the fallback poll is running (socket not live or disabled, and something to poll). */
  polling?: boolean
  /** Consecutive failed poll ticks (the backoff exponent). */
  pollFailures?: number
}

/** The last resort of the ladder, or a forced mode (localStorage 'orderline.hubMode'). */
export type ForcedHubMode = 'shared-worker' | 'leader' | 'direct'

export interface RealtimeClient {
  readonly mode: HubMode
  /** Subscribe to events routed to this tab. Returns the unsubscribe function. */
  onEvent(listener: (event: ServerEvent) => void): () => void
  /** Subscribe to hub status changes; called once immediately with the current status. */
  onStatus(listener: (status: HubStatus) => void): () => void
  /** Track an order: the hub joins its room (reference counted across tabs). */
  watchOrder(orderId: string, token: string): Promise<Ack>
  unwatchOrder(orderId: string): Promise<void>
  /** Receive admin events (newOrder, orderUpdated for all orders, statsUpdated, notification). */
  watchAdmin(): Promise<Ack>
  unwatchAdmin(): Promise<void>
  /** The dashboard's figures: in the fallback poll's plan (one stats request per browser per tick). */
  watchStats(): Promise<Ack>
  unwatchStats(): Promise<void>
  /** Admin bearer token or null on logout: the hub reconnects with it, for every tab. */
  setCredentials(token: string | null): Promise<void>
  /** What this tab watches, so stores can refetch them after a gap (resync). */
  interests?(): Interest[]
  close(): void
}

// ---- the fallback poll seam (docs/architecture.md, "The fallback poll") ----
//
// The hub is the one long-lived driver: while the socket is not live it schedules ticks (interval
// with jitter, backoff on errors) and asks ONE tab to relay each tick to the service worker, which
// performs the fetches, updates the API cache and broadcasts changed orders to every window client.
// The SW never runs its own timer (it is stopped after ~30 s idle).

/** What to poll on one tick: the union of every tab's interests, terminal orders left out. */
export interface PollPlan {
  orders: { orderId: string; token: string; version: number | null }[]
  /** Admin change log cursor; null when no tab watches the admin feed or no admin credentials. */
  admin: { token: string; afterSeq: number; stats: boolean } | null
}

/** A round that did not happen or failed (no relay, no answer, an error): the hub backs off. */
export const failedPoll = (): PollOutcome => ({ ok: false, orders: [] })

/** What the relay reports back, so the hub can back off, skip terminal orders and move its cursor. */
export interface PollOutcome {
  ok: boolean
  /** true when the failure was the network (offline), not the server answering an error. */
  networkError?: boolean
  orders: { orderId: string; version: number; terminal: boolean }[]
  /** The admin change log cursor after this poll, when the admin feed was polled. */
  lastSeq?: number
}
