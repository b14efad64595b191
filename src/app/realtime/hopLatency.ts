/**
 * Hub → tab hop latency, measured in the tab: the hub stamps each forwarded event with its send
 * time on the clock both sides share (performance.timeOrigin + performance.now()), the tab
 * subtracts on arrival. A rolling window keeps p50/p95 cheap and recent (diagnostics panel).
 */

const HOP_WINDOW = 200

export interface HopStats {
  count: number
  p50: number | null
  p95: number | null
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

  stats(): HopStats {
    const sorted = [...this.samples].sort((a, b) => a - b)
    return { count: this.total, p50: percentile(sorted, 50), p95: percentile(sorted, 95), last: this.samples.at(-1) ?? null }
  }
}

/** This tab's hop latency (one hub client per tab). */
export const hopLatency = new RollingLatency()

/** The shared clock the hub stamps with. */
export const hopNow = (): number => performance.timeOrigin + performance.now()
