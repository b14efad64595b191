/**
 * Part 7 — page start: from navigation start to the order status shown on a tracking page,
 * cold (new profile, empty caches), warm (service worker installed, caches filled) and offline
 * (server gone; the service worker serves the shell and the last known order).
 */
import { placeOrder, trackingPath } from '../harness/api'
import type { TestServer } from '../harness/server'
import type { Page } from '@playwright/test'
import { launchBrowser } from './lib/browser'
import type { Section } from './lib/report'
import { ms, percentile, table } from './lib/stats'

const RUNS = 5

/** Installed before any page script (as a string: see bench/lib/browser.ts): records when the status element first exists. */
const RECORD_SHOWN_AT = `(() => {
  const check = () => {
    if (!('__shownAt' in window) && document.querySelector('[data-testid="order-status"]')) window.__shownAt = performance.now();
  };
  const observe = () => new MutationObserver(check).observe(document.documentElement, { subtree: true, childList: true });
  if (document.documentElement) observe(); else new MutationObserver((_, self) => { if (document.documentElement) { self.disconnect(); observe(); } }).observe(document, { childList: true });
})()`

async function timeToStatus(page: Page, navigate: () => Promise<unknown>): Promise<number> {
  await navigate()
  const handle = await page.waitForFunction(() => (window as unknown as { __shownAt?: number }).__shownAt, undefined, { timeout: 20_000 })
  return (await handle.jsonValue()) as number
}

export interface PageStarts {
  cold: number[]
  warm: number[]
  offline: number[]
}

/**
 * Times `runs` cold and warm starts of `url` (a new browser context each), then stops the server
 * and times `runs` offline reloads of the last context; the server is restarted before returning.
 */
export async function pageStarts(server: TestServer, url: string, runs = RUNS): Promise<PageStarts> {
  const browser = await launchBrowser()
  const starts: PageStarts = { cold: [], warm: [], offline: [] }
  try {
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext()
      await context.addInitScript({ content: RECORD_SHOWN_AT })
      const page = await context.newPage()
      starts.cold.push(await timeToStatus(page, () => page.goto(url, { waitUntil: 'commit' })))
      // Warm means: the service worker controls the page and has cached the shell and the order.
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 15_000 })
      starts.warm.push(await timeToStatus(page, () => page.reload({ waitUntil: 'commit' })))
      if (i < runs - 1) await context.close()
      else {
        await server.stop()
        for (let j = 0; j < runs; j++) {
          starts.offline.push(await timeToStatus(page, () => page.reload({ waitUntil: 'commit' })))
        }
        await context.close()
      }
    }
  } finally {
    await browser.close()
    await server.restart()
  }
  return starts
}

export async function run(server: TestServer): Promise<Section> {
  const { order, trackingToken } = await placeOrder(server)
  const { cold, warm, offline } = await pageStarts(server, server.url + trackingPath(order, trackingToken))
  const row = (name: string, values: number[]) => [name, ms(percentile(values, 50)), ms(Math.max(...values)), String(values.length)]
  return {
    id: 'pagestart',
    title: '7. Tracking page start',
    body: `Time from navigation start to the status element on screen (median of ${RUNS}).

${table(['start', 'median', 'worst', 'runs'], [row('cold (empty cache)', cold), row('warm (service worker)', warm), row('offline (server stopped)', offline)])}

What it means: a returning customer sees their order as fast as the device can render it, because
the shell comes from the precache and the order from the API cache; offline they still see the last
known status instead of an error page.`,
  }
}
