/**
 * Dashboard figures. "Today" is the UTC day: the server has no notion of the viewer's time zone,
 * and the dashboard labels it accordingly.
 */
import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import { ORDER_STATUSES } from '../../src/protocol/order'
import type { OrderStatus, Stats } from '../../src/protocol/order'
import type { SqlDialect } from './db'
import type { Database } from './schema'

const MINUTE = 60_000
const BUCKETS = 60

/**
 * Orders per wall-clock minute for the last hour, oldest first; the last bucket is the current
 * (partial) minute, whose start is `currentMinute * 60 s`. Pure so the edges are unit-tested.
 */
export function bucketPerMinute(createdAtMs: readonly number[], currentMinute: number, counts?: readonly number[]): number[] {
  const buckets = new Array<number>(BUCKETS).fill(0)
  createdAtMs.forEach((at, i) => {
    const index = BUCKETS - 1 - (currentMinute - Math.floor(at / MINUTE))
    if (index >= 0 && index < BUCKETS) buckets[index] = (buckets[index] ?? 0) + (counts?.[i] ?? 1)
  })
  return buckets
}

/**
 * Minutes from placed to delivered, averaged by the database. Timestamps are ISO-8601 text on both
 * engines, so each needs its own date arithmetic.
 */
function avgDeliveryMinutesSql(dialect: SqlDialect) {
  return dialect === 'postgres'
    ? sql<number | null>`avg(extract(epoch from (delivered_at::timestamptz - created_at::timestamptz)) / 60)`
    : sql<number | null>`avg((julianday(delivered_at) - julianday(created_at)) * 1440)`
}

/**
 * Everything is aggregated in SQL and only small results come back: stats run up to once a second
 * while orders change (server/realtime/publisher.ts), and reading every delivered order into
 * JavaScript grew with the whole order history, blocking the event loop (128 ms per call at 10,000
 * delivered orders, 0.8 s at 100,000; docs/decisions.md). On SQLite the queries are
 * synchronous, so what they cost here is what every socket waits.
 */
export async function computeStats(db: Kysely<Database>, dialect: SqlDialect, now = new Date()): Promise<Stats> {
  const startOfDay = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())).toISOString()
  // Buckets are wall-clock minutes (the current one included), so a bucket keeps its count from
  // one emit to the next and the chart does not shift under the viewer between two minutes.
  const currentMinute = Math.floor(now.getTime() / MINUTE)
  const hourAgo = new Date((currentMinute - (BUCKETS - 1)) * MINUTE).toISOString()

  const [statusRows, today, delivered, recent] = await Promise.all([
    db
      .selectFrom('orders')
      .select(['status', (eb) => eb.fn.countAll<number>().as('count')])
      .groupBy('status')
      .execute(),
    db
      .selectFrom('orders')
      .select((eb) => [
        eb.fn.countAll<number>().as('count'),
        eb.fn.sum<number | null>(eb.case().when('status', '!=', 'cancelled').then(eb.ref('total_cents')).else(0).end()).as('revenue'),
      ])
      .where('created_at', '>=', startOfDay)
      .executeTakeFirst(),
    db
      .selectFrom('orders')
      .select((eb) => [eb.fn.countAll<number>().as('count'), avgDeliveryMinutesSql(dialect).as('minutes')])
      .where('delivered_at', 'is not', null)
      .executeTakeFirst(),
    // One row per minute (the first 16 characters of an ISO timestamp), not one per order.
    db
      .selectFrom('orders')
      .select((eb) => [sql<string>`substr(created_at, 1, 16)`.as('minute'), eb.fn.countAll<number>().as('count')])
      .where('created_at', '>=', hourAgo)
      .groupBy(sql`substr(created_at, 1, 16)`)
      .execute(),
  ])

  const byStatus = Object.fromEntries(ORDER_STATUSES.map((s) => [s, 0])) as Record<OrderStatus, number>
  for (const row of statusRows) {
    if ((ORDER_STATUSES as readonly string[]).includes(row.status)) byStatus[row.status as OrderStatus] = Number(row.count)
  }

  const deliveredCount = Number(delivered?.count ?? 0)
  const avgMinutes = delivered?.minutes === null || delivered?.minutes === undefined ? null : Number(delivered.minutes)
  const ordersPerMinute = bucketPerMinute(
    recent.map((row) => Date.parse(`${row.minute}:00.000Z`)),
    currentMinute,
    recent.map((row) => Number(row.count)),
  )

  return {
    ordersToday: Number(today?.count ?? 0),
    revenueTodayCents: Number(today?.revenue ?? 0),
    byStatus,
    avgDeliveryMinutes: deliveredCount > 0 && avgMinutes !== null ? Math.round(avgMinutes * 10) / 10 : null,
    ordersPerMinute,
    generatedAt: now.toISOString(),
  }
}
