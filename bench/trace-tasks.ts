/**
 * What the main thread does in a first visit's long tasks: `tsx bench/trace-tasks.ts <dist> [runs]`
 * serves a build (compression on, like production), opens a page in a fresh browser at 4× CPU
 * with a Chromium trace recording, and prints every main-thread task over TRACE_MIN_MS (default
 * 30) with the trace events inside it (script evaluation, timers, microtasks, layout, paint) and,
 * for tasks over TRACE_PROFILE_MS (default 60), the functions the CPU samples fall in (inclusive
 * and self time, and inclusive time per source file, read from the build's source maps: which
 * module or package the task's time went to, even in a minified build). An unminified build (`vite build --minify false --outDir …`) gives readable
 * function names. TRACE_PAGE picks the page: `tracking` (default) or `storefront`.
 *
 * A diagnosis tool, not a benchmark: the figures of BENCHMARKS.md come from
 * bench/ab-first-visit.ts. It is how the start-up's tasks were found (BENCHMARKS.md, 7f).
 */
import path from 'node:path'
import { placeOrder, trackingPath } from '../harness/api'
import { startServer } from '../harness/server'
import { launchBrowser } from './lib/browser'
import { BuildSourceMaps } from './lib/sourceMaps'

interface TraceEvent {
  name: string
  ph: string
  pid: number
  tid: number
  ts: number
  dur?: number
  id?: string
  args?: { name?: string; data?: Record<string, unknown>; beginData?: Record<string, unknown> }
}

interface ProfileNode {
  id: number
  parent?: number
  callFrame: { functionName: string; url?: string; lineNumber?: number; columnNumber?: number }
}

const dir = process.argv[2]
if (!dir) throw new Error('usage: tsx bench/trace-tasks.ts <dist> [runs]')
const RUNS = Number(process.argv[3] ?? 1)
const MIN_MS = Number(process.env.TRACE_MIN_MS ?? 30)
const PROFILE_MS = Number(process.env.TRACE_PROFILE_MS ?? 60)
const PAGE = process.env.TRACE_PAGE ?? 'tracking'
if (PAGE !== 'tracking' && PAGE !== 'storefront') throw new Error(`TRACE_PAGE: unknown page ${PAGE}`)
const READY = PAGE === 'tracking' ? '[data-testid="order-status"]' : '.product-card'
/** The events that say what a task ran. */
const SHOWN = new Set(['EvaluateScript', 'v8.evaluateModule', 'v8.compileModule', 'TimerFire', 'FunctionCall', 'RunMicrotasks'])
for (const name of ['EventDispatch', 'FireAnimationFrame', 'ParseHTML', 'UpdateLayoutTree', 'Layout', 'Paint', 'MajorGC', 'MinorGC'])
  SHOWN.add(name)

const where = (data: Record<string, unknown>): string => {
  const url = typeof data.url === 'string' ? data.url.split('/').pop() : ''
  const fn = typeof data.functionName === 'string' && data.functionName ? `${data.functionName} ` : ''
  const type = typeof data.type === 'string' ? `${data.type} ` : ''
  return `${fn}${type}${url ?? ''}`.trim()
}

const sourceMaps = new BuildSourceMaps(path.resolve(dir))
/** The source file a frame of the build's own scripts comes from (packages by name); the chunk without a mapping. */
const sourceOf = (node: ProfileNode): string | null => {
  const url = String(node.callFrame.url ?? '')
  const chunk = BuildSourceMaps.chunkName(url)
  if (!chunk) return null
  return sourceMaps.at(url, (node.callFrame.lineNumber ?? 0) + 1, node.callFrame.columnNumber ?? 0)?.source ?? chunk
}

