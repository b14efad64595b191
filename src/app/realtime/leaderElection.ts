/**
 * The leader election: every tab queues for one Web Lock for its whole life; the holder loads the
 * hub host (src/hub/hosts/leader.ts) and serves the other tabs until its page goes away or the
 * election is aborted (dispose, back/forward cache). Lazy: the host module and socket.io-client
 * load only in the tab that wins.
 */
import { config } from '../../config'
import { leaderLockName } from '@shared/leaderMessages'

export const isLeaderModeSupported = (): boolean =>
  typeof BroadcastChannel !== 'undefined' && typeof navigator !== 'undefined' && navigator.locks !== undefined

interface LeaderSnapshot {
  isLeader: boolean
  leaderId: string | null
  handovers: number
  lastHandoverAt: number | null
}

const state: LeaderSnapshot = { isLeader: false, leaderId: null, handovers: 0, lastHandoverAt: null }

/** This tab's leadership, for diagnostics (also on `html[data-hub-leader]` for tests). */
export function leaderSnapshot(): Readonly<LeaderSnapshot> {
  return { ...state }
}

/** Records which leader this tab follows, and counts a hand-over. */
export function noteLeader(leaderId: string | null, handover: boolean): void {
  state.leaderId = leaderId
  if (!handover) return
  state.handovers++
  state.lastHandoverAt = Date.now()
}

export const isThisTabLeader = (): boolean => state.isLeader

/** Loads the host module ahead of time, so a follower that inherits the lock starts its hub at once. */
export function warmLeaderHost(): void {
  void import('../../hub/hosts/leader').catch(() => undefined)
}

export interface LeaderElection {
  /** Queues for leadership until `signal` aborts; `onElected` gets the new hub's id. */
  elect(signal: AbortSignal): void
  /** Stops hosting the hub (idempotent). */
  stopHosting(): void
}

export function createLeaderElection(options: {
  log: (message: string, detail?: unknown) => void
  onElected: (leaderId: string) => void
}): LeaderElection {
  let stopHost: (() => void) | null = null

  function stopHosting(): void {
    stopHost?.()
    stopHost = null
    if (!state.isLeader) return
    state.isLeader = false
    delete document.documentElement.dataset.hubLeader
  }

  function elect(signal: AbortSignal): void {
    navigator.locks
      .request(leaderLockName(config.buildId), { signal }, async () => {
        const leaderId = crypto.randomUUID()
        let host: { stop(): void }
        try {
          host = (await import('../../hub/hosts/leader')).startLeaderHost(leaderId, options.log)
        } catch (error) {
          // Could not host (chunk failed to load): let the next tab lead, and queue again.
          options.log('could not become leader', error)
          setTimeout(() => !signal.aborted && elect(signal), 1_000)
          return
        }
        if (signal.aborted) return host.stop() // suspended while the module loaded
        stopHost = () => host.stop()
        state.isLeader = true
        document.documentElement.dataset.hubLeader = 'true'
        options.onElected(leaderId)
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
        stopHosting()
      })
      .catch(() => {
        /* aborted on dispose or suspension */
      })
  }

  return { elect, stopHosting }
}
