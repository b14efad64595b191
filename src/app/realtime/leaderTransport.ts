/**
 * Leader mode (docs/architecture.md), for browsers without a usable SharedWorker: every tab queues for one
 * Web Lock; the holder hosts the hub in its page (src/hub/hosts/leader.ts) and all tabs, itself included,
 * talk to it over BroadcastChannel. When the leader's page goes away its lock is released, the
 * next tab in the queue is granted it within milliseconds, starts a new hub and announces itself;
 * the other tabs then say hello again, replay their watches and resync (new hubId).
 */
import { config } from '../../config'
import type { HelloRequest, HelloResult, HubApi, HubListener } from '../../shared/hubApi'
import type { HubTransport } from './hubClient'
import type { HubStatus, PollPlan } from '../../shared/hubTypes'
import { leaderChannelName, leaderLockName, parseLeaderMessage, type HubMethod, type TabMessage } from '../../shared/leaderMessages'

/** A call the leader never answers (it died mid-call) fails after this; the hand-over replays it. */
const CALL_TIMEOUT_MS = 8_000
/** How often a tab that has not heard of a leader yet asks for one. */
const PING_EVERY_MS = 250

export const isLeaderModeSupported = (): boolean =>
  typeof BroadcastChannel !== 'undefined' && typeof navigator !== 'undefined' && navigator.locks !== undefined

/** This tab's leadership, for diagnostics and tests (html[data-hub-leader]). */
export const leaderState = { isLeader: false, leaderId: null as string | null, handovers: 0, lastHandoverAt: null as number | null }

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: ReturnType<typeof setTimeout> }

