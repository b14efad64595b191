/**
 * Security, XSS: an order whose customer name and note carry script payloads renders them as inert
 * text on the customer's tracking page and on the admin board and order page.
 */
import { expect, test, type Page } from '@playwright/test'
import { placeOrder, trackingPath } from './support/api'
import { startServer, type TestServer } from './support/server'

const NAME = '<img src=x onerror="window.__xss=1">'
const NOTE = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2"><svg onload="window.__xss=3">'

let server: TestServer
test.beforeAll(async () => {
  server = await startServer()
})
test.afterAll(async () => {
  await server.stop()
})

async function expectInert(page: Page): Promise<void> {
  // Give any injected handler (an img error, an svg load) the time it would need to fire.
  await page.waitForTimeout(500)
  expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined()
  expect(await page.locator('img[src="x"], svg[onload], script:not([src])').count()).toBe(0)
}

test('payloads in the name and the note render as text on the tracking page', async ({ page }) => {
  const dialogs: string[] = []
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message())
    void dialog.dismiss()
  })
  const { order, trackingToken } = await placeOrder(server, NOTE, NAME)
  await page.goto(server.url + trackingPath(order, trackingToken))
  await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'placed')
  await expect(page.getByText(NAME, { exact: false })).toBeVisible()
  await expect(page.getByText(NOTE, { exact: false })).toBeVisible()
  await expectInert(page)
  expect(dialogs).toEqual([])
})

test('payloads render as text on the admin board and the order page', async ({ browser }) => {
  const { order } = await placeOrder(server, NOTE, NAME)
  const token = await server.adminToken()
  const me = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@orderline.test', password: 'e2e-admin-password' }),
  })
  const { user } = (await me.json()) as { user: unknown }
  const context = await browser.newContext()
  try {
    // The session the login form would store (src/app/stores/session.ts, 'orderline.session').
    await context.addInitScript(
      ([session]) => {
        if (!localStorage.getItem('orderline.session')) localStorage.setItem('orderline.session', session as string)
      },
      [JSON.stringify({ token, user })],
    )
    const page = await context.newPage()
    await page.goto(server.url + '/admin')
    const row = page.locator(`[data-order-id="${order.id}"]`)
    await expect(row).toBeVisible()
    await expect(row).toContainText(NAME)
    await expectInert(page)

    await page.goto(server.url + `/admin/orders/${order.id}`)
    await expect(page.getByText(NOTE, { exact: false })).toBeVisible()
    await expect(page.getByText(NAME, { exact: false }).first()).toBeVisible()
    await expectInert(page)
  } finally {
    await context.close()
  }
})
