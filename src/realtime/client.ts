/**
 * The one entry point the app uses: `getRealtimeClient()`, a singleton per tab that picks the
 * best available hub (DESIGN §4) behind the same RealtimeClient interface.
 */
import { config } from '../config'
import { DisabledRealtimeClient } from './disabledClient'
import { HubClient } from './hubClient'
import { directTransport, isSharedWorkerSupported, sharedWorkerTransport } from './transports'
import type { RealtimeClient } from './types'

let client: RealtimeClient | null = null

const log = (message: string, detail?: unknown) => console.warn(`[realtime] ${message}`, detail ?? '')

function createRealtimeClient(): RealtimeClient {
  if (!config.enableSocket) return new DisabledRealtimeClient()
  // TODO(next issue): no SharedWorker but Web Locks + BroadcastChannel → leader-tab transport here.
  const transport = isSharedWorkerSupported() ? sharedWorkerTransport() : directTransport()
  return new HubClient(transport, {
    build: config.buildId,
    // A SharedWorker that fails to start or refuses the handshake must not leave the tab dark.
    fallback: transport.mode === 'direct' ? undefined : directTransport,
    log,
  })
}

/** This tab's realtime client, created on first use. */
export function getRealtimeClient(): RealtimeClient {
  client ??= createRealtimeClient()
  return client
}

/** Closes this tab's client (tests, full logout teardown); the next `getRealtimeClient()` makes a new one. */
export function closeRealtimeClient(): void {
  client?.close()
  client = null
}
