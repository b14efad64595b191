import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../server/app'
import { api, startServer } from './helpers'

let server: RunningServer
let dir: string
const HTML = { accept: 'text/html,application/xhtml+xml' }

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'orderline-static-'))
  mkdirSync(join(dir, 'assets'))
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Orderline</title><div id="app"></div>')
  writeFileSync(join(dir, 'assets', 'x.js'), 'console.log("x")')
  writeFileSync(join(dir, 'sw.js'), 'self.addEventListener("fetch", () => {})')
  writeFileSync(join(dir, 'manifest.webmanifest'), '{"name":"Orderline"}')
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>')
  server = await startServer({ staticDir: dir })
})
afterAll(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('static files', () => {
  it('caches hashed assets for a year', async () => {
    const res = await api(server, '/assets/x.js')
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect(res.headers.get('content-type')).toContain('javascript')
  })

  it('revalidates the shell, the service worker and the manifest', async () => {
    for (const path of ['/', '/index.html', '/sw.js', '/manifest.webmanifest']) {
      const res = await api(server, path, { headers: HTML })
      expect(res.status, path).toBe(200)
      expect(res.headers.get('cache-control'), path).toBe('no-cache')
    }
  })

  it('serves other files with a short cache', async () => {
    const res = await api(server, '/favicon.svg')
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('public, max-age=3600')
  })
})

describe('SPA fallback', () => {
  it('answers HTML navigations with index.html', async () => {
    for (const path of ['/track/ord_123', '/admin/orders?x=1', '/login']) {
      const res = await api(server, path, { headers: HTML })
      expect(res.status, path).toBe(200)
      expect(res.text).toContain('<title>Orderline</title>')
      expect(res.headers.get('cache-control')).toBe('no-cache')
    }
  })

  it('never answers API, socket or ops paths with the shell', async () => {
    for (const path of ['/api/unknown', '/api', '/__test__/emit']) {
      const res = await api(server, path, { headers: HTML })
      expect(res.status, path).toBe(404)
      expect(res.body.error.code).toBe('not_found')
    }
    // Engine.IO owns /socket.io/ on the http server and answers its own 400 before Fastify sees it.
    const socketPath = await api(server, '/socket.io/nope', { headers: HTML })
    expect(socketPath.status).toBe(400)
    expect(socketPath.text).not.toContain('<title>')
    expect((await api(server, '/metrics', { headers: HTML })).text).toContain('http_requests_total')
  })

  it('sends a navigation with a broken percent-escape to the same path with the escape as text, then serves the shell', async () => {
    const cases = [
      ['/track/ord_%E0%A4?x=1', '/track/ord_%25E0%25A4?x=1'],
      ['/track/ord_%41%zz%', '/track/ord_%41%25zz%25'],
      // Never another site: `//host` in a Location is protocol-relative.
      ['//evil.example/%E0', '/evil.example/%25E0'],
    ]
    for (const [path, location] of cases) {
      const res = await fetch(server.url + path, { headers: HTML, redirect: 'manual' })
      expect(res.status, path).toBe(302)
      expect(res.headers.get('location'), path).toBe(location)
      const shell = await api(server, location!, { headers: HTML })
      expect(shell.status, location).toBe(200)
      expect(shell.text).toContain('<title>Orderline</title>')
    }
  })

  it('keeps the JSON 400 for a broken escape in a request that is not a navigation, or to the API', async () => {
    for (const [path, headers] of [
      ['/track/ord_%E0%A4', { accept: 'application/json' }],
      ['/api/orders/%ff', HTML],
    ] as const) {
      const res = await fetch(server.url + path, { headers, redirect: 'manual' })
      expect(res.status, path).toBe(400)
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('bad_url')
    }
  })

  it('gives a JSON 404 to non-HTML requests and missing assets', async () => {
    const res = await api(server, '/track/ord_123', { headers: { accept: 'application/json' } })
    expect(res.status).toBe(404)
    const missing = await api(server, '/assets/missing.js')
    expect(missing.status).toBe(404)
    expect(missing.body.error.code).toBe('not_found')
  })
})
