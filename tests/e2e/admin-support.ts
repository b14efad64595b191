/**
 * Helpers for the issue 7 specs (admin board, dashboard, notifications, a11y): an admin session
 * put into a context's storage before any page loads, and a fast bulk seed of the test DB.
 */
import Database from 'better-sqlite3'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { BrowserContext, Page } from '@playwright/test'
import { expect } from '@playwright/test'
import { ORDER_STATUSES, type OrderStatus } from '../../src/protocol'
import { ADMIN_EMAIL, ADMIN_PASSWORD, type TestServer } from './support/server'

/** Logs in over HTTP and stores the session the way the app does, for every page of `context`. */
export async function signInContext(context: BrowserContext, server: TestServer): Promise<void> {
  const response = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
  })
  if (!response.ok) throw new Error(`login failed: ${response.status}`)
  const session = (await response.json()) as { token: string; user: unknown }
  await context.addInitScript((value) => {
    if (!localStorage.getItem('orderline.session')) localStorage.setItem('orderline.session', value)
  }, JSON.stringify({ token: session.token, user: session.user }))
}

export async function expectLive(page: Page): Promise<void> {
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'live', { timeout: 20_000 })
}

/** A fresh SQLite path for `startServer({DATABASE_URL})`, so the test can seed it directly. */
export function freshDatabasePath(): string {
  return path.join(mkdtempSync(path.join(tmpdir(), 'orderline-e2e7-')), 'orderline.sqlite')
}

const NAMES = ['Ada Lovelace', 'Alan Turing', 'Grace Hopper', 'Edsger Dijkstra', 'Barbara Liskov', 'Donald Knuth', 'Margaret Hamilton', 'Ken Thompson']
const PATHS: Record<OrderStatus, OrderStatus[]> = {
  placed: ['placed'],
  confirmed: ['placed', 'confirmed'],
  preparing: ['placed', 'confirmed', 'preparing'],
  out_for_delivery: ['placed', 'confirmed', 'preparing', 'out_for_delivery'],
  delivered: ['placed', 'confirmed', 'preparing', 'out_for_delivery', 'delivered'],
  cancelled: ['placed', 'cancelled'],
}

/**
 * Inserts `count` orders straight into a stopped server's SQLite file in one transaction (well
 * under a second for 10,000), with consistent versions, histories and a change-log entry each.
 * Numbers continue above the demo orders. Returns the numbers and statuses inserted.
 */
export function seedOrders(databasePath: string, count: number, now = Date.now()): { statuses: Record<OrderStatus, number> } {
  const db = new Database(databasePath)
  try {
    const top = (db.prepare('select max(number) as max from orders').get() as { max: number | null }).max ?? 1000
    const insertOrder = db.prepare(
      `insert into orders (id, number, status, version, items_json, total_cents, customer_name, customer_email, note, history_json, token_hash, created_at, updated_at, delivered_at)
       values (@id, @number, @status, @version, @items_json, @total_cents, @customer_name, @customer_email, null, @history_json, @token_hash, @created_at, @updated_at, @delivered_at)`,
    )
    const insertLog = db.prepare('insert into change_log (order_id, version, at) values (?, ?, ?)')
    const statuses = Object.fromEntries(ORDER_STATUSES.map((s) => [s, 0])) as Record<OrderStatus, number>
    db.transaction(() => {
      for (let i = 0; i < count; i++) {
        const number = top + 1 + i
        const status = ORDER_STATUSES[i % ORDER_STATUSES.length]!
        statuses[status]++
        // Oldest first, one every ~50 s back from two hours ago: none falls in the last hour.
        const created = now - 2 * 3_600_000 - (count - i) * 50_000
        const steps = PATHS[status]
        const history = steps.map((s, k) => ({ status: s, version: k + 1, at: new Date(created + k * 240_000).toISOString() }))
        const last = history[history.length - 1]!
        const name = `${NAMES[i % NAMES.length]} ${number}`
        const id = `ord_seed${number}`
        insertOrder.run({
          id,
          number,
          status,
          version: steps.length,
          items_json: JSON.stringify([{ productId: 'espresso', name: 'Espresso', quantity: 1 + (i % 3), unitPriceCents: 280 }]),
          total_cents: 280 * (1 + (i % 3)),
          customer_name: name,
          customer_email: `customer${number}@example.com`,
          history_json: JSON.stringify(history),
          token_hash: createHash('sha256').update(randomBytes(16)).digest('hex'),
          created_at: new Date(created).toISOString(),
          updated_at: last.at,
          delivered_at: status === 'delivered' ? last.at : null,
        })
        for (const entry of history) insertLog.run(id, entry.version, entry.at)
      }
    })()
    return { statuses }
  } finally {
    db.close()
  }
}
