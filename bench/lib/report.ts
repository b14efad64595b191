/**
 * Each benchmark part writes its own section (bench/results/<id>.md, plus any charts), so a part
 * can be rerun alone; BENCHMARKS.md is then assembled from every section present.
 */
import { execSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { barChartSvg, type BarChart } from './chart'

const RESULTS_DIR = path.resolve('bench/results')
const ORDER = [
  'connections',
  'fanout',
  'pollcost',
  'bundle',
  'memory',
  'server',
  'pagestart',
  'pagestart-layout',
  'lighthouse',
  'first-visit-before-after',
  'first-visit-start-path',
  'first-visit-validator-router',
  'first-visit-start-tasks',
  'first-visit-short-tasks',
  'first-visit-checkout-rules',
  'first-visit-first-content',
  'first-visit-quiet-machine',
  'auth',
  'cluster',
  'capacity',
  'capacity-knobs',
  'artillery',
]

export interface Section {
  id: string
  title: string
  body: string
}

function machineLine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
  let chromium = 'unknown'
  try {
    chromium = execSync('/usr/bin/chromium --version', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    // not installed: the browser parts will say so themselves
  }
  return `${os.cpus().length} × ${cpu}, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}, ${chromium}, ${os.platform()} ${os.release()}`
}

/** Saves a chart as SVG next to the results and returns the markdown that embeds it. */
export function saveChart(name: string, chart: BarChart): string {
  mkdirSync(RESULTS_DIR, { recursive: true })
  writeFileSync(path.join(RESULTS_DIR, `${name}.svg`), barChartSvg(chart))
  return `![${chart.title}](bench/results/${name}.svg)`
}

export function writeSection(section: Section, command: string): void {
  mkdirSync(RESULTS_DIR, { recursive: true })
  const stamp = `_Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machineLine()}; command: \`${command}\`._`
  writeFileSync(path.join(RESULTS_DIR, `${section.id}.md`), `## ${section.title}\n\n${stamp}\n\n${section.body.trim()}\n`)
}

export function assembleBenchmarks(): void {
  const files = existsSync(RESULTS_DIR) ? readdirSync(RESULTS_DIR).filter((file) => file.endsWith('.md')) : []
  const rank = (file: string) => {
    const index = ORDER.indexOf(file.replace(/\.md$/, ''))
    return index === -1 ? ORDER.length : index
  }
  files.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
  const intro = `# Benchmarks

Figures from \`npm run bench\` (the parts not named below) or \`npm run bench -- <part>\` (parts: bundle,
connections (with browser memory), fanout, pollcost, server, pagestart, auth; and, when named,
lighthouse; cluster, which needs PostgreSQL, redis-server and nginx; capacity, one node's ramp to
tens of thousands of watchers, and capacity-knobs; artillery, an outside tool's second opinion).
Each section says when, where and with which command it was measured. Comparisons inside a section
come from one run, side by side, so the machine's noise cancels out in the ratios; absolute
numbers from these 2-core machines are noisy and only the ratios should be read across runs.
`
  const sections = files.map((file) => readFileSync(path.join(RESULTS_DIR, file), 'utf8').trim())
  writeFileSync('BENCHMARKS.md', `${intro}\n${sections.join('\n\n')}\n`)
}
