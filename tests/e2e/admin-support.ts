/**
 * Helpers for the admin UI specs (admin board, dashboard, notifications, a11y): an admin session
 * put into a context's storage before any page loads, and a fast bulk seed of the test DB.
 */
import Database from 'better-sqlite3'
import { createHash, randomBytes } from 'node:crypto'
import type { BrowserContext, Page } from '@playwright/test'
import { expect } from '@playwright/test'
import { ORDER_STATUSES, type Order, type OrderStatus } from '../../src/protocol'
import { ADMIN_EMAIL, ADMIN_PASSWORD, type TestServer } from '../../harness/server'

/** Logs in over HTTP and stores the session the way the app does, for every page of `context`. */
export async function signInContext(context: BrowserContext, server: TestServer): Promise<void> {
  const response = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
  })
  if (!response.ok) throw new Error(`login failed: ${response.status}`)
  const session = (await response.json()) as { token: string; user: unknown }
  await context.addInitScript(
    (value) => {
      if (!localStorage.getItem('orderline.session')) localStorage.setItem('orderline.session', value)
    },
    JSON.stringify({ token: session.token, user: session.user }),
  )
}

export async function expectLive(page: Page): Promise<void> {
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'live', { timeout: 20_000 })
}

const NAMES = [
  'Ada Lovelace',
  'Alan Turing',
  'Grace Hopper',
  'Edsger Dijkstra',
  'Barbara Liskov',
  'Donald Knuth',
  'Margaret Hamilton',
  'Ken Thompson',
]
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

/** The server's copy of an order, read over HTTP as an admin (never through a page). */
export async function fetchOrderAsAdmin(server: TestServer, id: string): Promise<Order> {
  const response = await fetch(`${server.url}/api/orders/${id}`, { headers: { authorization: `Bearer ${await server.adminToken()}` } })
  if (!response.ok) throw new Error(`GET order ${id}: ${response.status}`)
  return (await response.json()) as Order
}

export interface ServiceWorkerInspector {
  /** The about:blank page the CDP session lives on: no app code, not a client of the app. */
  readonly page: Page
  /** The activated version of the registration whose scope is `origin` + '/'. */
  activeVersion(origin: string): Promise<{ registrationId: string; versionId: string }>
  runningStatus(origin: string): string | null
  controlledClients(origin: string): string[]
  /** Stops the origin's service worker and waits until Chromium reports it stopped. */
  stop(origin: string): Promise<void>
  /**
   * Fires a Background Sync event at the registration. Chromium answers success even when it
   * refuses (e.g. the worker is emulated offline), so callers must check the effect.
   */
  dispatchSync(origin: string, tag: string, lastChance?: boolean): Promise<void>
}

/**
 * Drives a context's service workers over CDP with every app tab closed. The ServiceWorker
 * domain is served to page targets only (not the browser session), and a page's session sees
 * every registration of its context, so an about:blank page is enough and runs no app code.
 */
export async function inspectServiceWorkers(context: BrowserContext): Promise<ServiceWorkerInspector> {
  const page = await context.newPage()
  const cdp = await context.newCDPSession(page)
  const scopes = new Map<string, string>()
  const versions = new Map<string, { registrationId: string; runningStatus: string; status: string; controlledClients: string[] }>()
  cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
    for (const r of registrations) {
      if (r.isDeleted) scopes.delete(r.registrationId)
      else scopes.set(r.registrationId, r.scopeURL)
    }
  })
  cdp.on('ServiceWorker.workerVersionUpdated', ({ versions: updated }) => {
    for (const v of updated) {
      versions.set(v.versionId, {
        registrationId: v.registrationId,
        runningStatus: v.runningStatus,
        status: v.status,
        controlledClients: v.controlledClients ?? [],
      })
    }
  })
  await cdp.send('ServiceWorker.enable')

  const find = (origin: string): { registrationId: string; versionId: string } | null => {
    for (const [versionId, version] of versions) {
      if (version.status === 'activated' && scopes.get(version.registrationId) === `${origin}/`)
        return { registrationId: version.registrationId, versionId }
    }
    return null
  }
  const activeVersion = async (origin: string): Promise<{ registrationId: string; versionId: string }> => {
    await expect.poll(() => find(origin) !== null, { message: `an activated service worker for ${origin}` }).toBe(true)
    return find(origin)!
  }
  const versionOf = (origin: string) => {
    const found = find(origin)
    return found ? versions.get(found.versionId) : undefined
  }
  return {
    page,
    activeVersion,
    runningStatus: (origin) => versionOf(origin)?.runningStatus ?? null,
    controlledClients: (origin) => versionOf(origin)?.controlledClients ?? [],
    stop: async (origin) => {
      const { versionId } = await activeVersion(origin)
      await cdp.send('ServiceWorker.stopWorker', { versionId })
      await expect.poll(() => versions.get(versionId)?.runningStatus, { timeout: 15_000 }).toBe('stopped')
    },
    dispatchSync: async (origin, tag, lastChance = false) => {
      const { registrationId } = await activeVersion(origin)
      await cdp.send('ServiceWorker.dispatchSyncEvent', { origin, registrationId, tag, lastChance })
    },
  }
}
