/**
 * Offline checkout, with the network cut in Chromium (context.setOffline): an order placed
 * offline is queued on the device with its Idempotency-Key and shown with the cart as entered,
 * survives a reload, and is placed exactly once when the network returns, even though the tab's
 * `online` handler and the service worker's Background Sync both try; then the page moves to the
 * tracking page and the order is in My orders. A queued order the server refuses comes back
 * into the cart with the reason.
 */
import AxeBuilder from '@axe-core/playwright'
import type { BrowserContext, Page } from '@playwright/test'
import { findOrders } from '../../harness/api'
import type { TestServer } from '../../harness/server'
import { inspectServiceWorkers } from './admin-support'
import { routeRequests } from './offline-build'
import { expect, test } from './fixtures'

const QUEUED_TEXT = 'Your order will be sent when you are back online'

/** The customer's queue straight from IndexedDB (names as in src/shared/placementQueue.ts). */
function queuedEntries(page: Page): Promise<{ key: string; state: string; body: { items: { productId: string; quantity: number }[] } }[]> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('orderline-placements')
        open.onerror = () => reject(open.error)
        open.onupgradeneeded = () => open.result.createObjectStore('placements', { keyPath: 'key' })
        open.onsuccess = () => {
          const all = open.result.transaction('placements').objectStore('placements').getAll()
          all.onerror = () => reject(all.error)
          all.onsuccess = () => {
            open.result.close()
            resolve(all.result)
          }
        }
      }),
  )
}

/** A storefront controlled by the service worker, its products in the SW's cache, the cart filled. */
async function openShop(server: TestServer, context: BrowserContext, name: string): Promise<Page> {
  const page = await context.newPage()
  await page.goto(server.url + '/')
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null)
  // Loaded once more under the service worker, so the product list is in its cache for an offline reload.
  await page.reload()
  const add = page.getByRole('button', { name: /^Add one / })
  await add.nth(0).click()
  await add.nth(0).click()
  await add.nth(1).click()
  await page.getByLabel('Name').fill(name)
  await page.getByLabel('Email').fill('offline@example.com')
  await page.getByLabel('Delivery address').fill('7 Quiet Lane')
  return page
}

test('placed offline: queued, still queued after an offline reload, sent once when back online, then tracking', async ({
  browser,
  server,
}) => {
  test.setTimeout(120_000)
  const name = 'Offline Olive'
  const context = await browser.newContext()
  try {
    const page = await openShop(server, context, name)
    const lines = await page.getByTestId('cart-lines').innerText()
    const postsBefore = await routeRequests(server, '/api/orders', 'POST')

    await context.setOffline(true)
    // The server's rules load on the first submit: offline, from the service worker's precache.
    const email = page.getByLabel('Email')
    await email.fill('offline@')
    await page.getByRole('button', { name: 'Place order' }).click()
    await expect(page.getByText('Please enter a valid email address.')).toBeVisible()
    await email.fill('offline@example.com')
    await page.getByRole('button', { name: 'Place order' }).click()
    const queued = page.getByTestId('queued-order')
    await expect(queued).toContainText(QUEUED_TEXT)
    await expect(queued).toContainText('× 2')
    await expect(queued).toContainText('× 1')
    await expect(queued).toContainText('7 Quiet Lane')
    const [entry] = await queuedEntries(page)
    expect(entry?.state).toBe('pending')
    expect(entry?.key).toMatch(/^[0-9a-f-]{36}$/)
    expect(entry?.body.items).toHaveLength(2)

    // Offline reload: the app shell from the precache, the queue from IndexedDB.
    await page.reload()
    await expect(page.getByTestId('queued-order')).toContainText(QUEUED_TEXT)
    for (const line of lines.split('\n').filter((text) => text.includes('×'))) {
      await expect(page.getByTestId('queued-order')).toContainText(line.trim())
    }
    expect(await findOrders(server, name)).toHaveLength(0)
    expect(await routeRequests(server, '/api/orders', 'POST')).toBe(postsBefore)
    const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze()
    expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([])

    const backAt = Date.now()
    await context.setOffline(false)
    await expect(page).toHaveURL(/\/track\/[^#]+#t=/, { timeout: 30_000 })
    console.log(`[figure] network back → queued order placed and tracking page shown: ${Date.now() - backAt} ms`)
    await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'placed')
    const orderId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '')

    // The tab and Background Sync may both have sent it: one order all the same.
    await page.waitForTimeout(3000)
    const orders = await findOrders(server, name)
    expect(orders).toHaveLength(1)
    expect(orders[0]!.id).toBe(orderId)
    expect(orders[0]!.customer.address).toBe('7 Quiet Lane')
    expect(orders[0]!.items.map((item) => item.quantity).sort()).toEqual([1, 2])
    expect(await queuedEntries(page)).toEqual([])
    expect(await page.evaluate(() => localStorage.getItem('orderline.myOrders') ?? '')).toContain(orderId)

    // The cart was emptied; the customer's details stay for the next order.
    await page.goto(server.url + '/')
    await expect(page.getByRole('button', { name: 'Place order' })).toBeVisible()
    await expect(page.getByTestId('cart-lines')).toHaveCount(0)
    await expect(page.getByLabel('Name')).toHaveValue(name)
  } finally {
    await context.close()
  }
})

