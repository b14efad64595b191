/**
 * Part 9 — the capacity of one node: one server process, customer watchers ramped 5k → 10k → 20k
 * → 40k (as far as the machine allows) by raw-WebSocket load generators in their own processes
 * (bench/lib/watchers-child.ts), 100 status changes per second through the REST API as admin.
 * Per step: PATCH → receipt p50/p99, receipts/expected, the server's event-loop delay p99 and CPU
 * (from its /metrics), RSS per socket. Each step is bounded (fixed duration), the ramp stops when
 * p99 passes 1 s, memory runs short or the server's file-descriptor ceiling is reached.
 *
 * Not in the default set (it takes several minutes): `npm run bench -- capacity`.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Order } from '../src/protocol'
import { busyCores, irqCores, machineCpu, processCpuSeconds, waitForQuiet } from './lib/cpu'
import { startBenchNode, type BenchNode } from './lib/node'
import { pacedChanges, STATUS_PATH as PATH, type PacedChanges } from './lib/pacedChanges'
import type { Section } from './lib/report'
import { ms, percentile, sleep, table } from './lib/stats'

const RATE = 100
const DURATION_S = 20
/** Orders per step: each walks its four statuses once during the step. */
const ORDERS_PER_STEP = (RATE * DURATION_S) / PATH.length
const GENERATORS = 2
/** Descriptors kept free in the server for SQLite, the listener, the admin's HTTP connections. */
const FD_MARGIN = 200
const P99_STOP_MS = 1_000
const MIN_FREE_BYTES = 2 * 1024 ** 3

/** A step: `sockets` connections, each watching `perSocket` orders. */
interface Step {
  sockets: number
  perSocket: number
}
const STEPS: Step[] = [
  { sockets: 5_000, perSocket: 1 },
  { sockets: 10_000, perSocket: 1 },
  { sockets: 20_000, perSocket: 1 },
  { sockets: 40_000, perSocket: 1 },
]

// Abuse limits off: thousands of watchers from one address are the measurement, not an attack.
export const CAPACITY_ENV = {
  ORDERLINE_LOG: '0',
  ORDERLINE_LOGIN_RATE_LIMIT: '0',
  ORDERLINE_LOGIN_ACCOUNT_RATE_LIMIT: '0',
  ORDERLINE_ORDER_RATE_LIMIT: '0',
  ORDERLINE_WATCH_RATE_LIMIT: '0',
  ORDERLINE_CONNECTIONS_PER_IP: '0',
  ORDERLINE_SOCKETS_PER_IP: '0',
}

interface Generator {
  child: ChildProcess
  sockets: number
  request<T>(command: object, reply: string, timeoutMs?: number): Promise<T>
}

function startGenerator(index: number): Generator {
  const child = fork(path.resolve('bench/lib/watchers-child.ts'), [], {
    execArgv: ['--import', 'tsx', '--max-old-space-size=4096'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const generator: Generator = {
    child,
    sockets: 0,
    request: (command, reply, timeoutMs = 240_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`generator ${index}: no ${reply} in ${timeoutMs} ms`)), timeoutMs)
        const onMessage = (message: { type: string; message?: string }) => {
          if (message.type !== reply && message.type !== 'error') return
          clearTimeout(timer)
          child.off('message', onMessage)
          if (message.type === 'error') reject(new Error(`generator ${index}: ${message.message}`))
          else resolve(message as never)
        }
        child.on('message', onMessage)
        child.send(command)
      }),
  }
  return generator
}

