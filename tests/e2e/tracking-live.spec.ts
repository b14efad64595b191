/**
 * The customer's tracking page while it is open: a status change announces itself (document
 * title, a toast, the step animating unless reduced motion is asked for, the status region kept
 * `aria-live`), the server's estimate is worded as one and goes once the order is delivered, the
 * upcoming steps say what happens next; the link can be copied; My orders forgets with an undo;
 * the missing-link page explains in plain words how to get back to an order.
 */
import { placeOrder, setStatus, trackingPath } from '../../harness/api'
import { expect, test } from './fixtures'

test('a status change: title, toast and animated step; the estimate until delivery', async ({ browser, server }) => {
  const placed = await placeOrder(server)
  let order = placed.order
  const { trackingToken } = placed
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    await page.goto(server.url + trackingPath(order, trackingToken))
    await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'placed')
    await expect(page).toHaveTitle(`Placed · Order #${order.number}`)
    await expect(page.locator('.track__status')).toHaveAttribute('aria-live', 'polite')
    await expect(page.getByTestId('order-estimate')).toContainText(/Estimated delivery (in about \d+ min|around \d|any minute)/)
    // Every step ahead says what happens there.
    await expect(page.getByTestId('step-hint')).toHaveCount(4)
    await expect(page.locator('[data-step="out_for_delivery"] [data-testid="step-hint"]')).toContainText('courier')
    await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'live')
    // The first load announces nothing.
    await expect(page.locator('.toast[data-kind="status"]')).toHaveCount(0)

    order = await setStatus(server, order, 'confirmed')
    await expect(page).toHaveTitle(`Confirmed · Order #${order.number}`)
    await expect(page.locator('.toast[data-kind="status"]')).toContainText(`Confirmed · Order #${order.number}`)
    await expect(page.locator('[data-step="confirmed"]')).toHaveClass(/is-arriving/)
    const animation = await page.locator('[data-step="confirmed"] .timeline__marker').evaluate((el) => getComputedStyle(el).animationName)
    expect(animation).toBe('step-arrive-marker')
    await expect(page.getByTestId('step-hint')).toHaveCount(3)

    for (const status of ['preparing', 'out_for_delivery', 'delivered'] as const) order = await setStatus(server, order, status)
    await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'delivered')
    await expect(page).toHaveTitle(`Delivered · Order #${order.number}`)
    await expect(page.getByTestId('order-estimate')).toHaveCount(0)
    await expect(page.getByTestId('step-hint')).toHaveCount(0)
    // Leaving the page gives the title back to the router.
    await page.getByRole('link', { name: 'My orders' }).first().click()
    await expect(page).toHaveTitle('My orders · Orderline')
  } finally {
    await context.close()
  }
})

test('reduced motion: the arriving step does not animate', async ({ browser, server }) => {
  const { order, trackingToken } = await placeOrder(server)
  const context = await browser.newContext({ reducedMotion: 'reduce' })
  try {
    const page = await context.newPage()
    await page.goto(server.url + trackingPath(order, trackingToken))
    await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'live')
    await setStatus(server, order, 'confirmed')
    await expect(page.locator('[data-step="confirmed"]')).toHaveClass(/is-arriving/)
    const animation = await page.locator('[data-step="confirmed"] .timeline__marker').evaluate((el) => getComputedStyle(el).animationName)
    expect(animation).toBe('none')
    await expect(page.locator('.toast[data-kind="status"]')).toBeVisible()
  } finally {
    await context.close()
  }
})

test('copy the tracking link: "Link copied", and the clipboard holds the whole link', async ({ browser, server }) => {
  const { order, trackingToken } = await placeOrder(server)
  const context = await browser.newContext()
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url })
  try {
    const page = await context.newPage()
    await page.goto(server.url + trackingPath(order, trackingToken))
    const button = page.getByTestId('share-link')
    await expect(button).toHaveText('Copy tracking link')
    await button.click()
    await expect(page.getByTestId('share-feedback')).toHaveText('Link copied')
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(server.url + trackingPath(order, trackingToken))
  } finally {
    await context.close()
  }
})

