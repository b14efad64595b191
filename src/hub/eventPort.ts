/**
 * The hub's end of a tab's event port (SharedWorker mode): events go to the tab as one
 * postMessage each on a dedicated MessageChannel, not as a Comlink call (which adds a random
 * call id, a proxy walk and a reply per event per tab). Status and poll ticks still go through
 * the tab's Comlink listener. Formats and their figures: BENCHMARKS.md, "Fan-out latency"; the
 * `broadcast` format (a bench variant) moves admin tabs to one BroadcastChannel post per event.
 */
import type { ServerEvent } from '../protocol'
import type { EventPortFormat, EventPortMessage, HubListener } from '@shared/hubApi'

export interface PortListener extends HubListener {
  /** The tab's own (Comlink) listener, for status and poll ticks; released with this one. */
  readonly inner: HubListener
  /** `broadcast` format: the tab now holds the admin interest: ask it to listen on the channel. */
  joinChannel(): void
  /** `broadcast` format: the tab let go of the admin interest: its events come on the port again. */
  leaveChannel(): void
  close(): void
}

/**
 * The hub's one BroadcastChannel for the events every admin tab gets (`broadcast` format): each
 * event is posted on it once, whatever the number of admin tabs listening. Every event carries
 * the hub's sequence number, on the channel and on the ports alike, so a tab that hears an event
 * both ways while it joins or leaves the channel handles it once.
 */
export interface EventBroadcaster {
  readonly name: string
  /** The sequence number of `event`, given at the first ask (one per event). */
  seqOf(event: ServerEvent): number
  /** Posts `event` on the channel unless it was already posted. */
  post(event: ServerEvent, sentAt: number): void
  close(): void
}

export function createEventBroadcaster(
  name: string,
  channel: Pick<BroadcastChannel, 'postMessage' | 'close'>,
  now: () => number,
): EventBroadcaster {
  let next = 0
  const seen = new WeakMap<ServerEvent, { seq: number; posted: boolean }>()
  const entry = (event: ServerEvent) => {
    let found = seen.get(event)
    if (!found) {
      found = { seq: ++next, posted: false }
      seen.set(event, found)
    }
    return found
  }
  return {
    name,
    seqOf: (event) => entry(event).seq,
    post(event, sentAt) {
      const found = entry(event)
      if (found.posted) return
      found.posted = true
      channel.postMessage({ kind: 'frame', seq: found.seq, frame: frameOf(event, sentAt), postedAt: now() } satisfies EventPortMessage)
    },
    close: () => channel.close(),
  }
}

/** JSON text of `[event, sentAt]`, built once per event: every tab it goes to gets the same string. */
const frames = new WeakMap<ServerEvent, { sentAt: number; frame: string }>()
function frameOf(event: ServerEvent, sentAt: number): string {
  const cached = frames.get(event)
  if (cached?.sentAt === sentAt) return cached.frame
  const frame = JSON.stringify([event, sentAt])
  frames.set(event, { sentAt, frame })
  return frame
}

export const isEventPortFormat = (value: unknown): value is EventPortFormat =>
  value === 'string' || value === 'object' || value === 'batched' || value === 'broadcast'

/**
 * Wraps a tab's listener so events travel on `port` in `format`. The port also answers clock
 * probes with the hub's clock (performance.timeOrigin + now()), so the tab can measure the hop
 * on its own clock: two renderer processes may disagree on what that sum means.
 */
export function eventPortListener(
  inner: HubListener,
  port: MessagePort,
  format: EventPortFormat,
  now: () => number,
  broadcaster?: EventBroadcaster,
): PortListener {
  let queue: string[] | null = null
  /** `broadcast`: the hub asked the tab to listen on the channel / the tab said it does. */
  let wantsChannel = false
  let onChannel = false
  const post = (message: EventPortMessage): void => port.postMessage(message)
  port.onmessage = (message: MessageEvent) => {
    const data = message.data as Partial<{ kind: string; probe: unknown; name: unknown }> | null
    if (data?.kind === 'probe' && typeof data.probe === 'number') post({ kind: 'clock', probe: data.probe, hub: now() })
    else if (data?.kind === 'listening' && wantsChannel && data.name === broadcaster?.name) onChannel = true
  }
  const listener: PortListener = {
    inner,
    onEvent(event, sentAt = now()) {
      if (format === 'object') return post({ kind: 'event', event, sentAt, postedAt: now() })
      if (format === 'broadcast' && broadcaster) {
        if (onChannel) return broadcaster.post(event, sentAt)
        return post({ kind: 'frame', seq: broadcaster.seqOf(event), frame: frameOf(event, sentAt), postedAt: now() })
      }
      const frame = frameOf(event, sentAt)
      if (format === 'string') return post({ kind: 'frames', frames: [frame], postedAt: now() })
      // batched: everything routed to this tab in this task goes as one post (a microtask, not a
      // timer: timers are throttled, and a batch must never wait for one).
      if (queue) {
        queue.push(frame)
        return
      }
      queue = [frame]
      queueMicrotask(() => {
        const batch = queue ?? []
        queue = null
        post({ kind: 'frames', frames: batch, postedAt: now() })
      })
    },
    onStatus: (status) => inner.onStatus(status),
    joinChannel() {
      if (format !== 'broadcast' || !broadcaster || wantsChannel) return
      wantsChannel = true
      post({ kind: 'channel', name: broadcaster.name })
    },
    leaveChannel() {
      if (!wantsChannel) return
      wantsChannel = false
      onChannel = false
      post({ kind: 'channel', name: null })
    },
    close() {
      wantsChannel = false
      onChannel = false
      port.onmessage = null
      port.close()
    },
  }
  if (inner.onPollTick) listener.onPollTick = (plan) => inner.onPollTick!(plan)
  return listener
}
