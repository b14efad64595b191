/**
 * The Background Sync path of the outbox (docs/architecture.md, "The outbox"): with every app tab closed,
 * only the service worker can send what an admin queued offline. offline-outbox.spec.ts covers
 * the tab sender; here no tab exists when the sync event arrives, so whatever reaches the server
 * came from the SW.
 *
 * Chromium fires `sync` when it believes the network is back, and Playwright cannot toggle the
 * OS network. The first two tests cut the network at the server (the SW's fetches really fail)
 * and fire the event with CDP `ServiceWorker.dispatchSyncEvent` from an about:blank page. The
 * last one lets Chromium fire it by itself: context.setOffline also emulates the SW offline, and
 * Background Sync follows that emulation.
 */
import type { Browser, BrowserContext, Page, Worker } from '@playwright/test'
import type { Order } from '../../src/protocol'
import { fetchOrderAsAdmin, inspectServiceWorkers, signInContext, type ServiceWorkerInspector } from './admin-support'
import { blockNetwork, routeRequests } from './offline-build'
import { placeOrder, setStatus } from '../../harness/api'
import type { TestServer } from '../../harness/server'
import { expect, test } from './fixtures'

// As in src/shared/swProtocol.ts (outside the e2e tsconfig, which takes src/protocol only).
const OUTBOX_SYNC_TAG = 'orderline-outbox'
const OUTBOX_CHANNEL = 'orderline-outbox'

const patches = (server: TestServer, status: number): Promise<number> => routeRequests(server, '/api/orders/:id', 'PATCH', status)
const version = async (server: TestServer, order: Order): Promise<number> => (await fetchOrderAsAdmin(server, order.id)).version

interface Session {
  server: TestServer
  context: BrowserContext
  inspector: ServiceWorkerInspector
  tab: Page
}

/** A context with the CDP inspector (opened first, so the sign-in script never runs on it) and one admin tab on the order. */
async function openOrder(browser: Browser, server: TestServer, order: Order): Promise<Session> {
  const context = await browser.newContext()
  const inspector = await inspectServiceWorkers(context)
  await signInContext(context, server)
  const tab = await context.newPage()
  await tab.goto(`${server.url}/admin/orders/${order.id}`)
  // Background Sync needs an active registration; the controller proves the SW is active.
  await tab.waitForFunction(() => navigator.serviceWorker.controller !== null)
  await expect(tab.locator(`article[data-order-id="${order.id}"]`)).toHaveAttribute('data-version', String(order.version))
  await inspector.activeVersion(server.url)
  return { server, context, inspector, tab }
}

/** Clicks "Confirmed" while the server is unreachable: the change must wait in the outbox, with a sync registered. */
async function confirmOffline(tab: Page): Promise<void> {
  await tab.getByRole('button', { name: 'Mark confirmed', exact: true }).click()
  await expect(tab.getByTestId('outbox-entry')).toHaveAttribute('data-state', 'pending')
  await expect(tab.getByTestId('patch-outcome')).toContainText('offline')
  const tags = (): Promise<string[]> =>
    tab.evaluate(async () => {
      const registration = (await navigator.serviceWorker.ready) as ServiceWorkerRegistration & { sync: { getTags(): Promise<string[]> } }
      return registration.sync.getTags()
    })
  await expect.poll(tags).toContain(OUTBOX_SYNC_TAG)
}

/** Closes every app tab: no tab sender, no window client left for the SW. */
async function closeAppTabs({ server, context, inspector }: Session): Promise<void> {
  for (const page of context.pages()) if (page !== inspector.page) await page.close()
  await expect.poll(() => inspector.controlledClients(server.url)).toEqual([])
}

async function reopen(session: Session, order: Order): Promise<Page> {
  const page = await session.context.newPage()
  await page.goto(`${session.server.url}/admin/orders/${order.id}`)
  return page
}

/** The outbox straight from IndexedDB (names as in src/shared/outboxDb.ts), not as one order's view shows it. */
function outboxSize(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('orderline-outbox')
        open.onerror = () => reject(open.error)
        open.onsuccess = () => {
          const count = open.result.transaction('entries').objectStore('entries').count()
          count.onerror = () => reject(count.error)
          count.onsuccess = () => {
            open.result.close()
            resolve(count.result)
          }
        }
      }),
  )
}

/** The running SW as Playwright sees it (the handle of a stopped instance may linger in the list). */
async function runningWorker(server: TestServer, context: BrowserContext): Promise<Worker> {
  let found: Worker | null = null
  await expect
    .poll(async () => {
      for (const worker of context.serviceWorkers().reverse()) {
        if (worker.url() !== `${server.url}/sw.js`) continue
        if (await worker.evaluate(() => true).catch(() => false)) {
          found = worker
          return true
        }
      }
      return false
    })
    .toBe(true)
  return found!
}

