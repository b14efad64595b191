/** Chromium plumbing shared by the browser benchmark parts. */
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from '@playwright/test'
import { CHROMIUM_ARGS } from '../../harness/chromium'
import { CHROMIUM_HELP, findChromium } from '../../scripts/chromium.mjs'

export type BenchMode = 'shared-worker' | 'leader' | 'direct'

export const MODE_LABEL: Record<BenchMode, string> = {
  'shared-worker': 'shared (SharedWorker)',
  leader: 'leader tab',
  direct: 'one socket per tab',
}

export async function launchBrowser(): Promise<Browser> {
  const executablePath = findChromium()
  if (!executablePath) throw new Error(CHROMIUM_HELP)
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS })
}

/**
 * A context whose tabs start the hub in `mode` (the localStorage switch read by
 * src/app/realtime/client.ts), and record when each order status first appears on screen.
 */
/**
 * Records when each status first renders (epoch ms): key '<status>' for the tracking page and
 * '<orderId>:<status>' for admin board rows. Observes from the moment <html> exists.
 */
const RECORDER = `
  const seen = {};
  window.__statusSeen = seen;
  const mark = (key) => { if (!(key in seen)) seen[key] = performance.timeOrigin + performance.now(); };
  const record = () => {
    const status = document.querySelector('[data-testid="order-status"]')?.getAttribute('data-status');
    if (status) mark(status);
    for (const row of document.querySelectorAll('[data-order-id]')) {
      const rowStatus = row.getAttribute('data-status') ?? row.querySelector('[data-status]')?.getAttribute('data-status');
      if (rowStatus) mark(row.getAttribute('data-order-id') + ':' + rowStatus);
    }
  };
  const observe = () => new MutationObserver(record).observe(document.documentElement, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
  if (document.documentElement) observe(); else new MutationObserver((_, self) => { if (document.documentElement) { self.disconnect(); observe(); } }).observe(document, { childList: true });
`

export async function modeContext(
  browser: Browser,
  mode: BenchMode,
  session?: { token: string; user: unknown },
  /** localStorage 'orderline.hubEvents' (src/app/realtime/transports.ts); unset: the shipped default. */
  hubEvents?: string,
  /** localStorage 'orderline.hopParts' = '1': each tab records where its hops went (HopBreakdown). */
  hopParts = false,
): Promise<BrowserContext> {
  const context = await browser.newContext()
  // A string, not a function: tsx (esbuild keepNames) would wrap inner functions in a `__name`
  // helper that does not exist in the page, and the script would die silently.
  await context.addInitScript({
    content: `(() => {
      localStorage.setItem('orderline.hubMode', ${JSON.stringify(mode)});
      ${hubEvents ? `localStorage.setItem('orderline.hubEvents', ${JSON.stringify(hubEvents)});` : ''}
      ${hopParts ? `localStorage.setItem('orderline.hopParts', '1');` : ''}
      const stored = ${JSON.stringify(session ? JSON.stringify(session) : null)};
      if (stored) localStorage.setItem('orderline.session', stored);
      ${RECORDER}
    })()`,
  })
  return context
}

/** Logs in over the API: the session a context can start with (see modeContext). */
export async function adminSession(url: string, email: string, password: string): Promise<{ token: string; user: unknown }> {
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  })
  if (!response.ok) throw new Error(`login failed: ${response.status}`)
  return (await response.json()) as { token: string; user: unknown }
}

export async function openTabs(
  context: BrowserContext,
  count: number,
  url: string,
  state = 'live',
  ready = '[data-testid="order-status"]',
): Promise<Page[]> {
  const pages: Page[] = []
  for (let i = 0; i < count; i++) {
    const page = await context.newPage()
    await page.goto(url)
    await page.waitForSelector(ready, { timeout: 20_000 })
    pages.push(page)
  }
  for (const page of pages) await page.waitForSelector(`[data-testid="connection-state"][data-state="${state}"]`, { timeout: 30_000 })
  return pages
}

/** Epoch ms (sub-ms) at which `status` first rendered in this page, or null. */
export async function seenAt(page: Page, status: string): Promise<number | null> {
  return page.evaluate((key) => (window as unknown as { __statusSeen: Record<string, number> }).__statusSeen[key] ?? null, status)
}

export async function heapUsed(session: CDPSession): Promise<number> {
  await session.send('HeapProfiler.collectGarbage')
  const usage = (await session.send('Runtime.getHeapUsage')) as { usedSize: number }
  return usage.usedSize
}

/**
 * JS heap of every SharedWorker in the browser. Playwright does not expose SharedWorkers, so this
 * attaches through the browser-level CDP session and talks to each worker's target directly.
 */
export async function sharedWorkerHeaps(browser: Browser): Promise<number[]> {
  const cdp = await browser.newBrowserCDPSession()
  try {
    const { targetInfos } = (await cdp.send('Target.getTargets')) as { targetInfos: { targetId: string; type: string }[] }
    const heaps: number[] = []
    for (const target of targetInfos.filter((info) => info.type === 'shared_worker')) {
      const { sessionId } = (await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: false })) as {
        sessionId: string
      }
      let nextId = 1
      const call = (method: string) =>
        new Promise<Record<string, unknown>>((resolve, reject) => {
          const id = nextId++
          const timer = setTimeout(() => reject(new Error(`${method} timed out`)), 10_000)
          const onMessage = (event: { sessionId?: string; message: string }) => {
            const reply = JSON.parse(event.message) as { id?: number; result?: Record<string, unknown> }
            if (event.sessionId !== sessionId || reply.id !== id) return
            clearTimeout(timer)
            cdp.off('Target.receivedMessageFromTarget', onMessage)
            resolve(reply.result ?? {})
          }
          cdp.on('Target.receivedMessageFromTarget', onMessage)
          void cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method }) })
        })
      await call('HeapProfiler.collectGarbage')
      heaps.push(Number((await call('Runtime.getHeapUsage')).usedSize ?? Number.NaN))
      await cdp.send('Target.detachFromTarget', { sessionId })
    }
    return heaps
  } finally {
    await cdp.detach()
  }
}
