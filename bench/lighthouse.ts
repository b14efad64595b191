/**
 * Part 8 — a customer's first visit on a phone: Lighthouse (12.2.3, its CLI) against the
 * production build, the tracking page and the storefront with the mobile defaults (simulated
 * slow 4G, 4× CPU slowdown) and the tracking page with the desktop preset; then a Playwright
 * first visit that also counts what the service worker precaches after load, which Lighthouse
 * does not see. Every measurement runs twice, side by side: against the server of this run
 * (compression on) and against a second one started with ORDERLINE_COMPRESSION=0.
 */
import { execFile } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import type { BrowserContext, Page, Request } from '@playwright/test'
import { findChromium } from '../scripts/chromium.mjs'
import { placeOrder, trackingPath } from '../harness/api'
import { startServer, type TestServer } from '../harness/server'
import { launchBrowser } from './lib/browser'
import type { Section } from './lib/report'
import { CHROMIUM_ARGS } from '../harness/chromium'
import { kb, ms, percentile, ratio, table } from './lib/stats'
import { precompressDir } from '../scripts/precompress'

const execFileAsync = promisify(execFile)
const RUNS = Number(process.env.LIGHTHOUSE_RUNS ?? 3)
const LIGHTHOUSE_CLI = path.resolve('node_modules/lighthouse/cli/index.js')
/** Headless, and nothing in the background that would add requests or CPU to the trace. */
const CHROME_FLAGS = ['--headless=new', ...CHROMIUM_ARGS]
/** The same env as the server of this run (bench/run.ts). */
const BENCH_ENV = {
  ORDERLINE_LOG: '0',
  ORDERLINE_LOGIN_RATE_LIMIT: '0',
  ORDERLINE_LOGIN_ACCOUNT_RATE_LIMIT: '0',
  ORDERLINE_ORDER_RATE_LIMIT: '0',
  ORDERLINE_WATCH_RATE_LIMIT: '0',
}
/** The same, but sending everything uncompressed. */
const UNCOMPRESSED_ENV = { ...BENCH_ENV, ORDERLINE_COMPRESSION: '0' }
/** The build the bench's server serves (as harness/server.ts picks it). */
const BUILD_DIR = process.env.E2E_STATIC_DIR ?? path.resolve('dist')

/**
 * A copy of the build whose index.html loads no script: the same HTML, inline critical CSS and
 * placeholder shell, nothing else. What Lighthouse measures on it is the browser's own part of a
 * first visit on this machine (committing the navigation, parsing the HTML, the first paint), the
 * floor under the app's figures: TBT in particular is never zero here, since Lighthouse simulates
 * the 4× CPU on every main-thread task, the document's own included.
 */
function scriptlessBuild(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'orderline-scriptless-'))
  cpSync(BUILD_DIR, dir, { recursive: true })
  const index = path.join(dir, 'index.html')
  const html = readFileSync(index, 'utf8')
    .replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, '')
    .replace(/<link rel="modulepreload"[^>]*>/g, '')
  writeFileSync(index, html)
  precompressDir(dir) // the server prefers the .br/.gz copies: they must be of this HTML
  return dir
}

type Preset = 'mobile' | 'desktop'
type Mode = 'on' | 'off'

interface Audit {
  numericValue?: number
  details?: { items?: unknown[] }
}
/** The few fields of a Lighthouse result (LHR) this part reads. */
interface LighthouseResult {
  lighthouseVersion: string
  categories: { performance: { score: number | null } }
  audits: Record<string, Audit | undefined>
  runtimeError?: { code: string; message: string }
}

export interface Figures {
  score: number
  fcp: number
  lcp: number
  tbt: number
  /** Cumulative layout shift (unitless): a quarter of the performance score. */
  cls: number
  speedIndex: number
  requests: number
  bytes: number
}

/**
 * One Lighthouse run. Lighthouse now and then fails to record the trace on a busy machine
 * (NO_NAVSTART, NO_FCP): such a run measured nothing, so it is tried again, up to three times.
 */
export async function lighthouse(url: string, preset: Preset, chromePath: string): Promise<{ figures: Figures; version: string }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await lighthouseOnce(url, preset, chromePath)
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      if (attempt >= 3 || !/NO_NAVSTART|NO_FCP|NO_LCP|trace/i.test(message)) throw error
      console.warn(
        `lighthouse: run ${attempt} recorded no usable trace, trying again (${message.split('\n').find((line) => /NO_\w+/.test(line)) ?? 'trace'})`,
      )
    }
  }
}

