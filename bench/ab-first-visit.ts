/**
 * Two builds side by side on a customer's first visit: `tsx bench/ab-first-visit.ts <dist A> <dist B>`
 * serves each build from its own server (compression on, like production) and runs, interleaved
 * so that drift on a noisy machine hits both alike: Lighthouse on the tracking page (mobile
 * defaults), the main thread's long tasks at 4× CPU (over loopback, and over Lighthouse's slow
 * 4G link: `longest` and `longest4g`), and the bytes of a Playwright first visit.
 * Prints the medians and the ratio B ÷ A; BENCHMARKS.md's before/after tables come from it.
 * AB_RUNS (default 3) sets the runs per build. AB_PARTS (default `firstvisit`) picks the figures:
 * `firstvisit` (the above) and/or `pagestart` (cold, warm and offline starts, as in
 * bench/pagestart.ts, AB_RUNS rounds of 5 per build, interleaved the same way). AB_PAGE
 * (default `tracking`) picks the page of the `firstvisit` figures: `tracking` or `storefront`
 * (page starts are the tracking page's either way). AB_ENV_A and AB_ENV_B add server settings to
 * one build's server, as space-separated NAME=value pairs: `AB_ENV_A=ORDERLINE_COMPRESSION=0`
 * serves build A as the server did before it compressed anything.
 */
import path from 'node:path'
import { findChromium } from '../scripts/chromium.mjs'
import { placeOrder, trackingPath } from '../harness/api'
import { startServer, type TestServer } from '../harness/server'
import { firstVisit, lighthouse, longTasks, type Figures } from './lighthouse'
import { pageStarts } from './pagestart'
import { percentile } from './lib/stats'

const RUNS = Number(process.env.AB_RUNS ?? 3)
const PARTS = (process.env.AB_PARTS ?? 'firstvisit').split(',').map((part) => part.trim())
for (const part of PARTS) if (part !== 'firstvisit' && part !== 'pagestart') throw new Error(`AB_PARTS: unknown part ${part}`)
const PAGE = process.env.AB_PAGE ?? 'tracking'
if (PAGE !== 'tracking' && PAGE !== 'storefront') throw new Error(`AB_PAGE: unknown page ${PAGE}`)
/** What shows that the page has rendered its content. */
const READY = PAGE === 'tracking' ? '[data-testid="order-status"]' : '.product-card'
/** `NAME=value NAME2=value2` → settings for one build's server. */
function serverEnv(pairs = ''): Record<string, string> {
  const env: Record<string, string> = {}
  for (const pair of pairs.split(/\s+/).filter(Boolean)) {
    const at = pair.indexOf('=')
    if (at < 1) throw new Error(`AB_ENV_A/AB_ENV_B: expected NAME=value, got ${pair}`)
    env[pair.slice(0, at)] = pair.slice(at + 1)
  }
  return env
}
const [dirA, dirB] = process.argv.slice(2).map((dir) => path.resolve(dir))
if (!dirA || !dirB) throw new Error('usage: tsx bench/ab-first-visit.ts <dist A> <dist B>')
const chromePath = findChromium()
if (!chromePath) throw new Error('Chromium not found (set CHROME_PATH or install /usr/bin/chromium)')

interface Sample extends Figures {
  longest: number
  longest4g: number
  transfer: number
}

const servers: TestServer[] = []
try {
  const builds = [] as {
    name: string
    server: TestServer
    trackingUrl: string
    url: string
    samples: Sample[]
    starts: Record<'cold' | 'warm' | 'offline', number[]>
  }[]
  for (const [name, dir, env] of [
    ['A', dirA, serverEnv(process.env.AB_ENV_A)],
    ['B', dirB, serverEnv(process.env.AB_ENV_B)],
  ] as const) {
    const server = await startServer({ ...env, STATIC_DIR: dir })
    servers.push(server)
    const { order, trackingToken } = await placeOrder(server)
    builds.push({
      name: `${name} (${dir})`,
      server,
      trackingUrl: server.url + trackingPath(order, trackingToken),
      url: PAGE === 'tracking' ? server.url + trackingPath(order, trackingToken) : `${server.url}/`,
      samples: [],
      starts: { cold: [], warm: [], offline: [] },
    })
  }
  for (let run = 1; run <= RUNS; run++) {
    for (const build of run % 2 ? builds : [...builds].reverse()) {
      if (PARTS.includes('pagestart')) {
        const starts = await pageStarts(build.server, build.trackingUrl)
        for (const key of ['cold', 'warm', 'offline'] as const) build.starts[key].push(...starts[key])
        console.log(
          `run ${run} ${build.name}: page start cold ${starts.cold.map((v) => v.toFixed(0)).join('/')}, warm ${starts.warm.map((v) => v.toFixed(0)).join('/')}, offline ${starts.offline.map((v) => v.toFixed(0)).join('/')} ms`,
        )
      }
      if (!PARTS.includes('firstvisit')) continue
      const { figures } = await lighthouse(build.url, 'mobile', chromePath)
      const tasks = await longTasks(build.url, READY)
      const tasks4g = await longTasks(build.url, READY, 'slow-4g')
      const visit = await firstVisit(build.url)
      const sample = { ...figures, longest: Math.max(0, ...tasks), longest4g: Math.max(0, ...tasks4g), transfer: visit.allBytes }
      build.samples.push(sample)
      console.log(
        `run ${run} ${build.name}: score ${sample.score}, FCP ${sample.fcp.toFixed(0)} ms, LCP ${sample.lcp.toFixed(0)} ms, ` +
          `TBT ${sample.tbt.toFixed(0)} ms, CLS ${sample.cls.toFixed(3)}, longest task ${sample.longest.toFixed(0)} ms (all over 50: ${tasks.map((t) => t.toFixed(0)).join(', ') || 'none'}), ` +
          `over slow 4G ${sample.longest4g.toFixed(0)} ms (${tasks4g.map((t) => t.toFixed(0)).join(', ') || 'none'}), ` +
          `Lighthouse transfer ${(sample.bytes / 1024).toFixed(1)} kB, first visit incl. precache ${(sample.transfer / 1024).toFixed(1)} kB`,
      )
    }
  }
  const keys = ['score', 'fcp', 'lcp', 'tbt', 'cls', 'longest', 'longest4g', 'bytes', 'transfer'] as const
  const medians = builds.map((build) =>
    Object.fromEntries(
      keys.map((key) => [
        key,
        percentile(
          build.samples.map((s) => s[key]),
          50,
        ),
      ]),
    ),
  )
  if (PARTS.includes('pagestart')) {
    console.log(`\npage start, medians of ${RUNS} × 5 starts (ms):`)
    for (const key of ['cold', 'warm', 'offline'] as const) {
      const [a, b] = builds.map((build) => percentile(build.starts[key], 50)) as [number, number]
      console.log(`  ${key.padEnd(9)} A ${a.toFixed(1).padStart(9)}  B ${b.toFixed(1).padStart(9)}  B÷A ${(b / a).toFixed(2)}`)
    }
  }
  if (PARTS.includes('firstvisit')) console.log(`\nmedians of ${RUNS} runs (ms, bytes):`)
  for (const key of PARTS.includes('firstvisit') ? keys : []) {
    const [a, b] = medians.map((m) => m[key] as number) as [number, number]
    const digits = key === 'cls' ? 3 : 1
    console.log(`  ${key.padEnd(9)} A ${a.toFixed(digits).padStart(9)}  B ${b.toFixed(digits).padStart(9)}  B÷A ${(b / a).toFixed(2)}`)
  }
} finally {
  await Promise.all(servers.map((server) => server.stop()))
}
