/**
 * Calls from this tab to the leader's hub over the BroadcastChannel, matched to their replies by
 * id. A call the leader never answers (it died mid-call) fails after a timeout; a hand-over or a
 * back/forward-cache suspension fails every pending call at once, and the client replays them.
 */
import type { HubMethod, TabMessage } from '@shared/leaderMessages'

/** A call the leader never answers fails after this; the hand-over replays it. */
const CALL_TIMEOUT_MS = 8_000

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: ReturnType<typeof setTimeout> }

export interface LeaderRpc {
  /** Sends once `ready` resolves; rejects at once while `blocked()` says why. */
  call<T>(method: HubMethod, tabId: string, args: unknown[]): Promise<T>
  /** A reply arrived for `callId`. */
  settle(callId: string, result: unknown): void
  /** Every pending call fails with `reason` (leader changed, page cached). */
  failAll(reason: string): void
}

export function createLeaderRpc(options: {
  post: (message: TabMessage) => void
  /** Resolves once a leader is known (read at each call: it is renewed after a suspension). */
  ready: () => Promise<void>
  /** A reason not to send now (the page is in the back/forward cache), or null. */
  blocked: () => string | null
}): LeaderRpc {
  const pending = new Map<string, Pending>()

  function call<T>(method: HubMethod, tabId: string, args: unknown[]): Promise<T> {
    // Would be sent after the restore, ahead of the new hello: refuse, the client replays.
    const refusal = options.blocked()
    if (refusal) return Promise.reject(new Error(refusal))
    return options.ready().then(
      () =>
        new Promise<T>((resolve, reject) => {
          const late = options.blocked()
          if (late) return reject(new Error(late))
          const callId = crypto.randomUUID()
          const timer = setTimeout(() => {
            pending.delete(callId)
            reject(new Error(`leader did not answer ${method}`))
          }, CALL_TIMEOUT_MS)
          pending.set(callId, { resolve: resolve as (value: unknown) => void, reject, timer })
          options.post({ kind: 'call', callId, tabId, method, args })
        }),
    )
  }

  function settle(callId: string, result: unknown): void {
    const entry = pending.get(callId)
    if (!entry) return
    clearTimeout(entry.timer)
    pending.delete(callId)
    entry.resolve(result)
  }

  function failAll(reason: string): void {
    for (const [callId, entry] of pending) {
      clearTimeout(entry.timer)
      entry.reject(new Error(reason))
      pending.delete(callId)
    }
  }

  return { call, settle, failAll }
}
