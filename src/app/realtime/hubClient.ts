/**
 * A tab's end of the hub, whatever carries it. It keeps what the tab asked for (watches with a
 * per-tab count, the last credentials) so it can replay them to a hub that forgot this tab:
 * after a bfcache restore, or when it falls back to another transport.
 */
import type { Ack, ServerEvent } from '../../protocol'
import type { HubApi, HubListener } from '@shared/hubApi'
import { hopLatency, hopNow } from './hopLatency'
import type { HubTransport } from './transports'
import { watchPageLifecycle } from './pageLifecycle'
import { initialStatus } from './status'
import { TabWatches, interestKeyOf } from './tabWatches'
import { holdTabLock, tabLockName } from './tabLock'
import {
  HUB_PROTOCOL_VERSION,
  failedPoll,
  type HubMode,
  type HubStatus,
  type Interest,
  type PollOutcome,
  type PollPlan,
  type RealtimeClient,
} from '@shared/hubTypes'

export interface HubClientOptions {
  build: string
  /** Used when the primary transport fails or refuses the handshake. */
  fallback?: () => HubTransport
  /** A hub that has not answered hello by then is considered broken. */
  helloTimeoutMs?: number
  log?: (message: string, detail?: unknown) => void
  /** Relays a fallback poll tick to the service worker (src/app/offline/pollRelay.ts). */
  relayPoll?: (plan: PollPlan) => Promise<PollOutcome>
  /** VITE_ENABLE_SOCKET=false: the hub runs without a socket; the client reports mode 'disabled'. */
  socketDisabled?: boolean
}

const HELLO_TIMEOUT_MS = 10_000

export class HubClient implements RealtimeClient {
  readonly tabId: string = crypto.randomUUID()
  private transport: HubTransport
  private api: Promise<HubApi>
  private status: HubStatus
  private readonly eventListeners = new Set<(event: ServerEvent) => void>()
  private readonly statusListeners = new Set<(status: HubStatus) => void>()
  private readonly watches: TabWatches
  /** undefined: this tab never set credentials, so it does not replay any. */
  private credentials: string | null | undefined
  private releaseLock: (() => void) | null = null
  private lock: Promise<unknown>
  /**
   * Back/forward cache restores so far. The hub forgot this tab while it was cached, so events
   * were missed although the hub's stream (hubId, syncEpoch) did not break: each restore counts
   * as one more sync epoch in what this tab reports, which makes the stores resync.
   */
  private restores = 0
  private closed = false
  /**
   * What the hub calls. It never throws back: a rejection would tell the hub this tab is dead,
   * so a bug in one app listener is logged here instead of cutting the tab off.
   */
  private readonly listener: HubListener = {
    onEvent: (event, sentAt) => {
      if (typeof sentAt === 'number') hopLatency.record(hopNow() - sentAt)
      for (const listener of this.eventListeners) this.safely(() => listener(event))
    },
    onStatus: (status) => this.setStatus(this.fromHub(status)),
    onPollTick: async (plan) => {
      const relay = this.options.relayPoll
      if (!relay) return failedPoll()
      try {
        return await relay(plan)
      } catch (error) {
        this.options.log?.('poll relay failed', error)
        return failedPoll()
      }
    },
  }

  constructor(
    transport: HubTransport,
    private readonly options: HubClientOptions,
  ) {
    this.transport = transport
    this.status = initialStatus(transport.mode)
    this.watches = new TabWatches(this.tabId, () => this.api, options.log)
    this.lock = this.holdLock()
    this.api = this.start()
    this.api.catch((error: unknown) => this.unreachable(error))
    this.stopLifecycle = watchPageLifecycle({
      hide: (persisted) => this.onPageHide(persisted),
      restore: () => this.onRestore(),
      visibility: () => this.onVisibility(),
    })
    this.stopHubChanged = transport.onHubChanged?.(() => this.rejoin()) ?? null
  }

  private stopHubChanged: (() => void) | null
  private readonly stopLifecycle: () => void

  get mode(): HubMode {
    return this.options.socketDisabled ? 'disabled' : this.transport.mode
  }

  /** The transport actually in use (diagnostics: shared-worker, leader or direct). */
  get transportMode(): HubMode {
    return this.transport.mode
  }

  interests(): Interest[] {
    return this.watches.interests()
  }

  /** Asks the hub for its status now (diagnostics refresh). */
  async refreshStatus(): Promise<HubStatus> {
    const status = this.fromHub(await (await this.api).getStatus())
    this.setStatus(status)
    return status
  }

  onEvent(listener: (event: ServerEvent) => void): () => void {
    this.eventListeners.add(listener)
    return () => this.eventListeners.delete(listener)
  }

  onStatus(listener: (status: HubStatus) => void): () => void {
    this.statusListeners.add(listener)
    listener(this.status)
    return () => this.statusListeners.delete(listener)
  }

  watchOrder(orderId: string, token: string): Promise<Ack> {
    return this.watches.watch({ kind: 'order', orderId, token })
  }

  unwatchOrder(orderId: string): Promise<void> {
    return this.watches.unwatch(interestKeyOf({ kind: 'order', orderId, token: '' }))
  }

  watchAdmin(): Promise<Ack> {
    return this.watches.watch({ kind: 'admin' })
  }

  unwatchAdmin(): Promise<void> {
    return this.watches.unwatch('admin')
  }

  watchStats(): Promise<Ack> {
    return this.watches.watch({ kind: 'stats' })
  }

