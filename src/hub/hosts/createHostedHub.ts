/**
 * The one factory behind the three hosts (SharedWorker, leader tab, this page): builds the Hub
 * from the build's configuration and wraps it in the API tabs call. The hosts differ only in how
 * that API reaches a tab (Comlink over a MessagePort, BroadcastChannel, a direct call).
 */
import { config } from '../../config'
import type { HubApi, HubListener } from '@shared/hubApi'
import type { HubMode } from '@shared/hubTypes'
import { createHubApi } from '../createHubApi'
import { Hub } from '../hub'
import { socketIoFactory } from '../socketIo'

export interface HostedHubOptions {
  mode: HubMode
  /** The origin the socket connects to when VITE_API_URL is unset (the host's own origin). */
  origin: string
  isOnline: () => boolean
  /** Identifies this hub instance (a leader hand-over makes a new one; tabs resync). */
  hubId?: string
  /** Lock manager for tab liveness; undefined: tabs are freed by `bye` only (direct mode). */
  locks?: LockManager
  /** Aborted when an in-page hub stops, so its queued lock requests go with it. */
  stopped?: AbortSignal
  releaseListener?: (listener: HubListener) => void
  log?: (message: string, detail?: unknown) => void
}

/** Builds and starts a hub; the caller stops it with `hub.stop()`. */
export function createHostedHub(options: HostedHubOptions): { hub: Hub; api: HubApi } {
  const { log, locks, stopped } = options
  const hub = new Hub({
    mode: options.mode,
    // VITE_ENABLE_SOCKET=false: no socket at all, but the hub still hosts interests and the poll timer.
    createSocket: config.enableSocket ? socketIoFactory(config.apiUrl || options.origin) : null,
    pollIntervalMs: config.pollIntervalMs,
    isOnline: options.isOnline,
    ...(options.hubId ? { hubId: options.hubId } : {}),
    ...(options.releaseListener ? { releaseListener: options.releaseListener } : {}),
    ...(log ? { log } : {}),
  })
  const api = createHubApi(hub, { build: config.buildId, locks, ...(log ? { log } : {}), ...(stopped ? { stopped } : {}) })
  hub.start()
  return { hub, api }
}
