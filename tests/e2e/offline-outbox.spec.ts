/**
 * Offline, the outbox: an admin status change made while the server is unreachable is kept in
 * IndexedDB and shown pending, survives closing and reopening the tab, is applied exactly once
 * when the network returns, and a change another admin made meanwhile surfaces as a conflict.
 */
import type { BrowserContext, Page } from '@playwright/test'
import type { Order } from '../../src/protocol'
import { placeOrder, setStatus } from '../../harness/api'
import type { TestServer } from '../../harness/server'
import { signIn as signInThroughForm } from './hub-support'
import { blockNetwork } from './offline-build'
import { expect, test } from './fixtures'

test.use({ serverOptions: { build: {} } })

async function getOrder(server: TestServer, id: string): Promise<Order> {
  const response = await fetch(`${server.url}/api/orders/${id}`, { headers: { authorization: `Bearer ${await server.adminToken()}` } })
  return (await response.json()) as Order
}

async function signIn(server: TestServer, context: BrowserContext): Promise<Page> {
  const page = await context.newPage()
  await signInThroughForm(page, server)
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null)
  return page
}

async function openOrder(server: TestServer, page: Page, order: Order): Promise<void> {
  await page.goto(`${server.url}/admin/orders/${order.id}`)
  await expect(page.locator(`article[data-order-id="${order.id}"]`)).toHaveAttribute('data-version', String(order.version))
}

test('offline change: pending, survives closing the tab, applied once; a concurrent change is a conflict', async ({ browser, server }) => {
  test.setTimeout(120_000)
  const a = (await placeOrder(server, undefined, 'Alice')).order
  const b = (await placeOrder(server, undefined, 'Bob')).order
  const context = await browser.newContext()
  try {
    let page = await signIn(server, context)
    // Visit both orders online so the service worker holds them for the offline tab.
    await openOrder(server, page, b)
    await openOrder(server, page, a)

    await blockNetwork(server, true)
    await page.getByRole('button', { name: 'Mark confirmed', exact: true }).click()
    await expect(page.getByTestId('outbox-entry')).toHaveAttribute('data-state', 'pending')
    await expect(page.getByTestId('patch-outcome')).toContainText('offline')

    // Same for B, through the app's own navigation (still offline).
    await page.goto(`${server.url}/admin/orders/${b.id}`)
    await page.getByRole('button', { name: 'Mark confirmed', exact: true }).click()
    await expect(page.getByTestId('outbox-entry')).toHaveAttribute('data-state', 'pending')
    await page.close()

    // Meanwhile another admin cancels B: the queued change now expects a stale version.
    await setStatus(server, b, 'cancelled')

    // Reopen while still offline: the queued changes are still there.
    page = await context.newPage()
    await page.goto(`${server.url}/admin/orders/${a.id}`)
    await expect(page.getByTestId('outbox-entry')).toHaveAttribute('data-state', 'pending')
    await expect(page.getByTestId('outbox-count')).toHaveText(/2 changes waiting/)
    expect((await getOrder(server, a.id)).version).toBe(1)

    await blockNetwork(server, false)
    const sentAt = Date.now()
    await expect(page.getByTestId('outbox-entry')).toHaveCount(0, { timeout: 30_000 })
    await expect(page.getByTestId('order-status').or(page.locator('.status-pill').first())).toHaveAttribute('data-status', 'confirmed')
    console.log(`[figure] network back → queued change applied: ${Date.now() - sentAt} ms`)

    const applied = await getOrder(server, a.id)
    expect(applied.status).toBe('confirmed')
    expect(applied.version).toBe(2)
    expect(applied.history.filter((entry) => entry.status === 'confirmed')).toHaveLength(1)

    await page.goto(`${server.url}/admin/orders/${b.id}`)
    const conflict = page.getByTestId('outbox-entry')
    await expect(conflict).toHaveAttribute('data-state', 'conflict')
    await expect(conflict).toContainText('Cancelled')
    const current = await getOrder(server, b.id)
    expect(current.status).toBe('cancelled')
    expect(current.version).toBe(2)
    // Seen by the admin, then dismissed: only now does it leave the outbox.
    await conflict.getByRole('button', { name: 'Dismiss' }).click()
    await expect(page.getByTestId('outbox-entry')).toHaveCount(0)
  } finally {
    await blockNetwork(server, false).catch(() => undefined)
    await context.close()
  }
})

test('per-user cache: signing out in another tab drops the cached admin answers, customers keep theirs', async ({ browser, server }) => {
  test.setTimeout(90_000)
  const { order, trackingToken } = await placeOrder(server, undefined, 'Carol')
  const context = await browser.newContext()
  try {
    const admin = await signIn(server, context)
    await openOrder(server, admin, order)
    const customer = await context.newPage()
    await customer.goto(`${server.url}/track/${order.id}#t=${trackingToken}`)
    await expect(customer.getByTestId('order-status')).toHaveAttribute('data-status', 'placed')
    const cached = (name: string): Promise<number> =>
      admin.evaluate(async (cacheName) => ((await caches.has(cacheName)) ? (await (await caches.open(cacheName)).keys()).length : 0), name)
    await expect.poll(() => cached('orderline-api-admin-v1')).toBeGreaterThan(0)
    await expect.poll(() => cached('orderline-api-v1')).toBeGreaterThan(0)

    const other = await context.newPage()
    await other.goto(`${server.url}/admin`)
    await other.getByRole('button', { name: 'Sign out' }).click()
    await expect.poll(() => cached('orderline-api-admin-v1')).toBe(0)
    expect(await cached('orderline-api-v1')).toBeGreaterThan(0)
    // The first tab left the admin page too.
    await expect(admin).toHaveURL(/\/login/)
  } finally {
    await context.close()
  }
})

test("a board row's change made offline goes through the same outbox: kept, then applied once when the network returns", async ({
  browser,
  server,
}) => {
  test.setTimeout(120_000)
  const order = (await placeOrder(server, undefined, 'Row Offline')).order
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true })
  try {
    const page = await signIn(server, context)
    await page.goto(`${server.url}/admin`)
    const row = page.locator(`[data-order-id="${order.id}"]`)
    await expect(row).toHaveAttribute('data-status', 'placed')

    await blockNetwork(server, true)
    await row.getByRole('button', { name: `Mark confirmed: order #${order.number}` }).tap()
    await expect(page.getByTestId('undo-outcome')).toContainText('saved on this device')
    await page.waitForTimeout(1_000)
    expect((await getOrder(server, order.id)).version, 'nothing reached the server while offline').toBe(1)

    await blockNetwork(server, false)
    await expect.poll(async () => (await getOrder(server, order.id)).status, { timeout: 30_000 }).toBe('confirmed')
    await expect(row).toHaveAttribute('data-status', 'confirmed')
    const applied = await getOrder(server, order.id)
    expect(applied.version).toBe(2)
    expect(applied.history.filter((entry) => entry.status === 'confirmed')).toHaveLength(1)
  } finally {
    await blockNetwork(server, false).catch(() => undefined)
    await context.close()
  }
})