/** Places `count` orders over REST, ten at a time. */
export async function placeOrders(node: BenchNode, count: number): Promise<{ order: Order; trackingToken: string }[]> {
  const placed: { order: Order; trackingToken: string }[] = []
  const one = async () => {
    const response = await fetch(`${node.url}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ items: [{ productId: 'espresso', quantity: 1 }], customer: { name: 'Bench', email: 'bench@example.com' } }),
    })
    if (response.status !== 201) throw new Error(`order: ${response.status} ${await response.text()}`)
    placed.push((await response.json()) as { order: Order; trackingToken: string })
  }
  for (let i = 0; i < count; i += 10) await Promise.all(Array.from({ length: Math.min(10, count - i) }, one))
  return placed
}

/** `rate` PATCHes per second for `seconds` (bench/lib/pacedChanges.ts), at this part's defaults. */
export function changeLoad(node: BenchNode, orders: Order[], rate = RATE, seconds = DURATION_S): Promise<PacedChanges> {
  return pacedChanges(node, orders, rate, seconds)
}

export interface StepResult {
  sockets: number
  watches: number
  rampSeconds: number
  achieved: number
  receipts: number
  expected: number
  p50: number
  p99: number
  max: number
  eventLoopP99: number
  eventLoopMax: number
  gcSeconds: number
  majorGcSeconds: number
  /** PATCHes that did not answer 200 (their receipts are not expected). */
  failed: number
  firstFailure: string
  idleCpu: number
  loadCpu: number
  generatorCpu: number
  /** Cores busy in processes other than the server, the generators and this driver. */
  otherCpu: number
  /** Cores in interrupts/softirqs (loopback TCP, largely the bench's own packets). */
  irqCpu: number
  /** Busy cores on the machine just before the idle window (after waiting for quiet). */
  quietBefore: number
  rssPerSocket: number
  rss: number
  note: string
}

export interface CapacityRun {
  steps: StepResult[]
  fdLimit: number
  deflateNegotiated: number
  stoppedBy: string
}

/** Runs the ramp against one fresh node started with `env` on top of CAPACITY_ENV. */
export async function capacityRun(
  env: Record<string, string> = {},
  steps: Step[] = STEPS,
  nodeArgs: string[] = [],
  log = console.log,
): Promise<CapacityRun> {
  const node = await startBenchNode({ ...CAPACITY_ENV, ...env }, nodeArgs)
  const generators = Array.from({ length: GENERATORS }, (_, i) => startGenerator(i))
  const cleanup = () => generators.forEach((generator) => generator.child.kill('SIGKILL'))
  process.once('exit', cleanup)
  const results: StepResult[] = []
  let stoppedBy = 'all steps done'
  let deflateNegotiated = 0
  try {
    await sleep(1_000)
    const base = await node.metrics()
    const baseRss = base.get('process_resident_memory_bytes') ?? 0
    const ceiling = node.fdLimit - node.openFds() - FD_MARGIN
    let connected = 0
    for (const step of steps) {
      const sockets = Math.min(step.sockets, ceiling)
      const capped = sockets < step.sockets
      // Past the descriptor ceiling, the watchers the step asks for are carried by fewer sockets
      // watching several orders each: the fan-out (receipts per second) of the full step, without
      // its heartbeats and socket memory.
      const perSocket = Math.max(1, Math.round(step.sockets / sockets)) * step.perSocket
      const rampStart = performance.now()
      // Spread the new sockets evenly; generator g binds 127.0.0.(2 + g), its own 28k ports.
      const add = sockets - connected
      if (add > 0) {
        const replies = await Promise.all(
          generators.map((generator, g) => {
            const count = Math.floor(add / GENERATORS) + (g < add % GENERATORS ? 1 : 0)
            const firstIndex =
              connected +
              generators.slice(0, g).reduce((sum, _, h) => sum + Math.floor(add / GENERATORS) + (h < add % GENERATORS ? 1 : 0), 0)
            generator.sockets += count
            return generator.request<{ total: number; failures: number; firstError: string; deflateNegotiated: number }>(
              { type: 'connect', url: node.url, count, firstIndex, localAddress: `127.0.0.${2 + g}`, batch: 250 },
              'connected',
            )
          }),
        )
        const failures = replies.reduce((sum, reply) => sum + reply.failures, 0)
        deflateNegotiated = replies.reduce((sum, reply) => sum + reply.deflateNegotiated, 0)
        if (failures > 0) {
          stoppedBy = `${failures} of ${add} connections failed at ${sockets.toLocaleString('en')} (${replies.find((r) => r.firstError)?.firstError})`
          break
        }
        connected = sockets
      }
      const placed = await placeOrders(node, ORDERS_PER_STEP)
      const refused = await Promise.all(
        generators.map((generator) =>
          generator.request<{ refused: number }>(
            { type: 'watch', orders: placed.map((p) => ({ orderId: p.order.id, token: p.trackingToken })), perSocket, batch: 500 },
            'watched',
          ),
        ),
      )
      if (refused.some((reply) => reply.refused > 0)) throw new Error(`watchOrder refused: ${JSON.stringify(refused)}`)
      const rampSeconds = (performance.now() - rampStart) / 1000
      log(`  ${sockets} sockets × ${perSocket} watching (ramp ${rampSeconds.toFixed(1)} s)`)

      // Idle window: heartbeats only, no changes. First let a neighbour's burst pass (bounded).
      const quietBefore = await waitForQuiet(0.6, 30_000)
      const idleStart = await node.metrics()
      const idleT0 = performance.now()
      await sleep(5_000)
      const loadStart = await node.metrics()
      const idleCpu =
        ((loadStart.get('process_cpu_seconds_total') ?? 0) - (idleStart.get('process_cpu_seconds_total') ?? 0)) /
        ((performance.now() - idleT0) / 1000)
      await Promise.all(generators.map((g) => g.request({ type: 'report' }, 'report'))) // drop earlier receipts
      const generatorSeconds = () => generators.reduce((sum, g) => sum + processCpuSeconds(g.child.pid as number), 0)
      const selfSeconds = () => (process.cpuUsage().user + process.cpuUsage().system) / 1e6
      const machine0 = machineCpu()
      const generators0 = generatorSeconds()
      const self0 = selfSeconds()
      const loadT0 = performance.now()
      const { sentAt, achieved, failed, firstFailure } = await changeLoad(
        node,
        placed.map((p) => p.order),
      )
      const loadEnd = await node.metrics()
      const loadSeconds = (performance.now() - loadT0) / 1000
      const machine1 = machineCpu()
      const machineBusy = busyCores(machine0, machine1)
      const irqCpu = irqCores(machine0, machine1)
      const generatorCpu = (generatorSeconds() - generators0) / loadSeconds
      const selfCpu = (selfSeconds() - self0) / loadSeconds
      await sleep(3_000)
      const after = await Promise.all(
        generators.map((g) => g.request<{ receipts: Record<string, number[]> }>({ type: 'report' }, 'report')),
      )
      const latencies: number[] = []
      for (const report of after) {
        for (const [key, times] of Object.entries(report.receipts)) {
          const sent = sentAt.get(key)
          if (sent !== undefined) for (const time of times) latencies.push(time - sent)
        }
      }
      // Order k is watched by every socket g with g ≡ k (mod K), and with two per socket also
      // g ≡ k - ⌊K/2⌋: floor(N/K) or one more for each residue.
      const k = placed.length
      const watchersOf = (slot: number) => {
        let count = 0
        for (let w = 0; w < perSocket; w++) {
          const residue = (((slot - w * Math.floor(k / 2)) % k) + k) % k
          count += Math.floor(sockets / k) + (residue < sockets % k ? 1 : 0)
        }
        return count
      }
      const slotOf = new Map(placed.map((p, slot) => [p.order.id, slot]))
      const expected = [...sentAt.keys()].reduce((sum, key) => sum + watchersOf(slotOf.get(key.split(':')[0] as string) as number), 0)
      const loadCpu = ((loadEnd.get('process_cpu_seconds_total') ?? 0) - (loadStart.get('process_cpu_seconds_total') ?? 0)) / loadSeconds
      const rss = loadEnd.get('process_resident_memory_bytes') ?? 0
      const sorted = latencies.sort((a, b) => a - b)
      const result: StepResult = {
        sockets,
        watches: sockets * perSocket,
        rampSeconds,
        achieved,
        receipts: latencies.length,
        expected,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        max: sorted[sorted.length - 1] ?? Number.NaN,
        eventLoopP99: (loadEnd.get('nodejs_eventloop_lag_p99_seconds') ?? Number.NaN) * 1000,
        idleCpu,
        loadCpu,
        generatorCpu,
        otherCpu: Math.max(0, machineBusy - loadCpu - generatorCpu - selfCpu),
        irqCpu,
        quietBefore,
        rssPerSocket: (rss - baseRss) / sockets,
        rss,
        failed,
        firstFailure,
        eventLoopMax: (loadEnd.get('nodejs_eventloop_lag_max_seconds') ?? Number.NaN) * 1000,
        // V8 pauses over the load window: what of the event-loop delay is garbage collection.
        gcSeconds: (loadEnd.get('nodejs_gc_duration_seconds_sum') ?? 0) - (loadStart.get('nodejs_gc_duration_seconds_sum') ?? 0),
        majorGcSeconds:
          (loadEnd.get('nodejs_gc_duration_seconds_sum{kind="major"}') ?? 0) -
          (loadStart.get('nodejs_gc_duration_seconds_sum{kind="major"}') ?? 0),
        note: capped
          ? `${step.sockets.toLocaleString('en')} asked; capped by the server process's limit of ${node.fdLimit.toLocaleString('en')} open files`
          : '',
      }
      results.push(result)
      log(
        `    others ${(result.otherCpu * 100).toFixed(0)}% p50 ${ms(result.p50)} p99 ${ms(result.p99)} receipts ${result.receipts}/${result.expected} ELD p99 ${result.eventLoopP99.toFixed(1)} max ${result.eventLoopMax.toFixed(0)} ms gen ${(generatorCpu * 100).toFixed(0)}% failed ${failed} ${firstFailure} CPU ${(result.loadCpu * 100).toFixed(0)}% (idle ${(idleCpu * 100).toFixed(1)}%) RSS ${(rss / 2 ** 20).toFixed(0)} MB`,
      )
      if (result.p99 > P99_STOP_MS) {
        stoppedBy = `p99 ${ms(result.p99)} > 1 s at ${sockets.toLocaleString('en')} sockets`
        break
      }
      if (os.freemem() < MIN_FREE_BYTES) {
        stoppedBy = `less than 2 GiB of memory free at ${sockets.toLocaleString('en')} sockets`
        break
      }
      if (capped)
        stoppedBy = `the last step; sockets were capped by the server process's limit of ${node.fdLimit.toLocaleString('en')} open files (one per socket)`
    }
    return { steps: results, fdLimit: node.fdLimit, deflateNegotiated, stoppedBy }
  } finally {
    await Promise.all(
      generators.map(async (generator) => {
        const exited = new Promise<void>((resolve) => generator.child.once('exit', () => resolve()))
        if (generator.child.exitCode === null) generator.child.send({ type: 'close' })
        const timer = setTimeout(() => generator.child.kill('SIGKILL'), 10_000)
        await exited
        clearTimeout(timer)
      }),
    )
    process.off('exit', cleanup)
    await node.stop()
  }
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN) * 1024
}

