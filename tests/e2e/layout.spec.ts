/**
 * Layout on a phone (360 px): the connection state never moves the page (the tracking page's
 * content keeps its boxes in live, connecting, polling, offline and "can't reach"), the badge
 * tells a dead device from a dead server, and every tap target on the main pages is at least
 * 44×44 CSS px. Screenshots of each state are attached to the report.
 */
import type { Page } from '@playwright/test'
import { placeOrder, setStatus, trackingPath } from '../../harness/api'
import { expectLive, signInContext } from './admin-support'
import { blockNetwork, blockRealtime } from './offline-build'
import { documentBox, holdConnectionState } from './layout-support'
import { expect, test } from './fixtures'

const PHONE = { viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true }

/** The boxes that must not move: heading, status pill, first card, and the header itself. */
async function boxes(page: Page) {
  return {
    header: await documentBox(page, '.app-header'),
    heading: await documentBox(page, 'h1'),
    status: await documentBox(page, '[data-testid="order-status"]'),
    card: await documentBox(page, '.card'),
  }
}

test('the tracking page does not move between live, connecting, polling, offline and unreachable', async ({ browser, server }) => {
  test.setTimeout(120_000)
  const placed = await placeOrder(server, undefined, 'Steady Layout')
  const context = await browser.newContext(PHONE)
  const page = await context.newPage()
  const shots: Record<string, Buffer> = {}
  try {
    await page.goto(server.url + trackingPath(placed.order, placed.trackingToken))
    await expectLive(page)
    const live = await boxes(page)
    shots.live = await page.screenshot()
    const badge = page.getByTestId('connection-state')
    const badgeLive = await badge.boundingBox()

    // The hub's next status message (clock probes start a second after the hello) may overwrite
    // a hold made just before it: hold again until the badge shows it.
    await expect(async () => {
      await holdConnectionState(page, 'connecting')
      await expect(badge).toHaveAttribute('data-state', 'connecting', { timeout: 1_000 })
    }).toPass({ timeout: 15_000 })
    expect(await boxes(page)).toEqual(live)
    shots.connecting = await page.screenshot()
    // A normal (re)connect says so in the badge only: no banner.
    await expect(page.getByTestId('connection-banner')).toHaveCount(0)
    await holdConnectionState(page, null)

    await blockRealtime(server, true)
    await expect(badge).toHaveAttribute('data-state', 'polling', { timeout: 20_000 })
    expect(await boxes(page)).toEqual(live)
    shots.polling = await page.screenshot()

    // The server dies for the browser while the device is online: "can't reach", not "offline".
    await blockNetwork(server, true)
    await expect(badge).toHaveAttribute('data-state', 'offline', { timeout: 20_000 })
    await expect(badge).toHaveAttribute('data-reach', 'server')
    await expect(badge).toHaveText("Can't reach")
    const banner = page.getByTestId('connection-banner')
    await expect(banner).toHaveAttribute('role', 'alert')
    await expect(banner).toContainText("Can't reach Orderline")
    expect(await boxes(page)).toEqual(live)
    shots.unreachable = await page.screenshot()
    await blockNetwork(server, false)

    // The device itself goes offline.
    await context.setOffline(true)
    await expect(badge).toHaveAttribute('data-reach', 'device', { timeout: 20_000 })
    await expect(badge).toHaveText('Offline')
    await expect(banner).toContainText("You're offline")
    // The age is said once, in the banner.
    await expect(page.getByText(/\bago\b|just now/)).toHaveCount(1)
    expect(await boxes(page)).toEqual(live)
    shots.offline = await page.screenshot()
    // The badge's slot is the same size in every state.
    const badgeOffline = await badge.boundingBox()
    expect(badgeOffline!.y).toBe(badgeLive!.y)
    expect(badgeOffline!.height).toBe(badgeLive!.height)

    await context.setOffline(false)
    await blockRealtime(server, false)
    await expectLive(page)
    await expect(banner).toHaveCount(0)
    // Back to the same place once the server confirmed the data again.
    await expect.poll(() => boxes(page), { timeout: 20_000 }).toEqual(live)

    // The longest status keeps the pill on the heading's line: the page does not jump on that update.
    let order = await setStatus(server, placed.order, 'confirmed')
    order = await setStatus(server, order, 'preparing')
    await setStatus(server, order, 'out_for_delivery')
    await expect(page.getByTestId('order-status')).toHaveText('Out for delivery')
    const later = await boxes(page)
    expect(later.heading).toEqual(live.heading)
    // The card starts where it did; its height follows the steps still ahead (each has a line).
    expect({ ...later.card, height: 0 }).toEqual({ ...live.card, height: 0 })
    expect(later.status.y + later.status.height / 2).toBeCloseTo(live.heading.y + live.heading.height / 2, -1)
  } finally {
    for (const [name, body] of Object.entries(shots)) await test.info().attach(`track-360-${name}`, { body, contentType: 'image/png' })
    await blockNetwork(server, false)
    await blockRealtime(server, false)
    await context.close()
  }
})

