/**
 * Issue: a tab restored from the back/forward cache re-registers and catches up. A tracking tab
 * leaves for another site, the order changes meanwhile, the user goes back: the tab shows the new
 * status, is `live`, and the hub counts it exactly once again (no tab or room leaked while away).
 *
 * Playwright starts Chromium with --disable-back-forward-cache; this file opts back in. Whether
 * Chromium really restored the page (pageshow.persisted) or loaded it again is logged with the
 * reasons CDP gives (Page.backForwardCacheNotUsed). What is known:
 *   - The app's router never writes to history while the page is hidden (vue-router did, from its
 *     pagehide listener, and a same-document commit from a cached page evicts it:
 *     IgnoreEventAndEvict, vuejs/router#2631), so leader mode enters the cache as shipped.
 *   - SharedWorker mode: a message from the hub reaches the cached page's ports and evicts it
 *     (SharedWorkerMessage) — the answer to its bye, the release of its listener proxy, a status.
 *     The tab would have to close its ports while cached (src/app/realtime/transports.ts).
 */
import type { BrowserContext, Page } from '@playwright/test'
import { CHROMIUM_ARGS } from '../../playwright.config'
import { findChromium } from '../../scripts/chromium.mjs'
import { placeOrder, setStatus } from '../../harness/api'
import type { TestServer } from '../../harness/server'
import { diagNumber, expectSockets, findLeader, openTracking, signIn } from './hub-support'
import { expect, test } from './fixtures'

test.use({
  launchOptions: { executablePath: findChromium() ?? undefined, args: CHROMIUM_ARGS, ignoreDefaultArgs: ['--disable-back-forward-cache'] },
})

/** Every pageshow of the document; a restored document keeps its window, so the list grows. */
const RECORD_PAGESHOW = `
  window.__pageshows = [];
  addEventListener('pageshow', (event) => window.__pageshows.push(event.persisted));
`
const forceMode = (mode: string) => `localStorage.setItem('orderline.hubMode', '${mode}');`

/** Whether the hub has joined the order's room (diagnostics lists the rooms by name). */
async function inRoom(diagnostics: Page, orderId: string): Promise<boolean> {
  return ((await diagnostics.locator('[data-diag="rooms"]').textContent()) ?? '').includes(`order:${orderId}`)
}

/** Collects why Chromium did not restore the page from the back/forward cache. */
async function watchBfcache(context: BrowserContext, page: Page): Promise<string[]> {
  const reasons: string[] = []
  const cdp = await context.newCDPSession(page)
  await cdp.send('Page.enable')
  cdp.on('Page.backForwardCacheNotUsed', (event) => {
    for (const explanation of event.notRestoredExplanations) reasons.push(`${explanation.type}:${explanation.reason}`)
  })
  return reasons
}

/**
 * Leaves for another site (localhost vs 127.0.0.1: cross-site, so it is not the app's service
 * worker that answers and Chromium may keep the page), changes the order meanwhile, goes back.
 */
async function awayAndBack(server: TestServer, page: Page, whileAway: () => Promise<void>): Promise<{ restored: boolean; ms: number }> {
  await page.goto(`http://localhost:${server.port}/healthz`)
  await whileAway()
  const started = Date.now()
  // A restored page fires no load event: wait for the commit only.
  await page.goBack({ waitUntil: 'commit' })
  await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'confirmed', { timeout: 20_000 })
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'live', { timeout: 20_000 })
  const ms = Date.now() - started
  const shows = await page.evaluate(() => (window as unknown as { __pageshows: boolean[] }).__pageshows)
  return { restored: shows.at(-1) === true, ms }
}

test(`shared-worker mode: back from another site, the tab catches up and is counted once`, async ({ browser, server }) => {
  test.setTimeout(120_000)
  const { order, trackingToken } = await placeOrder(server, undefined, 'Bfcache SW')
  const context = await browser.newContext()
  await context.addInitScript(RECORD_PAGESHOW)
  try {
    const diagnostics = await context.newPage()
    await signIn(diagnostics, server)
    await diagnostics.goto(server.url + '/admin/diagnostics')
    await expect(diagnostics.locator('[data-diag="mode"]')).toHaveAttribute('data-value', 'shared-worker')
    await expect(diagnostics.locator('[data-diag="state"]')).toHaveAttribute('data-value', 'live')
    await expect.poll(() => diagNumber(diagnostics, 'tabs')).toBe(1)

    const tracker = await openTracking(context, server, order, trackingToken)
    const reasons = await watchBfcache(context, tracker)
    await expect.poll(() => diagNumber(diagnostics, 'tabs')).toBe(2)
    await expect.poll(() => inRoom(diagnostics, order.id)).toBe(true)

    let updated = order
    const { restored, ms } = await awayAndBack(server, tracker, async () => {
      // Gone from the hub while away: bye at pagehide (or its lock, once Chromium drops the page).
      await expect.poll(() => diagNumber(diagnostics, 'tabs')).toBe(1)
      await expect.poll(() => inRoom(diagnostics, order.id)).toBe(false)
      updated = await setStatus(server, order, 'confirmed')
    })
    console.info(
      `[figure] bfcache (shared-worker): ${restored ? 'restored from the cache' : `loaded again (not restored: ${reasons.join(', ') || 'no reason given'})`}; ` +
        `new status shown and live ${ms} ms after goBack()`,
    )
    if (restored) expect(reasons).toEqual([])

    await expect.poll(() => diagNumber(diagnostics, 'tabs')).toBe(2)
    await expect.poll(() => inRoom(diagnostics, order.id)).toBe(true)
    await expectSockets(server, 1)
    // Registered for events again, not only refetched: the next change arrives by socket.
    await setStatus(server, updated, 'preparing')
    await expect(tracker.getByTestId('order-status')).toHaveAttribute('data-status', 'preparing')
  } finally {
    await context.close()
  }
})

