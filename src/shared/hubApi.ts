/**
 * The tab ↔ hub API carried by Comlink (or called directly when the hub lives in the page).
 * Tab code imports this file with `import type` only, so no hub code reaches the page bundle.
 * Every method answers with a value; nothing throws across the worker boundary: a
 * rejection would surface in the other runtime as an unhandled error far from its cause.
 * Where the hub runs and how tabs reach it: docs/architecture.md.
 */
import type { Ack, ServerEvent } from '../protocol'
import type { HubStatus, Interest, PollOutcome, PollPlan } from './hubTypes'

/** What a tab passes (Comlink-proxied) to receive events and status. */
export interface HubListener {
  /**
   * `sentAt`: when the hub received it from its socket, in `performance.timeOrigin + performance.now()` ms (a
   * clock shared by the worker and the page), so the tab can measure the hub → tab hop.
   */
  onEvent(event: ServerEvent, sentAt?: number): void | Promise<void>
  onStatus(status: HubStatus): void | Promise<void>
  /**
   * One fallback poll tick (docs/architecture.md, "The fallback poll"): the hub asks ONE tab to
   * relay the plan to the service worker and reports what came back. Optional: a tab without it is never chosen.
   */
  onPollTick?(plan: PollPlan): Promise<PollOutcome>
}

export interface HelloRequest {
  tabId: string
  /** HUB_PROTOCOL_VERSION of the tab's build. */
  protocol: number
  /** config.buildId of the tab's build. */
  build: string
  /**
   * The Web Lock the tab holds for its lifetime; the hub requests it and is granted it when the
   * tab is gone. null when the tab has no Web Locks (then only `bye` on pagehide frees it).
   */
  lockName: string | null
  /**
   * SharedWorker mode: the tab's end of a dedicated MessageChannel (transferred with the hello)
   * that carries the event stream, so an event costs one postMessage per tab instead of a Comlink
   * call with its reply. Without it events go through `listener.onEvent`.
   */
  events?: MessagePort
  /** How events travel on `events` (EventPortFormat); the bench compares them. */
  eventFormat?: EventPortFormat
}

/**
 * How the hub posts events on a tab's event port: `string` — one JSON text per event, built once
 * and shared by every tab (a string clones as a copy, no object walk; the tab parses it);
 * `object` — the event as an object (a structured clone per tab); `batched` — `string`, with the
 * events of one task gathered into one post per tab; `broadcast` — `string` with a sequence
 * number, and while the tab holds the admin interest (every event goes to every admin tab) its
 * events come on the hub's BroadcastChannel instead: one post per event whatever the number of
 * admin tabs.
 */
export type EventPortFormat = 'string' | 'object' | 'batched' | 'broadcast'

/**
 * On the event port, hub → tab: events (`frames`: JSON texts of `[event, sentAt]`, or `event`
 * as an object; `postedAt`: the hub's clock when it posted this message, so a tab can tell the
 * hub's part of the hop from the wait for its own turn) and the answer to a clock probe. Tab → hub: the clock probe, so the tab can
 * put the hub's `sentAt` on its own clock (the renderer processes' clocks may disagree).
 */
export type EventPortMessage =
  | { kind: 'frames'; frames: string[]; postedAt?: number }
  | { kind: 'event'; event: ServerEvent; sentAt: number; postedAt?: number }
  | { kind: 'clock'; probe: number; hub: number }
  /** `broadcast` format: one event with the hub's sequence number (also what the channel carries). */
  | { kind: 'frame'; seq: number; frame: string; postedAt?: number }
  /** `broadcast` format: listen on this BroadcastChannel (null: stop listening). */
  | { kind: 'channel'; name: string | null }
/**
 * Tab → hub on the event port: the clock probe; and (`broadcast` format) "I am listening on the
 * channel", after which the hub sends this tab's events there rather than on the port.
 */
export type EventPortProbe = { kind: 'probe'; probe: number } | { kind: 'listening'; name: string }

export type HelloResult =
  { ok: true; status: HubStatus } | { ok: false; error: { code: 'protocol_mismatch' | 'build_mismatch' | 'bad_request'; message: string } }

export interface HubApi {
  /** Registers a tab (again after a bfcache restore: same tabId, fresh listener). */
  hello(request: HelloRequest, listener: HubListener): Promise<HelloResult>
  watch(tabId: string, interest: Interest): Promise<Ack>
  unwatch(tabId: string, interest: Interest): Promise<void>
  /** Admin token or null: the hub reconnects with it and every tab sees the new status. */
  setCredentials(token: string | null): Promise<void>
  getStatus(): Promise<HubStatus>
  /** The tab is (not) visible: visible tabs are preferred for relaying poll ticks. */
  setVisibility(tabId: string, visible: boolean): Promise<void>
  /** Runs a fallback poll tick now if the poll is active (foreground return, network back). */
  pollNow(): Promise<void>
  /** The tab is leaving (pagehide): frees its rooms and its listener now rather than at lock grant. */
  bye(tabId: string): Promise<void>
}
