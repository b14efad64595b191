/**
 * The whole loop: A customer orders in one browser, an admin in another advances the
 * status, and the customer's tab shows each status live; four tabs share one socket.
 */
import { placeOrder, setStatus, trackingPath } from '../../harness/api'
import { signIn } from './hub-support'
import { expect, test } from './fixtures'

test('customer orders, admin advances the status, the customer tab follows live', async ({ browser, server }) => {
  const customer = await browser.newContext()
  const admin = await browser.newContext()
  try {
    const shop = await customer.newPage()
    await shop.goto(server.url + '/')
    // Add the first product and place the order through the form.
    await shop.getByRole('button', { name: /add/i }).first().click()
    await shop.getByLabel('Name').fill('Grace Hopper')
    await shop.getByLabel('Email').fill('grace@example.com')
    await shop.getByRole('button', { name: /place order/i }).click()
    await expect(shop).toHaveURL(/\/track\/[^#]+#t=/)
    const status = shop.getByTestId('order-status')
    await expect(status).toHaveAttribute('data-status', 'placed')
    await expect(shop.getByTestId('connection-state')).toHaveAttribute('data-state', 'live')
    const orderId = decodeURIComponent(new URL(shop.url()).pathname.split('/').pop() ?? '')

    const board = await admin.newPage()
    // Through the real form, as an admin would.
    await signIn(board, server)
    const row = board.locator(`[data-order-id="${orderId}"]`)
    await expect(row).toBeVisible()
    await row.getByRole('link').first().click()
    await expect(board).toHaveURL(new RegExp(`/admin/orders/${orderId}`))

    const latencies: number[] = []
    for (const [label, key] of [
      ['Mark confirmed', 'confirmed'],
      ['Mark preparing', 'preparing'],
      ['Mark out for delivery', 'out_for_delivery'],
      ['Mark delivered', 'delivered'],
    ] as const) {
      const clicked = Date.now()
      await board.getByRole('button', { name: label, exact: true }).click()
      await expect(status).toHaveAttribute('data-status', key)
      latencies.push(Date.now() - clicked)
    }
    // No reload happened: the page kept its original navigation entry.
    expect(await shop.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1)
    console.log(`[figure] admin click → customer tab shows status: ${latencies.join(', ')} ms`)
  } finally {
    await customer.close()
    await admin.close()
  }
})

test('four tabs of one browser share one Socket.IO connection and all see the update', async ({ browser, server }) => {
  const { order, trackingToken } = await placeOrder(server)
  const context = await browser.newContext()
  try {
    const before = await server.metric('realtime_connected_sockets')
    const pages = []
    for (let i = 0; i < 4; i++) {
      const page = await context.newPage()
      await page.goto(server.url + trackingPath(order, trackingToken))
      await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'placed')
      await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'live')
      pages.push(page)
    }
    await expect.poll(() => server.metric('realtime_connected_sockets')).toBe(before + 1)

    await setStatus(server, order, 'confirmed')
    for (const page of pages) await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'confirmed')
    expect(await server.metric('realtime_connected_sockets')).toBe(before + 1)
  } finally {
    await context.close()
  }
  await expect.poll(() => server.metric('realtime_connected_sockets')).toBe(0)
})