test('a queued order the server refuses: the reason is shown and the cart is kept', async ({ browser, server }) => {
  test.setTimeout(120_000)
  const name = 'Refused Rita'
  const context = await browser.newContext()
  try {
    const page = await openShop(server, context, name)
    await context.setOffline(true)
    await page.getByRole('button', { name: 'Place order' }).click()
    await expect(page.getByTestId('queued-order')).toContainText(QUEUED_TEXT)

    // Meanwhile the second product left the catalogue: the server will answer 422 unknown_product.
    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const open = indexedDB.open('orderline-placements')
          open.onsuccess = () => {
            const store = open.result.transaction('placements', 'readwrite').objectStore('placements')
            const all = store.getAll()
            all.onsuccess = () => {
              const entry = all.result[0] as { body: { items: { productId: string }[] } }
              entry.body.items[1]!.productId = 'no-such-product'
              store.put(entry).onsuccess = () => resolve()
            }
          }
          open.onerror = () => reject(open.error)
        }),
    )

    await context.setOffline(false)
    const error = page.getByTestId('checkout-error')
    await expect(error).toContainText('could not be placed', { timeout: 30_000 })
    await expect(error).toContainText('no longer available')
    await expect(page.getByTestId('queued-order')).toHaveCount(0)
    // The cart as entered (what still exists of it), and the details, ready to place again.
    await expect(page.getByTestId('cart-lines')).toContainText('× 2')
    await expect(page.getByLabel('Name')).toHaveValue(name)
    await expect(page.getByLabel('Delivery address')).toHaveValue('7 Quiet Lane')
    expect(await findOrders(server, name)).toHaveLength(0)
    expect(await queuedEntries(page)).toEqual([])

    await page.getByRole('button', { name: 'Place order' }).click()
    await expect(page).toHaveURL(/\/track\/[^#]+#t=/)
    expect(await findOrders(server, name)).toHaveLength(1)
  } finally {
    await context.close()
  }
})

test('every tab closed: Background Sync wakes the service worker, which places the queued order once; the next visit shows it', async ({
  browser,
  server,
}) => {
  test.setTimeout(120_000)
  const name = 'Synced Sam'
  const context = await browser.newContext()
  // Opened first: an about:blank page with the CDP session, never a client of the app.
  const inspector = await inspectServiceWorkers(context)
  try {
    const page = await openShop(server, context, name)
    await inspector.activeVersion(server.url)
    await context.setOffline(true)
    await page.getByRole('button', { name: 'Place order' }).click()
    await expect(page.getByTestId('queued-order')).toContainText(QUEUED_TEXT)
    const tags = (): Promise<string[]> =>
      page.evaluate(async () => {
        const registration = (await navigator.serviceWorker.ready) as ServiceWorkerRegistration & { sync: { getTags(): Promise<string[]> } }
        return registration.sync.getTags()
      })
    await expect.poll(tags).toContain('orderline-placements')

    // No tab left to send it: only the service worker can.
    await page.close()
    await expect.poll(() => inspector.controlledClients(server.url)).toEqual([])
    expect(inspector.runningStatus(server.url)).toBe('running')
    const backAt = Date.now()
    await context.setOffline(false)
    await expect.poll(async () => (await findOrders(server, name)).length, { timeout: 30_000, intervals: [100] }).toBe(1)
    console.log(`[figure] background sync: network back → queued order placed by the service worker in ${Date.now() - backAt} ms`)

    // The next visit takes the answer the service worker kept: My orders, then the tracking page.
    const next = await context.newPage()
    await next.goto(server.url + '/')
    await expect(next).toHaveURL(/\/track\/[^#]+#t=/, { timeout: 15_000 })
    const [order] = await findOrders(server, name)
    expect(next.url()).toContain(order!.id)
    await expect(next.getByTestId('order-status')).toHaveAttribute('data-status', 'placed')
    expect(await next.evaluate(() => localStorage.getItem('orderline.myOrders') ?? '')).toContain(order!.id)
    expect(await queuedEntries(next)).toEqual([])
    expect(await findOrders(server, name)).toHaveLength(1)
  } finally {
    await context.close()
  }
})
