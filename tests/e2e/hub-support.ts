/** Helpers shared by the hub-*.spec.ts browser tests. */
import { expect, type BrowserContext, type Page } from '@playwright/test'
import { trackingPath } from './support/api'
import { ADMIN_EMAIL, ADMIN_PASSWORD, type TestServer } from './support/server'

/** Makes every page of the context load without SharedWorker (leader mode), before any app code. */
export async function removeSharedWorker(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    delete (window as { SharedWorker?: unknown }).SharedWorker
  })
}

/** Opens a tracking tab and waits until it is live and shows the order. */
export async function openTracking(context: BrowserContext, server: TestServer, order: { id: string }, token: string): Promise<Page> {
  const page = await context.newPage()
  await page.goto(server.url + trackingPath(order, token))
  await expect(page.getByTestId('order-status')).toBeVisible()
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'live', { timeout: 20_000 })
  return page
}

export async function signIn(page: Page, server: TestServer): Promise<void> {
  await page.goto(server.url + '/login')
  await page.getByLabel('Email').fill(ADMIN_EMAIL)
  await page.getByLabel('Password').fill(ADMIN_PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page).toHaveURL(/\/admin/)
}

/** Reads one value of the diagnostics panel (data-diag="key"). */
export async function diag(page: Page, key: string): Promise<string> {
  return (await page.locator(`[data-diag="${key}"]`).getAttribute('data-value')) ?? ''
}

export async function diagNumber(page: Page, key: string): Promise<number> {
  return Number.parseFloat(await diag(page, key))
}

/** The page of the context that currently hosts the hub in leader mode, if any. */
export async function findLeader(pages: Page[]): Promise<Page | null> {
  for (const page of pages) {
    if (page.isClosed()) continue
    const leads = await page.evaluate(() => document.documentElement.dataset.hubLeader === 'true').catch(() => false)
    if (leads) return page
  }
  return null
}

/** Waits until `count` sockets are connected (the metric settles after tabs close). */
export async function expectSockets(server: TestServer, count: number, timeout = 15_000): Promise<void> {
  await expect.poll(() => server.metric('realtime_connected_sockets'), { timeout }).toBe(count)
}

/**
 * The hub SharedWorker's JS heap (bytes used, after a forced GC), read over CDP from the browser
 * target; null when it cannot be reached (then the test reports only the listener/room counts).
 */
export async function sharedWorkerHeap(browser: import('@playwright/test').Browser): Promise<number | null> {
  try {
    const cdp = await browser.newBrowserCDPSession()
    const { targetInfos } = (await cdp.send('Target.getTargets')) as { targetInfos: { targetId: string; type: string; url: string }[] }
    const worker = targetInfos.find((target) => target.type === 'shared_worker' && target.url.includes('hub'))
    if (!worker) return null
    const { sessionId } = (await cdp.send('Target.attachToTarget', { targetId: worker.targetId, flatten: false })) as { sessionId: string }
    let nextId = 1
    const pending = new Map<number, (result: unknown) => void>()
    cdp.on('Target.receivedMessageFromTarget', (event: { sessionId: string; message: string }) => {
      if (event.sessionId !== sessionId) return
      const message = JSON.parse(event.message) as { id?: number; result?: unknown }
      if (message.id !== undefined) pending.get(message.id)?.(message.result)
    })
    const send = (method: string, params: object = {}) =>
      new Promise<unknown>((resolve, reject) => {
        const id = nextId++
        const timer = setTimeout(() => reject(new Error(`${method} timed out`)), 10_000)
        pending.set(id, (result) => {
          clearTimeout(timer)
          resolve(result)
        })
        void cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) })
      })
    await send('HeapProfiler.collectGarbage')
    const usage = (await send('Runtime.getHeapUsage')) as { usedSize: number }
    await cdp.send('Target.detachFromTarget', { sessionId }).catch(() => undefined)
    await cdp.detach().catch(() => undefined)
    return usage.usedSize
  } catch (error) {
    console.log(`[hub] shared worker heap not measurable: ${(error as Error).message}`)
    return null
  }
}
