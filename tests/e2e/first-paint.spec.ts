/**
 * The first paint needs no script: index.html carries the header and a skeleton of the page,
 * styled by the stylesheet alone, and the app replaces it when it mounts (the skeleton card stays
 * until the route's view has rendered, a task later).
 */
import { placeOrder, setStatus, trackingPath } from '../../harness/api'
import { expect, test } from './fixtures'

/** Markup without the whitespace between elements (index.html is indented, Vue's output is not). */
const normalized = (html: string) => html.replace(/>\s+</g, '><').trim()

test('with JavaScript off the tracking link still paints the styled header and a skeleton', async ({ browser, server }) => {
  const { order, trackingToken } = await placeOrder(server)
  let shellMark: string | undefined
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 740 } })
  try {
    const page = await context.newPage()
    await page.goto(server.url + trackingPath(order, trackingToken))
    const header = page.locator('.app-header')
    await expect(header).toBeVisible()
    await expect(header.getByText('Orderline')).toBeVisible()
    // Styled by the stylesheet, not the browser default: a coloured bar, a laid-out skeleton.
    expect(await header.evaluate((element) => getComputedStyle(element).backgroundColor)).not.toBe('rgba(0, 0, 0, 0)')
    const card = page.locator('.boot-shell__card')
    await expect(card).toBeVisible()
    expect((await card.boundingBox())?.height ?? 0).toBeGreaterThan(40)
    shellMark = normalized(await header.locator('.brand__mark').innerHTML())
  } finally {
    await context.close()
  }

  // With JavaScript the app replaces the shell with the order.
  const live = await browser.newContext()
  try {
    const page = await live.newPage()
    await page.goto(server.url + trackingPath(order, trackingToken))
    await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'placed')
    await expect(page.locator('.boot-shell')).toHaveCount(0)
    // The shell's placeholder card stays only until the view has rendered.
    await expect(page.locator('.boot-shell__card')).toHaveCount(0)
    // The logo does not change when the app takes over.
    expect(normalized(await page.locator('.app-header .brand__mark').innerHTML())).toBe(shellMark)
  } finally {
    await live.close()
  }
})

test("the order's status is on screen before the hub's client and the rest of the app load, and then the page goes live", async ({
  browser,
  server,
}) => {
  const placed = await placeOrder(server)
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    /** The chunks the first screen does not need, in the order they were requested. */
    const later: string[] = []
    page.on('request', (request) => {
      const file = new URL(request.url()).pathname
      if (/\/assets\/(hub-client|later)-[^/]+\.js$/.test(file)) later.push(file)
    })
    // The order's answer held back until the test lets it go: nothing of the rest may start meanwhile
    // (well within the app's start-up limit, after which it starts the rest anyway).
    let answer = (): void => undefined
    const answered = new Promise<void>((resolve) => (answer = resolve))
    await page.route(`**/api/orders/${placed.order.id}`, async (route) => {
      await answered
      await route.continue()
    })
    await page.goto(server.url + trackingPath(placed.order, placed.trackingToken))
    await expect(page.getByText('Loading your order…')).toBeVisible()
    await page.waitForTimeout(1000)
    expect(later).toEqual([])
    answer()

    await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'placed')
    // Then both load, and the hub carries the order's changes.
    await expect.poll(() => later.map((file) => file.replace(/-[\w-]{8}\.js$/, '')).sort()).toEqual(['/assets/hub-client', '/assets/later'])
    await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'live')
    await setStatus(server, placed.order, 'confirmed')
    await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'confirmed')
  } finally {
    await context.close()
  }
})
