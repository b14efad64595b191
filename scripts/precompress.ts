/**
 * Build step: writes a brotli (.br) and a gzip (.gz) copy next to every compressible file of the
 * build, so the server (server/routes/static.ts, `preCompressed`) sends the smallest encoding the
 * browser accepts without compressing anything per request. Compressing at build time also lets
 * brotli run at its best (slowest) quality, which no server could afford on the fly.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import type { Plugin } from 'vite'

/** Text formats worth compressing; images and fonts are compressed already. Source maps stay as they are. */
export const COMPRESSIBLE = /\.(?:js|mjs|css|html|svg|json|webmanifest|txt)$/
/** Below this a compressed copy saves less than the extra headers and the CPU to decode it. */
export const MIN_BYTES = 1024

export interface PrecompressStats {
  files: number
  raw: number
  brotli: number
  gzip: number
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    // Dot folders (.vite/manifest.json) are build metadata the server never serves.
    if (entry.name.startsWith('.')) return []
    const full = path.join(dir, entry.name)
    return entry.isDirectory() ? walk(full) : [full]
  })
}

/**
 * Compresses every file under `dir` that matches COMPRESSIBLE and is at least MIN_BYTES, writing
 * `<file>.br` and `<file>.gz` only where each is smaller than the file itself.
 */
export function precompressDir(dir: string): PrecompressStats {
  const stats: PrecompressStats = { files: 0, raw: 0, brotli: 0, gzip: 0 }
  for (const file of walk(dir)) {
    if (!COMPRESSIBLE.test(file) || statSync(file).size < MIN_BYTES) continue
    const raw = readFileSync(file)
    const brotli = brotliCompressSync(raw, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
      },
    })
    const gzip = gzipSync(raw, { level: 9 })
    stats.files++
    stats.raw += raw.length
    if (brotli.length < raw.length) {
      writeFileSync(`${file}.br`, brotli)
      stats.brotli += brotli.length
    }
    if (gzip.length < raw.length) {
      writeFileSync(`${file}.gz`, gzip)
      stats.gzip += gzip.length
    }
  }
  return stats
}

/**
 * The Vite plugin: runs after every other plugin has finished writing, so the service worker that
 * vite-plugin-pwa builds in its own closeBundle is compressed too (and its precache manifest,
 * built before, never lists the .br/.gz copies).
 */
export function precompress(): Plugin {
  let outDir = 'dist'
  let skip = false
  let log: (message: string) => void = () => {}
  return {
    name: 'orderline:precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir)
      skip = Boolean(config.build.ssr) || Boolean(config.build.watch)
      log = (message) => config.logger.info(message)
    },
    closeBundle: {
      order: 'post',
      sequential: true,
      handler() {
        if (skip) return
        const stats = precompressDir(outDir)
        const kB = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`
        log(`precompressed ${stats.files} files: ${kB(stats.raw)} → brotli ${kB(stats.brotli)}, gzip ${kB(stats.gzip)}`)
      },
    },
  }
}
