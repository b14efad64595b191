import type { Order } from './order'

/**
 * The version rule: an incoming copy replaces the held one only when it is strictly newer.
 * Socket events, poll results, cached responses and replays can then arrive in any order,
 * any number of times, and the result is the same: the highest version seen.
 */
export function isNewer(incoming: Pick<Order, 'version'>, current: Pick<Order, 'version'> | undefined): boolean {
  return current === undefined || incoming.version > current.version
}

/** Returns the copy to keep. Never moves backwards; equal versions keep the held copy. */
export function mergeOrder(current: Order | undefined, incoming: Order): Order {
  return isNewer(incoming, current) ? incoming : (current as Order)
}