const server = await startServer({ STATIC_DIR: path.resolve(dir) })
try {
  const { order, trackingToken } = await placeOrder(server)
  const url = PAGE === 'tracking' ? server.url + trackingPath(order, trackingToken) : `${server.url}/`
  for (let run = 1; run <= RUNS; run++) {
    const browser = await launchBrowser()
    try {
      const context = await browser.newContext({ viewport: { width: 412, height: 823 } })
      const page = await context.newPage()
      const cdp = await context.newCDPSession(page)
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 })
      const events: TraceEvent[] = []
      cdp.on('Tracing.dataCollected', (message) => events.push(...(message.value as unknown as TraceEvent[])))
      const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve))
      await cdp.send('Tracing.start', {
        categories: 'devtools.timeline,disabled-by-default-devtools.timeline,disabled-by-default-v8.cpu_profiler,v8.execute,loading',
        transferMode: 'ReportEvents',
      })
      await page.goto(url)
      await page.locator(READY).first().waitFor({ timeout: 30_000 })
      await new Promise((resolve) => setTimeout(resolve, 2_500))
      await cdp.send('Tracing.end')
      await complete

      // The page's main thread: CrRendererMain of the process that parsed this server's HTML
      // (the browser may run other renderers, such as its new-tab page).
      const pids = new Set(
        events.filter((e) => e.name === 'ParseHTML' && String(e.args?.beginData?.url ?? '').startsWith(server.url)).map((e) => e.pid),
      )
      const mains = new Set(
        events
          .filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain' && pids.has(e.pid))
          .map((e) => `${e.pid}:${e.tid}`),
      )
      const onMain = events.filter((e) => mains.has(`${e.pid}:${e.tid}`) && e.ph === 'X')
      const start = Math.min(...onMain.map((e) => e.ts))

      // CPU samples on the trace's clock.
      const nodes = new Map<number, ProfileNode>()
      const samples: { ts: number; id: number }[] = []
      const profiles = new Set(events.filter((e) => e.name === 'Profile' && mains.has(`${e.pid}:${e.tid}`)).map((e) => e.id))
      let clock = 0
      for (const e of events) {
        if (!profiles.has(e.id)) continue
        const data = (e.args?.data ?? {}) as {
          startTime?: number
          cpuProfile?: { nodes?: ProfileNode[]; samples?: number[] }
          timeDeltas?: number[]
        }
        if (e.name === 'Profile') clock = data.startTime ?? clock
        if (e.name !== 'ProfileChunk') continue
        for (const node of data.cpuProfile?.nodes ?? []) nodes.set(node.id, node)
        ;(data.cpuProfile?.samples ?? []).forEach((id, index) => {
          clock += data.timeDeltas?.[index] ?? 0
          samples.push({ ts: clock, id })
        })
      }
      const label = (node: ProfileNode) =>
        `${node.callFrame.functionName || '(anonymous)'} ${String(node.callFrame.url ?? '')
          .split('/')
          .pop()}:${(node.callFrame.lineNumber ?? 0) + 1}`

      const tasks = onMain.filter((e) => e.name === 'RunTask' && (e.dur ?? 0) > MIN_MS * 1000)
      console.log(`\nrun ${run}: ${tasks.length} main-thread tasks over ${MIN_MS} ms at 4× CPU (start ms, duration ms: what ran)`)
      for (const task of tasks) {
        const end = task.ts + (task.dur ?? 0)
        const inside = onMain.filter((e) => e !== task && e.ts >= task.ts && e.ts + (e.dur ?? 0) <= end)
        const what = inside
          .filter((e) => SHOWN.has(e.name) && (e.dur ?? 0) > 3000)
          .slice(0, 10)
          .map((e) => `${e.name} ${where(e.args?.data ?? e.args?.beginData ?? {})} ${((e.dur ?? 0) / 1000).toFixed(0)}`.replace(/ +/g, ' '))
        console.log(`  @${((task.ts - start) / 1000).toFixed(0)} ${((task.dur ?? 0) / 1000).toFixed(0)}: ${what.join(' | ')}`)
        if ((task.dur ?? 0) <= PROFILE_MS * 1000) continue
        const inTask = samples.filter((sample) => sample.ts >= task.ts && sample.ts <= end)
        const inclusive = new Map<string, number>()
        const self = new Map<string, number>()
        const bySource = new Map<string, number>()
        for (const sample of inTask) {
          const leaf = nodes.get(sample.id)
          if (!leaf) continue
          self.set(label(leaf), (self.get(label(leaf)) ?? 0) + 1)
          const seen = new Set<string>()
          const sources = new Set<string>()
          for (let node: ProfileNode | undefined = leaf; node; node = node.parent === undefined ? undefined : nodes.get(node.parent)) {
            const source = sourceOf(node)
            if (source && !sources.has(source)) {
              sources.add(source)
              bySource.set(source, (bySource.get(source) ?? 0) + 1)
            }
            const key = label(node)
            if (key.startsWith('(root)') || seen.has(key)) continue
            seen.add(key)
            inclusive.set(key, (inclusive.get(key) ?? 0) + 1)
          }
        }
        const msPerSample = (task.dur ?? 0) / 1000 / Math.max(1, inTask.length)
        const top = (counts: Map<string, number>, n: number) =>
          [...counts]
            .sort((a, b) => b[1] - a[1])
            .slice(0, n)
            .map(([key, count]) => `${(count * msPerSample).toFixed(0)} ${key}`)
            .join(' | ')
        console.log(`      inclusive: ${top(inclusive, 16)}`)
        console.log(`      self: ${top(self, 10)}`)
        console.log(`      by source file (inclusive): ${top(bySource, 24)}`)
      }
    } finally {
      await browser.close()
    }
  }
} finally {
  await server.stop()
}