  unwatchStats(): Promise<void> {
    return this.watches.unwatch('stats')
  }

  async setCredentials(token: string | null): Promise<void> {
    this.credentials = token
    try {
      await (await this.api).setCredentials(token)
    } catch (error) {
      this.options.log?.('setCredentials failed', error)
    }
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.stopLifecycle()
    this.stopHubChanged?.()
    this.api.then((api) => api.bye(this.tabId)).catch(() => {})
    this.releaseLock?.()
    this.transport.dispose?.()
    this.eventListeners.clear()
    this.statusListeners.clear()
  }

  // ---- internals ----

  /** No hub at all: say so (the fallback poll carries on); calls answer hub_unavailable. */
  private unreachable(error: unknown): void {
    this.options.log?.('no realtime hub', error)
    if (this.closed) return
    this.setStatus({ ...initialStatus(this.transport.mode, 'offline'), lastError: error instanceof Error ? error.message : String(error) })
  }

  private setStatus(status: HubStatus): void {
    this.status = status
    for (const listener of this.statusListeners) this.safely(() => listener(status))
  }

  private safely(call: () => void): void {
    try {
      call()
    } catch (error) {
      console.error('[realtime] listener failed', error)
    }
  }

  /** Connects and says hello; on failure or refusal switches to the fallback transport once. */
  private async start(): Promise<HubApi> {
    try {
      return await this.hello(this.transport)
    } catch (error) {
      const fallback = this.options.fallback
      if (!fallback || this.closed) throw error
      this.options.log?.(`${this.transport.mode} hub unavailable, falling back`, error)
      this.transport.dispose?.()
      this.stopHubChanged?.()
      this.transport = fallback()
      this.stopHubChanged = this.transport.onHubChanged?.(() => this.rejoin()) ?? null
      this.setStatus(initialStatus(this.transport.mode))
      const api = await this.hello(this.transport)
      await this.replay(api)
      return api
    }
  }

  private async hello(transport: HubTransport): Promise<HubApi> {
    if (transport.needsTabLock) await this.lock // the hub must not be granted the lock before we hold it
    const api = await transport.connect()
    const lockName = transport.needsTabLock && this.releaseLock ? tabLockName(this.tabId) : null
    const request = { tabId: this.tabId, protocol: HUB_PROTOCOL_VERSION, build: this.options.build, lockName }
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('hub did not answer hello')), this.options.helloTimeoutMs ?? HELLO_TIMEOUT_MS)
    })
    try {
      const result = await Promise.race([
        api.hello(
          transport.prepareHello ? transport.prepareHello(request, this.listener) : request,
          transport.exportListener(this.listener),
        ),
        timeout,
      ])
      if (!result.ok) throw new Error(`hub refused hello: ${result.error.code} ${result.error.message}`)
      this.setStatus(this.fromHub(result.status))
      this.reportVisibility(api)
      return api
    } finally {
      clearTimeout(timer)
    }
  }

  /** Tells a hub that does not know this tab everything the tab had asked for. */
  private async replay(api: HubApi): Promise<void> {
    if (this.credentials !== undefined) await api.setCredentials(this.credentials)
    await this.watches.replay(api)
  }

  /** Holds this tab's liveness lock (again after a bfcache restore). */
  private holdLock(): Promise<void> {
    return holdTabLock(tabLockName(this.tabId)).then((release) => {
      this.releaseLock = release
      if (this.closed) release?.()
    })
  }

  private fromHub(status: HubStatus): HubStatus {
    return this.restores === 0 ? status : { ...status, syncEpoch: (status.syncEpoch ?? 0) + this.restores }
  }

  /**
   * Leaving (or entering the back/forward cache): free our rooms now, not at lock grant. A cached
   * page also lets go of its lock — for the hub it is gone until restored, and a lock wanted by
   * someone else would get it evicted — and of the transport's channels.
   */
  private onPageHide(persisted: boolean): void {
    if (this.closed) return
    this.api.then((api) => api.bye(this.tabId)).catch(() => {})
    if (!persisted) return
    this.transport.suspend?.()
    // Chained: a lock still being acquired is let go of as soon as it is held.
    this.lock = this.lock.then(() => {
      this.releaseLock?.()
      this.releaseLock = null
    })
  }

  /** Restored from the back/forward cache: the hub forgot us at pagehide; say hello again. */
  private onRestore(): void {
    if (this.closed) return
    this.restores++
    this.lock = this.lock.then(() => this.holdLock())
    this.rejoin(this.transport.resume?.())
  }

  /** Says hello again and replays everything this tab asked for (bfcache restore, new leader). */
  private rejoin(resumed: Promise<void> = Promise.resolve()): void {
    if (this.closed) return
    const transport = this.transport
    this.api = this.api
      .catch(() => transport.connect())
      .then(async () => {
        await resumed
        const api = await this.hello(transport)
        await this.replay(api)
        return api
      })
    this.api.catch((error: unknown) => this.unreachable(error))
  }

  private reportVisibility(api: HubApi): void {
    const visible = globalThis.document ? globalThis.document.visibilityState === 'visible' : true
    api.setVisibility?.(this.tabId, visible)?.catch(() => {})
  }

  /** Visible again: tell the hub (it prefers visible tabs for poll relays) and catch up now. */
  private onVisibility(): void {
    if (this.closed) return
    this.api
      .then((api) => {
        this.reportVisibility(api)
        if (globalThis.document?.visibilityState === 'visible') return api.pollNow?.()
      })
      .catch(() => {})
  }
}
