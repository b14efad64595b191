/**
 * Pure rules of the order board: which orders a filter shows (mirroring the server's `q`
 * search, so live arrivals obey the same filter as the listed pages) and where an order that
 * starts to match goes in a newest-first list.
 */
import type { Order, OrderStatus } from '../../../protocol'

export interface BoardFilter {
  status: OrderStatus | null
  q: string
}

/** Same rule as the server: exact number ("1042", "#1042") or a substring of name or email. */
export function matchesSearch(order: Pick<Order, 'number' | 'customer'>, q: string): boolean {
  const search = q.trim().toLowerCase()
  if (!search) return true
  const digits = /^#?(\d{1,15})$/.exec(search)
  if (digits && order.number === Number(digits[1])) return true
  return order.customer.name.toLowerCase().includes(search) || order.customer.email.toLowerCase().includes(search)
}

export function matchesBoard(order: Pick<Order, 'number' | 'customer' | 'status'>, filter: BoardFilter): boolean {
  return (filter.status === null || order.status === filter.status) && matchesSearch(order, filter.q)
}

/**
 * Inserts `order` into newest-first `ids` at its place by number, unless it is already there or
 * lies below the last loaded page (`floor`: the lowest number loaded while more pages exist),
 * where "load more" will bring it. Returns the same array when nothing changes.
 */
export function insertByNumber(
  ids: readonly string[],
  order: Pick<Order, 'id' | 'number'>,
  numberOf: (id: string) => number | undefined,
  floor: number | null,
): readonly string[] {
  if (floor !== null && order.number < floor) return ids
  if (ids.includes(order.id)) return ids
  let index = ids.findIndex((id) => (numberOf(id) ?? 0) < order.number)
  if (index === -1) index = ids.length
  return [...ids.slice(0, index), order.id, ...ids.slice(index)]
}
