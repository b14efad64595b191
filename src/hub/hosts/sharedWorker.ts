/**
 * SharedWorker entry: one hub per browser (per build: the worker's name carries the build id),
 * exposed to every tab that connects through Comlink; events go on each tab's own event port
 * (../eventPort.ts) when the tab sends one with its hello. Only wiring lives here.
 */
import * as Comlink from 'comlink'
import type { HubApi, HubListener } from '@shared/hubApi'
import { eventPortListener, isEventPortFormat, type PortListener } from '../eventPort'
import { createHostedHub } from './createHostedHub'

// Typed locally so this file also compiles in the app project (DOM lib has no SharedWorkerGlobalScope).
const scope = globalThis as unknown as {
  onconnect: ((event: MessageEvent) => void) | null
  location: { origin: string }
  navigator: { onLine: boolean; locks?: LockManager }
}

const log = (message: string, detail?: unknown) => console.debug(`[hub] ${message}`, detail ?? '')

function releaseProxy(listener: HubListener): void {
  try {
    ;(listener as Partial<Comlink.ProxyMethods>)[Comlink.releaseProxy]?.()
  } catch {
    // already released
  }
}

const { api } = createHostedHub({
  mode: 'shared-worker',
  origin: scope.location.origin,
  isOnline: () => scope.navigator.onLine !== false,
  locks: scope.navigator.locks,
  releaseListener: (listener: HubListener) => {
    const port = listener as Partial<PortListener>
    if (port.inner && port.close) {
      port.close()
      releaseProxy(port.inner)
    } else releaseProxy(listener)
  },
  log,
})

const hopClock = (): number => performance.timeOrigin + performance.now()

const served: HubApi = {
  ...api,
  async hello(request, listener) {
    const { events, eventFormat, ...rest } = request
    if (!(events instanceof MessagePort)) return api.hello(rest, listener)
    const wrapped = eventPortListener(listener, events, isEventPortFormat(eventFormat) ? eventFormat : 'string', hopClock)
    const result = await api.hello(rest, wrapped)
    if (!result.ok) wrapped.close()
    return result
  },
}

scope.onconnect = (event: MessageEvent) => {
  const port = event.ports[0]
  if (port) Comlink.expose(served, port)
}
