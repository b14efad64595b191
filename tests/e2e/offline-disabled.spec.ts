/**
 * Offline: a build with VITE_ENABLE_SOCKET=false opens no socket at all and still tracks an
 * order through every status change, by the fallback poll alone.
 */
import { expect, test } from '@playwright/test'
import { placeOrder, setStatus, trackingPath } from './support/api'
import { startServer, type TestServer } from './support/server'
import { buildApp, routeRequests } from './offline-build'

const POLL_MS = 1000
let server: TestServer

test.beforeAll(async () => {
  test.setTimeout(180_000)
  const dir = await buildApp({ VITE_ENABLE_SOCKET: 'false', VITE_POLL_INTERVAL_MS: String(POLL_MS) })
  server = await startServer({ STATIC_DIR: dir })
})
test.afterAll(async () => {
  await server?.stop()
})

test('socket disabled: the tracking page follows every status change by polling', async ({ browser }) => {
  test.setTimeout(90_000)
  const placed = await placeOrder(server)
  const trackingToken = placed.trackingToken
  let order = placed.order
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    await page.goto(server.url + trackingPath(order, trackingToken))
    const status = page.getByTestId('order-status')
    await expect(status).toHaveAttribute('data-status', 'placed')
    await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'disabled')
    for (const next of ['confirmed', 'preparing', 'out_for_delivery', 'delivered'] as const) {
      order = await setStatus(server, order, next)
      await expect(status).toHaveAttribute('data-status', next, { timeout: POLL_MS + 5000 })
    }
    expect(await server.metric('realtime_connected_sockets')).toBe(0)
    // No reload: the page moved by polling alone.
    expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1)
  } finally {
    await context.close()
  }
})

test('socket disabled: three tabs cost one poll stream, not three', async ({ browser }) => {
  test.setTimeout(90_000)
  const { order, trackingToken } = await placeOrder(server)
  const context = await browser.newContext()
  try {
    for (let i = 0; i < 3; i++) {
      const page = await context.newPage()
      await page.goto(server.url + trackingPath(order, trackingToken))
      await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'placed')
    }
    await new Promise((resolve) => setTimeout(resolve, 2 * POLL_MS))
    const before = await routeRequests(server, '/api/orders/:id')
    await new Promise((resolve) => setTimeout(resolve, 10_000))
    const perMinute = ((await routeRequests(server, '/api/orders/:id')) - before) * 6
    console.log(`[figure] socket disabled, 3 tabs, ${POLL_MS} ms interval: ${perMinute} order GETs per minute`)
    expect(perMinute).toBeGreaterThan(0)
    // One stream (the hub's, relayed through the SW) is 60/min at this interval; three per-tab
    // streams would be 180. Generous for jitter and backoff, tight enough to catch a second stream.
    expect(perMinute).toBeLessThanOrEqual((60_000 / POLL_MS) * 1.6)
  } finally {
    await context.close()
  }
})