async function lighthouseOnce(url: string, preset: Preset, chromePath: string): Promise<{ figures: Figures; version: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'orderline-lighthouse-'))
  const output = path.join(dir, 'report.json')
  try {
    const args = [
      LIGHTHOUSE_CLI,
      url,
      '--quiet',
      '--output=json',
      `--output-path=${output}`,
      '--only-categories=performance',
      `--chrome-flags=${CHROME_FLAGS.join(' ')}`,
      ...(preset === 'desktop' ? ['--preset=desktop'] : []),
    ]
    await execFileAsync(process.execPath, args, {
      env: { ...process.env, CHROME_PATH: chromePath },
      timeout: 180_000,
      maxBuffer: 16 * 1024 * 1024,
    })
    const lhr = JSON.parse(readFileSync(output, 'utf8')) as LighthouseResult
    if (lhr.runtimeError) throw new Error(`lighthouse: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`)
    const value = (id: string) => lhr.audits[id]?.numericValue ?? Number.NaN
    return {
      version: lhr.lighthouseVersion,
      figures: {
        score: Math.round((lhr.categories.performance.score ?? Number.NaN) * 100),
        fcp: value('first-contentful-paint'),
        lcp: value('largest-contentful-paint'),
        tbt: value('total-blocking-time'),
        cls: value('cumulative-layout-shift'),
        speedIndex: value('speed-index'),
        requests: lhr.audits['network-requests']?.details?.items?.length ?? Number.NaN,
        bytes: value('total-byte-weight'),
      },
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export interface Transfer {
  loadRequests: number
  loadBytes: number
  allRequests: number
  allBytes: number
}

/**
 * A first visit in a fresh profile: requests and bytes on the wire (headers + encoded body) until
 * `load`, and again once the service worker is active and its precache downloads are over.
 * Responses the service worker answers from its cache are not network traffic and not counted.
 */
export async function firstVisit(url: string): Promise<Transfer> {
  const browser = await launchBrowser()
  try {
    const context = await browser.newContext()
    const sizes: Promise<number>[] = []
    let loaded = -1
    context.on('requestfinished', (request: Request) => {
      sizes.push(
        (async () => {
          const response = await request.response()
          if (!response || response.fromServiceWorker()) return -1
          try {
            const size = await request.sizes()
            return size.responseHeadersSize + size.responseBodySize
          } catch {
            // Sizes can be gone for a request of a worker that has ended: count the decoded body.
            return (await response.body().catch(() => Buffer.alloc(0))).length
          }
        })(),
      )
    })
    const page = await context.newPage()
    await page.goto(url, { waitUntil: 'load' })
    loaded = sizes.length
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready
    })
    // The precache finishes before `activate`; wait for the network to fall quiet after it.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 20_000 })
    let count = -1
    while (count !== sizes.length) {
      count = sizes.length
      await new Promise((resolve) => setTimeout(resolve, 1_500))
    }
    const all = await Promise.all(sizes)
    const counted = (list: number[]) => list.filter((size) => size >= 0)
    const atLoad = counted(all.slice(0, loaded))
    const total = counted(all)
    await context.close()
    return {
      loadRequests: atLoad.length,
      loadBytes: atLoad.reduce((sum, size) => sum + size, 0),
      allRequests: total.length,
      allBytes: total.reduce((sum, size) => sum + size, 0),
    }
  } finally {
    await browser.close()
  }
}

/** The CPU slowdown of Lighthouse's mobile preset, applied to the long-task measure too. */
const CPU_SLOWDOWN = 4

/**
 * Lighthouse's mobile link (slow 4G) as DevTools applies it: its `mobileSlow4G` request latency
 * and throughputs (lighthouse/core/config/constants.js).
 */
const SLOW_4G = { latency: 562.5, downloadThroughput: (1474.56 * 1024) / 8, uploadThroughput: (675 * 1024) / 8 }

export type LongTaskNetwork = 'loopback' | 'slow-4g'

/**
 * The main thread on a first visit, on a slow phone's CPU: Chromium with CDP's CPU throttling
 * (4×), a `longtask` PerformanceObserver installed before any script, a fresh profile per run.
 * Returns the tasks over 50 ms (the observer's threshold) from navigation until the page shows
 * `ready` (a CSS selector; the tracking page's status by default) and two seconds after.
 *
 * `network`: `loopback` (no throttling) or `slow-4g` (Lighthouse's mobile link). The two differ
 * in one task: over loopback the entry has downloaded long before V8's background thread has
 * compiled it (the compile hint makes that compile eager), and the main thread waits for the
 * compile in the module's task; over a phone's link the download is the slower of the two.
 */
