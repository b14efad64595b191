/**
 * The hub's end of a tab's event port (SharedWorker mode): events go to the tab as one
 * postMessage each on a dedicated MessageChannel, not as a Comlink call (which adds a random
 * call id, a proxy walk and a reply per event per tab). Status and poll ticks still go through
 * the tab's Comlink listener. Formats and their figures: BENCHMARKS.md, "Fan-out latency".
 */
import type { ServerEvent } from '../protocol'
import type { EventPortFormat, EventPortMessage, EventPortProbe, HubListener } from '@shared/hubApi'

export interface PortListener extends HubListener {
  /** The tab's own (Comlink) listener, for status and poll ticks; released with this one. */
  readonly inner: HubListener
  close(): void
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
  value === 'string' || value === 'object' || value === 'batched'

/**
 * Wraps a tab's listener so events travel on `port` in `format`. The port also answers clock
 * probes with the hub's clock (performance.timeOrigin + now()), so the tab can measure the hop
 * on its own clock: two renderer processes may disagree on what that sum means.
 */
export function eventPortListener(inner: HubListener, port: MessagePort, format: EventPortFormat, now: () => number): PortListener {
  let queue: string[] | null = null
  const post = (message: EventPortMessage): void => port.postMessage(message)
  port.onmessage = (message: MessageEvent) => {
    const data = message.data as Partial<EventPortProbe> | null
    if (data?.kind === 'probe' && typeof data.probe === 'number') post({ kind: 'clock', probe: data.probe, hub: now() })
  }
  const listener: PortListener = {
    inner,
    onEvent(event, sentAt = now()) {
      if (format === 'object') return post({ kind: 'event', event, sentAt })
      const frame = frameOf(event, sentAt)
      if (format === 'string') return post({ kind: 'frames', frames: [frame] })
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
        post({ kind: 'frames', frames: batch })
      })
    },
    onStatus: (status) => inner.onStatus(status),
    close() {
      port.onmessage = null
      port.close()
    },
  }
  if (inner.onPollTick) listener.onPollTick = (plan) => inner.onPollTick!(plan)
  return listener
}
