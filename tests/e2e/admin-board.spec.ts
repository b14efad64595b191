/**
 * Admin UI: the order board with 10,000 orders. Renders and filters within generous bounds, keeps
 * only a window of rows in the DOM, follows new orders and status changes live, and is keyboard
 * operable. Figures are printed as `[figure]` lines.
 */
import type { Page } from '@playwright/test'
import { expectLive, seedOrders, signInContext } from './admin-support'
import { placeOrder, setStatus } from '../../harness/api'
import type { TestServer } from '../../harness/server'
import { expect, test } from './fixtures'

const SEEDED = 10_000
/** Rows the DOM may hold: a viewport of rows plus overscan, far below the list length. */
const MAX_DOM_ROWS = 80

test.use({
  serverOptions: {
    env: { ORDERLINE_ORDER_RATE_LIMIT: '1000' },
    // The server creates the schema, then the seed goes straight into its stopped SQLite file.
    setup: async (server) => {
      await server.stop()
      const started = Date.now()
      seedOrders(server.databaseUrl, SEEDED)
      console.log(`[figure] seeded ${SEEDED} orders in ${Date.now() - started} ms`)
      await server.restart()
    },
  },
})

const rows = (page: Page) => page.locator('.virtual-board [data-order-id]')

async function openBoard(server: TestServer, page: Page, query = ''): Promise<number> {
  const started = Date.now()
  await page.goto(`${server.url}/admin${query}`)
  await expect(rows(page).first()).toBeVisible({ timeout: 15_000 })
  return Date.now() - started
}

test('10,000 orders: renders, loads every page into a windowed list, filters and searches fast', async ({ browser, server }) => {
  test.setTimeout(180_000)
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  await signInContext(context, server)
  const page = await context.newPage()
  try {
    const renderMs = await openBoard(server, page)
    expect(renderMs).toBeLessThan(10_000)
    expect(await rows(page).count()).toBeLessThanOrEqual(MAX_DOM_ROWS)

    // Scroll to the end until every page is loaded: 10,000+ rows in the list, a window in the DOM.
    const loadStarted = Date.now()
    const board = page.locator('.virtual-board')
    await expect
      .poll(
        async () => {
          await board.evaluate((element) => (element.scrollTop = element.scrollHeight))
          return page.locator('.board-count').textContent()
        },
        { timeout: 120_000, intervals: [50] },
      )
      .toMatch(/^\s*100\d\d orders/)
    const loadAllMs = Date.now() - loadStarted
    const count = Number((await page.locator('.board-count').textContent())?.match(/\d+/)?.[0])
    expect(count).toBeGreaterThanOrEqual(SEEDED)
    const domRows = await rows(page).count()
    expect(domRows).toBeLessThanOrEqual(MAX_DOM_ROWS)
    expect(domRows).toBeGreaterThan(5)
    // The oldest seeded order is rendered at the very end.
    await expect(page.locator('[data-order-id="ord_seed1007"]')).toBeVisible()

    // Scrolling through the whole list stays cheap: 40 jumps across it, timed on the wall clock
    // and as main-thread script + layout + style time (less sensitive to a busy CI machine).
    const cdp = await context.newCDPSession(page)
    await cdp.send('Performance.enable')
    const busy = async () => {
      const { metrics } = await cdp.send('Performance.getMetrics')
      const pick = (name: string) => metrics.find((metric) => metric.name === name)?.value ?? 0
      return pick('ScriptDuration') + pick('LayoutDuration') + pick('RecalcStyleDuration')
    }
    const busyBefore = await busy()
    const scrollMs = await board.evaluate(async (element) => {
      const started = performance.now()
      for (let i = 0; i < 40; i++) {
        element.scrollTop = (element.scrollHeight * i) / 40
        await new Promise(requestAnimationFrame)
      }
      return performance.now() - started
    })
    const scrollBusyMs = ((await busy()) - busyBefore) * 1000
    expect(scrollBusyMs / 40).toBeLessThan(50)
    const apiStarted = Date.now()
    const pageResponse = await fetch(`${server.url}/api/orders?limit=100&cursor=6000`, {
      headers: { authorization: `Bearer ${await server.adminToken()}` },
    })
    expect(pageResponse.status).toBe(200)
    await pageResponse.json()
    const apiMs = Date.now() - apiStarted

    // Status filter (server-side first page, client-side at once).
    let started = Date.now()
    await page.getByLabel('Status').selectOption('delivered')
    await expect(page).toHaveURL(/status=delivered/)
    await expect
      .poll(async () =>
        (await rows(page).evaluateAll((els) => els.map((el) => el.getAttribute('data-status')))).every((s) => s === 'delivered'),
      )
      .toBe(true)
    await expect(page.locator('.board-count')).toHaveText(/^\s*\d{3,4}\+ orders/)
    const filterMs = Date.now() - started
    expect(filterMs).toBeLessThan(5_000)

    // Search (debounced, server-side `q`): a customer by name, then an order by number.
    started = Date.now()
    await page.getByLabel('Status').selectOption('')
    await page.getByLabel('Search').fill('Hamilton 5005')
    await expect(rows(page)).toHaveCount(1)
    await expect(rows(page).first()).toContainText('#5005')
    const searchMs = Date.now() - started
    expect(searchMs).toBeLessThan(5_000)
    await page.getByLabel('Search').fill('#7777')
    await expect(rows(page)).toHaveCount(1)
    await expect(rows(page).first()).toHaveAttribute('data-order-id', 'ord_seed7777')

    console.log(
      `[figure] board, ${SEEDED} orders: first render ${renderMs} ms, all ${count} rows loaded in ${loadAllMs} ms with ${domRows} rows in the DOM, ` +
        `40 scroll jumps ${Math.round(scrollMs)} ms wall / ${Math.round(scrollBusyMs)} ms main-thread script+layout+style, ` +
        `status filter ${filterMs} ms, search ${searchMs} ms, GET /api/orders page of 100 ${apiMs} ms`,
    )
    test.info().annotations.push({
      type: 'figure',
      description: `render ${renderMs} ms, filter ${filterMs} ms, search ${searchMs} ms, DOM rows ${domRows}/${count}`,
    })
  } finally {
    await context.close()
  }
})

