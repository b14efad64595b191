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

  it('gives a JSON 404 to non-HTML requests and missing assets', async () => {
    const res = await api(server, '/track/ord_123', { headers: { accept: 'application/json' } })
    expect(res.status).toBe(404)
    const missing = await api(server, '/assets/missing.js')
    expect(missing.status).toBe(404)
    expect(missing.body.error.code).toBe('not_found')
  })
})
