#!/usr/bin/env node
// Size budget (part of `npm test`): fails when a surface's gzip size exceeds bench/size-budget.json.
// Also checks what the build must have done for the first visit's speed (the entry's compile hint).
// The budget is the measured size plus a few per cent; raise it on purpose, in its own commit, saying why.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { measureBundle } from './bundle-size.mjs'

const budget = JSON.parse(readFileSync(new URL('../bench/size-budget.json', import.meta.url), 'utf8'))
const distDir = process.argv[2] ?? 'dist'
const measured = measureBundle(distDir)
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
// The entry compiles eagerly off the main thread only with V8's hint as its first line (scripts/compile-hint.ts).
const manifest = JSON.parse(readFileSync(path.join(distDir, '.vite/manifest.json'), 'utf8'))
const entry = manifest['index.html']?.file
if (!entry || !readFileSync(path.join(distDir, entry), 'utf8').startsWith('//# allFunctionsCalledOnLoad\n')) {
  console.error(`  the app's entry (${entry ?? 'not found'}) does not start with V8's compile hint`)
  failed = true
}
process.exit(failed ? 1 : 0)
