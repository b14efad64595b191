/**
 * Delivery estimates from real stage durations. For each step of the forward path (placed →
 * confirmed → preparing → out_for_delivery → delivered) the median time the most recent orders
 * took is measured from their status history; a step with too little history uses a default.
 * The medians are cached and recomputed at most every `refreshMs` (by a background refresh, so
 * no request waits for it); adding an estimate to an order is arithmetic on the cache.
 *
 * The estimate depends only on the order's own timestamps and the medians, never on "now": the
 * same version renders the same estimate (its ETag stays honest) until the medians move. A step
 * running late is therefore not stretched: clients compare `at` with their clock.
 */
import type { Kysely } from 'kysely'
import { isTerminal } from '../../src/protocol/order'
import type { Order, OrderEstimate, OrderStatus, StatusHistoryEntry } from '../../src/protocol/order'
import type { Database } from './schema'

/** The forward path; each status but the last is a stage with a duration. */
const PATH = ['placed', 'confirmed', 'preparing', 'out_for_delivery', 'delivered'] as const satisfies readonly OrderStatus[]
type Stage = Exclude<(typeof PATH)[number], 'delivered'>
const STAGES: readonly Stage[] = ['placed', 'confirmed', 'preparing', 'out_for_delivery']

/** Defaults when history is thin: placed→confirmed 2 min, →preparing 3, →out_for_delivery 15, →delivered 20. */
export const DEFAULT_STAGE_MS: Readonly<Record<Stage, number>> = {
  placed: 2 * 60_000,
  confirmed: 3 * 60_000,
  preparing: 15 * 60_000,
  out_for_delivery: 20 * 60_000,
}
/** Samples per stage: the most recent orders that went through it. */
const STAGE_SAMPLE_SIZE = 50
/** Below this many samples a stage's median is noise: the default is used instead. */
export const MIN_STAGE_SAMPLES = 5
/** Orders read per refresh: enough for 50 samples of the last stage despite cancellations. */
const ORDERS_SCANNED = STAGE_SAMPLE_SIZE * 4

interface StageTiming {
  /** Median duration in ms, or null without any sample. */
  medianMs: number | null
  samples: number
}
export type StageTimings = Record<Stage, StageTiming>

function median(values: number[]): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/**
 * Medians per stage over the most recent orders (by number) that moved at least once. A stage's
 * duration is the time between entering it and entering the next status on the forward path;
 * cancellations and out-of-order entries are not durations and are skipped.
 */
async function measureStageTimings(db: Kysely<Database>): Promise<StageTimings> {
  const rows = await db
    .selectFrom('orders')
    .select('history_json')
    .where('status', '<>', 'placed')
    .orderBy('number', 'desc')
    .limit(ORDERS_SCANNED)
    .execute()
  const samples: Record<Stage, number[]> = { placed: [], confirmed: [], preparing: [], out_for_delivery: [] }
  for (const row of rows) {
    let history: StatusHistoryEntry[]
    try {
      history = JSON.parse(row.history_json) as StatusHistoryEntry[]
    } catch {
      continue
    }
    for (let i = 0; i + 1 < history.length; i++) {
      const from = history[i]!
      const to = history[i + 1]!
      const stage = from.status as Stage
      const index = PATH.indexOf(stage)
      if (index < 0 || index >= STAGES.length || PATH[index + 1] !== to.status) continue
      const ms = Date.parse(to.at) - Date.parse(from.at)
      if (Number.isFinite(ms) && ms >= 0 && samples[stage].length < STAGE_SAMPLE_SIZE) samples[stage].push(ms)
    }
  }
  const timings = {} as StageTimings
  for (const stage of STAGES) timings[stage] = { medianMs: median(samples[stage]), samples: samples[stage].length }
  return timings
}

/** The estimate for one order under the given timings; null for a delivered or cancelled order. */
export function estimateFor(order: Pick<Order, 'status' | 'updatedAt'>, timings: StageTimings | undefined): OrderEstimate | null {
  if (isTerminal(order.status)) return null
  const start = PATH.indexOf(order.status as (typeof PATH)[number])
  const enteredAt = Date.parse(order.updatedAt)
  if (start < 0 || !Number.isFinite(enteredAt)) return null
  let at = enteredAt
  let basis: OrderEstimate['basis'] = 'history'
  const steps: OrderEstimate['steps'] = []
  for (let i = start; i < STAGES.length; i++) {
    const stage = STAGES[i]!
    const timing = timings?.[stage]
    const fromHistory = timing !== undefined && timing.medianMs !== null && timing.samples >= MIN_STAGE_SAMPLES
    if (!fromHistory) basis = 'defaults'
    at += fromHistory ? Math.round(timing.medianMs!) : DEFAULT_STAGE_MS[stage]
    steps.push({ status: PATH[i + 1]!, at: new Date(at).toISOString() })
  }
  return { deliveredAt: steps[steps.length - 1]!.at, basis, steps }
}

export interface Estimator {
  /** The order with `estimate` set from the cached timings (starts a refresh when they are stale). */
  decorate<T extends Order>(order: T): T
  /** Recomputes the timings now (the first call happens at start; tests call it after changes). */
  refresh(): Promise<StageTimings>
  /** What the cache currently holds. */
  readonly timings: StageTimings | undefined
}

/**
 * The cached estimator. `refreshMs` bounds how often the medians are recomputed (stale-while-
 * revalidate: the request that finds them stale still answers from the cache). A failed refresh
 * keeps the old timings and is reported to `onError`.
 */
export function createEstimator(db: Kysely<Database>, refreshMs: number, onError: (error: unknown) => void = () => {}): Estimator {
  let timings: StageTimings | undefined
  let computedAt = 0
  let inFlight: Promise<StageTimings> | undefined

  const refresh = (): Promise<StageTimings> => {
    inFlight ??= measureStageTimings(db)
      .then((fresh) => {
        timings = fresh
        computedAt = Date.now()
        return fresh
      })
      .finally(() => {
        inFlight = undefined
      })
    return inFlight
  }

  return {
    decorate(order) {
      if (!inFlight && Date.now() - computedAt >= refreshMs) {
        // Stamped now so a failing database is not queried on every request.
        computedAt = Date.now()
        refresh().catch(onError)
      }
      return { ...order, estimate: estimateFor(order, timings) }
    },
    refresh,
    get timings() {
      return timings
    },
  }
}
