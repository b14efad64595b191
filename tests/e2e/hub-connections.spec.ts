/**
 * Hub: one server connection per browser, in SharedWorker mode and in leader mode (no
 * SharedWorker), and no tab left behind when others close — the leader's included.
 */
import type { Page } from '@playwright/test'
import { placeOrder, setStatus } from '../../harness/api'
import { expectSockets, findLeader, openTracking, removeSharedWorker } from './hub-support'
import { expect, test } from './fixtures'

test('ten tabs share one connection; after nine close (the first included) the last gets every update', async ({ browser, server }) => {
  test.setTimeout(180_000)
  const { order, trackingToken } = await placeOrder(server)
  const context = await browser.newContext()
  try {
    const pages: Page[] = []
    for (let i = 0; i < 10; i++) pages.push(await openTracking(context, server, order, trackingToken))
    await expectSockets(server, 1)
    await expect(pages[9]!.getByTestId('connection-state')).toHaveAttribute('data-mode', 'shared-worker')

    for (const page of pages.slice(0, 9)) await page.close()
    const last = pages[9]!
    let current = order
    for (const status of ['confirmed', 'preparing', 'out_for_delivery', 'delivered'] as const) {
      current = await setStatus(server, current, status)
      await expect(last.getByTestId('order-status')).toHaveAttribute('data-status', status)
    }
    await expectSockets(server, 1)
  } finally {
    await context.close()
  }
  await expectSockets(server, 0)
})

test('without SharedWorker: one connection through a leader tab; closing the leader hands over within 2 s, no update lost', async ({
  browser,
  server,
}) => {
  test.setTimeout(180_000)
  const { order, trackingToken } = await placeOrder(server)
  const context = await browser.newContext()
  await removeSharedWorker(context)
  try {
    const pages: Page[] = []
    for (let i = 0; i < 4; i++) pages.push(await openTracking(context, server, order, trackingToken))
    await expect(pages[0]!.getByTestId('connection-state')).toHaveAttribute('data-mode', 'leader')
    await expectSockets(server, 1)

    const leader = await findLeader(pages)
    expect(leader).not.toBeNull()
    const followers = pages.filter((page) => page !== leader)
    const closedAt = Date.now()
    await leader!.close()
    // The update is made while the hub changes hands: the old socket is gone, the new one not yet live.
    const updated = await setStatus(server, order, 'confirmed')
    await expect.poll(() => findLeader(followers).then((page) => page !== null), { timeout: 5_000, intervals: [20] }).toBe(true)
    const handoverMs = Date.now() - closedAt
    for (const page of followers) {
      await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'confirmed')
      await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'live')
    }
    const liveMs = Date.now() - closedAt
    console.log(`[figure] leader hand-over: new leader elected after ${handoverMs} ms, all followers live and caught up after ${liveMs} ms`)
    expect(handoverMs).toBeLessThan(2_000)
    await expectSockets(server, 1)

    // And the new leader keeps delivering.
    await setStatus(server, updated, 'preparing')
    for (const page of followers) await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'preparing')
  } finally {
    await context.close()
  }
  await expectSockets(server, 0)
})