test('every tab closed: a sync event wakes the stopped service worker, which applies the queued change exactly once', async ({
  browser,
  server,
}) => {
  test.setTimeout(120_000)
  const order = (await placeOrder(server, undefined, 'Alice')).order
  const session = await openOrder(browser, server, order)
  try {
    await blockNetwork(server, true)
    await confirmOffline(session.tab)
    await closeAppTabs(session)
    // Woken from cold, as when the browser has long dropped the worker: nothing of the tab lives on in it.
    await session.inspector.stop(server.url)
    await blockNetwork(server, false)
    // Chromium fired the real event at registration (the OS network is up); it failed and its retry is minutes away.
    expect(await version(server, order)).toBe(1)
    const appliedBefore = await patches(server, 200)

    const dispatchedAt = Date.now()
    await session.inspector.dispatchSync(server.url, OUTBOX_SYNC_TAG)
    await expect.poll(() => version(server, order), { timeout: 30_000, intervals: [50] }).toBe(2)
    console.log(`[figure] background sync: replay applied ${Date.now() - dispatchedAt} ms after dispatch`)

    // A second event (a retry, or the browser and a tab both asking) must not apply it again. The
    // SW announces every pass on the outbox channel; the first one lists the order it applied, so
    // an announcement with nothing applied can only come from the second pass.
    const worker = await runningWorker(server, session.context)
    await worker.evaluate((name) => {
      const heard: { applied: unknown[] }[] = []
      new BroadcastChannel(name).onmessage = (event: MessageEvent<{ applied: unknown[] }>) => heard.push(event.data)
      ;(globalThis as { outboxHeard?: unknown }).outboxHeard = heard
    }, OUTBOX_CHANNEL)
    await session.inspector.dispatchSync(server.url, OUTBOX_SYNC_TAG)
    const emptyPasses = (): Promise<number> =>
      worker.evaluate(
        () => ((globalThis as { outboxHeard?: { applied: unknown[] }[] }).outboxHeard ?? []).filter((m) => m.applied.length === 0).length,
      )
    await expect.poll(emptyPasses, { timeout: 20_000 }).toBe(1)

    const applied = await fetchOrderAsAdmin(server, order.id)
    expect(applied.status).toBe('confirmed')
    expect(applied.version).toBe(2)
    expect(applied.history.filter((entry) => entry.status === 'confirmed')).toHaveLength(1)
    // Not even an idempotent resend: the first pass emptied the outbox under the lock.
    expect(await patches(server, 200)).toBe(appliedBefore + 1)

    const page = await reopen(session, order)
    await expect(page.locator(`article[data-order-id="${order.id}"]`)).toHaveAttribute('data-version', '2')
    await expect(page.locator('article header .status-pill')).toHaveAttribute('data-status', 'confirmed')
    expect(await outboxSize(page)).toBe(0)
    await expect(page.getByTestId('outbox-entry')).toHaveCount(0)
    await expect(page.getByTestId('outbox-count')).toHaveCount(0)
  } finally {
    await blockNetwork(server, false).catch(() => undefined)
    await session.context.close()
  }
})

test('every tab closed: a change another admin made meanwhile comes back as a conflict the admin sees later', async ({
  browser,
  server,
}) => {
  test.setTimeout(120_000)
  const order = (await placeOrder(server, undefined, 'Bob')).order
  const session = await openOrder(browser, server, order)
  try {
    await blockNetwork(server, true)
    await confirmOffline(session.tab)
    await closeAppTabs(session)
    const cancelled = await setStatus(server, order, 'cancelled')
    expect(cancelled.version).toBe(2)
    await blockNetwork(server, false)
    const conflictsBefore = await patches(server, 409)

    await session.inspector.dispatchSync(server.url, OUTBOX_SYNC_TAG)
    await expect.poll(() => patches(server, 409), { timeout: 30_000 }).toBe(conflictsBefore + 1)
    const current = await fetchOrderAsAdmin(server, order.id)
    expect(current.status).toBe('cancelled')
    expect(current.version).toBe(2)

    const page = await reopen(session, order)
    const conflict = page.getByTestId('outbox-entry')
    await expect(conflict).toHaveAttribute('data-state', 'conflict')
    await expect(conflict).toHaveAttribute('role', 'alert')
    await expect(conflict).toContainText('Cancelled (version 2)')
    // The SW recorded the refusal: the new tab found nothing pending to send again.
    expect(await patches(server, 409)).toBe(conflictsBefore + 1)
    expect(await outboxSize(page)).toBe(1)
    await conflict.getByRole('button', { name: 'Dismiss' }).click()
    await expect(page.getByTestId('outbox-entry')).toHaveCount(0)
    expect(await outboxSize(page)).toBe(0)
  } finally {
    await blockNetwork(server, false).catch(() => undefined)
    await session.context.close()
  }
})

test('every tab closed: Chromium fires the sync event by itself when the (emulated) network returns', async ({ browser, server }) => {
  test.setTimeout(120_000)
  const order = (await placeOrder(server, undefined, 'Carol')).order
  const session = await openOrder(browser, server, order)
  try {
    // Emulated offline reaches the SW too, so Chromium holds the event back rather than firing it now.
    await session.context.setOffline(true)
    await confirmOffline(session.tab)
    await closeAppTabs(session)
    // Lifting the emulation goes through the worker's own DevTools session: a stopped worker
    // would leave setOffline(false) waiting and the registration offline for Background Sync.
    expect(session.inspector.runningStatus(server.url)).toBe('running')
    expect(await version(server, order)).toBe(1)

    const backAt = Date.now()
    await session.context.setOffline(false)
    await expect.poll(() => version(server, order), { timeout: 30_000, intervals: [50] }).toBe(2)
    console.log(`[figure] background sync: network back → replay applied by Chromium's own sync event in ${Date.now() - backAt} ms`)

    const page = await reopen(session, order)
    await expect(page.locator('article header .status-pill')).toHaveAttribute('data-status', 'confirmed')
    expect(await outboxSize(page)).toBe(0)
  } finally {
    await session.context.close()
  }
})
