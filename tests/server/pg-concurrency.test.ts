/**
 * PostgreSQL under several writers: two stores (two pools, as two nodes would have) on one
 * database. These are the properties a single SQLite writer gets for free and PostgreSQL does not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStore } from '../../server/store/index'
import type { Store } from '../../server/store/index'
import { serializeWrites } from '../../server/store/db'
import { createPgDatabase, PG_ADMIN_URL, pgReachable } from './testDatabase'
import type { TestDatabase } from './testDatabase'

const reachable = await pgReachable()
if (!reachable) {
  const message = `PostgreSQL is not reachable at ${PG_ADMIN_URL}: PostgreSQL tests skipped.`
  if (process.env.ORDERLINE_REQUIRE_PG === '1') throw new Error(message)
  console.warn(message)
}

const body = { items: [{ productId: 'espresso', quantity: 1 }], customer: { name: 'Pat', email: 'pat@example.com' } }
const options = { adminEmail: 'admin@example.com', adminPassword: 'pw-pw-pw-pw', seedDemoData: true }

describe.skipIf(!reachable)('PostgreSQL with two nodes writing', () => {
  let database: TestDatabase
  let nodeA: Store
  let nodeB: Store

  beforeAll(async () => {
    database = await createPgDatabase()
    // Both open at once on an empty database: migrations and seeding must not collide.
    ;[nodeA, nodeB] = await Promise.all([
      openStore({ databaseUrl: database.url, ...options }),
      openStore({ databaseUrl: database.url, ...options }),
    ])
  })
  afterAll(async () => {
    await nodeA?.close()
    await nodeB?.close()
    await database?.release()
  })

  it('bootstraps once when nodes start together', async () => {
    expect(nodeA.dialect).toBe('postgres')
    expect(await nodeA.listProducts()).toHaveLength(6)
    const users = await nodeA.db.selectFrom('users').select('email').execute()
    expect(users).toEqual([{ email: 'admin@example.com' }])
    const page = (await nodeB.listOrders({ limit: 100 })) as { orders: unknown[] }
    expect(page.orders).toHaveLength(6)
  })

  it('lets exactly one of two concurrent PATCHes from the same version win, every time', async () => {
    for (let round = 0; round < 15; round++) {
      const placed = await nodeA.placeOrder(body)
      if (!placed.ok) throw new Error('place failed')
      const id = placed.change.order.id
      const [a, b] = await Promise.all([
        nodeA.changeStatus({ orderId: id, status: 'confirmed', version: 1 }),
        nodeB.changeStatus({ orderId: id, status: 'cancelled', version: 1 }),
      ])
      expect([a.result.kind, b.result.kind].sort()).toEqual(['updated', 'version_conflict'])
      const order = await nodeB.getOrder(id)
      expect(order?.version).toBe(2)
      expect(order?.history).toHaveLength(2)
    }
  })

  it('gives concurrent orders distinct numbers and never fails one', async () => {
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? nodeA : nodeB).placeOrder(body)))
    const numbers = results.map((r) => (r.ok ? r.change.order.number : -1))
    expect(numbers).not.toContain(-1)
    expect(new Set(numbers).size).toBe(30)
  })

  it('applies a retried Idempotency-Key once even when the retry races the original on another node', async () => {
    const placed = await nodeA.placeOrder(body)
    if (!placed.ok) throw new Error('place failed')
    const request = {
      orderId: placed.change.order.id,
      status: 'confirmed' as const,
      version: 1,
      idempotencyKey: `key-${placed.change.order.id}`,
    }
    const [a, b] = await Promise.all([nodeA.changeStatus(request), nodeB.changeStatus(request)])
    expect([a.replayed, b.replayed].sort()).toEqual([false, true])
    expect(a.result).toEqual(b.result)
    expect((await nodeA.getOrder(request.orderId))?.version).toBe(2)
  })

  it('places one order for a checkout key raced from both nodes, and replays it to every other attempt', async () => {
    for (let round = 0; round < 5; round++) {
      const key = { scope: 'anonymous', key: `pg-race-key-${round}-0123456789` }
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? nodeA : nodeB).placeOrderOnce(body, key)))
      const placed = results.filter((r) => r.kind === 'placed')
      expect(placed).toHaveLength(1)
      expect(results.filter((r) => r.kind === 'replayed')).toHaveLength(7)
      const ids = new Set(results.map((r) => (r.kind === 'placed' ? r.change.order.id : r.kind === 'replayed' ? r.order.id : 'none')))
      expect(ids.size).toBe(1)
      const tokens = new Set(results.map((r) => (r.kind === 'placed' || r.kind === 'replayed' ? r.trackingToken : 'none')))
      expect(tokens.size).toBe(1)
    }
  })

  it('hands out seq in commit order: a later writer waits for an open one and gets a higher seq', async () => {
    const placed = await nodeA.placeOrder(body)
    if (!placed.ok) throw new Error('place failed')
    const events: string[] = []
    let slowSeq = 0
    // A slow writer on node A: holds the change-log lock, appends, and commits 400 ms later.
    const slow = nodeA.db.transaction().execute(async (trx) => {
      await serializeWrites(trx, 'postgres')
      const row = await trx
        .insertInto('change_log')
        .values({ order_id: placed.change.order.id, version: 1, at: new Date().toISOString() })
        .returning('seq')
        .executeTakeFirstOrThrow()
      slowSeq = row.seq
      await new Promise((resolve) => setTimeout(resolve, 400))
      events.push('slow committed')
    })
    await new Promise((resolve) => setTimeout(resolve, 50))
    const fast = nodeB.changeStatus({ orderId: placed.change.order.id, status: 'confirmed', version: 1 }).then((r) => {
      events.push('fast committed')
      return r
    })
    // While the slow writer is open, a reader must not see anything past it.
    const midway = await nodeB.listChanges(placed.change.seq, 100)
    expect(midway.changes).toEqual([])
    const [, fastResult] = await Promise.all([slow, fast])
    expect(events).toEqual(['slow committed', 'fast committed'])
    if (fastResult.result.kind !== 'updated') throw new Error('fast change failed')
    expect(fastResult.result.change.seq).toBeGreaterThan(slowSeq)
  })

  it('never lets a reader following ?after=<seq> miss a change while both nodes write', async () => {
    const orders = await Promise.all(Array.from({ length: 12 }, () => nodeA.placeOrder(body)))
    const start = (await nodeA.listChanges(0, 100_000)).cursor
    const seen = new Set<number>()
    let cursor = start
    let writing = true
    // The reader reads raw log rows (listChanges collapses an order's entries within a page, which
    // could hide a miss) exactly as clients page: everything after the cursor, cursor = max seen.
    const readPage = async () => {
      const rows = await nodeB.db.selectFrom('change_log').select('seq').where('seq', '>', cursor).orderBy('seq').execute()
      for (const row of rows) seen.add(row.seq)
      if (rows.length > 0) cursor = rows[rows.length - 1]!.seq
    }
    const reader = (async () => {
      while (writing) await readPage()
    })()
    const writes: Promise<unknown>[] = []
    for (const [i, placed] of orders.entries()) {
      if (!placed.ok) throw new Error('place failed')
      const id = placed.change.order.id
      const node = i % 2 ? nodeA : nodeB
      writes.push(
        (async () => {
          let version = 1
          for (const status of ['confirmed', 'preparing', 'out_for_delivery', 'delivered'] as const) {
            const { result } = await node.changeStatus({ orderId: id, status, version })
            if (result.kind !== 'updated') throw new Error(`change failed: ${result.kind}`)
            version++
          }
        })(),
      )
      writes.push(node.placeOrder(body))
    }
    await Promise.all(writes)
    writing = false
    await reader
    await readPage()
    // Every entry committed after `start`, by either node, was seen by following the cursor: none
    // committed below a cursor the reader had already passed.
    const all = await nodeA.db.selectFrom('change_log').select('seq').where('seq', '>', start).orderBy('seq').execute()
    expect(all.length).toBe(12 * 4 + 12)
    expect(all.map((row) => row.seq).filter((seq) => !seen.has(seq))).toEqual([])
  })
})
