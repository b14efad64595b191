/**
 * A customer's first visit, counted where it costs: at the server. Every file of the app is
 * downloaded once (the page hands what it loaded to the installing service worker, which then
 * fetches only the rest of the customer shell), and no file of the admin app is downloaded at
 * all. An admin still gets the board offline once they have opened it.
 */
import { readFileSync } from 'node:fs'
import { placeOrder, trackingPath } from '../../harness/api'
import type { TestServer } from '../../harness/server'
import { adminOnlyFiles } from '../../scripts/precache-scope.mjs'
import { expect, test } from './fixtures'

/** GET requests per route the server has answered so far: static files by path, API routes by pattern. */
async function getRequests(server: TestServer, api = false): Promise<Map<string, number>> {
  const text = await (await fetch(`${server.url}/metrics`)).text()
  const counts = new Map<string, number>()
  for (const match of text.matchAll(/^http_requests_total\{([^}]*)\} (\d+)/gm)) {
    const labels = Object.fromEntries([...match[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((label) => [label[1], label[2]]))
    if (labels.method !== 'GET' || !labels.route) continue
    if (api !== labels.route.startsWith('/api/') || /^\/(socket\.io|metrics|healthz|readyz)\b/.test(labels.route)) continue
    counts.set(labels.route, (counts.get(labels.route) ?? 0) + Number(match[2]))
  }
  return counts
}
const fileRequests = (server: TestServer) => getRequests(server)

test('a first visit of the tracking link downloads each file once and nothing of the admin app', async ({ browser, server }) => {
  const { order, trackingToken } = await placeOrder(server)
  const before = await fileRequests(server)
  const ordersBefore = (await getRequests(server, true)).get('/api/orders/:id') ?? 0
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    await page.goto(server.url + trackingPath(order, trackingToken))
    await expect(page.getByTestId('order-status')).toHaveAttribute('data-status', 'placed')
    // Installed and in control: the precache is complete.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 })

    const after = await fileRequests(server)
    const requested = [...after]
      .map(([route, count]) => [route, count - (before.get(route) ?? 0)] as const)
      .filter(([, count]) => count > 0)
    // The shell's files did arrive (the count is not trivially empty)...
    expect(requested.map(([route]) => route)).toEqual(expect.arrayContaining(['/sw.js', '/index.html']))
    expect(requested.filter(([route]) => route.startsWith('/assets/')).length).toBeGreaterThan(5)
    // ...each once...
    expect(requested.filter(([, count]) => count > 1)).toEqual([])
    // ...and none of the admin app's.
    const admin = adminOnlyFiles('dist').map((file) => `/${file}`)
    expect(admin.length).toBeGreaterThan(3)
    expect(requested.filter(([route]) => admin.includes(route))).toEqual([])
    const manifest = readFileSync('dist/sw.js', 'utf8')
    for (const file of admin) expect(manifest).not.toContain(`"${file.slice(1)}"`)

    // The order's requests: the one public/early-order.js started before the app loaded, which
    // the app took as its own load (no second load), and the catch-up once the socket is live (a
    // conditional GET that covers the gap between the load and the room join). A load of its own
    // would make three.
    expect(requested.map(([route]) => route)).toEqual(expect.arrayContaining([expect.stringMatching(/^\/assets\/early-order-/)]))
    expect(await page.evaluate(() => '__orderlineEarlyOrder' in window)).toBe(false)
    await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'live')
    const orderGets = async () => ((await getRequests(server, true)).get('/api/orders/:id') ?? 0) - ordersBefore
    await expect.poll(orderGets).toBe(2)
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    expect(await orderGets()).toBe(2)
  } finally {
    await context.close()
  }
})

test("every page loads the engine's date data in a worker made of a file it already has, which then closes", async ({
  browser,
  server,
}) => {
  const { order, trackingToken } = await placeOrder(server)
  const context = await browser.newContext()
  try {
    const warmUp = /\/assets\/early-order-[\w-]+\.js$/
    // The tracking page, and the storefront (its header's connection badge formats a time too).
    for (const [path, ready] of [
      [trackingPath(order, trackingToken), '[data-testid="order-status"]'],
      ['/', '.product-card'],
    ] as const) {
      const page = await context.newPage()
      const workers: string[] = []
      const closed: string[] = []
      page.on('worker', (worker) => {
        workers.push(worker.url())
        worker.on('close', () => closed.push(worker.url()))
      })
      await page.goto(server.url + path)
      await expect(page.locator(ready).first()).toBeVisible()
      expect(
        workers.filter((url) => warmUp.test(url)),
        path,
      ).toHaveLength(1)
      // It ends itself once the data is loaded: no thread is left running.
      await expect.poll(() => closed.filter((url) => warmUp.test(url)).length).toBe(1)
      await page.close()
    }
  } finally {
    await context.close()
  }
})