for (const restoredTabLeads of [true, false]) {
  const role = restoredTabLeads ? 'the leader' : 'a follower'
  test(`leader mode: ${role} enters the cache, says hello again on restore and resyncs`, async ({ browser, server }) => {
    test.setTimeout(120_000)
    const { order, trackingToken } = await placeOrder(server, undefined, 'Bfcache leader')
    const context = await browser.newContext()
    await context.addInitScript(RECORD_PAGESHOW + forceMode('leader'))
    try {
      // The first tab of the context is elected; the tracker is opened first when it is to lead.
      const tracker = restoredTabLeads ? await openTracking(context, server, order, trackingToken) : null
      const diagnostics = await context.newPage()
      await signIn(diagnostics, server)
      await diagnostics.goto(server.url + '/admin/diagnostics')
      await expect(diagnostics.locator('[data-diag="mode"]')).toHaveAttribute('data-value', 'leader')
      await expect(diagnostics.locator('[data-diag="state"]')).toHaveAttribute('data-value', 'live')
      const page = tracker ?? (await openTracking(context, server, order, trackingToken))
      expect(await findLeader([page, diagnostics])).toBe(restoredTabLeads ? page : diagnostics)
      await expect.poll(() => diagNumber(diagnostics, 'tabs')).toBe(2)
      await expect.poll(() => inRoom(diagnostics, order.id)).toBe(true)
      const reasons = await watchBfcache(context, page)

      let updated = order
      const { restored, ms } = await awayAndBack(server, page, async () => {
        // The cached tab said bye (and a leader stepped down: the other tab took the hub over).
        await expect.poll(() => findLeader([diagnostics])).toBe(diagnostics)
        await expect.poll(() => diagNumber(diagnostics, 'tabs')).toBe(1)
        await expect.poll(() => inRoom(diagnostics, order.id)).toBe(false)
        await expectSockets(server, 1)
        updated = await setStatus(server, order, 'confirmed')
      })
      console.info(
        `[figure] bfcache (leader mode, restored tab was ${role}): restored ${restored}; new status shown and live ${ms} ms after goBack()`,
      )
      expect(reasons).toEqual([])
      expect(restored).toBe(true)

      // Said hello again (counted once), joined the room again, and did not take the hub back.
      await expect.poll(() => diagNumber(diagnostics, 'tabs')).toBe(2)
      await expect.poll(() => inRoom(diagnostics, order.id)).toBe(true)
      expect(await findLeader([page, diagnostics])).toBe(diagnostics)
      await expectSockets(server, 1)
      await setStatus(server, updated, 'preparing')
      await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'preparing')
    } finally {
      await context.close()
    }
  })
}

test('leader mode: an admin board restored from the cache resyncs what it missed', async ({ browser, server }) => {
  test.setTimeout(120_000)
  const { order } = await placeOrder(server, undefined, 'Bfcache board')
  const context = await browser.newContext()
  await context.addInitScript(RECORD_PAGESHOW + forceMode('leader'))
  try {
    const diagnostics = await context.newPage()
    await signIn(diagnostics, server)
    await diagnostics.goto(server.url + '/admin/diagnostics')
    await expect(diagnostics.locator('[data-diag="state"]')).toHaveAttribute('data-value', 'live')
    const board = await context.newPage()
    await board.goto(server.url + '/admin')
    const row = board.locator(`[data-order-id="${order.id}"]`)
    await expect(row).toContainText(/placed/i)
    await expect(board.getByTestId('connection-state')).toHaveAttribute('data-state', 'live')
    await expect.poll(() => diagNumber(diagnostics, 'tabs')).toBe(2)
    const reasons = await watchBfcache(context, board)

    await board.goto(`http://localhost:${server.port}/healthz`)
    await expect.poll(() => diagNumber(diagnostics, 'tabs')).toBe(1)
    // The hub (in the other tab) stays the same and its socket stays up: no hubId or syncEpoch
    // change tells the board it missed this; the restore itself must.
    const updated = await setStatus(server, order, 'confirmed')
    await expect(diagnostics.getByTestId('connection-state')).toHaveAttribute('data-state', 'live')
    const started = Date.now()
    await board.goBack({ waitUntil: 'commit' })
    await expect(row).toContainText(/confirmed/i, { timeout: 20_000 })
    await expect(board.getByTestId('connection-state')).toHaveAttribute('data-state', 'live')
    const shows = await board.evaluate(() => (window as unknown as { __pageshows: boolean[] }).__pageshows)
    console.info(
      `[figure] bfcache (leader mode, admin board): restored ${shows.at(-1) === true}; missed change shown ${Date.now() - started} ms after goBack()`,
    )
    expect(reasons).toEqual([])
    expect(shows.at(-1)).toBe(true)
    await expect.poll(() => diagNumber(diagnostics, 'tabs')).toBe(2)

    await setStatus(server, updated, 'preparing')
    await expect(row).toContainText(/preparing/i)
  } finally {
    await context.close()
  }
})
