/**
 * The dashboard's figures ride the hub's fallback poll: with the realtime path blocked, three
 * dashboard tabs of one browser cost the server one GET /api/stats per poll interval (not three),
 * and a new order still reaches every tab's figures.
 */
import type { Page } from '@playwright/test'
import { placeOrder } from '../../harness/api'
import { expectLive, signInContext } from './admin-support'
import { expect, test } from './fixtures'
import { blockRealtime, routeRequests } from './offline-build'

const POLL_MS = 1000
const TABS = 3

test.use({ serverOptions: { build: { VITE_POLL_INTERVAL_MS: String(POLL_MS) } } })

const ordersToday = async (page: Page): Promise<number> =>
  Number(await page.locator('[data-stat="orders-today"]').getAttribute('data-value'))

test('three dashboard tabs with the socket blocked: one stats request per interval, every tab updated', async ({ browser, server }) => {
  test.setTimeout(120_000)
  const context = await browser.newContext()
  await signInContext(context, server)
  try {
    const pages: Page[] = []
    for (let i = 0; i < TABS; i++) {
      const page = await context.newPage()
      await page.goto(`${server.url}/admin/dashboard`)
      await expectLive(page)
      await expect(page.locator('[data-stat="orders-today"]')).toBeVisible()
      pages.push(page)
    }

    await blockRealtime(server, true)
    for (const page of pages)
      await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'polling', { timeout: 20_000 })
    // Let the schedule settle after the drop, then count one stream's requests.
    await new Promise((resolve) => setTimeout(resolve, 2 * POLL_MS))
    const windowMs = 10_000
    const before = await routeRequests(server, '/api/stats')
    await new Promise((resolve) => setTimeout(resolve, windowMs))
    const requests = (await routeRequests(server, '/api/stats')) - before
    const intervals = windowMs / POLL_MS
    console.log(`[figure] GET /api/stats in ${windowMs / 1000} s, ${TABS} polling dashboard tabs, ${POLL_MS} ms interval: ${requests}`)
    // One stream (+ jitter and visibility catch-ups), nowhere near one per tab.
    expect(requests).toBeLessThanOrEqual(intervals * 1.5)
    expect(requests).toBeGreaterThanOrEqual(intervals * 0.5)

    const shown = await Promise.all(pages.map(ordersToday))
    await placeOrder(server)
    for (const [i, page] of pages.entries()) {
      await expect.poll(() => ordersToday(page), { timeout: POLL_MS * 4 + 2000 }).toBe(shown[i]! + 1)
    }
  } finally {
    await blockRealtime(server, false)
    await context.close()
  }
})
