/**
 * Reference counts of what each tab watches, and the routing table derived from them.
 *
 * Pure: no socket, no ports, no timers. The hub asks it two questions: "must the server room
 * be joined/left now?" when interests change, and "which tabs get this event?" when one arrives.
 * A tab counts once per interest however many times it asks (the tab client counts its own
 * components); the server room lives while at least one tab holds the interest.
 */
import { ADMIN_ROOM, orderRoom, type ServerEvent } from '../protocol'
import type { Interest } from '@shared/hubTypes'

export type InterestKey = string
/** The dashboard's interest: no server room of its own (stats come with the admin room). */
export const STATS_INTEREST = 'stats'

/** The routing key of an interest: the server room name it corresponds to. */
export function interestKey(interest: Interest): InterestKey {
  if (interest.kind === 'order') return orderRoom(interest.orderId)
  return interest.kind === 'admin' ? ADMIN_ROOM : STATS_INTEREST
}

export class RoomRefs {
  /** key → tabs holding it. Insertion order is kept, so iteration is deterministic. */
  private readonly holders = new Map<InterestKey, Set<string>>()
  /** key → the interest that created it (carries the token used to join the room). */
  private readonly interests = new Map<InterestKey, Interest>()

  /** Records that `tabId` holds `interest`. Returns true when this is the first holder (join now). */
  add(tabId: string, interest: Interest): boolean {
    const key = interestKey(interest)
    let tabs = this.holders.get(key)
    const first = tabs === undefined
    if (!tabs) {
      tabs = new Set()
      this.holders.set(key, tabs)
      this.interests.set(key, interest)
    }
    tabs.add(tabId)
    return first
  }

  /** Drops `tabId`'s hold on `key`. Returns true when it was the last holder (leave now). */
  remove(tabId: string, key: InterestKey): boolean {
    const tabs = this.holders.get(key)
    if (!tabs || !tabs.delete(tabId)) return false
    if (tabs.size > 0) return false
    this.holders.delete(key)
    this.interests.delete(key)
    return true
  }

  /** Drops every interest of a tab (closed, crashed, bfcached). Returns the keys nobody holds any more. */
  removeTab(tabId: string): InterestKey[] {
    const left: InterestKey[] = []
    for (const key of [...this.holders.keys()]) {
      if (this.remove(tabId, key)) left.push(key)
    }
    return left
  }

  has(key: InterestKey): boolean {
    return this.holders.has(key)
  }

  holds(tabId: string, key: InterestKey): boolean {
    return this.holders.get(key)?.has(tabId) ?? false
  }

  /** Every key someone holds, in the order they were first added. */
  keys(): InterestKey[] {
    return [...this.holders.keys()]
  }

  /** The interests behind the order rooms: what must be re-joined after an unrecovered reconnect. */
  orderInterests(): Extract<Interest, { kind: 'order' }>[] {
    const out: Extract<Interest, { kind: 'order' }>[] = []
    for (const interest of this.interests.values()) if (interest.kind === 'order') out.push(interest)
    return out
  }

  tabsOf(key: InterestKey): string[] {
    return [...(this.holders.get(key) ?? [])]
  }

  /**
   * The tabs an event goes to, each once: `orderUpdated` reaches the tabs watching that order
   * and the admin tabs; `newOrder`, `statsUpdated` and `notification` are admin-only, never
   * broadcast to a customer tab: they carry other customers' data (docs/security.md).
   */
  route(event: ServerEvent): string[] {
    const tabs = new Set(this.holders.get(ADMIN_ROOM))
    if (event.type === 'orderUpdated') {
      for (const tab of this.holders.get(orderRoom(event.payload.order.id)) ?? []) tabs.add(tab)
    }
    return [...tabs]
  }
}
