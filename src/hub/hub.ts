/**
 * The realtime hub: one socket for the whole browser, the union of what its tabs watch as
 * server rooms (reference counted), and each validated event forwarded only to the tabs that
 * asked for it (docs/architecture.md, "How an order change flows").
 *
 * Transport-independent: it takes a socket factory and knows tabs only as ids plus listeners,
 * so the same class runs in the SharedWorker, in an elected leader tab, or in a plain page.
 */
import { ADMIN_ROOM, type Ack } from '../protocol'
import { failedPoll, type HubMode, type HubStatus, type Interest, type PollOutcome, type PollPlan } from '@shared/hubTypes'
import type { HubListener } from '@shared/hubApi'
import { PollDriver } from './pollDriver'
import { PollKnowledge } from './pollKnowledge'
import { interestKey, RoomRefs, STATS_INTEREST } from './roomRefs'
import { fail, OK, ServerRooms } from './serverRooms'
import type { HubSocket, SocketFactory } from './socketPort'
import { parseServerEvent } from './validateEvent'

const ACK_TIMEOUT_MS = 5_000
/** Counter-only status changes (events in/forwarded) are coalesced into one broadcast per window. */
export const STATUS_COALESCE_MS = 250
/** Consecutive failed handshakes after which the state reads `offline` rather than `connecting`. */
export const OFFLINE_AFTER_FAILURES = 2

export interface HubDeps {
  /** null: VITE_ENABLE_SOCKET=false — no socket ever; the hub still hosts interests and the poll. */
  createSocket: SocketFactory | null
  mode: HubMode
  /** Fallback poll interval (config.pollIntervalMs); the poll runs while the socket is not live. */
  pollIntervalMs?: number
  /** Identifies this hub instance, so tabs notice a new hub (leader hand-over) and resync. */
  hubId?: string
  /** performance.timeOrigin + now: the hop stamp (the tab corrects for its offset, see EventPortMessage). */
  hopClock?: () => number
  now?: () => number
  /** false → the browser says it is offline: report `offline` at once instead of `connecting`. */
  isOnline?: () => boolean
  /** Frees a listener the hub lets go of (Comlink: `listener[releaseProxy]()`). */
  releaseListener?: (listener: HubListener) => void
  log?: (message: string, detail?: unknown) => void
  ackTimeoutMs?: number
}

export class Hub {
  private readonly deps: Required<Omit<HubDeps, 'createSocket' | 'mode'>> & Pick<HubDeps, 'createSocket' | 'mode'>
  private readonly refs = new RoomRefs()
  private readonly tabs = new Map<string, HubListener>()
  /** What the server has joined for the current socket (RoomRefs is what the tabs want). */
  private readonly serverRooms: ServerRooms
  private socket: HubSocket | null = null
  private token: string | null = null
  /** Bumped per socket: handlers of a closed socket are ignored. */
  private socketGeneration = 0
  /** Bumped per connect and disconnect: a re-join that finishes after the link changed is ignored. */
  private linkGeneration = 0
  private live = false
  private failures = 0
  private everConnected = false
  private stopped = false
  private counters = { eventsIn: 0, eventsForwarded: 0, invalidDropped: 0, reconnects: 0, syncEpoch: 0 }
  private lastEventAt: number | null = null
  private lastError: string | null = null
  private statusTimer: ReturnType<typeof setTimeout> | undefined
  /** tabId → whether the tab reported itself visible (poll relays prefer visible tabs). */
  private readonly visible = new Map<string, boolean>()
  /** Versions, terminal orders and the admin cursor, from events and polls. */
  private readonly knowledge = new PollKnowledge()
  /** Outcome of the last poll while polling: drives `polling` vs `offline`. */
  private pollResult: 'ok' | 'network' | 'error' | null = null
  private readonly poll: PollDriver

  constructor(deps: HubDeps) {
    this.deps = {
      now: () => Date.now(),
      isOnline: () => true,
      releaseListener: () => {},
      log: () => {},
      ackTimeoutMs: ACK_TIMEOUT_MS,
      pollIntervalMs: 5_000,
      hubId: Math.random().toString(36).slice(2, 10),
      hopClock: () => performance.timeOrigin + performance.now(),
      ...deps,
    }
    this.serverRooms = new ServerRooms({
      socket: () => this.socket,
      wanted: (key) => this.refs.has(key),
      ackTimeoutMs: this.deps.ackTimeoutMs,
      onChange: () => this.statusChangedSoon(),
      log: this.deps.log,
    })
    this.poll = new PollDriver({
      intervalMs: this.deps.pollIntervalMs,
      plan: () => this.pollPlan(),
      relay: (plan) => this.relayPoll(plan),
      onOutcome: (outcome) => this.onPollOutcome(outcome),
    })
  }

  /** Opens the socket. Separate from the constructor so hosts can register tabs first if they like. */
  start(): void {
    if (this.socket || this.stopped) return
    if (this.deps.createSocket) this.openSocket()
    else this.statusChanged()
  }

