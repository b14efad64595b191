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

// Read by bench/fanout.ts, which reports the hop per tab count from every tab's samples.
;(globalThis as { __orderlineHops?: () => number[] }).__orderlineHops = () => hopLatency.recent()