/** A new page of `context` with a slow phone's CPU (4×) and, for `slow-4g`, Lighthouse's mobile link. */
export async function slowPhonePage(context: BrowserContext, network: LongTaskNetwork): Promise<Page> {
  const page = await context.newPage()
  const cdp = await context.newCDPSession(page)
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN })
  if (network === 'slow-4g') {
    await cdp.send('Network.enable')
    await cdp.send('Network.emulateNetworkConditions', { offline: false, ...SLOW_4G })
  }
  return page
}

export async function longTasks(
  url: string,
  ready = '[data-testid="order-status"]',
  network: LongTaskNetwork = 'loopback',
): Promise<number[]> {
  const browser = await launchBrowser()
  try {
    const context = await browser.newContext({ viewport: { width: 412, height: 823 } })
    await context.addInitScript(() => {
      const tasks: number[] = []
      ;(window as unknown as { __longTasks: number[] }).__longTasks = tasks
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) tasks.push(entry.duration)
      }).observe({ type: 'longtask', buffered: true })
    })
    const page = await slowPhonePage(context, network)
    await page.goto(url)
    await page.locator(ready).first().waitFor({ timeout: 30_000 })
    await new Promise((resolve) => setTimeout(resolve, 2_000))
    const tasks = await page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks)
    await context.close()
    return tasks
  } finally {
    await browser.close()
  }
}

function median(list: Figures[], key: keyof Figures): number {
  return percentile(
    list.map((figures) => figures[key]).filter((value) => Number.isFinite(value)),
    50,
  )
}

const size = (bytes: number) => (Number.isFinite(bytes) ? kb(bytes) : 'n/a')
const count = (value: number) => (Number.isFinite(value) ? String(value) : 'n/a')
const seconds = (value: number) => (Number.isFinite(value) ? `${(value / 1000).toFixed(2)} s` : 'n/a')

