/**
 * Build step for the plain (classic) scripts index.html loads from public/ (boot-guard.js): the
 * build serves them under a content-hashed name in assets/, like every other file it makes.
 * Then they are cached for a year, and the service worker's precache, which downloads any file
 * that has no hash in its name again to be sure of its revision, takes the copy the page just
 * loaded from the HTTP cache instead: a first visit downloads each file once. The unhashed file
 * stays in the build for pages of an older build that still name it. They are minified too
 * (their comments are for this repository, not for every first visit: ~1.3 kB gzip of the two).
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { minifySync, type Plugin } from 'vite'

/** Build-time values written into the scripts: the string `'__ORDERLINE_API_URL__'` becomes VITE_API_URL. */
function fillIn(source: string, env: Record<string, string | undefined>): string {
  const apiUrl = (env.VITE_API_URL ?? '').trim().replace(/\/+$/, '')
  return source.replaceAll("'__ORDERLINE_API_URL__'", JSON.stringify(apiUrl))
}

/** ES2017 output: every browser that can run the app's modules parses it. */
function minified(name: string, source: string): string {
  const result = minifySync(name, source, { compress: { target: 'es2017' } })
  if (result.errors.length > 0) throw new Error(`public/${name}: ${result.errors.map((error) => error.message).join('; ')}`)
  return result.code
}

export function hashedClassicScripts(names: readonly string[]): Plugin {
  const renamed = new Map<string, { fileName: string; source: string }>()
  let env: Record<string, string | undefined> = {}
  return {
    name: 'orderline:hashed-classic-scripts',
    apply: 'build',
    configResolved(config) {
      env = config.env
    },
    buildStart() {
      for (const name of names) {
        const source = minified(name, fillIn(readFileSync(path.resolve('public', name), 'utf8'), env))
        const hash = createHash('sha256').update(source).digest('base64url').slice(0, 8)
        renamed.set(name, { fileName: `assets/${path.basename(name, '.js')}-${hash}.js`, source })
      }
    },
    generateBundle() {
      for (const { fileName, source } of renamed.values()) this.emitFile({ type: 'asset', fileName, source })
    },
    transformIndexHtml(html) {
      let out = html
      for (const [name, { fileName }] of renamed) {
        const attribute = ` src="/${name}"`
        if (!out.includes(`<script${attribute}`)) throw new Error(`index.html no longer loads /${name} as expected`)
        out = out.replace(`<script${attribute}`, `<script src="/${fileName}"`)
      }
      return out
    },
  }
}
