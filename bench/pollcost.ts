/**
 * Part 3 — poll cost: requests per minute reaching the server for one tracked order while the
 * realtime path is blocked (test hook), with 1, 5 and 20 tabs, shared hub vs per-tab, and the
 * bytes those requests cost (conditional GETs answer 304 when nothing changed).
 */
import { placeOrder, trackingPath } from '../harness/api'
import type { TestServer } from '../harness/server'
import { launchBrowser, MODE_LABEL, modeContext, openTabs, type BenchMode } from './lib/browser'
import { saveChart, type Section } from './lib/report'
import { kb, ratio, sleep, table } from './lib/stats'
import { TAB_COUNTS } from './connections'

const WINDOW_MS = 20_000
const MODES: BenchMode[] = ['shared-worker', 'direct']

async function orderGets(server: TestServer): Promise<{ ok: number; notModified: number }> {
  const text = await (await fetch(`${server.url}/metrics`)).text()
  const count = (status: string) =>
    text
      .split('\n')
      .filter(
        (line) =>
          line.startsWith('http_requests_total{') &&
          line.includes('method="GET"') &&
          line.includes('route="/api/orders/:id"') &&
          line.includes(`status="${status}"`),
      )
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0)
  return { ok: count('200'), notModified: count('304') }
}

/** Wire size of one 200 and one 304 answer for the order (status line + headers + body). */
async function responseBytes(server: TestServer, orderId: string, token: string): Promise<{ full: number; notModified: number }> {
  const url = `${server.url}/api/orders/${orderId}`
  const headersOf = (response: Response) => [...response.headers].reduce((sum, [name, value]) => sum + name.length + value.length + 4, 17)
  const full = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
  const body = await full.arrayBuffer()
  const etag = full.headers.get('etag') ?? ''
  const cached = await fetch(url, { headers: { authorization: `Bearer ${token}`, 'if-none-match': etag } })
  return { full: headersOf(full) + body.byteLength, notModified: headersOf(cached) }
}

async function setRealtime(server: TestServer, blocked: boolean): Promise<void> {
  await fetch(`${server.url}/__test__/realtime`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ blocked }),
  })
}

export async function run(server: TestServer): Promise<Section> {
  const rows: string[][] = []
  const perMinute: Record<string, number[]> = { 'shared-worker': [], direct: [] }
  const { order, trackingToken } = await placeOrder(server)
  const sizes = await responseBytes(server, order.id, trackingToken)
  const browser = await launchBrowser()
  try {
    for (const tabs of TAB_COUNTS) {
      const cells: Record<string, { rpm: number; bytes: number }> = {}
      for (const mode of MODES) {
        await setRealtime(server, true)
        const context = await modeContext(browser, mode)
        await openTabs(context, tabs, server.url + trackingPath(order, trackingToken), 'polling')
        await sleep(2_000)
        const before = await orderGets(server)
        await sleep(WINDOW_MS)
        const after = await orderGets(server)
        await context.close()
        await setRealtime(server, false)
        const ok = after.ok - before.ok
        const notModified = after.notModified - before.notModified
        const minutes = WINDOW_MS / 60_000
        cells[mode] = { rpm: (ok + notModified) / minutes, bytes: (ok * sizes.full + notModified * sizes.notModified) / minutes }
        perMinute[mode]?.push(cells[mode].rpm)
      }
      const shared = cells['shared-worker'] ?? { rpm: Number.NaN, bytes: Number.NaN }
      const direct = cells.direct ?? { rpm: Number.NaN, bytes: Number.NaN }
      rows.push([
        String(tabs),
        shared.rpm.toFixed(1),
        kb(shared.bytes),
        direct.rpm.toFixed(1),
        kb(direct.bytes),
        ratio(shared.rpm, direct.rpm),
      ])
    }
  } finally {
    await browser.close()
  }
  const chart = saveChart('pollcost', {
    title: 'Poll requests per minute (socket blocked)',
    unit: 'req/min',
    groups: TAB_COUNTS.map((tabs) => `${tabs} tab${tabs > 1 ? 's' : ''}`),
    series: MODES.map((mode) => ({ name: MODE_LABEL[mode], values: perMinute[mode] ?? [] })),
  })
  return {
    id: 'pollcost',
    title: '3. Fallback poll cost',
    body: `Realtime blocked at the server (as by a proxy that drops WebSockets); every tab tracks the
same order; requests to \`GET /api/orders/:id\` counted at the server over ${WINDOW_MS / 1000} s and scaled to a
minute. Bytes use the measured wire size of a 200 (${sizes.full} B) and of a 304 (${sizes.notModified} B).

${table(['tabs', 'shared req/min', 'shared bytes/min', 'per-tab req/min', 'per-tab bytes/min', 'shared/per-tab'], rows)}

${chart}

What it means: with the hub driving the poll, a browser costs the server one conditional GET per
interval however many tabs are open, and almost all of them are 304s with no body; per-tab
polling multiplies that by the number of tabs. With one tab both modes make one stream: over a
${WINDOW_MS / 1000} s window one request more or less is ±${(60_000 / WINDOW_MS).toFixed(0)} req/min (jitter, and the catch-up poll a tab
asks for when it becomes visible), so read the 1-tab row as equal.`,
  }
}