  /** Closes the socket and lets every tab go (leader hand-over, tests). */
  stop(): void {
    this.stopped = true
    this.closeSocket()
    this.poll.stop()
    clearTimeout(this.statusTimer)
    for (const tabId of [...this.tabs.keys()]) this.removeTab(tabId)
  }

  getStatus(): HubStatus {
    return {
      state: this.state(),
      mode: this.deps.mode,
      lastEventAt: this.lastEventAt,
      tabs: this.tabs.size,
      rooms: this.rooms(),
      eventsIn: this.counters.eventsIn,
      eventsForwarded: this.counters.eventsForwarded,
      invalidDropped: this.counters.invalidDropped,
      reconnects: this.counters.reconnects,
      admin: this.token !== null,
      syncEpoch: this.counters.syncEpoch,
      lastError: this.lastError,
      hubId: this.deps.hubId,
      polling: this.poll.active,
      pollFailures: this.poll.failures,
    }
  }

  /** Registers (or re-registers, after a bfcache restore) a tab and its listener. */
  addTab(tabId: string, listener: HubListener): void {
    const previous = this.tabs.get(tabId)
    if (previous && previous !== listener) this.deps.releaseListener(previous)
    this.tabs.set(tabId, listener)
    this.statusChangedSoon()
  }

  hasTab(tabId: string): boolean {
    return this.tabs.has(tabId)
  }

  /** Forgets a tab: leaves the rooms only it held and releases its listener. Idempotent. */
  removeTab(tabId: string): void {
    const listener = this.tabs.get(tabId)
    this.tabs.delete(tabId)
    this.visible.delete(tabId)
    for (const key of this.refs.removeTab(tabId)) this.serverRooms.leave(key)
    if (listener) this.deps.releaseListener(listener)
    this.statusChangedSoon()
  }

  /**
   * Adds a tab's interest. The first tab to want an order makes the hub join its room with an
   * acked `watchOrder`; a refusal undoes the interest and is returned as the ack. While the
   * socket is down the interest is kept and joined on connect.
   */
  async watch(tabId: string, interest: Interest): Promise<Ack> {
    if (!this.tabs.has(tabId)) return fail('unknown_tab', 'say hello first')
    const key = interestKey(interest)
    const first = this.refs.add(tabId, interest)
    this.statusChangedSoon()
    // The server puts admin sockets in the admin room itself; stats have no room of their own.
    if (interest.kind !== 'order') return OK
    const pending = this.serverRooms.pending(key) ?? (first && this.socket?.connected ? this.serverRooms.join(interest) : null)
    if (!pending) return OK
    const ack = await pending
    if (!ack.ok) {
      this.refs.remove(tabId, key)
      this.statusChangedSoon()
    }
    return ack
  }

  /** Drops a tab's interest; the last tab to let go of an order makes the hub leave its room. */
  async unwatch(tabId: string, interest: Interest): Promise<void> {
    const key = interestKey(interest)
    if (this.refs.remove(tabId, key)) this.serverRooms.leave(key)
    this.statusChangedSoon()
  }

  /** Stores the admin token (null on logout) and reconnects with it; no-op when unchanged. */
  async setCredentials(token: string | null): Promise<void> {
    if (token === this.token) return
    this.token = token
    this.knowledge.resetAdminCursor()
    if (this.stopped) return
    if (!this.deps.createSocket) return this.statusChanged()
    this.closeSocket()
    this.openSocket()
  }

  /** A tab reported its visibility; visible tabs relay poll ticks first. */
  setVisibility(tabId: string, visible: boolean): void {
    if (this.tabs.has(tabId)) this.visible.set(tabId, visible)
  }

  /** Immediate poll catch-up when the poll is running (no-op while live). */
  pollNow(): void {
    this.poll.pollNow()
  }

  // ---- fallback poll ----

  /** The union of every tab's interests, terminal orders left out; null when nothing to poll. */
  private pollPlan(): PollPlan | null {
    return this.knowledge.plan(this.refs.orderInterests(), this.refs.has(ADMIN_ROOM) ? this.token : null, this.refs.has(STATS_INTEREST))
  }

  /** Asks one tab (a visible one if any) to relay the tick; never rejects. */
  private async relayPoll(plan: PollPlan): Promise<PollOutcome> {
    const candidates = [...this.tabs.entries()].filter(([, listener]) => typeof listener.onPollTick === 'function')
    const chosen = candidates.find(([tabId]) => this.visible.get(tabId) === true) ?? candidates[0]
    if (!chosen) return failedPoll()
    try {
      return await chosen[1].onPollTick!(plan)
    } catch (error) {
      this.deps.log('poll relay failed', { tabId: chosen[0], error })
      return failedPoll()
    }
  }

  private onPollOutcome(outcome: PollOutcome): void {
    this.knowledge.learnOutcome(outcome)
    this.pollResult = outcome.ok ? 'ok' : outcome.networkError ? 'network' : 'error'
    this.statusChanged()
  }

  /** Poll while the socket is not live (or disabled) and some tab wants something. */
  private updatePoll(): void {
    const wanted = !this.stopped && !(this.live && this.socket?.connected) && this.pollPlan() !== null
    if (!wanted) this.pollResult = null
    this.poll.setWanted(wanted)
  }

