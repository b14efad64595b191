/**
 * Screenshots of the admin and tracking pages for the docs, not a test: skipped unless
 * SCREENSHOTS=1. Writes viewport-sized PNGs to SCREENSHOTS_DIR (default docs/screenshots/after)
 * at 360 px (light and dark) and 1280 px, and the tracking page in each connection state.
 *
 *   npm run build && SCREENSHOTS=1 SCREENSHOTS_DIR=docs/screenshots/after npx playwright test tests/e2e/screenshots.spec.ts
 */
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from '@playwright/test'
import { placeOrder, setStatus, trackingPath } from '../../harness/api'
import type { TestServer } from '../../harness/server'
import { expectLive, signInContext } from './admin-support'
import { blockNetwork, blockRealtime } from './offline-build'
import { documentBox, holdConnectionState } from './layout-support'
import { expect, test } from './fixtures'

const DIR = path.resolve(process.env.SCREENSHOTS_DIR ?? 'docs/screenshots/after')

test.skip(process.env.SCREENSHOTS !== '1', 'screenshots only when SCREENSHOTS=1')

const LAYOUTS = [
  { name: '360-light', width: 360, height: 740, scheme: 'light' as const, touch: true },
  { name: '360-dark', width: 360, height: 740, scheme: 'dark' as const, touch: true },
  { name: '1280', width: 1280, height: 800, scheme: 'light' as const, touch: false },
]

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(DIR, { recursive: true })
  // Let fonts, transitions and the first live round settle.
  await page.waitForTimeout(400)
  if (name.startsWith('track-')) {
    const status = await documentBox(page, '[data-testid="order-status"]')
    console.log(`[figure] ${name}: order status at y=${Math.round(status.y)}`)
  }
  await page.screenshot({ path: path.join(DIR, `${name}.png`), animations: 'disabled' })
}

async function adminPages(browser: Browser, server: TestServer, orderId: string): Promise<void> {
  for (const layout of LAYOUTS) {
    const context = await browser.newContext({
      viewport: { width: layout.width, height: layout.height },
      colorScheme: layout.scheme,
      hasTouch: layout.touch,
      isMobile: layout.touch,
    })
    await signInContext(context, server)
    const page = await context.newPage()
    try {
      await page.goto(`${server.url}/admin`)
      await expect(page.locator('.virtual-board [data-order-id]').first()).toBeVisible({ timeout: 15_000 })
      await expectLive(page)
      const firstRow = await documentBox(page, '.virtual-board [data-order-id]')
      console.log(`[figure] ${layout.name} board: first order row at y=${Math.round(firstRow.y)}`)
      await shoot(page, `board-${layout.name}`)

      await page.goto(`${server.url}/admin/orders/${orderId}`)
      await expect(page.locator('article[data-order-id]')).toBeVisible()
      await expectLive(page)
      await shoot(page, `admin-order-${layout.name}`)
      // The cancel dialog and the undo bar (absent before: then the button was a one-tap cancel).
      const cancel = page.getByRole('button', { name: 'Cancel order…' })
      if ((await cancel.count()) > 0) {
        await cancel.click()
        await page.getByRole('dialog').getByLabel('Out of stock').check()
        await shoot(page, `cancel-dialog-${layout.name}`)
        await page.getByRole('dialog').getByRole('button', { name: 'Cancel order', exact: true }).click()
        await expect(page.getByTestId('undo-pending')).toBeVisible()
        await shoot(page, `undo-bar-${layout.name}`)
        await page.getByTestId('undo-pending').getByRole('button', { name: 'Undo' }).click()
      }

      await page.goto(`${server.url}/admin/dashboard`)
      await expectLive(page)
      await page.waitForTimeout(800)
      await shoot(page, `dashboard-${layout.name}`)

      await page.goto(`${server.url}/admin/diagnostics`)
      await expectLive(page)
      await page.waitForTimeout(800)
      await shoot(page, `diagnostics-${layout.name}`)
    } finally {
      await context.close()
    }
  }
}

