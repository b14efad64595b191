/**
 * Security, per-user caches: after an admin logs out, nothing cached for them is served — not by
 * the service worker's API cache with the server down, not to a reload of /admin.
 */
import { placeOrder } from '../../harness/api'
import { signIn } from './hub-support'
import { expect, test } from './fixtures'

test('after logout, no cached admin response is served offline', async ({ browser, server }) => {
  const { order } = await placeOrder(server, undefined, 'Cached Customer')
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    await page.goto(server.url + '/')
    // Let the service worker take control first, so the admin reads below go through it.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready
    })
    await page.reload()
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true)

    await signIn(page, server)
    await expect(page.locator(`[data-order-id="${order.id}"]`)).toBeVisible()
    const token = await page.evaluate(
      () => (JSON.parse(localStorage.getItem('orderline.session') ?? 'null') as { token?: string } | null)?.token ?? null,
    )
    expect(token).toBeTruthy()
    // Warm every cache we can: the same admin read again from the page.
    const warm = await page.evaluate(async (t) => (await fetch('/api/orders', { headers: { authorization: `Bearer ${t}` } })).status, token)
    expect(warm).toBe(200)

    await page.getByRole('button', { name: 'Sign out' }).click()
    await expect.poll(() => page.evaluate(() => localStorage.getItem('orderline.session'))).toBeNull()
    await page.waitForTimeout(500) // the cache purge is a message to the service worker

    await server.stop()
    // The old token, replayed from the page with the server down: the SW must not answer from cache.
    const replay = await page.evaluate(async (t) => {
      try {
        const response = await fetch('/api/orders', { headers: { authorization: `Bearer ${t}` } })
        return { status: response.status, text: await response.text() }
      } catch (error) {
        return { status: 0, text: String(error) }
      }
    }, token)
    expect(replay.text).not.toContain(order.id)
    expect(replay.text).not.toContain('Cached Customer')
    expect(replay.status).not.toBe(200)

    // A reload of /admin shows no admin data either.
    await page.goto(server.url + '/admin').catch(() => undefined)
    await page.waitForTimeout(1000)
    await expect(page.locator(`[data-order-id="${order.id}"]`)).toHaveCount(0)
    expect(await page.content()).not.toContain('Cached Customer')
  } finally {
    await context.close()
    await server.restart()
  }
})