export interface GeneratorCost {
  name: string
  sockets: number
  seconds: number
  rss: number
  cpuSeconds: number
}

/**
 * What one load-generator process pays to connect and watch with `sockets` sockets: the bench's
 * socket.io-client fleet (bench/lib/fleet-child.ts) against the raw-frame watchers, same node.
 */
export async function generatorCost(sockets = 5_000): Promise<GeneratorCost[]> {
  const node = await startBenchNode(CAPACITY_ENV)
  const results: GeneratorCost[] = []
  try {
    const placed = await placeOrders(node, 10)
    const targets = placed.map((p) => ({ orderId: p.order.id, token: p.trackingToken }))
    const measure = async (name: string, child: ChildProcess, ready: () => Promise<unknown>) => {
      const started = performance.now()
      await ready()
      const seconds = (performance.now() - started) / 1000
      await sleep(2_000)
      results.push({ name, sockets, seconds, rss: rssOf(child.pid as number), cpuSeconds: processCpuSeconds(child.pid as number) })
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      child.send({ type: 'close' })
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
      while (((await node.metrics()).get('realtime_connected_sockets') ?? 0) > 0) await sleep(250)
    }
    const fleet = fork(path.resolve('bench/lib/fleet-child.ts'), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    await measure(
      'socket.io-client (bench/lib/fleet-child.ts)',
      fleet,
      () =>
        new Promise<void>((resolve, reject) => {
          fleet.on('message', (message: { type: string; message?: string }) => {
            if (message.type === 'ready') resolve()
            if (message.type === 'error') reject(new Error(message.message))
          })
          fleet.send({ type: 'start', url: node.url, count: sockets, targets, batch: 250 })
        }),
    )
    const raw = startGenerator(0)
    await measure('raw Engine.IO frames over ws (bench/lib/watchers-child.ts)', raw.child, async () => {
      await raw.request(
        { type: 'connect', url: node.url, count: sockets, firstIndex: 0, localAddress: '127.0.0.2', batch: 250 },
        'connected',
      )
      await raw.request({ type: 'watch', orders: targets, perSocket: 1, batch: 500 }, 'watched')
    })
  } finally {
    await node.stop()
  }
  return results
}

const pct = (fraction: number) => `${(fraction * 100).toFixed(fraction < 0.1 ? 1 : 0)} %`

export function stepRows(steps: StepResult[]): string[][] {
  return steps.map((s) => [
    `${s.sockets.toLocaleString('en')}${s.watches !== s.sockets ? ` (${s.watches.toLocaleString('en')} watches)` : ''}${s.note ? ' ¹' : ''}`,
    `${s.rampSeconds.toFixed(0)} s`,
    `${RATE}/s (${s.achieved.toFixed(0)}/s done${s.failed ? `, ${s.failed} failed` : ''})`,
    `${s.receipts.toLocaleString('en')} / ${s.expected.toLocaleString('en')}`,
    ms(s.p50),
    ms(s.p99),
    ms(s.max),
    `${ms(s.eventLoopP99)} / ${ms(s.eventLoopMax)}`,
    `${(s.gcSeconds * 1000).toFixed(0)} ms (major ${(s.majorGcSeconds * 1000).toFixed(0)})`,
    pct(s.idleCpu),
    pct(s.loadCpu),
    pct(s.generatorCpu),
    pct(s.otherCpu),
    pct(s.irqCpu),
    `${(s.rss / 2 ** 20).toFixed(0)} MB`,
    `${(s.rssPerSocket / 1024).toFixed(1)} kB`,
  ])
}

export const STEP_HEADERS = [
  'sockets',
  'ramp',
  'changes',
  'receipts / expected',
  'p50',
  'p99',
  'max',
  'event-loop p99 / max',
  'GC in window',
  'server CPU idle',
  'server CPU load',
  'generators CPU',
  'other processes CPU',
  'kernel IRQ CPU',
  'server RSS',
  'RSS per socket',
]

export async function run(): Promise<Section> {
  const cost = await generatorCost()
  const ramp = await capacityRun()
  const capped = ramp.steps.find((s) => s.note)
  const within = [...ramp.steps].reverse().find((s) => s.p99 <= 100)
  const over = ramp.steps.find((s) => s.p99 > 100)
  return {
    id: 'capacity',
    title: '9. Capacity of one node: watchers per server process',
    body: `One server process (SQLite, in-memory adapter, the shipped Socket.IO options) and two load
generators in their own processes: raw WebSockets speaking Engine.IO v4 / Socket.IO v5 frames
(bench/lib/watchers-child.ts), each socket a customer watching an order. Per step the sockets
watch ${ORDERS_PER_STEP} fresh orders (evenly, so an order has sockets ÷ ${ORDERS_PER_STEP} watchers — far
more than a real order's one or two, which makes this a fan-out stress); then ${RATE} status
changes per second for ${DURATION_S} s (PATCH as admin; each order walks its four statuses).
Latency is from just before the PATCH is sent to each watcher's receipt; event-loop p99 is
\`nodejs_eventloop_lag_p99_seconds\` over the load window; CPU is the server process's
\`process_cpu_seconds_total\` rate (1 core = 100 %), idle = 5 s of heartbeats only; RSS per socket
is above the idle server's. permessage-deflate negotiated on ${ramp.deflateNegotiated} sockets.

${table(STEP_HEADERS, stepRows(ramp.steps))}

The load generator itself, measured first: one process connecting ${cost[0]?.sockets.toLocaleString('en')} sockets that each
watch an order (time to all acked, then its RSS and the CPU it used, connecting included):

${table(
  ['generator', 'connect + watch', 'RSS', 'RSS per socket', 'CPU'],
  cost.map((c) => [
    c.name,
    `${c.seconds.toFixed(1)} s`,
    `${(c.rss / 2 ** 20).toFixed(0)} MB`,
    `${(c.rss / c.sockets / 1024).toFixed(1)} kB`,
    `${c.cpuSeconds.toFixed(1)} s`,
  ]),
)}

${capped ? `¹ ${capped.note}; a row with more watches than sockets has each socket watch several orders.\n\n` : ''}The ramp stopped at ${ramp.stoppedBy}.

What it means: ${within ? `p99 stayed within 100 ms up to ${within.sockets.toLocaleString('en')} sockets (${ms(within.p99)})` : 'no step kept p99 within 100 ms'}${
      over
        ? `; at ${over.sockets.toLocaleString('en')} sockets${over.watches !== over.sockets ? ` (${over.watches.toLocaleString('en')} watches)` : ''} it was ${ms(over.p99)}, with the server's event loop delayed ${ms(over.eventLoopP99)} at p99 while the process used ${pct(over.loadCpu)} of a core`
        : ''
    }. On this 2-core machine the generators and the kernel's loopback work share the cores with
the server, so a dedicated node does better than these rows; deploy/README.md turns them into sizing.`,
  }
}
