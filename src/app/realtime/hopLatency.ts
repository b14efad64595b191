/**
 * Hub → tab hop latency, measured in the tab: the hub stamps each event when it comes off its
 * socket (performance.timeOrigin + performance.now() in the hub), the tab subtracts that from
 * the same sum on arrival in its handler, after putting the stamp on its own clock (ClockOffset:
 * the sum is only as shared as the renderer processes' idea of the Unix epoch, which each
 * computes once when it starts and which drifts with the wall clock). A rolling window keeps
 * p50/p95/p99 cheap and recent (diagnostics panel; bench/fanout.ts reads the samples).
 */

const HOP_WINDOW = 200

export interface HopStats {
  count: number
  p50: number | null
  p95: number | null
  p99: number | null
  last: number | null
}

/** Nearest-rank percentile of an ascending array; null when empty. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank] ?? null
}

export class RollingLatency {
  private readonly samples: number[] = []
  private total = 0

  constructor(private readonly window = HOP_WINDOW) {}

  /** Records one hop; negative values (clock rounding) count as 0, absurd ones are ignored. */
  record(ms: number): void {
    if (!Number.isFinite(ms) || ms > 60_000) return
    this.samples.push(Math.max(0, ms))
    if (this.samples.length > this.window) this.samples.shift()
    this.total++
  }

  /** The samples in the window, oldest first. */
  recent(): number[] {
    return [...this.samples]
  }

  stats(): HopStats {
    const sorted = [...this.samples].sort((a, b) => a - b)
    return {
      count: this.total,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      last: this.samples.at(-1) ?? null,
    }
  }
}

/** This tab's hop latency (one hub client per tab). */
export const hopLatency = new RollingLatency()

/** The clock the hub stamps with, read in this context. */
export const hopNow = (): number => performance.timeOrigin + performance.now()

const PROBES_KEPT = 8
/**
 * A probe slower than this round trip says more about a busy thread than about the clocks (its
 * two legs were not equal): it is not used. Between two processes on one machine a quiet probe
 * comes back in well under a millisecond.
 */
const PROBE_MAX_RTT_MS = 2

/**
 * How far the hub's clock runs ahead of this tab's, from probes on the event port (the NTP rule:
 * the probe with the shortest round trip, offset = hub time − midpoint of send and receipt, so
 * the error is at most half that round trip, a few tens of microseconds).
 */
export class ClockOffset {
  private readonly probes: { rtt: number; offset: number }[] = []

  /** A probe sent at `sentAt` (tab clock) came back at `receivedAt` carrying the hub's `hubAt`. */
  sample(sentAt: number, hubAt: number, receivedAt: number): void {
    const rtt = receivedAt - sentAt
    if (!Number.isFinite(rtt) || rtt < 0 || rtt > PROBE_MAX_RTT_MS || !Number.isFinite(hubAt)) return
    this.probes.push({ rtt, offset: hubAt - (sentAt + receivedAt) / 2 })
    if (this.probes.length > PROBES_KEPT) this.probes.shift()
  }

  /** Whether a usable probe came back. */
  get known(): boolean {
    return this.probes.length > 0
  }

  /** Hub ms − tab ms; 0 until a usable probe came back. */
  get offset(): number {
    let best: { rtt: number; offset: number } | undefined
    for (const probe of this.probes) if (!best || probe.rtt < best.rtt) best = probe
    return best?.offset ?? 0
  }

  /** A hub timestamp on this tab's clock. */
  toLocal(hubAt: number): number {
    return hubAt - this.offset
  }
}

/** The last offset measured (diagnostics). */
export const hubClock = { offset: null as number | null }

/**
 * Clock probes: spaced, from a second after the hello (a probe queued while the hub is still busy
 * with the hello would come back late on one leg only and skew the offset), then one a minute
 * (the wall clock the offset rests on drifts).
 */
export const PROBE_DELAYS_MS = [1_000, 1_500, 2_000, 3_000, 5_000, 8_000]
export const PROBE_EVERY_MS = 60_000
/**
 * After the schedule, while no probe has come back quickly enough (every one met a busy thread:
 * a leader tab rendering, a loaded machine), one more a second, for up to a minute.
 */
const PROBE_RETRY_MS = 1_000
const PROBE_RETRIES = 60

/** One hub's clock as this tab measures it, whatever carries the probes (event port, leader channel). */
export interface ProbedClock {
  /** A hub stamp on this tab's clock (unchanged until a usable probe came back). */
  toLocal(hubAt: number): number
  /** The hub answered probe `probe` (this tab's stamp) with its clock `hub`. */
  answered(probe: number, hub: number): void
  /** Stops probing (the port or the hub is gone). */
  stop(): void
}

/**
 * Starts probing a hub's clock with `send(stamp)` on the schedule above. Answers to probes this
 * clock did not send (a previous hub's, another tab's) are ignored; every usable answer updates
 * what the diagnostics page shows.
 */
