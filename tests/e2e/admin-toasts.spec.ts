/**
 * Toasts and tab titles: a new-order toast covers none of the page's controls at 360 px and
 * 1280 px, it does not animate under reduced motion, and a tab that was hidden while orders
 * arrived carries "(n)" in its title until it is viewed again.
 */
import type { Page } from '@playwright/test'
import { placeOrder } from '../../harness/api'
import { expectLive, signInContext } from './admin-support'
import { expect, test } from './fixtures'

type Box = { x: number; y: number; width: number; height: number }
const overlaps = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height

/** Interactive elements of the page's chrome and tools (header, tabs, search, filter, actions). */
async function controlBoxes(page: Page): Promise<{ name: string; box: Box }[]> {
  return page.evaluate(() => {
    const scope = '.app-header, .admin-nav-bar, .notify-toggle, .board-tools, .order-actions, .page__header'
    const found: { name: string; box: Box }[] = []
    for (const element of document.querySelectorAll<HTMLElement>(
      `:is(${scope}) :is(a[href], button, input, select), :is(${scope}):is(a[href], button)`,
    )) {
      const r = element.getBoundingClientRect()
      if (r.width > 1 && r.height > 1)
        found.push({ name: element.textContent?.trim() || element.id, box: { x: r.x, y: r.y, width: r.width, height: r.height } })
    }
    return found
  })
}

for (const layout of [
  { name: '360 px', viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true },
  { name: '1280 px', viewport: { width: 1280, height: 800 }, isMobile: false, hasTouch: false },
]) {
  test(`a new-order toast covers no control at ${layout.name}`, async ({ browser, server }) => {
    const context = await browser.newContext({ viewport: layout.viewport, isMobile: layout.isMobile, hasTouch: layout.hasTouch })
    await signInContext(context, server)
    try {
      const page = await context.newPage()
      for (const path of ['/admin', '/admin/dashboard']) {
        await page.goto(server.url + path)
        await expectLive(page)
        await placeOrder(server, undefined, `Toast ${path}`)
        const toast = page.locator('.toast:visible').last()
        await expect(toast).toBeVisible()
        await page.waitForTimeout(400)
        const box = (await toast.boundingBox())!
        const covered = (await controlBoxes(page)).filter((control) => overlaps(control.box, box)).map((control) => control.name)
        expect(covered, `${path}: toast at ${JSON.stringify(box)}`).toEqual([])
        // Its own controls are real tap targets.
        const close = toast.getByRole('button', { name: 'Dismiss notification' })
        const closeBox = (await close.boundingBox())!
        expect(Math.min(closeBox.width, closeBox.height)).toBeGreaterThanOrEqual(44)
        await close.click()
        await expect(page.locator('.toast')).toHaveCount(0)
      }
    } finally {
      await context.close()
    }
  })
}

test('reduced motion: toasts appear without a transition', async ({ browser, server }) => {
  const context = await browser.newContext({ reducedMotion: 'reduce' })
  await signInContext(context, server)
  try {
    const page = await context.newPage()
    await page.goto(`${server.url}/admin`)
    await expectLive(page)
    await placeOrder(server, undefined, 'Calm Toast')
    const toast = page.locator('.toast').last()
    await expect(toast).toBeVisible()
    const motion = await toast.evaluate((element) => {
      const style = getComputedStyle(element)
      return { transform: style.transform, durations: style.transitionDuration.split(',').map((value) => Number.parseFloat(value)) }
    })
    expect(motion.durations.every((seconds) => seconds < 0.05)).toBe(true)
  } finally {
    await context.close()
  }
})

test('the tab title counts new orders that arrived while the tab was hidden, and clears when viewed', async ({ browser, server }) => {
  const context = await browser.newContext()
  await signInContext(context, server)
  // Headless Chromium keeps every page "visible"; the switch the browser would flip on a tab
  // change is flipped here instead, with the same event. The counting is the app's.
  await context.addInitScript(() => {
    let hidden = false
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') })
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden })
    ;(window as unknown as { setTabHidden: (value: boolean) => void }).setTabHidden = (value) => {
      hidden = value
      document.dispatchEvent(new Event('visibilitychange'))
    }
  })
  const setHidden = (page: Page, value: boolean) =>
    page.evaluate((v) => (window as unknown as { setTabHidden: (value: boolean) => void }).setTabHidden(v), value)
  try {
    const page = await context.newPage()
    await page.goto(`${server.url}/admin`)
    await expectLive(page)
    await expect(page).toHaveTitle('Order board · Orderline')
    // Seen orders do not count.
    await placeOrder(server, undefined, 'Seen Arrival')
    await expect(page.locator('.toast')).toHaveCount(1)
    await expect(page).toHaveTitle('Order board · Orderline')

    await setHidden(page, true)
    for (let i = 0; i < 3; i++) await placeOrder(server, undefined, `Unseen ${i}`)
    await expect(page).toHaveTitle('(3) Order board · Orderline')
    await setHidden(page, false)
    await expect(page).toHaveTitle('Order board · Orderline')
  } finally {
    await context.close()
  }
})
