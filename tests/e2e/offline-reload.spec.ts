/**
 * Offline: with the server gone, reloading a tracking page still shows the order's last known
 * status (including a change that arrived over the socket) and says `offline`; a remembered
 * order opens offline from My orders with its timeline. A first visit keeps the order for an
 * offline open even when the service worker's install is slow, or fails once (a precache file or
 * the worker's own script lost) and is retried.
 */
import type { Browser, BrowserContext, Page } from '@playwright/test'
import { placeOrder, setStatus, trackingPath } from '../../harness/api'
import type { TestServer } from '../../harness/server'
import { expect, test } from './fixtures'

test.use({ serverOptions: { build: {} } })

/**
 * A customer's first visit of a tracking link over `link` (routes that make it slow or lossy),
 * until the service worker controls the page; then `check` (given the time from the order
 * showing to the page being controlled) and, once the worker holds the order's answer, the server
 * stops and the link opens in a new tab of the same browser: the order shows, from the cache.
 */
async function firstVisitThenOffline(
  browser: Browser,
  server: TestServer,
  link: (context: BrowserContext) => Promise<unknown>,
  check: (page: Page, controlledAfterMs: number) => Promise<void>,
): Promise<void> {
  const { order, trackingToken } = await placeOrder(server)
  const context = await browser.newContext()
  try {
    await link(context)
    const page = await context.newPage()
    await page.goto(server.url + trackingPath(order, trackingToken))
    await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'placed')
    const shown = Date.now()
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 60_000 })
    await check(page, Date.now() - shown)
    // The worker takes its copy when it is ready; give the message a moment to land.
    await expect
      .poll(() =>
        page.evaluate(async () => {
          for (const name of await caches.keys()) {
            const cache = await caches.open(name)
            for (const request of await cache.keys()) if (new URL(request.url).pathname.startsWith('/api/orders/')) return true
          }
          return false
        }),
      )
      .toBe(true)
    await page.close()

    await server.stop()
    const offline = await context.newPage()
    await offline.goto(server.url + trackingPath(order, trackingToken))
    await expect(offline.getByTestId('order-status')).toHaveAttribute('data-status', 'placed')
    await expect(offline.getByTestId('offline-notice')).toBeVisible()
  } finally {
    await context.close()
    await server.restart()
  }
}

test('offline reload shows the last known status and `offline`; My orders opens it offline', async ({ browser, server }) => {
  test.setTimeout(90_000)
  const { order, trackingToken } = await placeOrder(server)
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    await page.goto(server.url + trackingPath(order, trackingToken))
    await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'placed')
    await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'live')
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null)

    // This change reaches the tab over the socket, never through the service worker.
    await setStatus(server, order, 'confirmed')
    await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'confirmed')

    await server.stop()
    const started = Date.now()
    await page.reload()
    await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'confirmed')
    const rendered = Date.now() - started
    await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'offline')
    await expect(page.getByTestId('offline-notice')).toBeVisible()
    // The server is down but the device is online: the banner says so (not "offline"), and the
    // age of the copy is said once, in the banner.
    await expect(page.getByTestId('connection-banner')).toContainText("Can't reach Orderline")
    await expect(page.getByText(/\bago\b|just now/)).toHaveCount(1)
    await expect(page.getByRole('heading', { name: 'Progress' })).toBeVisible()
    console.log(`[figure] offline reload → tracking page shows the last known status: ${rendered} ms`)

    // Order history offline: My orders, then the order itself, from the cache.
    await page.goto(server.url + '/orders')
    const row = page.locator(`[data-order-id="${order.id}"]`)
    await expect(row.getByTestId('order-status')).toHaveAttribute('data-status', 'confirmed')
    await row.getByRole('link').click()
    await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'confirmed')
  } finally {
    await context.close()
    await server.restart()
  }
})

test('a first visit whose service worker takes long to install still keeps the order for an offline open', async ({ browser, server }) => {
  test.setTimeout(90_000)
  let delayed = 0
  await firstVisitThenOffline(
    browser,
    server,
    // A slow link: the worker's precache (its install) ends seconds after the order has shown.
    (context) =>
      context.route('**/*', async (route) => {
        if (route.request().serviceWorker() && delayed++ === 0) await new Promise((resolve) => setTimeout(resolve, 6_000))
        await route.continue().catch(() => undefined)
      }),
    async () => expect(delayed, 'the precache went through the slow route').toBeGreaterThan(0),
  )
})

test('a first visit whose service worker install loses a request installs on its retry, without a reload, and then opens offline', async ({
  browser,
  server,
}) => {
  test.setTimeout(90_000)
  let lost: string | null = null
  const fetchedAgain: string[] = []
  await firstVisitThenOffline(
    browser,
    server,
    // A flaky link: the first file the installing worker fetches is lost, so its install fails
    // and the browser drops the registration. The page registers again (after 5 s).
    (context) =>
      context.route('**/*', async (route) => {
        const request = route.request()
        if (request.serviceWorker() && !request.url().endsWith('/sw.js')) {
          if (lost === null) {
            lost = request.url()
            return route.abort('connectionreset')
          }
          if (request.url() === lost) fetchedAgain.push(lost)
        }
        await route.continue().catch(() => undefined)
      }),
    async (page, controlledAfterMs) => {
      console.log(`[figure] failed first install → page controlled by the retried worker: ${controlledAfterMs} ms after the order showed`)
      expect(lost, 'the install lost a request').not.toBeNull()
      expect(fetchedAgain, 'the retried install fetched the lost file').toHaveLength(1)
      // The page's registration now holds the retried worker, active.
      expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.active?.state)).toBe('activated')
    },
  )
})

test("a first visit whose service worker's script is lost registers again and gets the worker without a reload", async ({
  browser,
  server,
}) => {
  test.setTimeout(90_000)
  let lost = 0
  let loaded = 0
  await firstVisitThenOffline(
    browser,
    server,
    (context) =>
      context.route(
        (url) => url.pathname === '/sw.js',
        async (route) => {
          if (lost === 0) {
            lost += 1
            return route.abort('connectionreset')
          }
          loaded += 1
          await route.continue().catch(() => undefined)
        },
      ),
    async () => {
      expect(lost, "the worker's script was lost once").toBe(1)
      expect(loaded, 'and loaded on the retry').toBeGreaterThan(0)
    },
  )
})