test('screenshots of the changed pages', async ({ browser, server }) => {
  test.setTimeout(300_000)
  const placed = await placeOrder(server, undefined, 'Grace Hopper')
  const second = await placeOrder(server, undefined, 'Alan Turing')
  await setStatus(server, second.order, 'confirmed')
  await adminPages(browser, server, placed.order.id)
  // A delivered order (the completed state) and a cancelled one with a reason.
  const done = await placeOrder(server, undefined, 'Edsger Dijkstra')
  let step = done.order
  for (const status of ['confirmed', 'preparing', 'out_for_delivery', 'delivered'] as const) step = await setStatus(server, step, status)
  const dropped = await placeOrder(server, undefined, 'Barbara Liskov')
  await fetch(`${server.url}/api/orders/${dropped.order.id}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await server.adminToken()}` },
    body: JSON.stringify({ status: 'cancelled', version: dropped.order.version, reason: 'Out of stock' }),
  })

  // The tracking page in every connection state, at 360 px light and dark, and 1280 px.
  for (const layout of LAYOUTS) {
    const context = await browser.newContext({
      viewport: { width: layout.width, height: layout.height },
      colorScheme: layout.scheme,
      hasTouch: layout.touch,
      isMobile: layout.touch,
    })
    const page = await context.newPage()
    try {
      for (const [name, order] of [
        ['delivered', done],
        ['cancelled', dropped],
      ] as const) {
        await page.goto(server.url + trackingPath(order.order, order.trackingToken))
        await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', name)
        await expectLive(page)
        await shoot(page, `track-${name}-${layout.name}`)
      }
      await page.goto(server.url + trackingPath(second.order, second.trackingToken))
      await expect(page.getByTestId('order-status')).toBeVisible()
      await expectLive(page)
      await shoot(page, `track-live-${layout.name}`)

      await holdConnectionState(page, 'connecting')
      await shoot(page, `track-connecting-${layout.name}`)
      await holdConnectionState(page, null)

      await blockRealtime(server, true)
      await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'polling', { timeout: 20_000 })
      await shoot(page, `track-polling-${layout.name}`)

      await blockNetwork(server, true)
      await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'offline', { timeout: 20_000 })
      await shoot(page, `track-unreachable-${layout.name}`)
      await blockNetwork(server, false)

      await context.setOffline(true)
      await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'offline', { timeout: 20_000 })
      await shoot(page, `track-offline-${layout.name}`)
      await context.setOffline(false)
      await blockRealtime(server, false)
    } finally {
      await blockNetwork(server, false)
      await blockRealtime(server, false)
      await context.close()
    }
  }
})

// The manifest's screenshots (Chrome's richer install dialog): the shop on a phone at 2× (720×1480)
// and a tracked order on a desktop (1280×800). Written to public/screenshots/ only when asked.
test('manifest screenshots', async ({ browser, server }) => {
  test.skip(process.env.MANIFEST_SCREENSHOTS !== '1', 'manifest screenshots only when MANIFEST_SCREENSHOTS=1')
  const out = path.resolve('public/screenshots')
  mkdirSync(out, { recursive: true })
  const narrow = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true })
  try {
    const page = await narrow.newPage()
    await page.goto(server.url + '/')
    await expectLive(page)
    await page.waitForTimeout(500)
    await page.screenshot({ path: path.join(out, 'narrow.png'), animations: 'disabled' })
  } finally {
    await narrow.close()
  }
  const placed = await placeOrder(server, undefined, 'Grace Hopper')
  const confirmed = await setStatus(server, placed.order, 'confirmed')
  await setStatus(server, confirmed, 'preparing')
  const wide = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  try {
    const page = await wide.newPage()
    await page.goto(server.url + trackingPath(placed.order, placed.trackingToken))
    await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'preparing')
    await expectLive(page)
    await page.waitForTimeout(500)
    await page.screenshot({ path: path.join(out, 'wide.png'), animations: 'disabled' })
  } finally {
    await wide.close()
  }
})
