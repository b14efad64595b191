/**
 * The one place the routes go to broadcast. Emitting through `io.to(rooms)` only, never through
 * local socket lists, keeps this correct once a Redis adapter fans out across nodes.
 */
import { randomUUID } from 'node:crypto'
import { ADMIN_ROOM, orderRoom } from '../../src/protocol/events'
import { formatCents } from '../../src/protocol/order'
import type { OrderChange, Stats } from '../../src/protocol/order'
import type { Notification } from '../../src/protocol/answers'
import type { OrderlineServer } from './types'

export interface Publisher {
  orderPlaced(change: OrderChange): void
  orderUpdated(change: OrderChange): void
  close(): void
}

export interface PublisherOptions {
  io: OrderlineServer
  stats: () => Promise<Stats>
  /** Minimum gap between two `statsUpdated` emits. */
  statsThrottleMs: number
  onError: (error: unknown) => void
}

/** Routes call this after a commit; it owns fan-out rules and the stats throttle timer. */
export function createPublisher({ io, stats, statsThrottleMs, onError }: PublisherOptions): Publisher {
  let lastStatsAt = 0
  let timer: NodeJS.Timeout | undefined
  let closed = false

  const emitStats = () => {
    timer = undefined
    lastStatsAt = Date.now()
    stats()
      .then((s) => {
        if (!closed) io.to(ADMIN_ROOM).emit('statsUpdated', s)
      })
      .catch(onError)
  }

  /**
   * Throttled with a trailing emit: a burst of changes costs one stats query per window, and the
   * emit after the burst reflects the last change rather than the first.
   */
  const scheduleStats = () => {
    if (closed || timer) return
    const wait = lastStatsAt + statsThrottleMs - Date.now()
    if (wait <= 0) emitStats()
    else timer = setTimeout(emitStats, wait)
  }

  return {
    orderPlaced(change) {
      const { order } = change
      io.to(ADMIN_ROOM).emit('newOrder', change)
      const items = order.items.reduce((n, item) => n + item.quantity, 0)
      const notification: Notification = {
        id: randomUUID(),
        kind: 'newOrder',
        title: `New order #${order.number}`,
        body: `${order.customer.name.slice(0, 100)}: ${items} item${items === 1 ? '' : 's'}, ${formatCents(order.totalCents)}`,
        orderId: order.id,
        at: order.createdAt,
      }
      io.to(ADMIN_ROOM).emit('notification', notification)
      scheduleStats()
    },
    orderUpdated(change) {
      // One emit to both rooms: a socket in both gets the event once.
      io.to([ADMIN_ROOM, orderRoom(change.order.id)]).emit('orderUpdated', change)
      scheduleStats()
    },
    close() {
      closed = true
      if (timer) clearTimeout(timer)
      timer = undefined
    },
  }
}
