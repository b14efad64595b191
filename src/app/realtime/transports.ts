/**
 * The ways a tab reaches a hub, best first: SharedWorker → leader tab (src/hub/hosts/leader.ts) →
 * a hub in this page (docs/architecture.md, "The hub and its hosts").
 */
import * as Comlink from 'comlink'
import { config } from '../../config'
import type { EventPortFormat, EventPortMessage, EventPortProbe, HelloRequest, HubApi, HubListener } from '@shared/hubApi'
import { hopBreakdown, hopNow, probeHubClock } from './hopLatency'
import type { HubMode } from '@shared/hubTypes'

/** How a tab reaches a hub: a SharedWorker port, an in-page hub, later a leader tab. */
export interface HubTransport {
  readonly mode: HubMode
  /** Starts (or reaches) the hub. Rejections make the client try the fallback transport. */
  connect(): Promise<HubApi>
  /** Prepares the listener for the trip (Comlink.proxy for a worker; identity in the page). */
  exportListener(listener: HubListener): HubListener
  /**
   * Adds what the transport needs to the hello (SharedWorker: the tab's event port, wired to
   * `listener.onEvent`). Called for every hello; a new port replaces the previous one.
   */
  prepareHello?(request: HelloRequest, listener: HubListener): HelloRequest
  /** Whether the hub is in another context and must learn of this tab's death through a lock. */
  readonly needsTabLock: boolean
  /** Leader mode: called when another tab took over the hub; the client says hello again. */
  onHubChanged?(callback: () => void): () => void
  /**
   * Entering the back/forward cache: let go of everything that could receive a message while the
   * page is frozen (Chromium evicts a cached page on a BroadcastChannel or SharedWorker message).
   */
  suspend?(): void
  /** Restored from the back/forward cache: undo `suspend`; resolves when the hub can be reached. */
  resume?(): Promise<void>
  dispose?(): void
}

/** The SharedWorker's name carries the build id: tabs of two builds never share a hub. */
const hubWorkerName = (buildId: string): string => `orderline-hub-${buildId}`

export const isSharedWorkerSupported = (): boolean => typeof SharedWorker !== 'undefined'

/**
 * Benchmark switch: localStorage 'orderline.hubEvents' = 'comlink' (events as Comlink calls, the
 * old path) | 'string' (the default) | 'object' | 'batched' | 'broadcast' — see EventPortFormat.
 */
const HUB_EVENTS_STORAGE_KEY = 'orderline.hubEvents'

function eventPortFormat(): EventPortFormat | null {
  let stored: string | null = null
  try {
    stored = globalThis.localStorage?.getItem(HUB_EVENTS_STORAGE_KEY) ?? null
  } catch {
    // storage blocked: the default
  }
  if (stored === 'comlink') return null
  return stored === 'object' || stored === 'batched' || stored === 'broadcast' ? stored : 'string'
}

/**
 * The tab's end of the event port: events to `listener.onEvent` with the hub's stamp put on this
 * tab's clock, and the probes that measure the offset between the two clocks.
 */
