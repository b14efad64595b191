/**
 * Hub: VITE_ENABLE_SOCKET=false builds an app that opens no socket at all and shows
 * `disabled`, yet still works (a REST refresh, then the hub-driven fallback poll:
 * offline-disabled.spec.ts). Builds that variant itself unless E2E_NOSOCKET_DIR points at one.
 */
import { placeOrder, setStatus, trackingPath } from '../../harness/api'
import { expect, test } from './fixtures'

test.use({
  serverOptions: {
    staticDir: process.env.E2E_NOSOCKET_DIR,
    build: { VITE_ENABLE_SOCKET: 'false', VITE_POLL_INTERVAL_MS: '1000' },
  },
})

test('no socket at all, state disabled, and the order still moves', async ({ browser, server }) => {
  test.setTimeout(120_000)
  const { order, trackingToken } = await placeOrder(server)
  const context = await browser.newContext()
  try {
    const pages = []
    for (let i = 0; i < 3; i++) {
      const page = await context.newPage()
      await page.goto(server.url + trackingPath(order, trackingToken))
      await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'placed')
      await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'disabled')
      pages.push(page)
    }
    await setStatus(server, order, 'confirmed')
    for (const page of pages)
      await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'confirmed', { timeout: 20_000 })
    expect(await server.metric('realtime_connected_sockets')).toBe(0)
  } finally {
    await context.close()
  }
})
