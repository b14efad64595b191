/**
 * Hub: credentials everywhere at once. Signing in in one tab makes every tab admin without a
 * reload (one hub, new credentials); signing out in any tab leaves no admin data in any tab.
 */
import { expect, test } from '@playwright/test'
import { placeOrder } from './support/api'
import { startServer, type TestServer } from './support/server'
import { expectSockets, signIn } from './hub-support'

let server: TestServer
test.beforeAll(async () => {
  server = await startServer()
})
test.afterAll(async () => {
  await server.stop()
})

test('login in tab A makes tab B admin without reload; logout in tab B purges admin data in tab A', async ({ browser }) => {
  test.setTimeout(120_000)
  const { order } = await placeOrder(server, undefined, 'Before Login')
  const context = await browser.newContext()
  try {
    const tabB = await context.newPage()
    await tabB.goto(server.url + '/')
    await expect(tabB.getByTestId('connection-state')).toHaveAttribute('data-state', 'live')
    await expect(tabB.getByRole('link', { name: 'Admin', exact: true })).toHaveCount(0)

    const tabA = await context.newPage()
    await signIn(tabA, server)
    await expect(tabA.locator(`[data-order-id="${order.id}"]`)).toBeVisible()

    // Tab B learned the session from the storage event and its hub has the admin credentials.
    await expect(tabB.getByRole('link', { name: 'Admin', exact: true })).toBeVisible()
    await tabB.getByRole('link', { name: 'Admin', exact: true }).click()
    await expect(tabB.locator(`[data-order-id="${order.id}"]`)).toBeVisible()
    const { order: live } = await placeOrder(server, undefined, 'Arrives Live')
    await expect(tabB.locator(`[data-order-id="${live.id}"]`)).toBeVisible()
    await expect(tabA.locator(`[data-order-id="${live.id}"]`)).toBeVisible()
    expect(await tabB.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1)
    await expectSockets(server, 1)

    await tabB.getByRole('button', { name: 'Sign out' }).click()
    // Tab A: off the admin pages, no rows, no toasts; later admin events no longer reach it.
    await expect(tabA).toHaveURL(/\/login/)
    await expect(tabA.locator('[data-order-id]')).toHaveCount(0)
    await expect(tabA.locator('.toast')).toHaveCount(0)
    await placeOrder(server, undefined, 'After Logout')
    await tabA.waitForTimeout(1_500)
    await expect(tabA.locator('.toast')).toHaveCount(0)
    await expect(tabA.getByText('After Logout')).toHaveCount(0)
    expect(await tabA.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1)
    await expectSockets(server, 1)
  } finally {
    await context.close()
  }
})
