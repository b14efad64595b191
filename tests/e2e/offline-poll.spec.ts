/**
 * Offline, the fallback poll: with the realtime path blocked at the server, five tabs of one
 * browser all show `polling`, an admin change reaches all five within the poll interval plus
 * two seconds, the server sees one conditional GET per interval (not five), and when realtime
 * returns the tabs go `live` and polling stops.
 */
import type { Page } from '@playwright/test'
import { placeOrder, setStatus, trackingPath } from '../../harness/api'
import type { TestServer } from '../../harness/server'
import { blockRealtime, routeRequests } from './offline-build'
import { expect, test } from './fixtures'

const POLL_MS = 1000
const ORDER_ROUTE = '/api/orders/:id'

test.use({ serverOptions: { build: { VITE_POLL_INTERVAL_MS: String(POLL_MS) } } })

async function openTabs(count: number, url: string, context: import('@playwright/test').BrowserContext): Promise<Page[]> {
  const pages: Page[] = []
  for (let i = 0; i < count; i++) {
    const page = await context.newPage()
    await page.goto(url)
    await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'placed')
    pages.push(page)
  }
  return pages
}

/** Requests per minute for the order route, measured over `ms`. */
async function rate(server: TestServer, ms: number): Promise<number> {
  const before = await routeRequests(server, ORDER_ROUTE)
  await new Promise((resolve) => setTimeout(resolve, ms))
  return ((await routeRequests(server, ORDER_ROUTE)) - before) * (60_000 / ms)
}

test('five polling tabs: all follow an admin change, one GET per interval, live again when realtime returns', async ({
  browser,
  server,
}) => {
  test.setTimeout(120_000)
  const placed = await placeOrder(server)
  let order = placed.order
  const context = await browser.newContext()
  try {
    const pages = await openTabs(5, server.url + trackingPath(order, placed.trackingToken), context)
    for (const page of pages) await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'live')

    await blockRealtime(server, true)
    for (const page of pages)
      await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'polling', { timeout: 20_000 })

    // Let the schedule settle (the first ticks after the drop), then measure one stream.
    // The service worker performs the poll for the page (no SW would mean each tab fetching).
    // On this first visit the worker installs while the tabs load and claims them when it
    // activates: wait for that rather than race it.
    for (const page of pages) await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 45_000 })
    await new Promise((resolve) => setTimeout(resolve, 2 * POLL_MS))
    const notModifiedBefore = await routeRequests(server, ORDER_ROUTE, 'GET', 304)
    const perMinute = await rate(server, 10_000)
    // Conditional GETs: an unchanged order costs a 304, not a body.
    expect((await routeRequests(server, ORDER_ROUTE, 'GET', 304)) - notModifiedBefore).toBeGreaterThanOrEqual((perMinute / 6) * 0.8)
    const intervalsPerMinute = 60_000 / POLL_MS
    console.log(`[figure] order GETs per minute at the server, 5 polling tabs, ${POLL_MS} ms interval: ${perMinute}`)
    // One stream (+ jitter/stray visibility catch-ups), nowhere near five streams.
    expect(perMinute).toBeLessThanOrEqual(intervalsPerMinute * 1.5)
    expect(perMinute).toBeGreaterThanOrEqual(intervalsPerMinute * 0.5)

    const changedAt = Date.now()
    order = await setStatus(server, order, 'confirmed')
    const seen = await Promise.all(
      pages.map(async (page) => {
        await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'confirmed', { timeout: POLL_MS + 2000 })
        return Date.now() - changedAt
      }),
    )
    console.log(`[figure] admin change → all five polling tabs show it: ${Math.max(...seen)} ms (per tab: ${seen.join(', ')})`)

    await blockRealtime(server, false)
    for (const page of pages) await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'live', { timeout: 30_000 })
    await new Promise((resolve) => setTimeout(resolve, 2 * POLL_MS))
    const afterLive = await rate(server, 5_000)
    console.log(`[figure] order GETs per minute once live again: ${afterLive}`)
    expect(afterLive).toBeLessThanOrEqual(12) // polling stopped: at most a stray resync or two

    // And live really carries updates again.
    order = await setStatus(server, order, 'preparing')
    for (const page of pages) await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'preparing')
  } finally {
    await context.close()
  }
})

test('requests per minute while polling: 1 tab vs 10 tabs', async ({ browser, server }) => {
  test.setTimeout(150_000)
  const { order, trackingToken } = await placeOrder(server)
  await blockRealtime(server, true)
  const figures: Record<number, number> = {}
  try {
    for (const count of [1, 10]) {
      const context = await browser.newContext()
      try {
        const pages = await openTabs(count, server.url + trackingPath(order, trackingToken), context)
        for (const page of pages)
          await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'polling', { timeout: 20_000 })
        await new Promise((resolve) => setTimeout(resolve, 2 * POLL_MS))
        figures[count] = await rate(server, 10_000)
      } finally {
        await context.close()
      }
    }
  } finally {
    await blockRealtime(server, false)
  }
  console.log(`[figure] order GETs per minute while polling (${POLL_MS} ms interval): 1 tab ${figures[1]}, 10 tabs ${figures[10]}`)
  // Ten tabs cost about what one does: one stream per browser.
  expect(figures[10]!).toBeLessThanOrEqual(figures[1]! * 1.6 + 12)
})
