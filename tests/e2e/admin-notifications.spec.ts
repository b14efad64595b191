/**
 * Admin UI: notified once. Five admin tabs with permission granted: every new order is a toast
 * in every tab, and at most one system notification per order in the whole browser (tag = order
 * id, shown by the service worker). Permission is asked only from the explicit button.
 */
import type { Page } from '@playwright/test'
import type { Order } from '../../src/protocol'
import { expectLive, signInContext } from './admin-support'
import { placeOrder } from '../../harness/api'
import { expect, test } from './fixtures'

test.use({ serverOptions: { env: { ORDERLINE_ORDER_RATE_LIMIT: '1000' } } })

const TABS = ['/admin', '/admin', '/admin', '/admin/dashboard', '/admin/dashboard']

async function systemNotifications(page: Page): Promise<{ tag: string; title: string }[]> {
  return page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready
    return (await registration.getNotifications()).map((n) => ({ tag: n.tag, title: n.title }))
  })
}

test('five admin tabs, three new orders: three toasts in each tab, at most three system notifications', async ({ browser, server }) => {
  test.setTimeout(120_000)
  const context = await browser.newContext()
  await context.grantPermissions(['notifications'], { origin: server.url })
  await signInContext(context, server)
  // Counts showNotification calls per tab: the same tag would replace a duplicate silently, so
  // the count of calls (not only of notifications) shows that one tab alone showed each.
  await context.addInitScript(() => {
    const counter = { calls: 0 }
    ;(window as unknown as { __shows: typeof counter }).__shows = counter
    const original = ServiceWorkerRegistration.prototype.showNotification
    ServiceWorkerRegistration.prototype.showNotification = function (
      this: ServiceWorkerRegistration,
      ...args: Parameters<typeof original>
    ) {
      counter.calls++
      return original.apply(this, args)
    }
  })
  try {
    const pages: Page[] = []
    for (const path of TABS) {
      const page = await context.newPage()
      page.on('console', (message) => {
        if (/system notification .* (failed|unsupported)/.test(message.text())) console.log(`[tab] ${message.text()}`)
      })
      await page.goto(server.url + path)
      await expectLive(page)
      await expect(page.getByTestId('notify-toggle')).toHaveAttribute('data-permission', 'granted')
      pages.push(page)
    }
    await pages[0]!.evaluate(() => navigator.serviceWorker.ready.then(() => true))
    expect(await systemNotifications(pages[0]!)).toEqual([])

    const orders: Order[] = []
    for (let i = 0; i < 3; i++) orders.push((await placeOrder(server, undefined, `Notify ${i}`)).order)

    // All tabs checked at once: toasts dismiss themselves after 8 s.
    const toastCounts = await Promise.all(
      pages.map(async (page) => {
        await Promise.all(orders.map((order) => expect(page.locator(`[data-toast-id="order:${order.id}"]`)).toHaveCount(1)))
        return page.locator('.toast[data-kind="newOrder"]').count()
      }),
    )
    expect(toastCounts).toEqual([3, 3, 3, 3, 3])

    // Let every tab's attempt finish, then count what the browser shows.
    await expect.poll(async () => (await systemNotifications(pages[0]!)).length, { timeout: 10_000 }).toBe(orders.length)
    await pages[0]!.waitForTimeout(1_500)
    const shown = await systemNotifications(pages[4]!)
    expect(shown.length).toBeLessThanOrEqual(3)
    expect(shown.map((n) => n.tag).sort()).toEqual(orders.map((o) => o.id).sort())
    expect(shown.map((n) => n.title).sort()).toEqual(orders.map((o) => `New order #${o.number}`).sort())
    const callsPerTab = await Promise.all(
      pages.map((page) => page.evaluate(() => (window as unknown as { __shows: { calls: number } }).__shows.calls)),
    )
    expect(callsPerTab.reduce((a, b) => a + b, 0)).toBe(orders.length)

    // A server `notification` without an order follows the same rule: a toast per tab, one system notification.
    const emitted = await fetch(`${server.url}/__test__/emit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        event: 'notification',
        payload: {
          id: 'notice-1',
          kind: 'info',
          title: 'Kitchen closes at 22:00',
          body: 'Last orders soon.',
          at: new Date().toISOString(),
        },
      }),
    })
    expect(emitted.status).toBe(200)
    await Promise.all(pages.map((page) => expect(page.locator('[data-toast-id="notice-1"]')).toHaveCount(1)))
    await expect.poll(async () => (await systemNotifications(pages[2]!)).length, { timeout: 10_000 }).toBe(4)
    await pages[0]!.waitForTimeout(1_500)
    const final = await systemNotifications(pages[1]!)
    expect(final.filter((n) => n.tag === 'notice-1')).toHaveLength(1)
    console.log(
      `[figure] notifications: ${TABS.length} tabs, ${orders.length} orders → toasts per tab ${toastCounts.join('/')}, ` +
        `system notifications ${shown.length} (tags = order ids), showNotification calls per tab ${callsPerTab.join('/')}; ` +
        `+ 1 server notification → ${final.length} in total`,
    )
  } finally {
    await context.close()
  }
})

test('permission is never asked on load, only by the "Enable notifications" button', async ({ browser, server }) => {
  const context = await browser.newContext()
  await signInContext(context, server)
  await context.addInitScript(() => {
    const calls = { count: 0 }
    ;(window as unknown as { __permissionAsks: typeof calls }).__permissionAsks = calls
    Notification.requestPermission = async () => {
      calls.count++
      return 'default'
    }
  })
  try {
    const page = await context.newPage()
    await page.goto(`${server.url}/admin`)
    await expectLive(page)
    await placeOrder(server, undefined, 'No Prompt')
    await expect(page.locator('.toast[data-kind="newOrder"]')).toHaveCount(1)
    const asks = () => page.evaluate(() => (window as unknown as { __permissionAsks: { count: number } }).__permissionAsks.count)
    expect(await asks()).toBe(0)
    expect(await page.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications()).length)).toBe(0)
    await page.getByRole('button', { name: 'Enable notifications' }).click()
    expect(await asks()).toBe(1)
  } finally {
    await context.close()
  }
})

test('clicking a system notification brings the open admin tab to that order', async ({ browser, server }) => {
  const context = await browser.newContext()
  await context.grantPermissions(['notifications'], { origin: server.url })
  await signInContext(context, server)
  try {
    const page = await context.newPage()
    await page.goto(`${server.url}/admin/dashboard`)
    await expectLive(page)
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true))
    const { order } = await placeOrder(server, undefined, 'Click Me')
    await expect.poll(async () => (await systemNotifications(page)).some((n) => n.tag === order.id)).toBe(true)
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'))
    // A script-made click: the handler's waitUntil refuses an untrusted event, but the routing
    // it starts (find the admin tab, message it) runs all the same, which is what is checked.
    await worker.evaluate(async (tag) => {
      const scope = globalThis as unknown as {
        registration: { getNotifications(filter: { tag: string }): Promise<unknown[]> }
        NotificationEvent: new (type: string, init: { notification: unknown }) => Event
        dispatchEvent(event: Event): boolean
      }
      const [notification] = await scope.registration.getNotifications({ tag })
      try {
        scope.dispatchEvent(new scope.NotificationEvent('notificationclick', { notification }))
      } catch {
        // waitUntil on an untrusted event
      }
    }, order.id)
    await expect(page).toHaveURL(new RegExp(`/admin/orders/${order.id}$`))
    await expect.poll(async () => (await systemNotifications(page)).some((n) => n.tag === order.id)).toBe(false)
  } finally {
    await context.close()
  }
})