test('My orders: Forget offers an undo that brings the order back; without it the order stays gone', async ({ browser, server }) => {
  const first = await placeOrder(server, undefined, 'Forget Me')
  const second = await placeOrder(server, undefined, 'Keep Me')
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    for (const placed of [first, second]) {
      await page.goto(server.url + trackingPath(placed.order, placed.trackingToken))
      await expect(page.getByTestId('order-status')).toBeVisible()
    }
    await page.goto(server.url + '/orders')
    const row = page.locator(`[data-order-id="${first.order.id}"]`)
    await expect(row).toBeVisible()

    await row.getByRole('button', { name: /Forget order/ }).click()
    await expect(row).toHaveCount(0)
    const undo = page.getByTestId('forget-undo')
    await expect(undo).toContainText(`Order #${first.order.number} removed from this device.`)
    await expect(undo.getByRole('button', { name: 'Undo' })).toBeFocused()
    await undo.getByRole('button', { name: 'Undo' }).click()
    await expect(row).toBeVisible()
    await expect(undo).toHaveText('')

    await row.getByRole('button', { name: /Forget order/ }).click()
    await expect(row).toHaveCount(0)
    // The undo goes after a few seconds; the order is then forgotten for good.
    await expect(undo.getByRole('button', { name: 'Undo' })).toHaveCount(0, { timeout: 15_000 })
    await page.reload()
    await expect(page.locator(`[data-order-id="${second.order.id}"]`)).toBeVisible()
    await expect(page.locator(`[data-order-id="${first.order.id}"]`)).toHaveCount(0)
  } finally {
    await context.close()
  }
})

test('a link without its token: plain words on how to get back to the order', async ({ browser, server }) => {
  const { order } = await placeOrder(server)
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    await page.goto(`${server.url}/track/${order.id}`)
    const notice = page.getByRole('alert')
    await expect(notice.getByRole('heading')).toHaveText('We need your tracking link')
    await expect(notice).toContainText('My orders')
    await expect(notice).toContainText('tracking link you copied or shared')
    await expect(notice).not.toContainText('#t=')
  } finally {
    await context.close()
  }
})

test('a link mangled on the way (a broken escape in the path) opens the app, which says the link does not work: first visit and installed app', async ({
  browser,
  server,
}) => {
  const mangled = `${server.url}/track/ord_%E0%A4#t=${'x'.repeat(32)}`
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    // A first visit: no service worker yet, so the server answers the navigation (a redirect to
    // the same path with the broken escape as text; the token in the fragment stays).
    await page.goto(mangled)
    await expect(page.getByRole('alert').getByRole('heading')).toHaveText("This tracking link doesn't work")
    expect(new URL(page.url()).hash).toBe(`#t=${'x'.repeat(32)}`)
    // A returning visitor: the service worker answers the navigation with the app.
    await page.goto(`${server.url}/`)
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 })
    await page.goto(mangled)
    await expect(page.getByRole('alert').getByRole('heading')).toHaveText("This tracking link doesn't work")
  } finally {
    await context.close()
  }
})

test("times follow the visitor's locale, in one format: 24-hour in German, AM/PM in US English", async ({ browser, server }) => {
  const { order, trackingToken } = await placeOrder(server)
  for (const [locale, clock, other] of [
    ['de-DE', /^\d{1,2}:\d{2}$/, /AM|PM/i],
    ['en-US', /^\d{1,2}:\d{2}\s?[AP]M$/, /^\d{2}:\d{2}$/],
  ] as const) {
    const context = await browser.newContext({ locale, timezoneId: 'Europe/Berlin' })
    try {
      const page = await context.newPage()
      await page.goto(server.url + trackingPath(order, trackingToken))
      await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'placed')
      // The timeline's clock times, and the estimate when it names a clock time.
      const times = await page.locator('time.timeline__time').allInnerTexts()
      expect(times.length, locale).toBeGreaterThan(0)
      for (const time of times) {
        expect(time.trim(), locale).toMatch(clock)
        expect(time.trim(), locale).not.toMatch(other)
      }
      // The estimate and the lines under the upcoming steps, where they name a clock time ("around 13:45").
      const lines = [await page.getByTestId('order-estimate').innerText(), ...(await page.getByTestId('step-hint').allInnerTexts())]
      for (const line of lines) {
        const around = /around (.+?)\.?$/m.exec(line.trim())?.[1]
        if (around) expect(around, locale).toMatch(clock)
      }
      // The date and time the order was placed: the same clock inside the locale's date.
      const placedLine = await page
        .getByText(/^Placed /)
        .first()
        .innerText()
      expect(placedLine, locale).toMatch(
        locale === 'de-DE' ? /\d{2}\.\d{2}\.\d{4}, \d{1,2}:\d{2}/ : /[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s?[AP]M/,
      )
    } finally {
      await context.close()
    }
  }
})
