/**
 * Build step: the app's entry chunk starts with V8's explicit compile hint,
 * `//# allFunctionsCalledOnLoad`. Without it V8 compiles each function lazily, on the main thread,
 * the first time it is called; nearly every function of the entry runs while the page starts
 * (creating the app, the router, the stores, the first render), so on a phone those compiles are a
 * large part of the start-up's long tasks. With the hint the whole file is compiled eagerly, on a
 * background thread while it downloads, and the code cache keeps the result for later visits.
 * Only the entry gets it: the lazy chunks (admin views, the storefront) run a part of their code,
 * and compiling all of it up front would be work thrown away. Measured in docs/decisions.md.
 *
 * V8 reads the hint only as the script's first line, and Vite writes its own first line
 * (`const __vite__mapDeps=…`) into the entry after every `generateBundle` hook, so this runs on the
 * written file (`writeBundle`) and shifts the source map down by the one line it adds. It runs
 * before the service worker's precache manifest and the .br/.gz copies are made (both in
 * `closeBundle`), so they see the file as it ships. The file name's hash is the hash of the code
 * before the hint; the hint is the same for every build, so equal names still mean equal files.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { Plugin } from 'vite'
import { appEntryChunk } from './app-entry'

export const COMPILE_HINT = '//# allFunctionsCalledOnLoad'

interface SourceMapJson {
  mappings: string
}

/**
 * The code with the hint as its first line and the source map (JSON text) shifted to match: in a
 * map's `mappings`, each `;` starts the next generated line, so one leading `;` moves every mapping
 * down one line and leaves the new first line unmapped. A file that already starts with the hint
 * is returned as it is.
 */
export function withCompileHint(code: string, map: string | null): { code: string; map: string | null } {
  if (code.startsWith(`${COMPILE_HINT}\n`)) return { code, map }
  if (map === null) return { code: `${COMPILE_HINT}\n${code}`, map }
  const json = JSON.parse(map) as SourceMapJson
  json.mappings = `;${json.mappings}`
  return { code: `${COMPILE_HINT}\n${code}`, map: JSON.stringify(json) }
}

export function entryCompileHint(): Plugin {
  let outDir = 'dist'
  return {
    name: 'orderline:entry-compile-hint',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir)
    },
    writeBundle: {
      order: 'post',
      sequential: true,
      handler(_options, bundle) {
        const entry = appEntryChunk(bundle)
        // Builds without the app's index.html (the service worker's own build) have nothing to hint.
        if (!entry) return
        const file = path.join(outDir, entry.fileName)
        const mapFile = `${file}.map`
        let map: string | null = null
        try {
          map = readFileSync(mapFile, 'utf8')
        } catch {
          // No source map in this build (build.sourcemap off): only the code changes.
        }
        const hinted = withCompileHint(readFileSync(file, 'utf8'), map)
        writeFileSync(file, hinted.code)
        if (hinted.map !== null) writeFileSync(mapFile, hinted.map)
      },
    },
  }
}
