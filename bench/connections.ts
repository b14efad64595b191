/**
 * Part 1 — connections (and 5a, browser memory, from the same tabs): Socket.IO connections the
 * server holds with 1, 5 and 20 tabs of one browser per hub mode (the `realtime_connected_sockets`
 * gauge), and the JS heap of each tab and of the hub worker (CDP Runtime.getHeapUsage after GC).
 */
import { placeOrder, trackingPath } from '../harness/api'
import type { TestServer } from '../harness/server'
import { heapUsed, launchBrowser, MODE_LABEL, modeContext, openTabs, sharedWorkerHeaps, type BenchMode } from './lib/browser'
import { saveChart, type Section } from './lib/report'
import { mb, mean, ratio, sleep, table } from './lib/stats'

export const TAB_COUNTS = [1, 5, 20]
const MODES: BenchMode[] = ['shared-worker', 'leader', 'direct']

async function settledConnections(server: TestServer): Promise<number> {
  // The gauge moves as sockets connect; read until two reads 500 ms apart agree.
  let last = -1
  for (let i = 0; i < 20; i++) {
    const value = await server.metric('realtime_connected_sockets')
    if (value === last) return value
    last = value
    await sleep(500)
  }
  return last
}

interface Heap {
  tab: number
  hub: number
  total: number
}

export async function run(server: TestServer): Promise<Section[]> {
  const results: Record<BenchMode, number[]> = { 'shared-worker': [], leader: [], direct: [] }
  const heaps: Record<BenchMode, Heap[]> = { 'shared-worker': [], leader: [], direct: [] }
  const { order, trackingToken } = await placeOrder(server)
  for (const mode of MODES) {
    for (const tabs of TAB_COUNTS) {
      // A browser per cell, so no hub or cache of a previous cell is counted.
      const browser = await launchBrowser()
      try {
        const context = await modeContext(browser, mode)
        const pages = await openTabs(context, tabs, server.url + trackingPath(order, trackingToken))
        results[mode].push(await settledConnections(server))
        const tabHeaps: number[] = []
        for (const page of pages) tabHeaps.push(await heapUsed(await context.newCDPSession(page)))
        const hub = (await sharedWorkerHeaps(browser)).reduce((sum, heap) => sum + heap, 0)
        heaps[mode].push({ tab: mean(tabHeaps), hub, total: tabHeaps.reduce((sum, heap) => sum + heap, 0) + hub })
      } finally {
        await browser.close()
      }
      while ((await server.metric('realtime_connected_sockets')) > 0) await sleep(200)
    }
  }
  return [connectionsSection(results), memorySection(heaps)]
}

function connectionsSection(results: Record<BenchMode, number[]>): Section {
  const rows = MODES.map((mode) => [MODE_LABEL[mode], ...results[mode]])
  const chart = saveChart('connections', {
    title: 'Server connections per browser',
    unit: 'sockets',
    groups: TAB_COUNTS.map((tabs) => `${tabs} tab${tabs > 1 ? 's' : ''}`),
    series: MODES.map((mode) => ({ name: MODE_LABEL[mode], values: results[mode] })),
  })
  return {
    id: 'connections',
    title: '1. Connections per browser',
    body: `${table(['mode', ...TAB_COUNTS.map((tabs) => `${tabs} tabs`)], rows)}

${chart}

What it means: with the SharedWorker hub (and with the leader-tab fallback) a browser holds one
Socket.IO connection however many tabs are open, so the server's connection count follows the
number of *people*, not tabs; the naive one-socket-per-tab mode grows with every tab
(${results.direct.at(-1)} connections for 20 tabs).`,
  }
}

/** The honest reading of the memory figures: what a tab saves, what the hub costs, break-even. */
function memoryVerdict(heaps: Record<BenchMode, Heap[]>): string {
  const shared = heaps['shared-worker']
  const direct = heaps.direct
  const perTabSaving = mean(shared.map((heap, index) => (direct[index]?.tab ?? Number.NaN) - heap.tab))
  const hub = mean(shared.map((heap) => heap.hub))
  const breakEven = perTabSaving > 0 ? Math.ceil(hub / perTabSaving) : Number.POSITIVE_INFINITY
  return `What it means: a tab served by the shared hub carries ${mb(perTabSaving)} less JS heap than a tab with
its own socket (the socket.io client, its buffers and the hub code live once, in the worker), and
the hub worker costs ${mb(hub)} once. ${Number.isFinite(breakEven) ? `So the shared mode uses less memory from about ${breakEven} tabs on, and slightly more below that.` : 'In this run the tabs did not get lighter, so the shared mode costs the worker on top.'}
Memory is not where the shared hub pays: the app itself (Vue, the stores, the page) is most of each
tab's heap in both modes. It pays in server connections (part 1) and poll requests (part 3).`
}

function memorySection(heaps: Record<BenchMode, Heap[]>): Section {
  const rows = TAB_COUNTS.map((tabs, index) => {
    const cells = MODES.map((mode) => heaps[mode][index] as Heap)
    const [shared, leader, direct] = cells as [Heap, Heap, Heap]
    return [
      String(tabs),
      mb(shared.tab),
      mb(shared.hub),
      mb(shared.total),
      mb(leader.total),
      mb(direct.tab),
      mb(direct.total),
      ratio(shared.total, direct.total),
    ]
  })
  const chart = saveChart('memory', {
    title: 'JS heap of all tabs + hub worker',
    unit: 'MB',
    groups: TAB_COUNTS.map((tabs) => `${tabs} tab${tabs > 1 ? 's' : ''}`),
    series: MODES.map((mode) => ({ name: MODE_LABEL[mode], values: heaps[mode].map((heap) => heap.total / 1024 / 1024) })),
  })
  return {
    id: 'memory',
    title: '5a. Browser memory',
    body: `JS heap after a forced GC (CDP \`Runtime.getHeapUsage\`; the SharedWorker through its CDP target),
tracking page open in every tab; same tabs as part 1.

${table(['tabs', 'shared: per tab', 'shared: hub worker', 'shared: total', 'leader: total', 'per-tab mode: per tab', 'per-tab mode: total', 'shared/per-tab (total)'], rows)}

${chart}

${memoryVerdict(heaps)}`,
  }
}
