/**
 * A SharedWorker that starts but never answers the hub handshake (a wedged worker, a broken
 * embedded browser) must not leave tabs dark: after the hello timeout each tab drops to the next
 * rung of the ladder (leader mode), still with one socket for the whole browser.
 */
import { expect, test, type ConsoleMessage, type Page } from '@playwright/test'
import { placeOrder, setStatus, trackingPath } from './support/api'
import { startServer, type TestServer } from './support/server'
import { expectSockets, findLeader } from './hub-support'

/** SHARED_WORKER_HELLO_TIMEOUT_MS in src/app/realtime/client.ts (not importable here: it reads import.meta.env). */
const HELLO_TIMEOUT_MS = 5_000

/**
 * Replaces SharedWorker before any app code: construction succeeds and the port is a real
 * MessagePort, so Comlink sends hello, but nobody listens on the other end and no error fires.
 */
const NEVER_ANSWERING_SHARED_WORKER = `
  window.__silentPorts = [];
  window.SharedWorker = class SilentSharedWorker extends EventTarget {
    constructor() {
      super();
      const channel = new MessageChannel();
      this.port = channel.port1;
      window.__silentPorts.push(channel.port2);
    }
  };
`

let server: TestServer
test.beforeAll(async () => {
  server = await startServer()
})
test.afterAll(async () => {
  await server.stop()
})

test('a SharedWorker that never answers hello: tabs fall back to leader mode, live on one socket', async ({ browser }) => {
  test.setTimeout(120_000)
  const { order, trackingToken } = await placeOrder(server, undefined, 'Silent worker')
  const context = await browser.newContext()
  await context.addInitScript(NEVER_ANSWERING_SHARED_WORKER)
  try {
    const fallbacks: string[] = []
    const open = async (): Promise<{ page: Page; liveMs: number; fallbackMs: number }> => {
      const page = await context.newPage()
      const started = Date.now()
      let fallbackMs = Number.NaN
      page.on('console', (message: ConsoleMessage) => {
        if (!message.text().includes('falling back')) return
        fallbacks.push(message.text())
        fallbackMs = Date.now() - started
      })
      await page.goto(server.url + trackingPath(order, trackingToken))
      await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'placed')
      await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'live', { timeout: 30_000 })
      return { page, liveMs: Date.now() - started, fallbackMs }
    }
    // Together, as a browser restoring a session would: they elect one leader among themselves.
    const tabs = await Promise.all([open(), open(), open()])
    const pages = tabs.map((tab) => tab.page)
    const slowest = Math.max(...tabs.map((tab) => tab.liveMs))
    console.info(
      `[figure] hello timeout → leader live in ${tabs.map((tab) => tab.liveMs).join(' / ')} ms after navigation (3 tabs opened together; ` +
        `timeout ${HELLO_TIMEOUT_MS} ms; fell back at ${tabs.map((tab) => tab.fallbackMs).join(' / ')} ms)`,
    )

    for (const page of pages) await expect(page.getByTestId('connection-state')).toHaveAttribute('data-mode', 'leader')
    // The hello timed out (not a start error, not a refusal), once per tab.
    expect(fallbacks).toHaveLength(3)
    for (const text of fallbacks) expect(text).toContain('did not answer hello')
    // Waited for the timeout, then no more than a generous bound (loaded 2-core machine).
    expect(Math.min(...tabs.map((tab) => tab.liveMs))).toBeGreaterThanOrEqual(HELLO_TIMEOUT_MS)
    expect(slowest).toBeLessThan(HELLO_TIMEOUT_MS + 20_000)
    expect(await findLeader(pages)).not.toBeNull()
    await expectSockets(server, 1)

    await setStatus(server, order, 'confirmed')
    for (const page of pages) await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'confirmed')
    await expectSockets(server, 1)
  } finally {
    await context.close()
  }
  await expectSockets(server, 0)
})