  // ---- socket lifecycle ----

  private openSocket(): void {
    const generation = ++this.socketGeneration
    this.live = false
    this.failures = 0
    this.lastError = null
    this.serverRooms.reset()
    const createSocket = this.deps.createSocket
    if (!createSocket) return
    this.socket = createSocket(this.token ? { token: this.token } : {}, {
      onConnect: (recovered) => {
        if (generation === this.socketGeneration) void this.onConnect(recovered)
      },
      onDisconnect: (reason) => {
        if (generation === this.socketGeneration) this.onDisconnect(reason)
      },
      onConnectError: (message) => {
        if (generation !== this.socketGeneration) return
        this.failures++
        this.lastError = message
        this.statusChanged()
      },
      onEvent: (name, payload) => {
        if (generation === this.socketGeneration) this.onServerEvent(name, payload)
      },
    })
    this.statusChanged()
  }

  private closeSocket(): void {
    this.socketGeneration++
    this.linkGeneration++
    this.socket?.close()
    this.socket = null
    this.live = false
  }

  /**
   * After an unrecovered (re)connect the server has forgotten our order rooms: re-join all of
   * them before reporting `live`, and bump `syncEpoch` so stores refetch what they may have missed.
   */
  private async onConnect(recovered: boolean): Promise<void> {
    const generation = ++this.linkGeneration
    if (this.everConnected) this.counters.reconnects++
    this.everConnected = true
    this.failures = 0
    this.lastError = null
    if (!recovered) this.counters.syncEpoch++
    const rejoined = this.serverRooms.afterConnect(recovered, this.refs.orderInterests())
    this.statusChanged()
    const answers = await rejoined
    if (generation !== this.linkGeneration) return
    for (const { interest, ack } of answers) {
      if (!ack.ok) this.deps.log('re-join refused', { room: interestKey(interest), error: ack.error })
    }
    this.live = true
    this.statusChanged()
  }

  private onDisconnect(reason: string): void {
    this.linkGeneration++
    this.live = false
    this.lastError = reason
    this.serverRooms.onDisconnect()
    this.statusChanged()
  }

  // ---- events ----

  private onServerEvent(name: string, payload: unknown): void {
    // The hop runs from here (receipt off the socket) to the tab's handler: validation and
    // routing are part of what the hub costs a tab.
    const receivedAt = this.deps.hopClock()
    this.counters.eventsIn++
    this.lastEventAt = this.deps.now()
    const event = parseServerEvent(name, payload)
    if (!event) {
      this.counters.invalidDropped++
      this.deps.log('dropped invalid event', { name })
    } else {
      if (event.type === 'orderUpdated' || event.type === 'newOrder') {
        this.knowledge.learnChange(event.payload.seq, event.payload.order, this.token !== null)
      }
      // Visible tabs first: the one a person is looking at should not wait behind hidden ones
      // for its renderer to get a core.
      const targets = this.refs.route(event)
      const ordered = this.visible.size
        ? [...targets.filter((id) => this.visible.get(id)), ...targets.filter((id) => !this.visible.get(id))]
        : targets
      for (const tabId of ordered) {
        if (this.send(tabId, (listener) => listener.onEvent(event, receivedAt))) this.counters.eventsForwarded++
      }
    }
    this.statusChangedSoon()
  }

  /** Calls a tab's listener; a listener that throws or rejects belongs to a dead tab and is dropped. */
  private send(tabId: string, call: (listener: HubListener) => void | Promise<void>): boolean {
    const listener = this.tabs.get(tabId)
    if (!listener) return false
    const drop = (error: unknown) => {
      if (this.tabs.get(tabId) !== listener) return
      this.deps.log('dropping unreachable tab', { tabId, error })
      this.removeTab(tabId)
    }
    try {
      const result = call(listener)
      if (result && typeof result.then === 'function') result.then(undefined, drop)
      return true
    } catch (error) {
      drop(error)
      return false
    }
  }

  // ---- status ----

  private state(): HubStatus['state'] {
    if (!this.deps.createSocket) return 'disabled'
    if (this.live && this.socket?.connected) return 'live'
    if (this.poll.active && this.pollResult === 'ok') return 'polling'
    if (this.poll.active && this.pollResult === 'network') return 'offline'
    if (!this.deps.isOnline() || this.failures >= OFFLINE_AFTER_FAILURES) return 'offline'
    return 'connecting'
  }

  private rooms(): string[] {
    const rooms = this.serverRooms.list()
    if (this.token !== null && this.live) rooms.unshift(ADMIN_ROOM)
    return rooms
  }

  /** State changes go out at once; counter changes are coalesced. */
  private statusChanged(): void {
    clearTimeout(this.statusTimer)
    this.statusTimer = undefined
    this.updatePoll()
    const status = this.getStatus()
    for (const tabId of [...this.tabs.keys()]) this.send(tabId, (listener) => listener.onStatus(status))
  }

  private statusChangedSoon(): void {
    this.updatePoll()
    if (this.statusTimer !== undefined) return
    this.statusTimer = setTimeout(() => this.statusChanged(), STATUS_COALESCE_MS)
  }
}