export function leaderTransport(log: (message: string, detail?: unknown) => void = () => {}): HubTransport {
  let channel: BroadcastChannel | null = null
  const pending = new Map<string, Pending>()
  const hubChanged = new Set<() => void>()
  let listener: HubListener | null = null
  let myTabId: string | null = null
  let currentLeader: string | null = null
  let leaderKnown: (() => void) | null = null
  /** Resolves once a leader is known; renewed while the page sits in the back/forward cache. */
  let ready = new Promise<void>((resolve) => (leaderKnown = resolve))
  let stopHost: (() => void) | null = null
  /** Aborts this page's place in the leader queue (and its leadership): dispose, or bfcache. */
  let abort = new AbortController()
  let suspended = false
  let disposed = false

  const post = (message: TabMessage): void => channel?.postMessage(message)

  function call<T>(method: HubMethod, tabId: string, args: unknown[]): Promise<T> {
    // Would be sent after the restore, ahead of the new hello: refuse, the client replays.
    if (suspended) return Promise.reject(new Error('page is in the back/forward cache'))
    return ready.then(
      () =>
        new Promise<T>((resolve, reject) => {
          if (suspended) return reject(new Error('page is in the back/forward cache'))
          const callId = crypto.randomUUID()
          const timer = setTimeout(() => {
            pending.delete(callId)
            reject(new Error(`leader did not answer ${method}`))
          }, CALL_TIMEOUT_MS)
          pending.set(callId, { resolve: resolve as (value: unknown) => void, reject, timer })
          post({ kind: 'call', callId, tabId, method, args })
        }),
    )
  }

  function onLeader(leaderId: string): void {
    if (leaderId === currentLeader) return
    const previous = currentLeader
    currentLeader = leaderId
    leaderState.leaderId = leaderId
    leaderKnown?.()
    leaderKnown = null
    if (previous === null) return
    // Calls sent to the dead leader will never be answered: fail them now; the client replays.
    for (const [callId, entry] of pending) {
      clearTimeout(entry.timer)
      entry.reject(new Error('leader changed'))
      pending.delete(callId)
    }
    leaderState.handovers++
    leaderState.lastHandoverAt = Date.now()
    log('leader changed', { from: previous, to: leaderId })
    for (const callback of hubChanged) callback()
  }

  function onMessage(event: MessageEvent): void {
    const message = parseLeaderMessage(event.data)
    if (!message) return
    if (message.kind === 'leader') return onLeader(message.leaderId)
    if (message.tabId !== myTabId) return
    switch (message.kind) {
      case 'reply': {
        const entry = pending.get(message.callId)
        if (!entry) return
        clearTimeout(entry.timer)
        pending.delete(message.callId)
        entry.resolve(message.result)
        return
      }
      case 'event':
        void listener?.onEvent(message.event, message.sentAt)
        return
      case 'status':
        void listener?.onStatus(message.status)
        return
      case 'poll':
        void relayPoll(message.pollId, message.plan)
        return
    }
  }

  function openChannel(): void {
    channel = new BroadcastChannel(leaderChannelName(config.buildId))
    channel.onmessage = onMessage
  }

  async function relayPoll(pollId: string, plan: PollPlan): Promise<void> {
    const outcome = listener?.onPollTick ? await listener.onPollTick(plan).catch(() => ({ ok: false, orders: [] })) : { ok: false, orders: [] }
    post({ kind: 'pollResult', pollId, outcome })
  }

  /** Stops hosting the hub (idempotent): dispose, bfcache, or the lock request was aborted. */
  function stopHosting(): void {
    stopHost?.()
    stopHost = null
    if (!leaderState.isLeader) return
    leaderState.isLeader = false
    delete document.documentElement.dataset.hubLeader
  }

  /** Queue for leadership for the page's whole life; granted when every earlier holder is gone. */
  function elect(): void {
    const { signal } = abort
    navigator.locks
      .request(leaderLockName(config.buildId), { signal }, async () => {
        const leaderId = crypto.randomUUID()
        let host: Awaited<ReturnType<typeof import('../../hub/hosts/leader').startLeaderHost>>
        try {
          host = (await import('../../hub/hosts/leader')).startLeaderHost(leaderId, log)
        } catch (error) {
          // Could not host (chunk failed to load): let the next tab lead, and queue again.
          log('could not become leader', error)
          setTimeout(() => !signal.aborted && elect(), 1_000)
          return
        }
        if (signal.aborted) return host.stop() // suspended while the module loaded
        stopHost = host.stop
        leaderState.isLeader = true
        document.documentElement.dataset.hubLeader = 'true'
        // The host's own channel object delivers its 'leader' announcement to ours too; in case
        // of ordering surprises, learn it directly as well.
        onLeader(leaderId)
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
        stopHosting()
      })
      .catch(() => {
        /* aborted on dispose */
      })
  }

  const api: HubApi = {
    hello(request: HelloRequest, tabListener: HubListener) {
      myTabId = request.tabId
      listener = tabListener
      return call<HelloResult>('hello', request.tabId, [request])
    },
    watch: (tabId, interest) => call('watch', tabId, [interest]),
    unwatch: (tabId, interest) => call('unwatch', tabId, [interest]),
    setCredentials: (token) => call('setCredentials', myTabId ?? 'anonymous', [token]),
    getStatus: () => call<HubStatus>('getStatus', myTabId ?? 'anonymous', []),
    setVisibility: (tabId, visible) => call('setVisibility', tabId, [visible]),
    pollNow: () => call('pollNow', myTabId ?? 'anonymous', []),
    bye: (tabId) => call('bye', tabId, []),
  }

  /** Opens the channel, queues for leadership and asks who leads until someone answers. */
  async function findLeader(): Promise<void> {
    openChannel()
    elect()
    const ping = setInterval(() => post({ kind: 'ping' }), PING_EVERY_MS)
    post({ kind: 'ping' })
    try {
      await ready
    } finally {
      clearInterval(ping)
    }
  }

  let connecting: Promise<HubApi> | null = null
  return {
    mode: 'leader',
    needsTabLock: true,
    connect() {
      connecting ??= (async () => {
        await findLeader()
        // Warm the host module now, so a follower that inherits the lock starts its hub at once.
        if (!leaderState.isLeader) setTimeout(() => void import('../../hub/hosts/leader').catch(() => undefined), 2_000)
        return api
      })()
      return connecting
    },
    /**
     * Entering the back/forward cache: a message on the channel would evict the page, and a
     * frozen leader would leave every other tab without a hub. Say bye, step down (the next tab
     * in the queue takes over, as when a leader closes) and close the channel.
     */
    suspend() {
      if (suspended || disposed || !channel) return
      suspended = true
      if (myTabId && currentLeader) post({ kind: 'call', callId: crypto.randomUUID(), tabId: myTabId, method: 'bye', args: [] })
      for (const [callId, entry] of pending) {
        clearTimeout(entry.timer)
        entry.reject(new Error('page is in the back/forward cache'))
        pending.delete(callId)
      }
      abort.abort()
      stopHosting()
      channel.close()
      channel = null
      // Whoever leads after the restore is learnt afresh; the client says hello again itself.
      // (No leader known yet: the first connect still waits on the pending promise.)
      if (currentLeader !== null) ready = new Promise<void>((resolve) => (leaderKnown = resolve))
      currentLeader = null
      leaderState.leaderId = null
    },
    async resume() {
      if (!suspended || disposed) return ready
      suspended = false
      abort = new AbortController()
      await findLeader()
    },
    exportListener: (tabListener) => tabListener,
    onHubChanged(callback) {
      hubChanged.add(callback)
      return () => hubChanged.delete(callback)
    },
    dispose() {
      disposed = true
      abort.abort()
      stopHosting()
      channel?.close()
      channel = null
    },
  }
}
