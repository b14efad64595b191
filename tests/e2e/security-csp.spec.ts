/**
 * Security, browser side: the production build runs under the server's strict CSP — storefront,
 * tracking page and admin dashboard — with the SharedWorker's socket live and the service worker
 * controlling the page, and not a single CSP violation reported.
 */
import { expect, test, type Page } from '@playwright/test'
import { placeOrder, trackingPath } from './support/api'
import { startServer, type TestServer } from './support/server'
import { signIn } from './hub-support'

let server: TestServer
test.beforeAll(async () => {
  server = await startServer()
})
test.afterAll(async () => {
  await server.stop()
})

/** Collects violations from the DOM event and from the console, where Chromium reports them too. */
async function watchViolations(page: Page): Promise<string[]> {
  const violations: string[] = []
  page.on('console', (message) => {
    const text = message.text()
    if (/Content Security Policy|Refused to/i.test(text)) violations.push(`console: ${text}`)
  })
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const list = ((window as unknown as { __csp?: string[] }).__csp ??= [])
      list.push(`${event.violatedDirective} ${event.blockedURI}`)
    })
  })
  return violations
}

async function domViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? [])
}

test('storefront, tracking page and dashboard run under the CSP with no violation', async ({ browser }) => {
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    const violations = await watchViolations(page)
    const response = await page.goto(server.url + '/')
    const csp = response?.headers()['content-security-policy'] ?? ''
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("worker-src 'self'")
    expect(csp).not.toContain('unsafe-inline')

    // Storefront: products render, the order goes through the form.
    await page.getByRole('button', { name: /add/i }).first().click()
    await page.getByLabel('Name').fill('Csp Tester')
    await page.getByLabel('Email').fill('csp@example.com')
    await page.getByRole('button', { name: /place order/i }).click()
    await expect(page).toHaveURL(/\/track\/[^#]+#t=/)
    await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'placed')
    // The SharedWorker started and its socket connected: worker-src and connect-src allow them.
    await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'live')
    // The service worker registered (bundled registration, no inline script) and controls a reload.
    expect(await page.evaluate(async () => Boolean((await navigator.serviceWorker.ready).active))).toBe(true)
    await page.reload()
    await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'placed')
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true)
    expect(await domViolations(page)).toEqual([])

    // A tracking link opened fresh, then the admin pages (style bindings, sparkline, board).
    const { order, trackingToken } = await placeOrder(server)
    await page.goto(server.url + trackingPath(order, trackingToken))
    await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'placed')
    await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'live')
    expect(await domViolations(page)).toEqual([])

    await signIn(page, server)
    await expect(page.locator(`[data-order-id="${order.id}"]`)).toBeVisible()
    await page.goto(server.url + '/admin/dashboard')
    await page.waitForTimeout(1000)
    expect(await domViolations(page)).toEqual([])
    expect(violations).toEqual([])
  } finally {
    await context.close()
  }
})
