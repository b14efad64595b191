/**
 * Hub: tab liveness. 200 tabs opened and closed in a row leave the hub with no growth in
 * listeners (tabs) or rooms — each closed tab is noticed through its Web Lock and freed — and
 * its heap stays flat (measured over CDP when reachable).
 */
import { expect, test } from '@playwright/test'
import { placeOrder } from './support/api'
import { startServer, type TestServer } from './support/server'
import { diagNumber, expectSockets, sharedWorkerHeap, signIn } from './hub-support'
import { trackingPath } from './support/api'

let server: TestServer
test.beforeAll(async () => {
  server = await startServer()
})
test.afterAll(async () => {
  await server.stop()
})

const TABS = 200

test(`${TABS} tabs opened and closed in a row: no growth in hub tabs, rooms or heap`, async ({ browser }) => {
  // Slow on a loaded 2-core CI box (~2.5 s per tab observed); the bound is generous on purpose.
  test.setTimeout(1_200_000)
  const orders = await Promise.all([0, 1, 2].map((i) => placeOrder(server, undefined, `Liveness ${i}`)))
  const context = await browser.newContext()
  try {
    const diagnostics = await context.newPage()
    await signIn(diagnostics, server)
    await diagnostics.goto(server.url + '/admin/diagnostics')
    await expect(diagnostics.locator('[data-diag="state"]')).toHaveAttribute('data-value', 'live')
    await expect.poll(() => diagNumber(diagnostics, 'tabs')).toBe(1)
    const baseRooms = await diagNumber(diagnostics, 'rooms')

    const open = async (i: number) => {
      const { order, trackingToken } = orders[i % orders.length]!
      const page = await context.newPage()
      await page.goto(server.url + trackingPath(order, trackingToken))
      await expect(page.getByTestId('order-status')).toBeVisible()
      await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'live')
      return page
    }

    // Warm-up, so lazily created structures do not count as growth.
    for (let i = 0; i < 10; i++) await (await open(i)).close()
    await expect.poll(() => diagNumber(diagnostics, 'tabs')).toBe(1)
    const heapBefore = await sharedWorkerHeap(browser)

    const started = Date.now()
    let peakTabs = 0
    for (let i = 0; i < TABS; i++) {
      const page = await open(i)
      if (i % 50 === 0) {
        // The hub does see the tab and its room while it is open.
        await expect.poll(() => diagNumber(diagnostics, 'tabs')).toBeGreaterThanOrEqual(2)
        peakTabs = Math.max(peakTabs, await diagNumber(diagnostics, 'tabs'))
        // Polled: the hub coalesces status updates, so the join shows up a moment after `live`.
        await expect.poll(() => diagNumber(diagnostics, 'rooms')).toBeGreaterThan(baseRooms)
      }
      await page.close()
    }
    const closedAt = Date.now()
    await expect.poll(() => diagNumber(diagnostics, 'tabs'), { timeout: 10_000, intervals: [100] }).toBe(1)
    const freedMs = Date.now() - closedAt
    await expect.poll(() => diagNumber(diagnostics, 'rooms')).toBe(baseRooms)
    const heapAfter = await sharedWorkerHeap(browser)
    const kb = (bytes: number | null) => (bytes === null ? 'n/a' : `${(bytes / 1024).toFixed(0)} KiB`)
    console.log(
      `[figure] ${TABS} tabs in ${((closedAt - started) / 1000).toFixed(0)} s: hub tabs back to 1 ${freedMs} ms after the last close ` +
        `(peak seen ${peakTabs}); rooms ${baseRooms} → ${await diagNumber(diagnostics, 'rooms')}; ` +
        `SharedWorker heap ${kb(heapBefore)} → ${kb(heapAfter)}`,
    )
    if (heapBefore !== null && heapAfter !== null) expect(heapAfter - heapBefore).toBeLessThan(2 * 1024 * 1024)
    await expectSockets(server, 1)
  } finally {
    await context.close()
  }
})