function openEventPort(listener: HubListener): { port: MessagePort; close(): void } {
  const channel = new MessageChannel()
  const local = channel.port1
  const clock = probeHubClock((probe) => local.postMessage({ kind: 'probe', probe } satisfies EventPortProbe))
  const parts = hopBreakdown()
  /** The message task started at `arrivedAt`; `postedAt`: the hub's clock when it posted it. */
  const handle = (event: Parameters<HubListener['onEvent']>[0], sentAt: number, arrivedAt: number, postedAt?: number): void => {
    const local = clock.toLocal(sentAt)
    if (!parts.enabled || postedAt === undefined) {
      void listener.onEvent(event, local)
      return
    }
    parts.record(event.type, local, clock.toLocal(postedAt), arrivedAt, hopNow())
    void listener.onEvent(event, local)
    parts.handled()
  }
  const deliver = (frame: string, arrivedAt: number, postedAt?: number): void => {
    const [event, sentAt] = JSON.parse(frame) as [Parameters<HubListener['onEvent']>[0], number]
    handle(event, sentAt, arrivedAt, postedAt)
  }
  // `broadcast` format: the hub's channel, while this tab holds the admin interest.
  const seen = new SeqWindow()
  let broadcast: BroadcastChannel | null = null
  const onFrame = (data: { seq: number; frame: string; postedAt?: number }, arrivedAt: number): void => {
    if (seen.first(data.seq)) deliver(data.frame, arrivedAt, data.postedAt)
  }
  const listen = (name: string | null): void => {
    broadcast?.close()
    broadcast = null
    if (name === null || typeof BroadcastChannel === 'undefined') return
    broadcast = new BroadcastChannel(name)
    broadcast.onmessage = (message: MessageEvent) => {
      const arrivedAt = hopNow()
      const data = message.data as Partial<{ kind: string; seq: unknown; frame: unknown; postedAt: unknown }> | null
      if (data?.kind !== 'frame' || typeof data.seq !== 'number' || typeof data.frame !== 'string') return
      onFrame({ seq: data.seq, frame: data.frame, ...(typeof data.postedAt === 'number' ? { postedAt: data.postedAt } : {}) }, arrivedAt)
    }
    local.postMessage({ kind: 'listening', name } satisfies EventPortProbe)
  }
  local.onmessage = (message: MessageEvent) => {
    const arrivedAt = hopNow()
    const data = message.data as EventPortMessage
    if (data.kind === 'frames') for (const frame of data.frames) deliver(frame, arrivedAt, data.postedAt)
    else if (data.kind === 'frame') onFrame(data, arrivedAt)
    else if (data.kind === 'event') handle(data.event, data.sentAt, arrivedAt, data.postedAt)
    else if (data.kind === 'clock') clock.answered(data.probe, data.hub)
    else if (data.kind === 'channel') listen(data.name)
  }
  return {
    port: channel.port2,
    close() {
      clock.stop()
      listen(null)
      local.onmessage = null
      local.close()
    },
  }
}

/**
 * The hub's sequence numbers this tab has handled recently: while it joins or leaves the channel
 * an event can come both on the port and on the channel, and is handled once.
 */
export class SeqWindow {
  private readonly seen = new Set<number>()
  private readonly order: number[] = []

  constructor(private readonly size = 512) {}

  /** True the first time `seq` is seen (within the last `size` numbers). */
  first(seq: number): boolean {
    if (this.seen.has(seq)) return false
    this.seen.add(seq)
    this.order.push(seq)
    if (this.order.length > this.size) this.seen.delete(this.order.shift() as number)
    return true
  }
}

/** The normal mode: one hub per browser in a SharedWorker, reached through Comlink. */
export function sharedWorkerTransport(): HubTransport {
  let worker: SharedWorker | null = null
  let api: Promise<HubApi> | null = null
  let events: { port: MessagePort; close(): void } | null = null
  return {
    mode: 'shared-worker',
    needsTabLock: true,
    prepareHello(request, listener) {
      events?.close()
      events = null
      const format = eventPortFormat()
      if (!format) return request
      events = openEventPort(listener)
      return Comlink.transfer({ ...request, events: events.port, eventFormat: format }, [events.port])
    },
    connect() {
      api ??= new Promise<HubApi>((resolve, reject) => {
        worker = new SharedWorker(new URL('../../hub/hosts/sharedWorker.ts', import.meta.url), {
          type: 'module',
          name: hubWorkerName(config.buildId),
        })
        // A worker script that fails to load or evaluate reports here; hello would otherwise hang.
        worker.addEventListener('error', () => reject(new Error('hub worker failed to start')), { once: true })
        resolve(Comlink.wrap<HubApi>(worker.port) as unknown as HubApi)
      })
      return api
    },
    exportListener: (listener) => Comlink.proxy(listener),
    // Entering the back/forward cache: a message on the port would evict the page; the hub
    // forgets this tab at pagehide and the restore's hello opens a new port.
    suspend() {
      events?.close()
      events = null
    },
    dispose() {
      events?.close()
      events = null
      worker?.port.close()
    },
  }
}

/**
 * The last rung: no SharedWorker and no Web Locks/BroadcastChannel (or forced): host the hub in
 * this page, one socket per tab. Leader mode (leader/leaderTransport.ts) comes before it.
 */
export function directTransport(): HubTransport {
  let api: Promise<HubApi> | null = null
  let stop: (() => void) | null = null
  return {
    mode: 'direct',
    needsTabLock: false,
    connect() {
      // Lazy: socket.io-client and the hub stay out of the main chunk.
      api ??= import('../../hub/hosts/direct').then(({ createDirectHub }) => {
        const direct = createDirectHub()
        stop = direct.stop
        return direct.api
      })
      return api
    },
    exportListener: (listener) => listener,
    dispose() {
      stop?.()
    },
  }
}
