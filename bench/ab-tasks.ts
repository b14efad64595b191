/**
 * Which start-up task got shorter: `tsx bench/ab-tasks.ts <dist A> <dist B> [runs]` loads a first
 * visit of each build (fresh browser, 4× CPU, interleaved) and collects the Long Animation Frame
 * entries, which name, for every script that ran in a frame over 50 ms, what ran it (a timer, a
 * promise, an event listener, a module) and where (mapped to the source file and line through
 * the build's source maps). Prints, per such callback, the median script time of each build, and
 * the median longest task (the `longtask` observer, as bench/ab-first-visit.ts measures it).
 * AB_PAGE picks the page (`tracking`, default, or `storefront`); AB_NETWORK=slow-4g loads it over
 * Lighthouse's mobile link instead of loopback. Default runs: 10.
 *
 * A diagnosis tool like bench/trace-tasks.ts, cheaper and without the profiler's overhead; how
 * the start-up's task splits were measured task by task (BENCHMARKS.md, 7g).
 */
import path from 'node:path'
import { placeOrder, trackingPath } from '../harness/api'
import { startServer, type TestServer } from '../harness/server'
import { launchBrowser } from './lib/browser'
import { slowPhonePage } from './lighthouse'
import { BuildSourceMaps } from './lib/sourceMaps'
import { percentile } from './lib/stats'

interface FrameScript {
  duration: number
  invoker: string
  invokerType: string
  sourceURL: string
  sourceCharPosition: number
}
interface Entry {
  entryType: string
  duration: number
  scripts?: FrameScript[]
}

const [dirA, dirB] = process.argv.slice(2, 4).map((dir) => path.resolve(dir))
if (!dirA || !dirB) throw new Error('usage: tsx bench/ab-tasks.ts <dist A> <dist B> [runs]')
const RUNS = Number(process.argv[4] ?? 10)
const PAGE = process.env.AB_PAGE ?? 'tracking'
if (PAGE !== 'tracking' && PAGE !== 'storefront') throw new Error(`AB_PAGE: unknown page ${PAGE}`)
const READY = PAGE === 'tracking' ? '[data-testid="order-status"]' : '.product-card'
const NETWORK = process.env.AB_NETWORK ?? 'loopback'
if (NETWORK !== 'loopback' && NETWORK !== 'slow-4g') throw new Error(`AB_NETWORK: unknown network ${NETWORK}`)

/** `file:line` of a script position through the chunk's source map (app files from `src/app/`); the chunk's name without one. */
function origin(maps: BuildSourceMaps, url: string, position: number): string {
  const chunk = BuildSourceMaps.chunkName(url)
  if (!chunk) return url.split('/').pop() ?? url
  const found = maps.atOffset(url, position)
  return found ? `${found.source.replace(/^src\/app\//, '')}:${found.line}` : chunk
}

const builds: {
  name: string
  maps: BuildSourceMaps
  url: string
  server: TestServer
  scripts: Map<string, number[]>
  longest: number[]
}[] = []
try {
  for (const [name, dir] of [
    ['A', dirA],
    ['B', dirB],
  ] as const) {
    const server = await startServer({ STATIC_DIR: dir })
    const { order, trackingToken } = await placeOrder(server)
    const url = PAGE === 'tracking' ? server.url + trackingPath(order, trackingToken) : `${server.url}/`
    builds.push({ name, maps: new BuildSourceMaps(dir), url, server, scripts: new Map(), longest: [] })
  }
  for (let run = 1; run <= RUNS; run++) {
    for (const build of run % 2 ? builds : [...builds].reverse()) {
      const browser = await launchBrowser()
      try {
        const context = await browser.newContext({ viewport: { width: 412, height: 823 } })
        await context.addInitScript(() => {
          const entries: unknown[] = []
          ;(window as unknown as { __entries: unknown[] }).__entries = entries
          for (const type of ['longtask', 'long-animation-frame'])
            new PerformanceObserver((list) => entries.push(...list.getEntries().map((entry) => entry.toJSON() as unknown))).observe({
              type,
              buffered: true,
            })
        })
        const page = await slowPhonePage(context, NETWORK)
        await page.goto(build.url)
        await page.locator(READY).first().waitFor({ timeout: 30_000 })
        await new Promise((resolve) => setTimeout(resolve, 2_000))
        const entries = (await page.evaluate(() => (window as unknown as { __entries: unknown[] }).__entries)) as Entry[]
        const tasks = entries.filter((entry) => entry.entryType === 'longtask').map((entry) => entry.duration)
        build.longest.push(Math.max(0, ...tasks))
        // One figure per callback per load: a callback that ran twice counts its total.
        const perLoad = new Map<string, number>()
        for (const script of entries.flatMap((entry) => entry.scripts ?? [])) {
          const what =
            script.invokerType === 'user-callback' || script.invokerType === 'resolve-promise'
              ? script.invoker.replace(/^TimerHandler:/, '')
              : script.invokerType
          const key = `${what} ${origin(build.maps, script.sourceURL, script.sourceCharPosition)}`
          perLoad.set(key, (perLoad.get(key) ?? 0) + script.duration)
        }
        for (const [key, duration] of perLoad) build.scripts.set(key, [...(build.scripts.get(key) ?? []), duration])
        console.log(`run ${run} ${build.name}: long tasks ${tasks.map((task) => task.toFixed(0)).join(', ') || 'none'}`)
      } finally {
        await browser.close()
      }
    }
  }
  const keys = [...new Set(builds.flatMap((build) => [...build.scripts.keys()]))]
  const rows = keys
    .map((key) => ({ key, values: builds.map((build) => build.scripts.get(key) ?? []) }))
    .map((row) => ({ ...row, medians: row.values.map((values) => (values.length ? percentile(values, 50) : Number.NaN)) }))
    .filter((row) => row.medians.some((value) => value >= 10))
    .sort((a, b) => Math.max(...b.medians.filter(Number.isFinite)) - Math.max(...a.medians.filter(Number.isFinite)))
  console.log(`\nscript time per callback in frames over 50 ms, ${PAGE} page, ${NETWORK}: median ms (loads it ran in, of ${RUNS})`)
  console.log(`${'A'.padStart(10)} ${'B'.padStart(10)}  callback`)
  for (const row of rows)
    console.log(
      `${row.medians.map((value, i) => `${Number.isFinite(value) ? value.toFixed(0) : '-'} (${row.values[i]!.length})`.padStart(10)).join(' ')}  ${row.key}`,
    )
  const [a, b] = builds.map((build) => percentile(build.longest, 50)) as [number, number]
  console.log(`\nlongest task, median: A ${a.toFixed(0)} ms, B ${b.toFixed(0)} ms, B÷A ${(b / a).toFixed(2)}`)
} finally {
  await Promise.all(builds.map((build) => build.server.stop()))
}
