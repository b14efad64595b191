/**
 * Checkout: one order per attempt, whatever the customer or the network does (a double tap, an
 * answer lost after the server placed the order), and a checkout that can be completed on a
 * phone: the total and "Place order" in reach at 360 px, delivery address and phone validated,
 * sent, and shown to the admin.
 */
import type { Page } from '@playwright/test'
import { findOrders } from '../../harness/api'
import type { TestServer } from '../../harness/server'
import { fetchOrderAsAdmin, signInContext } from './admin-support'
import { expect, test } from './fixtures'

async function fillCart(page: Page, server: TestServer, name: string): Promise<void> {
  await page.goto(server.url + '/')
  await page
    .getByRole('button', { name: /^Add one / })
    .first()
    .click()
  await page
    .getByRole('button', { name: /^Add one / })
    .first()
    .click()
  await page.getByLabel('Name').fill(name)
  await page.getByLabel('Email').fill('checkout@example.com')
}

const orderIdOf = (page: Page): string => decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '')

test('a double tap places one order and moves to its tracking page', async ({ browser, server }) => {
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    await fillCart(page, server, 'Double Tap Dora')
    const button = page.getByRole('button', { name: 'Place order' })
    await expect(page.getByTestId('cart-lines')).toContainText('× 2')
    // Two taps faster than Vue can disable the button: the second must find the attempt in flight.
    await button.evaluate((element: HTMLButtonElement) => {
      element.click()
      element.click()
    })
    await expect(page).toHaveURL(/\/track\/[^#]+#t=/)
    await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'placed')
    expect(await findOrders(server, 'Double Tap Dora')).toHaveLength(1)
    // The same for a real double click.
    await fillCart(page, server, 'Double Click Dan')
    await page.getByRole('button', { name: 'Place order' }).dblclick()
    await expect(page).toHaveURL(/\/track\/[^#]+#t=/)
    expect(await findOrders(server, 'Double Click Dan')).toHaveLength(1)
  } finally {
    await context.close()
  }
})

test('an answer lost after the server placed the order: resent with the same key, one order, tracking page', async ({
  browser,
  server,
}) => {
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    const keys: string[] = []
    const replayed: (string | null)[] = []
    await page.route('**/api/orders', async (route) => {
      if (route.request().method() !== 'POST') return route.continue()
      keys.push((await route.request().headerValue('idempotency-key')) ?? '')
      // The server handles the first request; its answer never reaches the page.
      const response = await route.fetch()
      replayed.push(response.headers()['idempotent-replayed'] ?? null)
      if (keys.length === 1) return route.abort('connectionreset')
      return route.fulfill({ response })
    })
    // Under the service worker, as a returning customer: it lets POSTs through to the network,
    // where the route below sees them.
    await page.goto(server.url + '/')
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null)
    await fillCart(page, server, 'Lost Answer Lin')
    await page.getByRole('button', { name: 'Place order' }).click()
    await expect(page.getByRole('button', { name: 'Retrying…' })).toBeDisabled()
    await expect(page.getByTestId('checkout-status')).toContainText('retrying')
    await expect(page).toHaveURL(/\/track\/[^#]+#t=/, { timeout: 15_000 })
    await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'placed')

    expect(keys).toHaveLength(2)
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/)
    expect(keys[1]).toBe(keys[0])
    expect(replayed).toEqual([null, 'true'])
    const orders = await findOrders(server, 'Lost Answer Lin')
    expect(orders).toHaveLength(1)
    expect(orders[0]!.id).toBe(orderIdOf(page))
    // Remembered in My orders with its tracking token, as any placed order.
    const remembered = await page.evaluate(() => localStorage.getItem('orderline.myOrders') ?? '')
    expect(remembered).toContain(orders[0]!.id)
  } finally {
    await context.close()
  }
})

test('on a 360 px phone: "Place order" in view, address and phone validated, sent, and shown to the admin', async ({ browser, server }) => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true })
  const admin = await browser.newContext()
  try {
    const page = await context.newPage()
    await page.goto(server.url + '/')
    await page
      .getByRole('button', { name: /^Add one / })
      .first()
      .tap()
    expect(await page.evaluate(() => window.scrollY)).toBe(0)
    const placeOrder = page.getByRole('button', { name: 'Place order' })
    await expect(placeOrder).toBeInViewport({ ratio: 1 })
    await expect(page.getByTestId('cart-total')).toBeInViewport()

    await page.getByLabel('Name').fill('Phone Pat')
    await page.getByLabel('Email').fill('pat@example.com')
    const address = page.getByLabel('Delivery address')
    const phone = page.getByLabel('Phone')
    await expect(address).toHaveAttribute('autocomplete', 'street-address')
    await expect(phone).toHaveAttribute('autocomplete', 'tel')
    await expect(phone).toHaveAttribute('inputmode', 'tel')
    await expect(phone).toHaveAttribute('type', 'tel')
    await address.fill('12 Harbour Road\nFlat 3')
    await phone.fill('12-ab')
    // Still in view after scrolling down through the form.
    await expect(placeOrder).toBeInViewport({ ratio: 1 })
    await placeOrder.tap()
    await expect(phone).toHaveAttribute('aria-invalid', 'true')
    await expect(page.locator('#checkout-phone-error')).toContainText('The phone number')
    await expect(phone).toBeFocused()
    expect(await findOrders(server, 'Phone Pat')).toHaveLength(0)

    await phone.fill('+44 20 7946 0958')
    await expect(phone).not.toHaveAttribute('aria-invalid', 'true')
    await placeOrder.tap()
    await expect(page).toHaveURL(/\/track\/[^#]+#t=/)
    const orderId = orderIdOf(page)
    const stored = await fetchOrderAsAdmin(server, orderId)
    expect(stored.customer).toMatchObject({ name: 'Phone Pat', address: '12 Harbour Road, Flat 3', phone: '+44 20 7946 0958' })

    await signInContext(admin, server)
    const board = await admin.newPage()
    await board.goto(`${server.url}/admin/orders/${orderId}`)
    await expect(board.getByTestId('delivery-address')).toHaveText('12 Harbour Road, Flat 3')
    await expect(board.getByTestId('delivery-phone')).toHaveText('+44 20 7946 0958')
    await expect(board.getByTestId('delivery-phone')).toHaveAttribute('href', 'tel:+442079460958')
  } finally {
    await context.close()
    await admin.close()
  }
})