export function probeHubClock(send: (probe: number) => void, now: () => number = hopNow): ProbedClock {
  const clock = new ClockOffset()
  const pending = new Set<number>()
  const probe = (): void => {
    const stamp = now()
    // Answers come back within milliseconds or never (a hub gone): keep the last few only.
    if (pending.size >= 16) pending.delete(pending.values().next().value as number)
    pending.add(stamp)
    send(stamp)
  }
  const timers = PROBE_DELAYS_MS.map((delay) => setTimeout(probe, delay))
  const interval = setInterval(probe, PROBE_EVERY_MS)
  let retries = 0
  let retry: ReturnType<typeof setInterval> | undefined
  const lastScheduled = Math.max(...PROBE_DELAYS_MS)
  timers.push(
    setTimeout(() => {
      retry = setInterval(() => {
        if (clock.known || ++retries > PROBE_RETRIES) clearInterval(retry)
        else probe()
      }, PROBE_RETRY_MS)
    }, lastScheduled),
  )
  return {
    toLocal: (hubAt) => clock.toLocal(hubAt),
    answered(stamp, hub) {
      if (!pending.delete(stamp)) return
      clock.sample(stamp, hub, now())
      if (clock.known) hubClock.offset = clock.offset
    },
    stop() {
      for (const timer of timers) clearTimeout(timer)
      clearInterval(interval)
      clearInterval(retry)
      pending.clear()
    },
  }
}

/**
 * Where one hop went (bench only, on this tab's clock): `hub` — the hub's receipt to its post to
 * this tab (validation, routing, the posts to tabs before this one); `queue` — that post to the
 * start of the message task in this tab (IPC, and the wait for this renderer's main thread: for a
 * core, or behind other tasks); `ownBusy` — the part of `queue` during which this tab was still
 * busy with its previous event (the handler, then the frame that renders it); `handler` — the
 * message task's start to the handler (parsing). `gap`: since the previous event's post.
 */
export interface HopPart {
  type: string
  /** The hub's receipt, on this tab's clock (groups one event's parts across tabs). */
  at: number
  hop: number
  hub: number
  queue: number
  ownBusy: number
  handler: number
  gap: number
}

const HOP_PARTS_KEPT = 2_000

/**
 * Records HopParts when localStorage 'orderline.hopParts' is '1' (the fan-out bench sets it):
 * off, it costs nothing; on, each event costs this tab one animation-frame callback and one
 * message to itself (to learn when the frame that rendered the event was done).
 */
export class HopBreakdown {
  readonly parts: HopPart[] = []
  /** When this tab last finished work of its own on an event (handler, then its frame). */
  private busyUntil = Number.NEGATIVE_INFINITY
  private lastPostedAt: number | null = null
  private readonly frameDone: MessageChannel | null

  constructor(
    readonly enabled: boolean,
    private readonly now: () => number = hopNow,
  ) {
    this.frameDone = enabled && typeof MessageChannel !== 'undefined' ? new MessageChannel() : null
    if (this.frameDone) this.frameDone.port1.onmessage = () => this.busy(this.now())
  }

  /** An event posted at `postedAt` (tab clock) started its message task at `arrivedAt` and reached the handler at `handlerAt`. */
  record(type: string, sentAt: number, postedAt: number, arrivedAt: number, handlerAt: number): void {
    const queue = arrivedAt - postedAt
    this.parts.push({
      type,
      at: sentAt,
      hop: handlerAt - sentAt,
      hub: postedAt - sentAt,
      queue,
      ownBusy: Math.min(Math.max(0, this.busyUntil - postedAt), Math.max(0, queue)),
      handler: handlerAt - arrivedAt,
      gap: this.lastPostedAt === null ? Number.POSITIVE_INFINITY : postedAt - this.lastPostedAt,
    })
    this.lastPostedAt = postedAt
    if (this.parts.length > HOP_PARTS_KEPT) this.parts.shift()
  }

  /** The handler of an event returned: busy until now, and until the frame that renders it is done. */
  handled(): void {
    this.busy(this.now())
    const done = this.frameDone
    if (done && typeof requestAnimationFrame === 'function') requestAnimationFrame(() => done.port2.postMessage(null))
  }

  private busy(at: number): void {
    if (at > this.busyUntil) this.busyUntil = at
  }
}

function hopPartsWanted(): boolean {
  try {
    return globalThis.localStorage?.getItem('orderline.hopParts') === '1'
  } catch {
    return false
  }
}

let breakdown: HopBreakdown | null = null
/** This tab's breakdown (created at first use, so the storage switch is read in a page only). */
export function hopBreakdown(): HopBreakdown {
  breakdown ??= new HopBreakdown(hopPartsWanted())
  return breakdown
}

// Read by bench/fanout.ts, which reports the hop per tab count from every tab's samples.
;(globalThis as { __orderlineHops?: () => number[] }).__orderlineHops = () => hopLatency.recent()
;(globalThis as { __orderlineHopParts?: () => HopPart[] }).__orderlineHopParts = () => [...hopBreakdown().parts]
