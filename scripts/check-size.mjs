#!/usr/bin/env node
// Size budget (part of `npm test`): fails when a surface's gzip size exceeds bench/size-budget.json.
// The budget is the measured size plus a few per cent; raise it on purpose, in its own commit, saying why.
import { readFileSync } from 'node:fs'
import { measureBundle } from './bundle-size.mjs'

const budget = JSON.parse(readFileSync(new URL('../bench/size-budget.json', import.meta.url), 'utf8'))
const measured = measureBundle(process.argv[2] ?? 'dist')
let failed = false
for (const [surface, limit] of Object.entries(budget.gzipBytes)) {
  const size = measured[surface]?.gzip
  if (size === undefined) {
    console.error(`  ${surface}: not found in the build`)
    failed = true
    continue
  }
  const ok = size <= limit
  failed ||= !ok
  console.log(
    `  ${ok ? 'ok  ' : 'OVER'} ${surface.padEnd(14)} ${(size / 1024).toFixed(1).padStart(6)} kB gzip (budget ${(limit / 1024).toFixed(1)} kB)`,
  )
}
for (const [surface, limit] of Object.entries(budget.scriptsGzipBytes ?? {})) {
  const size = measured[surface].jsGzip
  const ok = size <= limit
  failed ||= !ok
  console.log(
    `  ${ok ? 'ok  ' : 'OVER'} ${`${surface} JS`.padEnd(14)} ${(size / 1024).toFixed(1).padStart(6)} kB gzip (budget ${(limit / 1024).toFixed(1)} kB, scripts alone)`,
  )
}
if (measured.zodIn.length) {
  console.error(`  zod is in ${measured.zodIn.join(', ')}: browser code validates with valibot (src/protocol/answers.ts)`)
  failed = true
}
if (measured.pageHasSocketClient) {
  console.error('  socket.io-client is in the page bundle: it belongs in the hub worker chunk only')
  failed = true
}
process.exit(failed ? 1 : 0)