export async function run(server: TestServer): Promise<Section> {
  const chromePath = findChromium()
  if (!chromePath) throw new Error('Chromium not found (set CHROME_PATH or install /usr/bin/chromium)')
  const uncompressed = await startServer(UNCOMPRESSED_ENV)
  const floorDir = scriptlessBuild()
  const floor = await startServer({ ...BENCH_ENV, STATIC_DIR: floorDir })
  try {
    const servers: Record<Mode, TestServer> = { on: server, off: uncompressed }
    const paths: Record<Mode, { tracking: string; storefront: string }> = {
      on: { tracking: '', storefront: '/' },
      off: { tracking: '', storefront: '/' },
    }
    for (const mode of ['on', 'off'] as const) {
      const { order, trackingToken } = await placeOrder(servers[mode])
      paths[mode].tracking = trackingPath(order, trackingToken)
    }
    const pages = [
      { name: 'tracking page', key: 'tracking', preset: 'mobile' },
      { name: 'storefront', key: 'storefront', preset: 'mobile' },
      { name: 'tracking page', key: 'tracking', preset: 'desktop' },
    ] as const

    let version = ''
    let failures = 0
    const results = new Map<string, Figures[]>()
    // The floor: the tracking page's HTML without its scripts (mobile), a run after each pair of
    // the tracking page's mobile runs, so drift on the machine hits it alike.
    const floorRuns: Figures[] = []
    const floorOrder = await placeOrder(floor)
    const floorUrl = floor.url + trackingPath(floorOrder.order, floorOrder.trackingToken)
    const runFloor = async (run: number): Promise<void> => {
      try {
        const { figures } = await lighthouse(floorUrl, 'mobile', chromePath)
        floorRuns.push(figures)
        console.log(
          `  tracking page without scripts (mobile), run ${run}: performance ${figures.score}, FCP ${seconds(figures.fcp)}, TBT ${ms(figures.tbt)}`,
        )
      } catch (error) {
        failures++
        console.error(`  tracking page without scripts, run ${run} failed:`, error)
      }
    }
    for (const page of pages) {
      for (let i = 0; i < RUNS; i++) {
        // Interleaved, so drift on the machine hits both modes alike.
        for (const mode of ['on', 'off'] as const) {
          const started = performance.now()
          let result: Awaited<ReturnType<typeof lighthouse>>
          try {
            result = await lighthouse(servers[mode].url + paths[mode][page.key], page.preset, chromePath)
          } catch (error) {
            // One failed run (a crashed Chrome, a timeout) must not throw away the others: it is counted below.
            failures++
            console.error(`  ${page.name} (${page.preset}), compression ${mode}, run ${i + 1} failed:`, error)
            continue
          }
          version = result.version
          const id = `${page.key}/${page.preset}/${mode}`
          results.set(id, [...(results.get(id) ?? []), result.figures])
          console.log(
            `  ${page.name} (${page.preset}), compression ${mode}, run ${i + 1}: performance ${result.figures.score}, ` +
              `FCP ${seconds(result.figures.fcp)}, LCP ${seconds(result.figures.lcp)}, TBT ${ms(result.figures.tbt)} ` +
              `(${((performance.now() - started) / 1000).toFixed(0)} s)`,
          )
        }
        if (page.key === 'tracking' && page.preset === 'mobile') await runFloor(i + 1)
      }
    }

    const floorTbt = floorRuns.map((figures) => figures.tbt)

    const failed: Transfer = { loadRequests: Number.NaN, loadBytes: Number.NaN, allRequests: Number.NaN, allBytes: Number.NaN }
    const visit = (url: string) =>
      firstVisit(url).catch((error: unknown) => {
        console.error('  first visit failed:', error)
        return failed
      })
    const visits: Record<Mode, Transfer> = {
      on: await visit(server.url + paths.on.tracking),
      off: await visit(uncompressed.url + paths.off.tracking),
    }

    // Longest main-thread task per run (0 when none passed the observer's 50 ms), on this run's server.
    const longTaskRuns: Record<LongTaskNetwork, { longest: number[]; counts: number[] }> = {
      loopback: { longest: [], counts: [] },
      'slow-4g': { longest: [], counts: [] },
    }
    for (let i = 0; i < RUNS; i++) {
      for (const network of ['loopback', 'slow-4g'] as const) {
        try {
          const tasks = await longTasks(server.url + paths.on.tracking, undefined, network)
          longTaskRuns[network].longest.push(Math.max(0, ...tasks))
          longTaskRuns[network].counts.push(tasks.length)
          console.log(
            `  long tasks (${CPU_SLOWDOWN}× CPU, ${network}), run ${i + 1}: ${tasks.map((task) => ms(task)).join(', ') || 'none'}`,
          )
        } catch (error) {
          failures++
          console.error(`  long tasks (${network}), run ${i + 1} failed:`, error)
        }
      }
    }

    /** One table row: the medians of a page's runs. */
    const row = (name: string, mode: Mode, list: Figures[]): string[] => [
      name,
      mode,
      count(median(list, 'score')),
      seconds(median(list, 'fcp')),
      seconds(median(list, 'lcp')),
      ms(median(list, 'tbt')),
      seconds(median(list, 'speedIndex')),
      count(median(list, 'requests')),
      size(median(list, 'bytes')),
    ]
    const rows = [
      ...pages.flatMap((page) =>
        (['on', 'off'] as const).map((mode) =>
          row(`${page.name} (${page.preset})`, mode, results.get(`${page.key}/${page.preset}/${mode}`) ?? []),
        ),
      ),
      row('tracking page, its HTML without scripts (mobile)', 'on', floorRuns),
    ]
    const ratios = pages.map((page) => {
      const on = results.get(`${page.key}/${page.preset}/on`) ?? []
      const off = results.get(`${page.key}/${page.preset}/off`) ?? []
      return [
        `${page.name} (${page.preset})`,
        ratio(median(on, 'bytes'), median(off, 'bytes')),
        ratio(median(on, 'fcp'), median(off, 'fcp')),
        ratio(median(on, 'lcp'), median(off, 'lcp')),
        `${median(on, 'score') - median(off, 'score') >= 0 ? '+' : ''}${median(on, 'score') - median(off, 'score')}`,
      ]
    })
    const mobileTbt = [...results.entries()]
      .filter(([id]) => id.includes('/mobile/'))
      .flatMap(([, list]) => list.map((figures) => figures.tbt))
    const tbtRange = { min: Math.min(...mobileTbt), max: Math.max(...mobileTbt) }
    const visitRows = (['on', 'off'] as const).map((mode) => [
      mode,
      count(visits[mode].loadRequests),
      size(visits[mode].loadBytes),
      count(visits[mode].allRequests),
      size(visits[mode].allBytes),
    ])

    return {
      id: 'lighthouse',
      title: '7b. First visit on a phone (Lighthouse)',
      body: `Lighthouse ${version} (CLI, performance category) against the production build on 127.0.0.1; a fresh
profile per run. Mobile = Lighthouse's defaults (simulated slow 4G: 150 ms RTT, 1.6 Mbit/s; 4× CPU
slowdown; a phone-sized screen); desktop = \`--preset=desktop\`. Median of ${RUNS} runs each; the
server with compression on (this build's brotli/gzip copies, API JSON compressed) and a second
one started with \`ORDERLINE_COMPRESSION=0\`, runs interleaved. Requests and transfer are
Lighthouse's network-requests and total-byte-weight audits (until the page is loaded). The last
row is the floor under them: the same tracking page with every script tag taken out of its
index.html (the HTML, the inline critical CSS and the placeholder shell, nothing else), run after
each pair of the tracking page's mobile runs.${failures ? ` ${failures} run(s) failed and are left out.` : ''}

${table(['page', 'compression', 'performance', 'FCP', 'LCP', 'TBT', 'Speed Index', 'requests', 'transfer'], rows)}

Compression on ÷ off (medians of this run):

${table(['page', 'transfer', 'FCP', 'LCP', 'performance (points)'], ratios)}

The service worker downloads its precache (the customer shell: the routes a customer opens, the
hub worker, icons; not the admin app) after the page has loaded, which Lighthouse does not count. A Playwright first visit of the tracking
page (no throttling; bytes = response headers + body as sent), until \`load\` and until the
service worker is active and the network quiet:

${table(['compression', 'page load: requests', 'page load: transfer', 'incl. precache: requests', 'incl. precache: transfer'], visitRows)}

Transfer incl. precache, on ÷ off: **${ratio(visits.on.allBytes, visits.off.allBytes)}**; page load alone:
**${ratio(visits.on.loadBytes, visits.off.loadBytes)}**.

Main-thread long tasks on a first visit of the tracking page, Chromium with the CPU slowed down
${CPU_SLOWDOWN}× (CDP \`Emulation.setCPUThrottlingRate\`), a \`longtask\` PerformanceObserver from before the
first script, until the order shows and 2 s more, compression on; over loopback (no network
throttling) and over Lighthouse's slow 4G link (DevTools throttling, 562.5 ms latency, 1.47 Mbps):

${table(
  ['network', 'runs', 'longest task (median)', 'longest task (worst)', 'tasks over 50 ms (median)'],
  (['loopback', 'slow-4g'] as const).map((network) => {
    const { longest, counts } = longTaskRuns[network]
    return longest.length
      ? [network, String(longest.length), ms(percentile(longest, 50)), ms(Math.max(...longest)), String(percentile(counts, 50))]
      : [network, '0', 'n/a', 'n/a', 'n/a']
  }),
)}

Over loopback the entry has downloaded long before V8's background thread has compiled it (the
compile hint makes that compile eager), and the main thread waits for the compile in the module's
task (in about half the loopback runs, the longest of all); over a phone's link the download is
the slower of the two and the main thread does not wait.

What it means: on a slow phone link the first visit is bound by bytes: the build's brotli copies
cut what a page downloads to about a third, and FCP and LCP, computed from the simulated link,
follow. TBT does not: it is the page's own main-thread work under the simulated 4× CPU slowdown,
and on these shared 2-core machines it ranged from ${ms(tbtRange.min)} to ${ms(tbtRange.max)} across this run's mobile runs
(the performance score follows it, by tens of points). Part of it is not the app's: the page
without any script measured ${floorTbt.length ? `${ms(Math.min(...floorTbt))}–${ms(Math.max(...floorTbt))} (median ${ms(median(floorRuns, 'tbt'))})` : 'n/a'} of TBT
in runs interleaved with the tracking page's (median ${ms(median(results.get('tracking/mobile/on') ?? [], 'tbt'))}): the browser's own
first tasks (committing the navigation, creating the page's JavaScript context, parsing the HTML,
issuing its first requests, the first layout) simulated at 4×, counted whenever Lighthouse's
simulated first paint falls before they end. Compression cannot lower it: the JavaScript
the page parses and runs before it shows the order is the client bundle's job. Read transfer, FCP
and LCP and their ratios rather than the scores.`,
    }
  } finally {
    await uncompressed.stop()
    await floor.stop()
    rmSync(floorDir, { recursive: true, force: true })
  }
}
