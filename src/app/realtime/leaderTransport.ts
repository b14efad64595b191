/**
 * Leader mode (docs/architecture.md), for browsers without a usable SharedWorker: every tab queues
 * for one Web Lock (leaderElection.ts); the holder hosts the hub in its page and all tabs, itself
 * included, talk to it over BroadcastChannel (leaderRpc.ts). When the leader's page goes away its
 * lock is released, the next tab in the queue is granted it within milliseconds, starts a new hub
 * and announces itself; the other tabs then say hello again, replay their watches and resync.
 */
import { config } from '../../config'
import type { HelloRequest, HelloResult, HubApi, HubListener } from '@shared/hubApi'
import { failedPoll, type HubStatus, type PollPlan } from '@shared/hubTypes'
import { leaderChannelName, parseLeaderMessage, type TabMessage } from '@shared/leaderMessages'
import { createLeaderElection, isThisTabLeader, noteLeader, warmLeaderHost } from './leaderElection'
import { createLeaderRpc } from './leaderRpc'
import { hubClock, probeHubClock, type ProbedClock } from './hopLatency'
import type { HubTransport } from './transports'

/** How often a tab that has not heard of a leader yet asks for one. */
const PING_EVERY_MS = 250
const CACHED = 'page is in the back/forward cache'

export function leaderTransport(log: (message: string, detail?: unknown) => void = () => {}): HubTransport {
  let channel: BroadcastChannel | null = null
  const hubChanged = new Set<() => void>()
  let listener: HubListener | null = null
  let myTabId: string | null = null
  let currentLeader: string | null = null
  let leaderKnown: (() => void) | null = null
  /** Resolves once a leader is known; renewed while the page sits in the back/forward cache. */
  let ready = new Promise<void>((resolve) => (leaderKnown = resolve))
  /** Aborts this page's place in the leader queue (and its leadership): dispose, or bfcache. */
  let abort = new AbortController()
  let suspended = false
  let disposed = false
  /**
   * The leader's clock as this tab measures it: probes on the channel, renewed with every hello
   * (a new leader is another renderer process, whose idea of the epoch may differ).
   */
  let clock: ProbedClock | null = null
  function stopProbes(): void {
    clock?.stop()
    clock = null
  }

  const post = (message: TabMessage): void => channel?.postMessage(message)
  const rpc = createLeaderRpc({ post, ready: () => ready, blocked: () => (suspended ? CACHED : null) })
  // The host's own channel object delivers its 'leader' announcement to ours too; in case of
  // ordering surprises, the elected tab learns it directly as well.
  const election = createLeaderElection({ log, onElected: (leaderId) => onLeader(leaderId) })

  function onLeader(leaderId: string): void {
    if (leaderId === currentLeader) return
    const previous = currentLeader
    currentLeader = leaderId
    noteLeader(leaderId, previous !== null)
    leaderKnown?.()
    leaderKnown = null
    if (previous === null) return
    // Calls sent to the dead leader will never be answered: fail them now; the client replays.
    rpc.failAll('leader changed')
    log('leader changed', { from: previous, to: leaderId })
    for (const callback of hubChanged) callback()
  }

  function onMessage(event: MessageEvent): void {
    const message = parseLeaderMessage(event.data)
    if (!message) return
    if (message.kind === 'leader') return onLeader(message.leaderId)
    if (message.tabId !== myTabId) return
    switch (message.kind) {
      case 'reply':
        return rpc.settle(message.callId, message.result)
      case 'event':
        void listener?.onEvent(message.event, clock ? clock.toLocal(message.sentAt) : message.sentAt)
        return
      case 'clock':
        clock?.answered(message.probe, message.hub)
        return
      case 'status':
        void listener?.onStatus(message.status)
        return
      case 'poll':
        void relayPoll(message.pollId, message.plan)
        return
    }
  }

  async function relayPoll(pollId: string, plan: PollPlan): Promise<void> {
    const outcome = listener?.onPollTick ? await listener.onPollTick(plan).catch(() => failedPoll()) : failedPoll()
    post({ kind: 'pollResult', pollId, outcome })
  }

  const api: HubApi = {
    hello(request: HelloRequest, tabListener: HubListener) {
      myTabId = request.tabId
      listener = tabListener
      stopProbes()
      hubClock.offset = null
      const tabId = request.tabId
      clock = probeHubClock((probe) => post({ kind: 'probe', tabId, probe }))
      return rpc.call<HelloResult>('hello', request.tabId, [request])
    },
    watch: (tabId, interest) => rpc.call('watch', tabId, [interest]),
    unwatch: (tabId, interest) => rpc.call('unwatch', tabId, [interest]),
    setCredentials: (token) => rpc.call('setCredentials', myTabId ?? 'anonymous', [token]),
    getStatus: () => rpc.call<HubStatus>('getStatus', myTabId ?? 'anonymous', []),
    setVisibility: (tabId, visible) => rpc.call('setVisibility', tabId, [visible]),
    pollNow: () => rpc.call('pollNow', myTabId ?? 'anonymous', []),
    bye: (tabId) => rpc.call('bye', tabId, []),
  }

  /** Opens the channel, queues for leadership and asks who leads until someone answers. */
  async function findLeader(): Promise<void> {
    channel = new BroadcastChannel(leaderChannelName(config.buildId))
    channel.onmessage = onMessage
    election.elect(abort.signal)
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
        if (!isThisTabLeader()) setTimeout(warmLeaderHost, 2_000)
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
      rpc.failAll(CACHED)
      stopProbes()
      abort.abort()
      election.stopHosting()
      channel.close()
      channel = null
      // Whoever leads after the restore is learnt afresh; the client says hello again itself.
      // (No leader known yet: the first connect still waits on the pending promise.)
      if (currentLeader !== null) ready = new Promise<void>((resolve) => (leaderKnown = resolve))
      currentLeader = null
      noteLeader(null, false)
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
      stopProbes()
      abort.abort()
      election.stopHosting()
      channel?.close()
      channel = null
    },
  }
}