/** Every visible interactive element smaller than 44×44 CSS px on the page, as "tag text WxH". */
async function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const selector = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, [role="button"], [tabindex="0"]'
    const small: string[] = []
    for (const element of document.querySelectorAll<HTMLElement>(selector)) {
      const rect = element.getBoundingClientRect()
      const style = getComputedStyle(element)
      if (rect.width === 0 || rect.height === 0 || style.visibility === 'hidden') continue
      // Skip elements clipped away for screen readers only (visually hidden labels, skip links).
      if (rect.width <= 1 || rect.height <= 1) continue
      if (element.closest('.visually-hidden, .skip-link')) continue
      // A link inside running text is exempt (its size is the sentence's, WCAG 2.5.8 "inline").
      const parentText = element.parentElement?.textContent?.trim().length ?? 0
      if (style.display === 'inline' && parentText > (element.textContent?.trim().length ?? 0)) continue
      // Radio buttons and checkboxes count with their label, which is the target; a link stretched
      // over its row (an absolute ::after) counts with the row.
      const label = (element as HTMLInputElement).labels?.[0]
      const stretched = getComputedStyle(element, '::after').position === 'absolute' && element.offsetParent
      const target =
        label && /checkbox|radio/.test((element as HTMLInputElement).type)
          ? label.getBoundingClientRect()
          : stretched
            ? (element.offsetParent as HTMLElement).getBoundingClientRect()
            : rect
      if (target.width < 44 - 0.5 || target.height < 44 - 0.5) {
        const text = (element.textContent || element.getAttribute('aria-label') || element.getAttribute('placeholder') || '')
          .trim()
          .slice(0, 30)
        small.push(`${element.tagName.toLowerCase()} "${text}" ${Math.round(target.width)}×${Math.round(target.height)}`)
      }
    }
    return small
  })
}

test('every tap target on the main pages is at least 44×44 CSS px at 360 px', async ({ browser, server }) => {
  test.setTimeout(120_000)
  const placed = await placeOrder(server, 'Ring twice', 'Target Practice')
  const customer = await browser.newContext(PHONE)
  const admin = await browser.newContext(PHONE)
  await signInContext(admin, server)
  const found: Record<string, string[]> = {}
  try {
    const shop = await customer.newPage()
    for (const [name, path] of [
      ['shop', '/'],
      ['tracking', trackingPath(placed.order, placed.trackingToken)],
      ['my orders', '/orders'],
      ['login', '/login'],
    ] as const) {
      await shop.goto(server.url + path)
      await expect(shop.getByTestId('connection-state')).toBeVisible()
      await shop.waitForTimeout(500)
      found[name] = await smallTargets(shop)
    }
    const page = await admin.newPage()
    for (const [name, path] of [
      ['board', '/admin'],
      ['order', `/admin/orders/${placed.order.id}`],
      ['dashboard', '/admin/dashboard'],
      ['diagnostics', '/admin/diagnostics'],
    ] as const) {
      await page.goto(server.url + path)
      await expectLive(page)
      await page.waitForTimeout(300)
      found[name] = await smallTargets(page)
    }
    console.log(`[figure] tap targets under 44×44 at 360 px: ${JSON.stringify(found)}`)
    expect(found).toEqual(Object.fromEntries(Object.keys(found).map((name) => [name, []])))
  } finally {
    await customer.close()
    await admin.close()
  }
})

test('a first visit shifts nothing on a phone: the storefront and the tracking page while their data arrives', async ({
  browser,
  server,
}) => {
  const placed = await placeOrder(server, undefined, 'No Shift')
  const context = await browser.newContext(PHONE)
  try {
    // Every layout shift the page makes by itself (none follows an input here).
    await context.addInitScript(() => {
      const shifts: { value: number; nodes: string[] }[] = []
      ;(window as unknown as { __shifts: typeof shifts }).__shifts = shifts
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries() as unknown as { value: number; hadRecentInput: boolean; sources?: { node?: Node }[] }[]) {
          if (!entry.hadRecentInput)
            shifts.push({ value: entry.value, nodes: (entry.sources ?? []).map((source) => source.node?.nodeName ?? '?') })
        }
      }).observe({ type: 'layout-shift', buffered: true })
    })
    // The data arrives well after the first render, as on a phone's network.
    await context.route(/\/api\/(products|orders\/)/, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 600))
      await route.continue()
    })
    for (const [path, ready] of [
      ['/', '.product-card'],
      [trackingPath(placed.order, placed.trackingToken), '[data-testid="order-status"]'],
    ] as const) {
      const page = await context.newPage()
      await page.goto(server.url + path)
      await expect(page.locator(ready).first()).toBeVisible()
      await page.waitForTimeout(1_000)
      const shifts = await page.evaluate(() => (window as unknown as { __shifts: { value: number; nodes: string[] }[] }).__shifts)
      const total = shifts.reduce((sum, shift) => sum + shift.value, 0)
      // Lighthouse and Core Web Vitals call up to 0.1 good.
      expect(total, `${path}: ${JSON.stringify(shifts)}`).toBeLessThan(0.1)
      await page.close()
    }
  } finally {
    await context.close()
  }
})
