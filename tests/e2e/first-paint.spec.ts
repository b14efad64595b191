/**
 * The first paint needs no script: index.html carries the header and a skeleton of the page,
 * styled by the stylesheet alone, and the app replaces it when it mounts.
 */
import { expect, test } from '@playwright/test'
import { placeOrder, trackingPath } from './support/api'
import { startServer, type TestServer } from './support/server'

let server: TestServer
test.beforeAll(async () => {
  server = await startServer()
})
test.afterAll(async () => {
  await server.stop()
})

test('with JavaScript off the tracking link still paints the styled header and a skeleton', async ({ browser }) => {
  const { order, trackingToken } = await placeOrder(server)
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 740 } })
  try {
    const page = await context.newPage()
    await page.goto(server.url + trackingPath(order, trackingToken))
    const header = page.locator('.app-header')
    await expect(header).toBeVisible()
    await expect(header.getByText('Orderline')).toBeVisible()
    // Styled by the stylesheet, not the browser default: a coloured bar, a laid-out skeleton.
    expect(await header.evaluate((element) => getComputedStyle(element).backgroundColor)).not.toBe('rgba(0, 0, 0, 0)')
    const card = page.locator('.boot-shell__card')
    await expect(card).toBeVisible()
    expect((await card.boundingBox())?.height ?? 0).toBeGreaterThan(40)
  } finally {
    await context.close()
  }

  // With JavaScript the app replaces the shell with the order.
  const live = await browser.newContext()
  try {
    const page = await live.newPage()
    await page.goto(server.url + trackingPath(order, trackingToken))
    await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'placed')
    await expect(page.locator('.boot-shell')).toHaveCount(0)
  } finally {
    await live.close()
  }
})
