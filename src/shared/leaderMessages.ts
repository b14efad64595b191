/**
 * The BroadcastChannel protocol between tabs and the leader tab that hosts the hub when there is
 * no SharedWorker (docs/architecture.md, "The hub and its hosts"). Every tab (the leader's own
 * page included) is a client on the channel; the leader's host is one more participant. Messages
 * are checked on arrival: the channel is same-origin, but another build or a bug must not crash a
 * tab.
 */
import type { ServerEvent } from '../protocol'
import type { HubStatus, PollOutcome, PollPlan } from './hubTypes'

/** The channel and the leader lock carry the build id: tabs of two builds never share a leader. */
export const leaderChannelName = (buildId: string): string => `orderline-hub-${buildId}`
export const leaderLockName = (buildId: string): string => `orderline-leader-${buildId}`

const HUB_METHODS = ['hello', 'watch', 'unwatch', 'setCredentials', 'getStatus', 'bye', 'setVisibility', 'pollNow'] as const
export type HubMethod = (typeof HUB_METHODS)[number]

/** Tab → leader. */
export type TabMessage =
  | { kind: 'call'; callId: string; tabId: string; method: HubMethod; args: unknown[] }
  | { kind: 'pollResult'; pollId: string; outcome: PollOutcome }
  /** "Who leads?": sent by a tab that has not seen a leader yet. */
  | { kind: 'ping' }
  /**
   * Clock probe (tab clock, performance.timeOrigin + now()): the leader answers at once with its
   * own clock, so the tab can put the hub's hop stamps on its own (another renderer process's
   * idea of that sum may differ).
   */
  | { kind: 'probe'; tabId: string; probe: number }

/** Leader → tabs. Per-tab messages carry the tabId; every other tab ignores them. */
export type LeaderMessage =
  | { kind: 'reply'; callId: string; tabId: string; result: unknown }
  | { kind: 'event'; tabId: string; event: ServerEvent; sentAt: number }
  | { kind: 'status'; tabId: string; status: HubStatus }
  | { kind: 'poll'; tabId: string; pollId: string; plan: PollPlan }
  /** A (new) leader is ready: tabs that knew another leader say hello again and resync. */
  | { kind: 'leader'; leaderId: string }
  /** The answer to a probe: the probe's own stamp and the leader's clock when it answered. */
  | { kind: 'clock'; tabId: string; probe: number; hub: number }

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null
const isString = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= 128
const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value)

/** Shape check of what the leader's host receives (the hub API validates the arguments again). */
export function parseTabMessage(data: unknown): TabMessage | null {
  if (!isRecord(data)) return null
  switch (data.kind) {
    case 'call':
      return isString(data.callId) &&
        isString(data.tabId) &&
        (HUB_METHODS as readonly unknown[]).includes(data.method) &&
        Array.isArray(data.args)
        ? (data as TabMessage)
        : null
    case 'pollResult':
      return isString(data.pollId) && isRecord(data.outcome) && typeof data.outcome.ok === 'boolean' && Array.isArray(data.outcome.orders)
        ? (data as TabMessage)
        : null
    case 'ping':
      return { kind: 'ping' }
    case 'probe':
      return isString(data.tabId) && isTime(data.probe) ? { kind: 'probe', tabId: data.tabId, probe: data.probe } : null
    default:
      return null
  }
}

/** Shape check of what a tab receives from the leader (events are validated again by the stores). */
export function parseLeaderMessage(data: unknown): LeaderMessage | null {
  if (!isRecord(data)) return null
  switch (data.kind) {
    case 'reply':
      return isString(data.callId) && isString(data.tabId) ? (data as LeaderMessage) : null
    case 'event':
      return isString(data.tabId) && isRecord(data.event) && typeof data.event.type === 'string' && typeof data.sentAt === 'number'
        ? (data as LeaderMessage)
        : null
    case 'status':
      return isString(data.tabId) && isRecord(data.status) && typeof data.status.state === 'string' ? (data as LeaderMessage) : null
    case 'poll':
      return isString(data.tabId) && isString(data.pollId) && isRecord(data.plan) && Array.isArray(data.plan.orders)
        ? (data as LeaderMessage)
        : null
    case 'leader':
      return isString(data.leaderId) ? { kind: 'leader', leaderId: data.leaderId } : null
    case 'clock':
      return isString(data.tabId) && isTime(data.probe) && isTime(data.hub)
        ? { kind: 'clock', tabId: data.tabId, probe: data.probe, hub: data.hub }
        : null
    default:
      return null
  }
}
