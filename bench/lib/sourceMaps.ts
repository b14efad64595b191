import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping'

/**
 * Where a position in a built chunk comes from, through the chunk's source map: the source file
 * (a package by its name, an app file from `src/`) and its line. For the bench's diagnosis tools.
 */
export class BuildSourceMaps {
  private readonly chunks = new Map<string, { map: TraceMap; lineStarts: number[] } | null>()

  constructor(private readonly dir: string) {}

  /** `url`'s chunk (a file under `assets/`): its name without the hash, or null for other URLs. */
  static chunkName(url: string): string | null {
    const file = url.split('/assets/')[1]
    return file ? file.replace(/-[\w-]{8}\.js$/, '') : null
  }

  /** Source and line of a 1-based line and 0-based column in `url`'s chunk; null without a map or a mapping. */
  at(url: string, line: number, column: number): { source: string; line: number } | null {
    const chunk = this.chunk(url)
    if (!chunk) return null
    const found = originalPositionFor(chunk.map, { line, column })
    if (!found.source) return null
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(found.source)
    return { source: pkg ? pkg[1]! : found.source.replace(/^.*?\bsrc\//, 'src/'), line: found.line ?? 0 }
  }

  /** The same for a character offset into the chunk (what Long Animation Frame entries give). */
  atOffset(url: string, offset: number): { source: string; line: number } | null {
    const chunk = this.chunk(url)
    if (!chunk || offset < 0) return null
    let line = chunk.lineStarts.findIndex((start) => start > offset)
    if (line < 0) line = chunk.lineStarts.length
    return this.at(url, line, offset - chunk.lineStarts[line - 1]!)
  }

  private chunk(url: string): { map: TraceMap; lineStarts: number[] } | null {
    const file = url.split('/assets/')[1]
    if (!file) return null
    const key = path.join(this.dir, 'assets', file)
    if (!this.chunks.has(key)) {
      if (!existsSync(key) || !existsSync(`${key}.map`)) this.chunks.set(key, null)
      else {
        const text = readFileSync(key, 'utf8')
        const lineStarts = [0]
        for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1)
        this.chunks.set(key, { map: new TraceMap(readFileSync(`${key}.map`, 'utf8')), lineStarts })
      }
    }
    return this.chunks.get(key) ?? null
  }
}
