/**
 * Security, origins and browser-side headers: the CSP and security headers, the CORS allow-list
 * (preflight allowed and refused), cross-site WebSocket hijacking (a handshake from an origin not
 * allowed is refused over polling and over a raw WebSocket upgrade), and credentials never taken
 * from cookies.
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import WebSocket from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../server/app'
import { loadConfig } from '../../server/config'
import { api, collect, connectSocket, loginAdmin, placeOrder, sleep, startServer } from './helpers'

const ALLOWED = 'https://app.example'
const EVIL = 'https://evil.example'
let server: RunningServer
let admin: string

beforeAll(async () => {
  server = await startServer({ allowedOrigins: [ALLOWED], cspConnectSrc: ['https://api.example'] })
  admin = await loginAdmin(server)
})
afterAll(() => server.close())

function directives(header: string | null): Map<string, string[]> {
  const map = new Map<string, string[]>()
  for (const part of (header ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/)
    if (name) map.set(name, values)
  }
  return map
}

describe('Content-Security-Policy and security headers', () => {
  it('sends a strict CSP that still allows same-origin workers and sockets', async () => {
    const res = await api(server, '/api/products')
    const csp = directives(res.headers.get('content-security-policy'))
    expect(csp.get('default-src')).toEqual(["'self'"])
    expect(csp.get('script-src')).toEqual(["'self'"])
    expect(csp.get('script-src-attr')).toEqual(["'none'"])
    // No build served here, so no inline stylesheet to allow.
    expect(csp.get('style-src')).toEqual(["'self'"])
    expect(csp.get('worker-src')).toEqual(["'self'"])
    expect(csp.get('object-src')).toEqual(["'none'"])
    expect(csp.get('frame-ancestors')).toEqual(["'none'"])
    expect(csp.get('base-uri')).toEqual(["'self'"])
    // The configured API origin and its WebSocket twin, nothing else.
    expect(csp.get('connect-src')).toEqual(["'self'", 'https://api.example', 'wss://api.example'])
    const all = res.headers.get('content-security-policy') ?? ''
    expect(all).not.toContain('unsafe-inline')
    expect(all).not.toContain('unsafe-eval')
  })

  it("allows the built shell's inline stylesheet by its hash, and nothing else inline", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'orderline-static-'))
    const css = '.boot-shell{color:red}\n/* a $& that must stay */'
    writeFileSync(path.join(dir, 'index.html'), `<!doctype html><html><head><style>${css}</style></head><body></body></html>`)
    const shell = await startServer({ staticDir: dir })
    try {
      const res = await fetch(`${shell.url}/track/ord_1`, { headers: { Accept: 'text/html' } })
      expect(res.status).toBe(200)
      const expected = `'sha256-${createHash('sha256').update(css).digest('base64')}'`
      expect(directives(res.headers.get('content-security-policy')).get('style-src')).toEqual(["'self'", expected])
      expect(res.headers.get('content-security-policy')).not.toContain('unsafe-inline')

      // A new build swapped in under the running server: its stylesheet is allowed instead.
      const next = '.boot-shell{color:blue}'
      writeFileSync(path.join(dir, 'index.html'), `<!doctype html><html><head><style>${next}</style></head><body></body></html>`)
      const nextHash = `'sha256-${createHash('sha256').update(next).digest('base64')}'`
      await expect
        .poll(
          async () => {
            const again = await fetch(`${shell.url}/track/ord_1`, { headers: { Accept: 'text/html' } })
            return directives(again.headers.get('content-security-policy')).get('style-src')
          },
          { timeout: 5_000, interval: 250 },
        )
        .toEqual(["'self'", nextHash])
    } finally {
      await shell.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('sends the usual security headers', async () => {
    const res = await api(server, '/api/products')
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('referrer-policy')).toBe('no-referrer')
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/)
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin')
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN')
    expect(res.headers.get('x-powered-by')).toBeNull()
  })

  it('refuses a CSP_CONNECT_SRC that is not a plain origin', () => {
    // ws(s) twins are derived from the http(s) origins, so only those are accepted.
    expect(() => loadConfig({ CSP_CONNECT_SRC: 'wss://api.example' })).toThrow(/CSP_CONNECT_SRC/)
    expect(() => loadConfig({ CSP_CONNECT_SRC: "'unsafe-inline'" })).toThrow(/CSP_CONNECT_SRC/)
    expect(() => loadConfig({ CSP_CONNECT_SRC: 'https://api.example/path' })).toThrow(/CSP_CONNECT_SRC/)
    expect(loadConfig({ CSP_CONNECT_SRC: 'https://api.example https://b.example' }).cspConnectSrc).toEqual([
      'https://api.example',
      'https://b.example',
    ])
  })
})

