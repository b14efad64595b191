/**
 * Hub figures: server connections for 1, 5 and 20 tabs of one browser in SharedWorker mode
 * and in leader mode (SharedWorker removed), and the forced direct mode for contrast
 * (localStorage 'orderline.hubMode' = 'direct': one socket per tab, by design).
 */
import { expect, test } from '@playwright/test'
import { placeOrder } from './support/api'
import { startServer, type TestServer } from './support/server'
import { expectSockets, openTracking, removeSharedWorker } from './hub-support'

let server: TestServer
test.beforeAll(async () => {
  server = await startServer()
})
test.afterAll(async () => {
  await server.stop()
})

for (const mode of ['shared-worker', 'leader'] as const) {
  test(`${mode} mode: one server connection for 1, 5 and 20 tabs`, async ({ browser }) => {
    test.setTimeout(300_000)
    const { order, trackingToken } = await placeOrder(server)
    const figures: string[] = []
    for (const count of [1, 5, 20]) {
      const context = await browser.newContext()
      if (mode === 'leader') await removeSharedWorker(context)
      try {
        for (let i = 0; i < count; i++) {
          const page = await openTracking(context, server, order, trackingToken)
          if (i === 0) await expect(page.getByTestId('connection-state')).toHaveAttribute('data-mode', mode)
        }
        await expectSockets(server, 1)
        figures.push(`${count} tabs → ${await server.metric('realtime_connected_sockets')}`)
      } finally {
        await context.close()
      }
      await expectSockets(server, 0)
    }
    console.log(`[figure] ${mode}: server connections ${figures.join(', ')}`)
  })
}

test('forced direct mode (test switch) opens one connection per tab', async ({ browser }) => {
  test.setTimeout(120_000)
  const { order, trackingToken } = await placeOrder(server)
  const context = await browser.newContext()
  await context.addInitScript(() => localStorage.setItem('orderline.hubMode', 'direct'))
  try {
    for (let i = 0; i < 3; i++) {
      const page = await openTracking(context, server, order, trackingToken)
      await expect(page.getByTestId('connection-state')).toHaveAttribute('data-mode', 'direct')
    }
    await expectSockets(server, 3)
    console.log(`[figure] forced direct: 3 tabs → ${await server.metric('realtime_connected_sockets')} connections`)
  } finally {
    await context.close()
  }
  await expectSockets(server, 0)
})
