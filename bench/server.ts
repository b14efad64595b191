/**
 * Part 5b/6 — server side, single node: memory per connected socket at 1,000 and 5,000 clients,
 * and the latency from a status change (PATCH sent) to its receipt at the watching clients,
 * p50/p99, at 20 and 100 changes per second. Clients are real socket.io-client connections in a
 * separate process on loopback, ramped 100 at a time; every phase is bounded in count and time.
 */
import type { Order } from '../src/protocol'
import { placeOrder } from '../harness/api'
import type { TestServer } from '../harness/server'
import { startFleet } from './lib/fleet'
import { pacedChanges, STATUS_PATH as PATH } from './lib/pacedChanges'
import { saveChart, type Section } from './lib/report'
import { mb, ms, percentile, sleep, table } from './lib/stats'

const CLIENTS = [1_000, 5_000]
const RATES = [20, 100]
const DURATION_S = 5
/** Changes per second actually completed in the last run at each nominal rate. */
const achievedRate = new Map<number, number>()

async function memory(server: TestServer): Promise<{ rss: number; heap: number }> {
  await sleep(2_000)
  return { rss: await server.metric('process_resident_memory_bytes'), heap: await server.metric('nodejs_heap_size_used_bytes') }
}

/** `rate` PATCHes per second for DURATION_S (bench/lib/pacedChanges.ts); every one must succeed here. */
async function changeLoad(server: TestServer, orders: Order[], rate: number): Promise<Map<string, number>> {
  const { sentAt, achieved, failed, firstFailure } = await pacedChanges(
    server,
    orders.slice(0, Math.ceil((rate * DURATION_S) / PATH.length)),
    rate,
    DURATION_S,
  )
  if (failed > 0) throw new Error(`${failed} changes failed; first: ${firstFailure}`)
  achievedRate.set(rate, achieved)
  return sentAt
}

export async function run(server: TestServer): Promise<Section> {
  const memRows: string[][] = []
  const latencyRows: string[][] = []
  const p99: Record<number, number[]> = {}
  const base = await memory(server)
  for (const clients of CLIENTS) {
    const orders: Order[] = []
    const targets: { orderId: string; token: string }[] = []
    const needed = Math.ceil((Math.max(...RATES) * DURATION_S) / PATH.length) + Math.ceil((Math.min(...RATES) * DURATION_S) / PATH.length)
    for (let i = 0; i < needed; i++) {
      const placed = await placeOrder(server)
      orders.push(placed.order)
      targets.push({ orderId: placed.order.id, token: placed.trackingToken })
    }
    const ramp = performance.now()
    const fleet = await startFleet(server.url, clients, targets)
    const rampSeconds = (performance.now() - ramp) / 1000
    const loaded = await memory(server)
    memRows.push([
      clients.toLocaleString('en'),
      `${rampSeconds.toFixed(1)} s`,
      mb(loaded.rss - base.rss),
      `${((loaded.rss - base.rss) / clients / 1024).toFixed(1)} kB`,
      `${((loaded.heap - base.heap) / clients / 1024).toFixed(1)} kB`,
    ])
    let offset = 0
    for (const rate of [...RATES].sort((a, b) => a - b)) {
      const slice = orders.slice(offset)
      offset += Math.ceil((rate * DURATION_S) / PATH.length)
      await fleet.receipts() // drop anything earlier
      const sentAt = await changeLoad(server, slice, rate)
      await sleep(2_000)
      const receipts = await fleet.receipts()
      const latencies: number[] = []
      for (const [key, times] of Object.entries(receipts)) {
        const sent = sentAt.get(key)
        if (sent !== undefined) for (const time of times) latencies.push(time - sent)
      }
      // Client i watches targets[i % K]: order k has floor(N/K) watchers, plus one when k < N mod K.
      const watchers = (orderId: string) => {
        const k = targets.findIndex((target) => target.orderId === orderId)
        return Math.floor(clients / targets.length) + (k < clients % targets.length ? 1 : 0)
      }
      const expected = [...sentAt.keys()].reduce((sum, key) => sum + watchers(key.split(':')[0] as string), 0)
      ;(p99[rate] ??= []).push(percentile(latencies, 99))
      latencyRows.push([
        clients.toLocaleString('en'),
        `${rate}/s (${(achievedRate.get(rate) ?? Number.NaN).toFixed(0)}/s done)`,
        String(sentAt.size),
        `${latencies.length.toLocaleString('en')} / ${expected.toLocaleString('en')}`,
        ms(percentile(latencies, 50)),
        ms(percentile(latencies, 99)),
      ])
    }
    await fleet.close()
    while ((await server.metric('realtime_connected_sockets')) > 0) await sleep(250)
  }
  const chart = saveChart('server-fanout', {
    title: 'PATCH → received by every watcher, p99',
    unit: 'ms',
    groups: CLIENTS.map((clients) => `${clients.toLocaleString('en')} clients`),
    series: RATES.map((rate) => ({ name: `${rate} changes/s`, values: p99[rate] ?? [] })),
  })
  return {
    id: 'server',
    title: '5b/6. Server: memory per socket and fan-out under load (one node)',
    body: `Memory of the server process (RSS and V8 heap from \`/metrics\`) above its idle baseline, with
every client connected over WebSocket and watching one order:

${table(['clients', 'ramp time', 'RSS added', 'RSS per socket', 'heap per socket'], memRows)}

Fan-out: changes spread round-robin over ${Math.ceil((Math.min(...RATES) * DURATION_S) / PATH.length)}–${Math.ceil((Math.max(...RATES) * DURATION_S) / PATH.length)} orders for ${DURATION_S} s; each order is watched by
clients ÷ orders clients; latency from just before the PATCH is sent to each client's receipt.

${table(['clients', 'rate', 'changes', 'receipts / expected', 'p50', 'p99'], latencyRows)}

${chart}

What it means: one node on this 2-core machine keeps thousands of customers live; the p99 tells
how late the slowest watcher learns of a change. Receipts equal to expected means no update was lost.`,
  }
}
