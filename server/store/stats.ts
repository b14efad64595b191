/**
 * Dashboard figures. "Today" is the UTC day: the server has no notion of the viewer's time zone,
 * and the dashboard labels it accordingly.
 */
import type { Kysely } from 'kysely'
import { ORDER_STATUSES } from '../../src/protocol/order'
import type { OrderStatus, Stats } from '../../src/protocol/order'
import type { Database } from './schema'

const MINUTE = 60_000
const BUCKETS = 60

/**
 * Orders per wall-clock minute for the last hour, oldest first; the last bucket is the current
 * (partial) minute, whose start is `currentMinute * 60 s`. Pure so the edges are unit-tested.
 */
export function bucketPerMinute(createdAtMs: readonly number[], currentMinute: number): number[] {
  const buckets = new Array<number>(BUCKETS).fill(0)
  for (const at of createdAtMs) {
    const index = BUCKETS - 1 - (currentMinute - Math.floor(at / MINUTE))
    if (index >= 0 && index < BUCKETS) buckets[index] = (buckets[index] ?? 0) + 1
  }
  return buckets
}

export async function computeStats(db: Kysely<Database>, now = new Date()): Promise<Stats> {
  const startOfDay = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())).toISOString()
  // Buckets are wall-clock minutes (the current one included), so a bucket keeps its count from
  // one emit to the next and the chart does not shift under the viewer between two minutes.
  const currentMinute = Math.floor(now.getTime() / MINUTE)
  const hourAgo = new Date((currentMinute - (BUCKETS - 1)) * MINUTE).toISOString()

  const [statusRows, today, delivered, recent] = await Promise.all([
    db.selectFrom('orders').select(['status', (eb) => eb.fn.countAll<number>().as('count')]).groupBy('status').execute(),
    db
      .selectFrom('orders')
      .select((eb) => [
        eb.fn.countAll<number>().as('count'),
        eb.fn.sum<number | null>(eb.case().when('status', '!=', 'cancelled').then(eb.ref('total_cents')).else(0).end()).as('revenue'),
      ])
      .where('created_at', '>=', startOfDay)
      .executeTakeFirst(),
    db.selectFrom('orders').select(['created_at', 'delivered_at']).where('delivered_at', 'is not', null).execute(),
    db.selectFrom('orders').select('created_at').where('created_at', '>=', hourAgo).execute(),
  ])

  const byStatus = Object.fromEntries(ORDER_STATUSES.map((s) => [s, 0])) as Record<OrderStatus, number>
  for (const row of statusRows) {
    if ((ORDER_STATUSES as readonly string[]).includes(row.status)) byStatus[row.status as OrderStatus] = Number(row.count)
  }

  let totalMinutes = 0
  for (const row of delivered) {
    if (row.delivered_at) totalMinutes += (Date.parse(row.delivered_at) - Date.parse(row.created_at)) / MINUTE
  }

  const ordersPerMinute = bucketPerMinute(recent.map((row) => Date.parse(row.created_at)), currentMinute)

  return {
    ordersToday: Number(today?.count ?? 0),
    revenueTodayCents: Number(today?.revenue ?? 0),
    byStatus,
    avgDeliveryMinutes: delivered.length > 0 ? Math.round((totalMinutes / delivered.length) * 10) / 10 : null,
    ordersPerMinute,
    generatedAt: now.toISOString(),
  }
}
