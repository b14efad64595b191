/**
 * The build step for the plain scripts index.html loads before the app (scripts/classic-scripts.ts):
 * each ships minified under a content-hashed name, with the API origin written in, and index.html
 * names the hashed file.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { hashedClassicScripts } from '../../scripts/classic-scripts'

type Hook = (...args: unknown[]) => unknown

function build(env: Record<string, string>): { files: Map<string, string>; html: string } {
  const plugin = hashedClassicScripts(['boot-guard.js', 'early-order.js']) as unknown as Record<string, Hook>
  plugin.configResolved!({ env })
  plugin.buildStart!()
  const files = new Map<string, string>()
  plugin.generateBundle!.call({
    emitFile: ({ fileName, source }: { fileName: string; source: string }) => files.set(fileName, source),
  })
  const html = plugin.transformIndexHtml!(readFileSync('index.html', 'utf8')) as string
  return { files, html }
}

describe('hashed classic scripts', () => {
  const { files, html } = build({ VITE_API_URL: 'https://api.example.test/' })
  const earlyOrder = [...files].find(([name]) => name.startsWith('assets/early-order-'))

  it('emits each script under a hash of its content, and index.html loads that name', () => {
    expect(files.size).toBe(2)
    for (const [fileName, source] of files) {
      const hash = createHash('sha256').update(source).digest('base64url').slice(0, 8)
      expect(fileName).toMatch(new RegExp(`^assets/(boot-guard|early-order)-${hash.replace(/[-_]/g, '\\$&')}\\.js$`))
      expect(html).toContain(`<script src="/${fileName}"`)
    }
    expect(html).not.toContain('src="/early-order.js"')
  })

  it('writes the API origin in (without its trailing slash) and ships no comments', () => {
    expect(earlyOrder).toBeDefined()
    const [, source] = earlyOrder!
    expect(source).toContain('https://api.example.test')
    expect(source).not.toMatch(/api\.example\.test\/["'`]/)
    expect(source).not.toContain('__ORDERLINE_API_URL__')
    for (const [, code] of files) {
      expect(code).not.toContain("Loaded before the app's module script")
      expect(code).not.toContain("The tracking page's order request")
      // Still a valid classic script.
      expect(() => new Function(code)).not.toThrow()
    }
    expect(source.length).toBeLessThan(readFileSync('public/early-order.js', 'utf8').length / 2)
  })
})
