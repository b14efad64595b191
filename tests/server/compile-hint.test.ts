/**
 * The build step that puts V8's compile hint on the entry's first line (scripts/compile-hint.ts):
 * the hint is the first line, the source map still points every position at the same source,
 * and only the app's entry gets it.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping'
import { afterEach, describe, expect, it } from 'vitest'
import { COMPILE_HINT, entryCompileHint, withCompileHint } from '../../scripts/compile-hint'

// A two-line build output as Vite writes it (its own first line, then code), mapped to src/a.ts:
// generated line 2, column 9 (`hello`) comes from source line 3, column 15 (columns count from 0).
const CODE = 'const __vite__mapDeps=1;\nfunction hello(){return 1}\n//# sourceMappingURL=index-x.js.map'
const MAP = JSON.stringify({ version: 3, file: 'index-x.js', sources: ['src/a.ts'], names: [], mappings: ';AAEA,SAAe' })

function origin(map: string, line: number, column: number) {
  const { source, line: sourceLine, column: sourceColumn } = originalPositionFor(new TraceMap(map), { line, column })
  return { source, line: sourceLine, column: sourceColumn }
}

describe('withCompileHint', () => {
  it('puts the hint on the first line and moves every mapping down one line', () => {
    expect(origin(MAP, 2, 9)).toEqual({ source: 'src/a.ts', line: 3, column: 15 })
    const hinted = withCompileHint(CODE, MAP)
    expect(hinted.code.split('\n')[0]).toBe(COMPILE_HINT)
    expect(hinted.code.split('\n')[2]).toBe('function hello(){return 1}')
    expect(hinted.code.endsWith('//# sourceMappingURL=index-x.js.map')).toBe(true)
    // The same code, one line lower, maps to the same source position; the hint maps to nothing.
    expect(origin(hinted.map!, 3, 9)).toEqual({ source: 'src/a.ts', line: 3, column: 15 })
    expect(origin(hinted.map!, 1, 0).source).toBeNull()
    expect(origin(hinted.map!, 2, 9).source).toBeNull()
  })

  it('does not add a second hint to a hinted file', () => {
    const once = withCompileHint(CODE, MAP)
    expect(withCompileHint(once.code, once.map)).toEqual(once)
  })

  it('hints a build without source maps', () => {
    expect(withCompileHint(CODE, null)).toEqual({ code: `${COMPILE_HINT}\n${CODE}`, map: null })
  })
})

describe('the Vite plugin', () => {
  let dir = ''
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  type WriteBundle = { handler: (options: unknown, bundle: Record<string, unknown>) => void }

  function run(bundle: Record<string, unknown>) {
    const plugin = entryCompileHint() as unknown as { configResolved: (config: unknown) => void; writeBundle: WriteBundle }
    plugin.configResolved({ root: dir, build: { outDir: 'dist' } })
    plugin.writeBundle.handler({}, bundle)
  }

  it("writes the hint into the app's entry on disk and leaves the other chunks alone", () => {
    dir = mkdtempSync(path.join(tmpdir(), 'compile-hint-'))
    mkdirSync(path.join(dir, 'dist/assets'), { recursive: true })
    const file = (name: string) => path.join(dir, 'dist/assets', name)
    writeFileSync(file('index-x.js'), CODE)
    writeFileSync(file('index-x.js.map'), MAP)
    writeFileSync(file('lazy-y.js'), CODE)
    run({
      'assets/index-x.js': { type: 'chunk', isEntry: true, facadeModuleId: '/app/index.html', fileName: 'assets/index-x.js' },
      'assets/lazy-y.js': { type: 'chunk', isEntry: false, facadeModuleId: '/app/src/Lazy.vue', fileName: 'assets/lazy-y.js' },
      'assets/hub-z.js': { type: 'chunk', isEntry: true, facadeModuleId: '/app/src/hub/worker.ts', fileName: 'assets/hub-z.js' },
    })
    expect(readFileSync(file('index-x.js'), 'utf8')).toBe(`${COMPILE_HINT}\n${CODE}`)
    expect(origin(readFileSync(file('index-x.js.map'), 'utf8'), 3, 9)).toEqual({ source: 'src/a.ts', line: 3, column: 15 })
    expect(readFileSync(file('lazy-y.js'), 'utf8')).toBe(CODE)
  })

  it('refuses a build with two app entries', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'compile-hint-'))
    const entry = (name: string) => ({ type: 'chunk', isEntry: true, facadeModuleId: '/app/index.html', fileName: name })
    expect(() => run({ a: entry('assets/a.js'), b: entry('assets/b.js') })).toThrow(/one app entry/)
  })
})
