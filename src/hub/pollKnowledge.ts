/**
 * What the hub knows for planning fallback polls (docs/architecture.md): each order's highest version,
 * which orders reached a terminal state (never polled again), and the admin change-log cursor.
 * Fed by socket events and poll outcomes alike; pure, so the plan logic is unit-tested directly.
 */
import { isTerminal, type Order } from '../protocol'
import type { Interest, PollOutcome, PollPlan } from '@shared/hubTypes'

export class PollKnowledge {
  private readonly versions = new Map<string, number>()
  private readonly terminal = new Set<string>()
  /** Highest change-log seq seen while holding admin credentials: the admin poll cursor. */
  private adminSeq = 0

  /** A validated orderUpdated/newOrder from the socket. */
  learnChange(seq: number, order: Pick<Order, 'id' | 'version' | 'status'>, admin: boolean): void {
    this.learnVersion(order.id, order.version)
    if (isTerminal(order.status)) this.terminal.add(order.id)
    if (admin && seq > this.adminSeq) this.adminSeq = seq
  }

  learnOutcome(outcome: PollOutcome): void {
    for (const order of outcome.orders ?? []) {
      this.learnVersion(order.orderId, order.version)
      if (order.terminal) this.terminal.add(order.orderId)
    }
    if (typeof outcome.lastSeq === 'number' && outcome.lastSeq > this.adminSeq) this.adminSeq = outcome.lastSeq
  }

  /** New credentials: the old account's cursor means nothing for the new one. */
  resetAdminCursor(): void {
    this.adminSeq = 0
  }

  /** The union of the interests, terminal orders left out; null when there is nothing to poll. */
  plan(orderInterests: readonly Extract<Interest, { kind: 'order' }>[], adminToken: string | null, stats = false): PollPlan | null {
    const orders = orderInterests
      .filter((interest) => !this.terminal.has(interest.orderId))
      .map(({ orderId, token }) => ({ orderId, token, version: this.versions.get(orderId) ?? null }))
    const admin = adminToken !== null ? { token: adminToken, afterSeq: this.adminSeq, stats } : null
    return orders.length > 0 || admin ? { orders, admin } : null
  }

  private learnVersion(orderId: string, version: number): void {
    if (version > (this.versions.get(orderId) ?? 0)) this.versions.set(orderId, version)
  }
}
