/**
 * SharedWorker entry: one hub per browser (per build: the worker's name carries the build id),
 * exposed to every tab that connects through Comlink. Only wiring lives here.
 */
import * as Comlink from 'comlink'
import type { HubListener } from '@shared/hubApi'
import { createHostedHub } from './createHostedHub'

// Typed locally so this file also compiles in the app project (DOM lib has no SharedWorkerGlobalScope).
const scope = globalThis as unknown as {
  onconnect: ((event: MessageEvent) => void) | null
  location: { origin: string }
  navigator: { onLine: boolean; locks?: LockManager }
}

const log = (message: string, detail?: unknown) => console.debug(`[hub] ${message}`, detail ?? '')

const { api } = createHostedHub({
  mode: 'shared-worker',
  origin: scope.location.origin,
  isOnline: () => scope.navigator.onLine !== false,
  locks: scope.navigator.locks,
  releaseListener: (listener: HubListener) => {
    try {
      ;(listener as Partial<Comlink.ProxyMethods>)[Comlink.releaseProxy]?.()
    } catch {
      // already released
    }
  },
  log,
})

scope.onconnect = (event: MessageEvent) => {
  const port = event.ports[0]
  if (port) Comlink.expose(api, port)
}
