/**
 * Tracking links end: a tracking token stops working a configurable time (default 30 days,
 * ORDERLINE_TRACKING_TTL_DAYS) after its order ended (delivered or cancelled), so an old link
 * found in a mailbox or a browser history no longer shows a name and an address. An order that
 * has not ended keeps its link however old it is.
 */
import { isTerminal } from '../../src/protocol/order'
import type { Order } from '../../src/protocol/order'

export const TRACKING_EXPIRED = { code: 'tracking_expired', message: 'This tracking link has expired.' } as const

/** True when the order ended more than `ttlMs` ago; `updatedAt` is when it ended (no change follows an end). */
export function trackingExpired(order: Pick<Order, 'status' | 'updatedAt'>, ttlMs: number, now = Date.now()): boolean {
  if (!isTerminal(order.status)) return false
  return Date.parse(order.updatedAt) + ttlMs <= now
}