describe('CORS allow-list (ALLOWED_ORIGINS)', () => {
  const preflight = (origin: string) =>
    api(server, '/api/orders', {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
    })

  it('answers a preflight from an allowed origin', async () => {
    const res = await preflight(ALLOWED)
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED)
    expect(res.headers.get('access-control-allow-methods')).toContain('POST')
  })

  it('gives a refused origin no CORS grant, so the browser blocks the request', async () => {
    const res = await preflight(EVIL)
    expect(res.headers.get('access-control-allow-origin')).toBeNull()
    const read = await api(server, '/api/stats', { token: admin, headers: { origin: EVIL } })
    expect(read.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('never allows credentials (cookies) cross-origin: the API uses bearer headers only', async () => {
    const res = await preflight(ALLOWED)
    expect(res.headers.get('access-control-allow-credentials')).toBeNull()
  })
})

describe('cross-site WebSocket hijacking', () => {
  it('refuses a polling handshake from an origin not allowed', async () => {
    await expect(connectSocket(server, { token: admin }, { transports: ['polling'], extraHeaders: { origin: EVIL } })).rejects.toThrow()
  })

  it('refuses a websocket handshake from an origin not allowed (socket.io-client and a raw ws upgrade)', async () => {
    await expect(connectSocket(server, { token: admin }, { transports: ['websocket'], extraHeaders: { origin: EVIL } })).rejects.toThrow()
    const wsUrl = `${server.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`
    const outcome = await new Promise<string>((resolve) => {
      const ws = new WebSocket(wsUrl, { headers: { origin: EVIL } })
      ws.once('open', () => {
        ws.close()
        resolve('open')
      })
      ws.once('unexpected-response', (_req, res) => resolve(`refused ${res.statusCode}`))
      ws.once('error', (error) => resolve(`error ${error.message}`))
    })
    expect(outcome).toMatch(/^(refused 4\d\d|error)/)
    // Control: the same raw upgrade from an allowed origin opens.
    const allowed = await new Promise<string>((resolve) => {
      const ws = new WebSocket(wsUrl, { headers: { origin: ALLOWED } })
      ws.once('open', () => {
        ws.close()
        resolve('open')
      })
      ws.once('error', (error) => resolve(`error ${error.message}`))
    })
    expect(allowed).toBe('open')
  })

  it('accepts allowed and same origins over both transports', async () => {
    for (const transports of [['polling'], ['websocket']]) {
      for (const origin of [ALLOWED, server.url]) {
        const socket = await connectSocket(server, undefined, { transports, extraHeaders: { origin } })
        expect(socket.connected).toBe(true)
        socket.close()
      }
    }
  })
})

describe('credentials never come from cookies alone', () => {
  it('REST: an admin token in a cookie is ignored', async () => {
    for (const cookie of [`token=${admin}`, `authorization=Bearer ${admin}`, `orderline.session=${admin}`]) {
      const res = await api(server, '/api/orders', { headers: { cookie } })
      expect(res.status).toBe(401)
    }
  })

  it('Socket.IO: a handshake with the token in a cookie is an anonymous connection', async () => {
    const socket = await connectSocket(server, undefined, { transports: ['polling'], extraHeaders: { cookie: `token=${admin}` } })
    try {
      const got = collect(socket, 'newOrder')
      await placeOrder(server)
      await sleep(200)
      expect(got).toHaveLength(0)
    } finally {
      socket.close()
    }
  })
})
