/**
 * How the tracking page words the server's delivery estimate: always as an estimate ("about",
 * "around"), rounded so it never reads like a promise to the minute, and gone once the order is
 * delivered or cancelled. Pure: the clock and the time format come in.
 */
import { isTerminal, type Order, type OrderStatus } from '../../protocol'
import { formatTime } from './format'

/** What happens at each step, shown under the steps still ahead. */
export const NEXT_STEP_HINTS: Record<OrderStatus, string> = {
  placed: 'The shop receives your order.',
  confirmed: 'The shop checks your order and confirms it.',
  preparing: 'Your items are prepared and packed.',
  out_for_delivery: 'A courier picks up your order and brings it to you.',
  delivered: 'Your order arrives at your door.',
  cancelled: '',
}

const MINUTE = 60_000
/** Within this, a relative "in about N min" reads better than a clock time. */
const RELATIVE_UP_TO_MINUTES = 60
/** Later than the estimate by this much, say so rather than keep promising "any minute". */
const LATE_AFTER_MINUTES = 15

/** Rounded minutes: exact below 10, to 5 above (20, 25, …), never below 1. */
function roundMinutes(minutes: number): number {
  return Math.max(1, minutes < 10 ? Math.round(minutes) : Math.round(minutes / 5) * 5)
}

/**
 * "Estimated delivery in about 20 min", "Estimated delivery around 13:45", or null when there is
 * nothing to estimate (no estimate, delivered, cancelled).
 */
export function describeEstimate(
  order: Pick<Order, 'status' | 'estimate'>,
  now: number,
  formatClock: (iso: string) => string = formatTime,
): string | null {
  if (isTerminal(order.status) || !order.estimate) return null
  const at = Date.parse(order.estimate.deliveredAt)
  if (!Number.isFinite(at)) return null
  const minutes = (at - now) / MINUTE
  if (minutes < -LATE_AFTER_MINUTES) return 'Taking longer than estimated — it should arrive soon'
  if (minutes < 1.5) return 'Estimated delivery any minute now'
  if (minutes <= RELATIVE_UP_TO_MINUTES) return `Estimated delivery in about ${roundMinutes(minutes)} min`
  return `Estimated delivery around ${formatClock(order.estimate.deliveredAt)}`
}

/** The line under an upcoming step: what happens there and, when estimated, around when. */
export function upcomingStepLine(
  status: OrderStatus,
  estimate: Order['estimate'],
  formatClock: (iso: string) => string = formatTime,
): string {
  const hint = NEXT_STEP_HINTS[status]
  const at = estimate?.steps.find((step) => step.status === status)?.at
  return at && Number.isFinite(Date.parse(at)) ? `${hint} Expected around ${formatClock(at)}.` : hint
}
