/**
 * Part 4 — bundle: what the tracking page and the admin board download before they are
 * interactive, the hub worker and the service worker; gzip and brotli. Same measurement as the
 * size budget that `npm test` enforces (scripts/bundle-size.mjs).
 */
import { readFileSync } from 'node:fs'
import { measureBundle } from '../scripts/bundle-size.mjs'
import { saveChart, type Section } from './lib/report'
import { kb, table } from './lib/stats'

export async function run(): Promise<Section> {
  const measured = measureBundle(process.env.E2E_STATIC_DIR ?? 'dist')
  const budget = JSON.parse(readFileSync('bench/size-budget.json', 'utf8')) as { gzipBytes: Record<string, number> }
  const surfaces = [
    ['trackingPage', 'tracking page (boot guard + entry + static imports + CSS)'],
    ['adminBoard', 'admin board (the above + board route chunk)'],
    ['hubWorker', 'hub worker (SharedWorker)'],
    ['serviceWorker', 'service worker (sw.js)'],
  ] as const
  const rows = surfaces.map(([key, label]) => {
    const size = measured[key]
    return [label, String(size.files.length), kb(size.raw), kb(size.gzip), kb(size.brotli), kb(budget.gzipBytes[key] ?? Number.NaN)]
  })
  const chart = saveChart('bundle', {
    title: 'Download size per surface',
    unit: 'kB',
    groups: ['tracking', 'admin board', 'hub worker', 'sw.js'],
    series: [
      { name: 'gzip', values: surfaces.map(([key]) => measured[key].gzip / 1024) },
      { name: 'brotli', values: surfaces.map(([key]) => measured[key].brotli / 1024) },
    ],
  })
  return {
    id: 'bundle',
    title: '4. Bundle size',
    body: `${table(['surface', 'files', 'raw', 'gzip', 'brotli', 'gzip budget'], rows)}

${chart}

socket.io-client in a page chunk: **${measured.pageHasSocketClient ? 'yes (budget check fails)' : 'no'}** — it lives in the hub worker chunk
(and in the lazily loaded leader/direct fallbacks), so a tab never parses it when the SharedWorker hub serves it.

What it means: the tracking page a customer opens from a link costs about ${kb(measured.trackingPage.gzip)} gzip on first visit
and nothing on later visits (precached by the service worker). The budget in \`bench/size-budget.json\` is
enforced by \`npm test\`.`,
  }
}
