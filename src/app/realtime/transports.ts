/**
 * The ways a tab reaches a hub, best first: SharedWorker → leader tab (src/hub/hosts/leader.ts) →
 * a hub in this page (docs/architecture.md, "The hub and its hosts").
 */
import * as Comlink from 'comlink'
import { config } from '../../config'
import type { HubApi, HubListener } from '@shared/hubApi'
import type { HubMode } from '@shared/hubTypes'

/** How a tab reaches a hub: a SharedWorker port, an in-page hub, later a leader tab. */
export interface HubTransport {
  readonly mode: HubMode
  /** Starts (or reaches) the hub. Rejections make the client try the fallback transport. */
  connect(): Promise<HubApi>
  /** Prepares the listener for the trip (Comlink.proxy for a worker; identity in the page). */
  exportListener(listener: HubListener): HubListener
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

/** The normal mode: one hub per browser in a SharedWorker, reached through Comlink. */
export function sharedWorkerTransport(): HubTransport {
  let worker: SharedWorker | null = null
  let api: Promise<HubApi> | null = null
  return {
    mode: 'shared-worker',
    needsTabLock: true,
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
    dispose() {
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
