// Measures what each surface of the built app downloads, from Vite's chunk graph
// (dist/.vite/manifest.json): the tracking page (boot guard + entry + its static imports + CSS, and the
// tracking view's chunk should it get one), the admin board (that plus its lazy route chunk), the hub
// worker and the service worker. Used by the size budget step of `npm test` and by `npm run bench`.
import { readFileSync, readdirSync, existsSync } from 'node:fs'
import path from 'node:path'
import { brotliCompressSync, gzipSync, constants } from 'node:zlib'

function chunkClosure(manifest, keys) {
  const seen = new Set()
  const files = new Set()
  const visit = (key) => {
    if (seen.has(key)) return
    seen.add(key)
    const chunk = manifest[key]
    if (!chunk) return
    files.add(chunk.file)
    for (const css of chunk.css ?? []) files.add(css)
    for (const dep of chunk.imports ?? []) visit(dep)
  }
  keys.forEach(visit)
  return [...files]
}

/**
 * Sizes of `files` (paths in distDir, or `{ name, bytes }` for what has no file of its own: the
 * stylesheet inlined in index.html). `jsGzip`: the scripts alone, the "initial JS" figure.
 */
function sizeOf(distDir, files) {
  let raw = 0
  let gzip = 0
  let brotli = 0
  let jsGzip = 0
  for (const file of files) {
    const bytes = typeof file === 'string' ? readFileSync(path.join(distDir, file)) : file.bytes
    const zipped = gzipSync(bytes, { level: 9 }).length
    raw += bytes.length
    gzip += zipped
    if (typeof file === 'string' && file.endsWith('.js')) jsGzip += zipped
    brotli += brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length
  }
  return { files: files.map((file) => (typeof file === 'string' ? file : file.name)), raw, gzip, brotli, jsGzip }
}

/** Static imports of an ES module chunk (`from"./x.js"`), resolved inside assets/. */
function workerClosure(distDir, file) {
  const files = new Set()
  const visit = (name) => {
    if (files.has(name)) return
    files.add(name)
    const text = readFileSync(path.join(distDir, name), 'utf8')
    for (const match of text.matchAll(/(?:from|import)\s*"\.\/([^"]+\.js)"/g)) visit(`assets/${match[1]}`)
  }
  visit(file)
  return [...files]
}

export function measureBundle(distDir = 'dist') {
  const manifestPath = path.join(distDir, '.vite/manifest.json')
  if (!existsSync(manifestPath)) throw new Error(`${manifestPath} is missing: run \`vite build\` first`)
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
  const entry = Object.keys(manifest).find((key) => manifest[key].isEntry)
  const board = Object.keys(manifest).find((key) => key.endsWith('AdminBoardView.vue'))
  // The tracking view, should it become a route chunk of its own: the tracking page loads it at once.
  const track = Object.keys(manifest).find((key) => key.endsWith('TrackOrderView.vue')) ?? entry
  const storefront = Object.keys(manifest).find((key) => key.endsWith('StorefrontView.vue'))
  const hub = readdirSync(path.join(distDir, 'assets')).find((name) => /^sharedWorker-.*\.js$/.test(name))
  if (!entry || !board || !track || !storefront || !hub)
    throw new Error('could not find the entry, the tracking, storefront or admin board chunk or the hub worker in the build')
  // Plain scripts index.html loads before the app (public/boot-guard.js): every page pays them.
  const html = readFileSync(path.join(distDir, 'index.html'), 'utf8')
  const classicScripts = [...html.matchAll(/<script(?![^>]*type="module")[^>]*\ssrc="\/([^"]+)"/g)].map((match) => match[1])
  // The entry's stylesheet, inlined in index.html by the build (scripts/inline-css.ts): every page pays it.
  const inlineStyles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((match, index) => ({
    name: `index.html <style> #${index + 1}`,
    bytes: Buffer.from(match[1], 'utf8'),
  }))
  const trackingFiles = [...classicScripts, ...inlineStyles, ...chunkClosure(manifest, [entry, track])]
  const hubFiles = workerClosure(distDir, `assets/${hub}`)
  const scriptsMatch = (files, pattern) =>
    files
      .filter((file) => typeof file === 'string' && file.endsWith('.js'))
      .some((file) => pattern.test(readFileSync(path.join(distDir, file), 'utf8')))
  const pageHasSocketClient = scriptsMatch(trackingFiles, /engine\.io|EIO=/)
  // zod's classes carry their names ("$ZodObject"…): only the server and the chunk the checkout
  // loads on its first submit may; the storefront itself starts without it.
  const ZOD = /\$Zod[A-Z]/
  const storefrontFiles = [...classicScripts, ...chunkClosure(manifest, [entry, storefront])]
  const surfaces = { trackingPage: trackingFiles, storefrontPage: storefrontFiles, hubWorker: hubFiles, serviceWorker: ['sw.js'] }
  const zodIn = Object.keys(surfaces).filter((surface) => scriptsMatch(surfaces[surface], ZOD))
  return {
    trackingPage: sizeOf(distDir, trackingFiles),
    adminBoard: sizeOf(distDir, [...classicScripts, ...inlineStyles, ...chunkClosure(manifest, [entry, board])]),
    hubWorker: sizeOf(distDir, hubFiles),
    serviceWorker: sizeOf(distDir, ['sw.js']),
    pageHasSocketClient,
    zodIn,
  }
}
