/**
 * A module of the app that fails to load must not leave a blank page (seen once in 210 tab opens:
 * a precached chunk answered net::ERR_ABORTED by a busy service worker). public/boot-guard.js
 * reloads once, and says so when the app still cannot load, without a reload loop.
 */
import { placeOrder, trackingPath } from '../../harness/api'
import { expect, test } from './fixtures'

const ENTRY = /\/assets\/index-[^/]+\.js$/

test('a module that fails once: the page reloads by itself and shows the order', async ({ browser, server }) => {
  const { order, trackingToken } = await placeOrder(server, undefined, 'Boot Once')
  // No service worker yet in a new context: the entry module comes from the network, where the route can drop it.
  const context = await browser.newContext({ serviceWorkers: 'block' })
  const page = await context.newPage()
  let aborted = 0
  await page.route(ENTRY, (route) => (aborted++ === 0 ? route.abort('connectionaborted') : route.continue()))
  let documents = 0
  page.on('request', (request) => void (request.resourceType() === 'document' && documents++))
  try {
    await page.goto(server.url + trackingPath(order, trackingToken))
    await expect(page.getByTestId('order-status')).toBeVisible()
    expect(aborted).toBe(2)
    expect(documents).toBe(2)
    await expect(page.getByTestId('boot-failed')).toHaveCount(0)
  } finally {
    await context.close()
  }
})

test('a module that keeps failing: one reload, then a message with a Reload button, no loop', async ({ browser, server }) => {
  const { order, trackingToken } = await placeOrder(server, undefined, 'Boot Never')
  const context = await browser.newContext({ serviceWorkers: 'block' })
  const page = await context.newPage()
  const cspViolations: string[] = []
  page.on('console', (message) => void (/Content Security Policy/i.test(message.text()) && cspViolations.push(message.text())))
  let aborted = 0
  await page.route(ENTRY, (route) => {
    aborted++
    return route.abort('connectionaborted')
  })
  try {
    await page.goto(server.url + trackingPath(order, trackingToken))
    const alert = page.getByTestId('boot-failed')
    await expect(alert).toBeVisible()
    await expect(alert).toHaveAttribute('role', 'alert')
    await expect(alert.getByRole('button', { name: 'Reload' })).toBeVisible()
    // Still one reload after a while: the guard does not loop.
    await page.waitForTimeout(1_500)
    expect(aborted).toBe(2)
    // The message is built without inline script or style attributes, which the CSP forbids.
    expect(cspViolations).toEqual([])
    // Once the network is back, the button brings the app.
    await page.unroute(ENTRY)
    await alert.getByRole('button', { name: 'Reload' }).click()
    await expect(page.getByTestId('order-status')).toBeVisible()
  } finally {
    await context.close()
  }
})
