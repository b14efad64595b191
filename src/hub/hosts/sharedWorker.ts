/**
 * SharedWorker entry: one hub per browser (per build: the worker's name carries the build id),
 * exposed to every tab that connects through Comlink. Only wiring lives here.
 */
import * as Comlink from 'comlink'
import { config } from '../../config'
import type { HubListener } from '../../shared/hubApi'
import { Hub } from '../hub'
import { createHubApi } from '../createHubApi'
import { socketIoFactory } from '../socketIo'

// Typed locally so this file also compiles in the app project (DOM lib has no SharedWorkerGlobalScope).
const scope = globalThis as unknown as {
  onconnect: ((event: MessageEvent) => void) | null
  location: { origin: string }
  navigator: { onLine: boolean; locks?: LockManager }
}

const log = (message: string, detail?: unknown) => console.debug(`[hub] ${message}`, detail ?? '')

const hub = new Hub({
  mode: 'shared-worker',
  // VITE_ENABLE_SOCKET=false: no socket at all, but the hub still hosts interests and the poll timer.
  createSocket: config.enableSocket ? socketIoFactory(config.apiUrl || scope.location.origin) : null,
  pollIntervalMs: config.pollIntervalMs,
  isOnline: () => scope.navigator.onLine !== false,
  releaseListener: (listener: HubListener) => {
    try {
      ;(listener as Partial<Comlink.ProxyMethods>)[Comlink.releaseProxy]?.()
    } catch {
      // already released
    }
  },
  log,
})

const api = createHubApi(hub, { build: config.buildId, locks: scope.navigator.locks, log })

scope.onconnect = (event: MessageEvent) => {
  const port = event.ports[0]
  if (port) Comlink.expose(api, port)
}

hub.start()
