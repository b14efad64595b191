/**
 * Part 10 — a second opinion from an outside load tool: Artillery 2 (its built-in socketio engine,
 * socket.io-client 4) connects customers that watch orders (bench/artillery/watchers.yml and
 * processor.cjs) against one fresh node, while this part makes 100 status changes per second
 * through the REST API; Artillery's own report gives the receipts and their latency.
 *
 * Artillery lives in a package of its own (bench/artillery/package.json, exact pins and a lock
 * file), installed here on first use with `npm ci --ignore-scripts`: its ~970 dependencies would
 * otherwise weigh on every install of the project, and one of them (a Playwright browser package)
 * downloads a browser in its install script, which fails offline. See docs/decisions.md.
 *
 * Not in the default set: `npm run bench -- artillery`.
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { CAPACITY_ENV, changeLoad, placeOrders } from './capacity'
import { startBenchNode } from './lib/node'
import type { Section } from './lib/report'
import { ms, sleep, table } from './lib/stats'

const DIR = path.resolve('bench/artillery')
const BIN = path.join(DIR, 'node_modules/artillery/bin/run')
const ARRIVAL_RATE = 250
const ARRIVAL_S = 20
const CUSTOMERS = ARRIVAL_RATE * ARRIVAL_S
const RATE = 100
const CHANGE_S = 20
const ORDERS = (RATE * CHANGE_S) / 4

interface Summary {
  min: number
  max: number
  median: number
  p95: number
  p99: number
  count: number
}
interface ArtilleryReport {
  aggregate: { counters: Record<string, number>; summaries: Record<string, Summary> }
}

function ensureInstalled(): void {
  if (existsSync(BIN)) return
  console.log('  installing Artillery into bench/artillery (first run only)…')
  const result = spawnSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: DIR, stdio: 'inherit', timeout: 600_000 })
  if (result.status !== 0) throw new Error(`npm ci in bench/artillery failed (${result.status ?? result.signal})`)
}

export async function run(): Promise<Section> {
  ensureInstalled()
  const version = (JSON.parse(readFileSync(path.join(DIR, 'node_modules/artillery/package.json'), 'utf8')) as { version: string }).version
  const node = await startBenchNode(CAPACITY_ENV)
  const work = mkdtempSync(path.join(tmpdir(), 'orderline-artillery-'))
  try {
    const placed = await placeOrders(node, ORDERS)
    const ordersFile = path.join(work, 'orders.json')
    writeFileSync(ordersFile, JSON.stringify(placed.map((p) => ({ orderId: p.order.id, token: p.trackingToken }))))
    const output = path.join(work, 'report.json')
    const overrides = { config: { phases: [{ duration: ARRIVAL_S, arrivalRate: ARRIVAL_RATE }] } }
    const child = spawn(
      process.execPath,
      [BIN, 'run', '--target', node.url, '--output', output, '--overrides', JSON.stringify(overrides), path.join(DIR, 'watchers.yml')],
      {
        cwd: DIR,
        // No telemetry: this machine reaches no network but the package registry, and a bench
        // should send nothing anywhere in any case.
        env: { ...process.env, ORDERLINE_ORDERS_FILE: ordersFile, ARTILLERY_DISABLE_TELEMETRY: 'true', ARTILLERY_NO_UPDATE_CHECK: 'true' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let log = ''
    child.stdout?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-50_000)))
    child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-50_000)))
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    const killer = setTimeout(() => child.kill('SIGKILL'), 240_000)
    try {
      // Change statuses only once every customer is in: Artillery's watchers then see all four
      // changes of every order, so receipts expected = 4 × watching.
      const deadline = performance.now() + (ARRIVAL_S + 40) * 1000
      let sockets = 0
      while (performance.now() < deadline && child.exitCode === null) {
        sockets = (await node.metrics()).get('realtime_connected_sockets') ?? 0
        if (sockets >= CUSTOMERS) break
        await sleep(500)
      }
      await sleep(2_000)
      const { achieved } = await changeLoad(
        node,
        placed.map((p) => p.order),
        RATE,
        CHANGE_S,
      )
      const code = await exited
      if (code !== 0 || !existsSync(output)) throw new Error(`artillery exited ${code}:\n${log.slice(-5_000)}`)
      const report = JSON.parse(readFileSync(output, 'utf8')) as ArtilleryReport
      const counters = report.aggregate.counters
      const latency = report.aggregate.summaries['orderline.commit_to_receipt']
      const watching = counters['orderline.watching'] ?? 0
      const receipts = counters['orderline.receipts'] ?? 0
      const errors = Object.entries(counters)
        .filter(([name]) => name.startsWith('errors.'))
        .map(([name, count]) => `${name.slice(7)} × ${count}`)
      const rows = [
        [
          `${(counters['vusers.created'] ?? 0).toLocaleString('en')} (${sockets.toLocaleString('en')} connected at the start of the changes)`,
          `${(counters['vusers.completed'] ?? 0).toLocaleString('en')} / ${(counters['vusers.failed'] ?? 0).toLocaleString('en')}`,
          watching.toLocaleString('en'),
          `${RATE}/s (${achieved.toFixed(0)}/s done)`,
          `${receipts.toLocaleString('en')} / ${(watching * 4).toLocaleString('en')}`,
          ms(latency?.median ?? Number.NaN),
          ms(latency?.p95 ?? Number.NaN),
          ms(latency?.p99 ?? Number.NaN),
          ms(latency?.max ?? Number.NaN),
        ],
      ]
      return {
        id: 'artillery',
        title: '10. Second opinion: Artillery against one node',
        body: `Artillery ${version} (built-in \`socketio\` engine, socket.io-client 4 over WebSocket), run by
\`npm run bench -- artillery\` from bench/artillery/: ${CUSTOMERS.toLocaleString('en')} customers arrive at ${ARRIVAL_RATE}/s,
each sends the real \`watchOrder\` with its tracking token (${ORDERS} orders, round-robin) and stays
60 s; once all are connected this part makes ${RATE} status changes/s for ${CHANGE_S} s (PATCH as admin, each
order walks its four statuses). Artillery's processor times each \`orderUpdated\` from the order's
\`updatedAt\` (the server's commit stamp, ms precision) — so its figures leave out the PATCH's own
handling that part 9 counts from just before the request — and its report gives:

${table(['customers', 'completed / failed', 'watching', 'changes', 'receipts / expected', 'median', 'p95', 'p99', 'max'], rows)}

${errors.length ? `Errors in Artillery's report: ${errors.join(', ')}.` : "No errors in Artillery's report."}`,
      }
    } finally {
      clearTimeout(killer)
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  } finally {
    await node.stop()
    rmSync(work, { recursive: true, force: true })
  }
}
