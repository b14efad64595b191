/**
 * The leader tab's side: hosts the same Hub as the SharedWorker, in this page, and serves every
 * tab (this one included) over BroadcastChannel. Loaded lazily, only by the tab that wins the
 * leader lock, so socket.io-client stays out of every other tab.
 */
import { config } from '../../config'
import type { HubApi, HubListener } from '@shared/hubApi'
import { createHostedHub } from './createHostedHub'
import { failedPoll, type PollOutcome } from '@shared/hubTypes'
import { leaderChannelName, parseTabMessage, type LeaderMessage, type TabMessage } from '@shared/leaderMessages'

/** A tab that does not answer a poll tick by then is skipped for this tick. */
const POLL_RELAY_TIMEOUT_MS = 15_000

export interface LeaderHost {
  readonly leaderId: string
  stop(): void
}

/**
 * Starts the hub in this page and answers calls on the channel. Tab liveness works as in the
 * SharedWorker: each tab holds its own Web Lock and this hub queues for it (createHubApi).
 */
export function startLeaderHost(leaderId: string, log: (message: string, detail?: unknown) => void = () => {}): LeaderHost {
  const channel = new BroadcastChannel(leaderChannelName(config.buildId))
  const post = (message: LeaderMessage): void => channel.postMessage(message)
  const pendingPolls = new Map<string, (outcome: PollOutcome) => void>()

  const stopped = new AbortController()
  const { hub, api } = createHostedHub({
    mode: 'leader',
    origin: location.origin,
    hubId: leaderId,
    isOnline: () => navigator.onLine !== false,
    locks: navigator.locks,
    stopped: stopped.signal,
    log,
  })

  const hopClock = (): number => performance.timeOrigin + performance.now()

  /** Stands in for a tab's Comlink listener: everything goes over the channel, tagged with its id. */
  function remoteListener(tabId: string): HubListener {
    return {
      onEvent: (event, sentAt) => post({ kind: 'event', tabId, event, sentAt: sentAt ?? hopClock() }),
      onStatus: (status) => post({ kind: 'status', tabId, status }),
      onPollTick: (plan) =>
        new Promise<PollOutcome>((resolve) => {
          const pollId = crypto.randomUUID()
          const timer = setTimeout(() => {
            pendingPolls.delete(pollId)
            resolve(failedPoll())
          }, POLL_RELAY_TIMEOUT_MS)
          pendingPolls.set(pollId, (outcome) => {
            clearTimeout(timer)
            pendingPolls.delete(pollId)
            resolve(outcome)
          })
          post({ kind: 'poll', tabId, pollId, plan })
        }),
    }
  }

  async function answer(message: Extract<TabMessage, { kind: 'call' }>): Promise<unknown> {
    const [a] = message.args
    switch (message.method) {
      case 'hello':
        if (typeof a !== 'object' || a === null || (a as { tabId?: unknown }).tabId !== message.tabId) {
          return { ok: false, error: { code: 'bad_request', message: 'hello from another tab id' } }
        }
        return api.hello(a as Parameters<HubApi['hello']>[0], remoteListener(message.tabId))
      case 'watch':
        return api.watch(message.tabId, a as Parameters<HubApi['watch']>[1])
      case 'unwatch':
        return api.unwatch(message.tabId, a as Parameters<HubApi['unwatch']>[1])
      case 'setCredentials':
        return api.setCredentials(typeof a === 'string' ? a : null)
      case 'getStatus':
        return api.getStatus()
      case 'bye':
        return api.bye(message.tabId)
      case 'setVisibility':
        return api.setVisibility(message.tabId, a === true)
      case 'pollNow':
        return api.pollNow()
    }
  }

  channel.onmessage = (event: MessageEvent) => {
    const message = parseTabMessage(event.data)
    if (!message) return
    if (message.kind === 'ping') return post({ kind: 'leader', leaderId })
    // Answered before anything else, with the clock the hub stamps events with (hopClock).
    if (message.kind === 'probe') return post({ kind: 'clock', tabId: message.tabId, probe: message.probe, hub: hopClock() })
    if (message.kind === 'pollResult') return pendingPolls.get(message.pollId)?.(message.outcome)
    answer(message).then(
      (result) => post({ kind: 'reply', callId: message.callId, tabId: message.tabId, result: result ?? null }),
      (error: unknown) => {
        log('leader call failed', { method: message.method, error })
        post({
          kind: 'reply',
          callId: message.callId,
          tabId: message.tabId,
          result: { ok: false, error: { code: 'internal_error', message: String(error) } },
        })
      },
    )
  }

  post({ kind: 'leader', leaderId })
  return {
    leaderId,
    stop() {
      stopped.abort()
      hub.stop()
      channel.close()
    },
  }
}
