/**
 * The one entry point the app uses: `getRealtimeClient()`, a singleton per tab that picks the
 * best available hub (docs/architecture.md) behind the same RealtimeClient interface:
 * SharedWorker → leader tab (Web Locks + BroadcastChannel) → a hub in this page ("direct").
 *
 * Test/benchmark switch: localStorage 'orderline.hubMode' = 'shared-worker' | 'leader' | 'direct'
 * starts at that rung of the ladder without a rebuild (an unsupported choice falls further down).
 */
import { config } from '../../config'
import { relayPoll } from '../offline/pollRelay'
import { HubClient } from './hubClient'
import { isLeaderModeSupported } from './leaderElection'
import { leaderTransport } from './leaderTransport'
import { directTransport, isSharedWorkerSupported, sharedWorkerTransport, type HubTransport } from './transports'
import type { ForcedHubMode, RealtimeClient } from '@shared/hubTypes'

export const HUB_MODE_STORAGE_KEY = 'orderline.hubMode'
/** A SharedWorker that has not answered hello by then is treated as missing (leader mode takes over). */
const SHARED_WORKER_HELLO_TIMEOUT_MS = 5_000

let client: RealtimeClient | null = null

const log = (message: string, detail?: unknown) => console.warn(`[realtime] ${message}`, detail ?? '')

/** The forced mode from localStorage, or null. Never throws (storage may be blocked). */
export function forcedHubMode(): ForcedHubMode | null {
  try {
    const value = globalThis.localStorage?.getItem(HUB_MODE_STORAGE_KEY)
    return value === 'shared-worker' || value === 'leader' || value === 'direct' ? value : null
  } catch {
    return null
  }
}

/** The rungs this browser can use, best first, starting at the forced mode if any. */
export function hubLadder(forced: ForcedHubMode | null = forcedHubMode()): ForcedHubMode[] {
  const ladder: ForcedHubMode[] = []
  if (isSharedWorkerSupported()) ladder.push('shared-worker')
  if (isLeaderModeSupported()) ladder.push('leader')
  ladder.push('direct')
  const start = forced ? ladder.indexOf(forced) : 0
  return start > 0 ? ladder.slice(start) : ladder
}

function transportFor(mode: ForcedHubMode): HubTransport {
  if (mode === 'shared-worker') return sharedWorkerTransport()
  if (mode === 'leader') return leaderTransport(log)
  return directTransport()
}

function createRealtimeClient(): RealtimeClient {
  const [first = 'direct', second] = hubLadder()
  // With VITE_ENABLE_SOCKET=false the hub still runs (no socket): it hosts interests and the poll timer.
  return new HubClient(transportFor(first), {
    build: config.buildId,
    // A SharedWorker that fails to start, refuses or never answers the handshake must not leave the tab dark.
    fallback: second ? () => transportFor(second) : undefined,
    helloTimeoutMs: first === 'shared-worker' ? SHARED_WORKER_HELLO_TIMEOUT_MS : undefined,
    relayPoll,
    socketDisabled: !config.enableSocket,
    log,
  })
}

/** This tab's realtime client, created on first use. */
export function getRealtimeClient(): RealtimeClient {
  client ??= createRealtimeClient()
  return client
}
