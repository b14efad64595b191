/**
 * SharedWorker entry: one hub per browser (per build: the worker's name carries the build id),
 * exposed to every tab that connects through Comlink; events go on each tab's own event port
 * (../eventPort.ts) when the tab sends one with its hello. Only wiring lives here.
 */
import * as Comlink from 'comlink'
import type { HubApi, HubListener } from '@shared/hubApi'
import { createEventBroadcaster, eventPortListener, isEventPortFormat, type EventBroadcaster, type PortListener } from '../eventPort'
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

/** tabId → its event port listener (the `broadcast` format moves admin tabs to the channel). */
const ports = new Map<string, PortListener>()

const { api } = createHostedHub({
  mode: 'shared-worker',
  origin: scope.location.origin,
  isOnline: () => scope.navigator.onLine !== false,
  locks: scope.navigator.locks,
  releaseListener: (listener: HubListener) => {
    const port = listener as Partial<PortListener>
    if (port.inner && port.close) {
      port.close()
      for (const [tabId, held] of ports) if (held === port) ports.delete(tabId)
      releaseProxy(port.inner)
    } else releaseProxy(listener)
  },
  log,
})

const hopClock = (): number => performance.timeOrigin + performance.now()

/** Opened when the first tab asks for the `broadcast` format (a bench variant); one per hub. */
let broadcaster: EventBroadcaster | null = null
function eventBroadcaster(): EventBroadcaster | undefined {
  if (typeof BroadcastChannel === 'undefined') return undefined
  if (!broadcaster) {
    // A name no other hub uses: tabs learn it from this hub over their own event port.
    const name = `orderline-hub-events-${crypto.randomUUID()}`
    broadcaster = createEventBroadcaster(name, new BroadcastChannel(name), hopClock)
  }
  return broadcaster
}

const isAdmin = (interest: unknown): boolean => (interest as { kind?: unknown } | null)?.kind === 'admin'

const served: HubApi = {
  ...api,
  async hello(request, listener) {
    const { events, eventFormat, ...rest } = request
    if (!(events instanceof MessagePort)) return api.hello(rest, listener)
    const format = isEventPortFormat(eventFormat) ? eventFormat : 'string'
    const wrapped = eventPortListener(listener, events, format, hopClock, format === 'broadcast' ? eventBroadcaster() : undefined)
    const result = await api.hello(rest, wrapped)
    if (!result.ok) wrapped.close()
    else ports.set(rest.tabId, wrapped)
    return result
  },
  // Every event goes to every tab holding the admin interest (RoomRefs.route), so such a tab
  // can take its events from the one channel post.
  async watch(tabId, interest) {
    const ack = await api.watch(tabId, interest)
    if (ack.ok && isAdmin(interest)) ports.get(tabId)?.joinChannel()
    return ack
  },
  async unwatch(tabId, interest) {
    if (isAdmin(interest)) ports.get(tabId)?.leaveChannel()
    return api.unwatch(tabId, interest)
  },
}

scope.onconnect = (event: MessageEvent) => {
  const port = event.ports[0]
  if (port) Comlink.expose(served, port)
}