test('keyboard: arrow keys move between rows, End reaches the last loaded row, Enter opens', async ({ browser, server }) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  await signInContext(context, server)
  const page = await context.newPage()
  try {
    await openBoard(server, page)
    const first = rows(page).first().getByRole('link')
    await first.focus()
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown')
    const fourth = await page.evaluate(() => document.activeElement?.closest('[data-order-id]')?.getAttribute('aria-posinset'))
    expect(fourth).toBe('4')
    await page.keyboard.press('ArrowUp')
    expect(await page.evaluate(() => document.activeElement?.closest('[data-order-id]')?.getAttribute('aria-posinset'))).toBe('3')
    // Only the active row is in the tab order (roving tabindex).
    expect(await page.locator('.virtual-board a[tabindex="0"]').count()).toBe(1)
    await page.keyboard.press('End')
    const last = await page.evaluate(() => {
      const row = document.activeElement?.closest('[data-order-id]')
      return { pos: row?.getAttribute('aria-posinset'), size: row?.getAttribute('aria-setsize'), id: row?.getAttribute('data-order-id') }
    })
    expect(Number(last.pos)).toBeGreaterThanOrEqual(100)
    await page.keyboard.press('Enter')
    await expect(page).toHaveURL(new RegExp(`/admin/orders/${last.id}$`))
  } finally {
    await context.close()
  }
})

test('a new order slides in highlighted on top; a status change updates and moves rows without a reload', async ({ browser, server }) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  await signInContext(context, server)
  const page = await context.newPage()
  try {
    await openBoard(server, page)
    await expectLive(page)
    const { order } = await placeOrder(server, undefined, 'Live Arrival')
    const row = page.locator(`[data-order-id="${order.id}"]`)
    await expect(row).toBeVisible()
    await expect(row).toHaveClass(/is-new/)
    await expect(row).toHaveClass(/is-arriving/)
    expect(await row.evaluate((el) => getComputedStyle(el).animationName)).toContain('slide-in')
    expect(await rows(page).first().getAttribute('data-order-id')).toBe(order.id)

    const confirmed = await setStatus(server, order, 'confirmed')
    await expect(row).toHaveAttribute('data-status', 'confirmed')

    // Filtered on "preparing": the order joins when it moves there, and leaves when it moves on.
    await page.getByLabel('Status').selectOption('preparing')
    await expect(rows(page).first()).toHaveAttribute('data-status', 'preparing')
    await expect(row).toHaveCount(0)
    const preparing = await setStatus(server, confirmed, 'preparing')
    await expect(row).toBeVisible()
    expect(await rows(page).first().getAttribute('data-order-id')).toBe(order.id)
    await setStatus(server, preparing, 'out_for_delivery')
    await expect(row).toHaveCount(0)
    expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1)
  } finally {
    await context.close()
  }
})

test('reduced motion: a new order is highlighted without animation', async ({ browser, server }) => {
  const context = await browser.newContext({ reducedMotion: 'reduce', colorScheme: 'dark' })
  await signInContext(context, server)
  const page = await context.newPage()
  try {
    await openBoard(server, page)
    await expectLive(page)
    const { order } = await placeOrder(server, undefined, 'Calm Arrival')
    const row = page.locator(`[data-order-id="${order.id}"]`)
    await expect(row).toBeVisible()
    expect(await row.evaluate((el) => getComputedStyle(el).animationName)).toBe('none')
    expect(await row.evaluate((el) => getComputedStyle(el).backgroundColor)).not.toBe('rgba(0, 0, 0, 0)')
  } finally {
    await context.close()
  }
})
