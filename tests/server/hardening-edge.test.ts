/**
 * The edge of the server, against real TCP clients: the Host allow-list (DNS rebinding) on REST
 * and on every Engine.IO request, the Origin check on the WebSocket upgrade of an existing
 * session, request and header timeouts against a slow client, the per-address caps on TCP
 * connections and on Socket.IO connections, /metrics behind a bearer token, and source maps.
 */
import http from 'node:http'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect as tcpConnect } from 'node:net'
import type { Socket as TcpSocket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../server/app'
import { loadConfig } from '../../server/config'
import { api, connectSocket, sleep, startServer } from './helpers'
import type { ClientSocket } from './helpers'

const EVIL_HOST = 'evil.example'

interface RawResponse {
  status: number
  body: string
}

/** http.request, because fetch will not send a Host header of our choosing. */
function rawRequest(
  server: RunningServer,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  const url = new URL(server.url)
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: url.hostname, port: url.port, path, method: options.method ?? 'GET', headers: options.headers, agent: false },
      (response) => {
        let body = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => (body += chunk))
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }))
      },
    )
    request.on('error', reject)
    request.end(options.body)
  })
}

/** A polling handshake: the session id of a new Engine.IO session. */
async function pollingSession(server: RunningServer): Promise<string> {
  const res = await rawRequest(server, '/socket.io/?EIO=4&transport=polling')
  expect(res.status).toBe(200)
  const sid = /"sid":"([^"]+)"/.exec(res.body)?.[1]
  if (!sid) throw new Error(`no sid in ${res.body}`)
  return sid
}

/** A raw WebSocket upgrade: `open` or `refused <status>`. */
function upgrade(server: RunningServer, query: string, headers: Record<string, string>): Promise<string> {
  const wsUrl = `${server.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket${query}`
  return new Promise((resolve) => {
    const ws = new WebSocket(wsUrl, { headers })
    ws.once('open', () => {
      ws.close()
      resolve('open')
    })
    ws.once('unexpected-response', (_req, res) => {
      resolve(`refused ${res.statusCode}`)
      res.resume()
    })
    ws.once('error', (error) => resolve(`error ${error.message}`))
  })
}

describe('Host allow-list (ALLOWED_HOSTS): 421 for any other name, everywhere', () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startServer({ allowedHosts: ['orderline.example'] })
  })
  afterAll(() => server.close())

  it('REST: a foreign Host is 421 in the envelope; listed names and the own address are served', async () => {
    const evil = await rawRequest(server, '/api/products', { headers: { host: EVIL_HOST } })
    expect(evil.status).toBe(421)
    expect(JSON.parse(evil.body).error.code).toBe('misdirected_request')
    // The listing and the health probe from the machine itself.
    expect((await rawRequest(server, '/api/products', { headers: { host: 'orderline.example' } })).status).toBe(200)
    expect((await rawRequest(server, '/api/products', { headers: { host: 'Orderline.Example:8443' } })).status).toBe(200)
    expect((await api(server, '/readyz')).status).toBe(200)
    // The own address with another port is another origin: not served.
    expect((await rawRequest(server, '/healthz', { headers: { host: '127.0.0.1:1' } })).status).toBe(421)
  })

  it('Engine.IO: the handshake, a poll and a POST of an existing session, and a preflight', async () => {
    expect((await rawRequest(server, '/socket.io/?EIO=4&transport=polling', { headers: { host: EVIL_HOST } })).status).toBe(421)
    const sid = await pollingSession(server)
    const poll = await rawRequest(server, `/socket.io/?EIO=4&transport=polling&sid=${sid}`, { headers: { host: EVIL_HOST } })
    expect(poll.status).toBe(421)
    expect(JSON.parse(poll.body).error.code).toBe('misdirected_request')
    const post = await rawRequest(server, `/socket.io/?EIO=4&transport=polling&sid=${sid}`, {
      method: 'POST',
      headers: { host: EVIL_HOST, 'content-type': 'text/plain;charset=UTF-8' },
      body: '40',
    })
    expect(post.status).toBe(421)
    const preflight = await rawRequest(server, `/socket.io/?EIO=4&transport=polling&sid=${sid}`, {
      method: 'OPTIONS',
      headers: { host: EVIL_HOST, origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    })
    expect(preflight.status).toBe(421)
  })

  it('Engine.IO: the WebSocket upgrade, new and of an existing session', async () => {
    expect(await upgrade(server, '', { host: EVIL_HOST })).toBe('refused 421')
    const sid = await pollingSession(server)
    expect(await upgrade(server, `&sid=${sid}`, { host: EVIL_HOST })).toBe('refused 421')
    // Control: the same upgrade with the server's own Host opens.
    expect(await upgrade(server, `&sid=${sid}`, {})).toBe('open')
  })

  it("the development default serves only this node's own addresses; production needs a list", async () => {
    const dev = await startServer()
    try {
      expect((await rawRequest(dev, '/healthz', { headers: { host: `localhost:${new URL(dev.url).port}` } })).status).toBe(200)
      expect((await rawRequest(dev, '/healthz', { headers: { host: EVIL_HOST } })).status).toBe(421)
    } finally {
      await dev.close()
    }
    const production = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), ADMIN_PASSWORD: 'a-real-password' }
    expect(() => loadConfig(production)).toThrow(/ALLOWED_HOSTS is not set/)
    expect(loadConfig({ ...production, ALLOWED_HOSTS: 'Shop.Example, shop.example:8443' }).allowedHosts).toEqual([
      'shop.example',
      'shop.example:8443',
    ])
    expect(() => loadConfig({ ALLOWED_HOSTS: 'https://shop.example' })).toThrow(/ALLOWED_HOSTS/)
  })
})

describe('Origin on every Engine.IO request, the upgrade included', () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startServer()
  })
  afterAll(() => server.close())

  it('refuses the upgrade of an existing session from a foreign Origin', async () => {
    const sid = await pollingSession(server)
    expect(await upgrade(server, `&sid=${sid}`, { origin: 'https://evil.example' })).toBe('refused 403')
    const poll = await rawRequest(server, `/socket.io/?EIO=4&transport=polling&sid=${sid}`, { headers: { origin: 'https://evil.example' } })
    expect(poll.status).toBe(403)
    expect(await upgrade(server, `&sid=${sid}`, { origin: server.url })).toBe('open')
  })
})

/** Connects, sends `head`, then one byte of body per `everyMs`; resolves with what the server wrote and when it closed. */
function slowClient(
  server: RunningServer,
  head: string,
  trickle: string,
  everyMs: number,
): Promise<{ response: string; closedAfterMs: number }> {
  const url = new URL(server.url)
  return new Promise((resolve) => {
    const started = Date.now()
    const socket = tcpConnect(Number(url.port), url.hostname)
    let response = ''
    let timer: NodeJS.Timeout | undefined
    let sent = 0
    socket.setEncoding('utf8')
    socket.on('connect', () => {
      socket.write(head)
      timer = setInterval(() => {
        if (sent < trickle.length && socket.writable) socket.write(trickle[sent++]!)
      }, everyMs)
    })
    socket.on('data', (chunk: string) => (response += chunk))
    socket.on('error', () => {})
    socket.on('close', () => {
      clearInterval(timer)
      resolve({ response, closedAfterMs: Date.now() - started })
    })
    // The test's own bound: a server that never times the client out fails here.
    setTimeout(() => socket.destroy(), 8_000).unref()
  })
}

describe('slow clients are timed out', () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startServer({ requestTimeoutMs: 1_500, headersTimeoutMs: 800 })
  })
  afterAll(() => server.close())

  it('a body trickled byte by byte: 408 once the request timeout passes', async () => {
    const body = JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(30_000) })
    const head = `POST /api/auth/login HTTP/1.1\r\nHost: ${new URL(server.url).host}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`
    const result = await slowClient(server, head, body, 50)
    expect(result.response).toMatch(/^HTTP\/1\.1 408/)
    expect(result.response).toContain('"request_timeout"')
    expect(result.closedAfterMs).toBeLessThan(4_000)
  })

  it('headers trickled byte by byte: cut off once the header timeout passes', async () => {
    const head = 'GET /api/products HTTP/1.1\r\n'
    const result = await slowClient(server, head, `Host: ${new URL(server.url).host}\r\nX-Slow: ${'y'.repeat(5_000)}\r\n\r\n`, 50)
    expect(result.response).toMatch(/^HTTP\/1\.1 408/)
    expect(result.closedAfterMs).toBeLessThan(4_000)
  })

  it('a normal request on the same server is unaffected (control)', async () => {
    expect((await api(server, '/api/products')).status).toBe(200)
  })
})

/** An idle TCP connection; resolves once connected. */
function openIdle(server: RunningServer): Promise<TcpSocket> {
  const url = new URL(server.url)
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(Number(url.port), url.hostname, () => resolve(socket))
    socket.on('error', reject)
  })
}

describe('per-address caps', () => {
  it('TCP: connections past ORDERLINE_CONNECTIONS_PER_IP are answered 503 and closed; others are unaffected', async () => {
    const server = await startServer({ connectionsPerIp: 5 })
    const idle: TcpSocket[] = []
    try {
      for (let i = 0; i < 5; i++) idle.push(await openIdle(server))
      const refused = await slowClient(server, `GET /healthz HTTP/1.1\r\nHost: ${new URL(server.url).host}\r\n\r\n`, '', 1_000)
      expect(refused.response).toMatch(/^HTTP\/1\.1 503/)
      expect(refused.response).toContain('"too_many_connections"')
      idle.pop()?.destroy()
      await sleep(100)
      expect((await api(server, '/healthz')).status).toBe(200)
    } finally {
      for (const socket of idle) socket.destroy()
      await server.close()
    }
  })

  it('Socket.IO: connections past ORDERLINE_SOCKETS_PER_IP are refused over both transports, per forwarded client', async () => {
    const server = await startServer({ socketsPerIp: 3, trustProxy: ['127.0.0.1'] })
    const sockets: ClientSocket[] = []
    const from = (address: string, transports: string[]) =>
      connectSocket(server, undefined, { transports, extraHeaders: { 'x-forwarded-for': address } })
    try {
      for (let i = 0; i < 3; i++) sockets.push(await from('203.0.113.7', i % 2 ? ['polling'] : ['websocket']))
      await expect(from('203.0.113.7', ['websocket'])).rejects.toThrow()
      await expect(from('203.0.113.7', ['polling'])).rejects.toThrow()
      const polled = await rawRequest(server, '/socket.io/?EIO=4&transport=polling', { headers: { 'x-forwarded-for': '203.0.113.7' } })
      expect(polled.status).toBe(429)
      expect(JSON.parse(polled.body).error.code).toBe('too_many_connections')
      // Another client behind the same proxy has its own budget.
      sockets.push(await from('198.51.100.9', ['websocket']))
      // A closed socket frees its place.
      sockets.shift()?.close()
      await sleep(200)
      sockets.push(await from('203.0.113.7', ['websocket']))
    } finally {
      for (const socket of sockets) socket.close()
      await server.close()
    }
  })
})

describe('/metrics', () => {
  const TOKEN = 'metrics-token-metrics-token-123'

  it('production with METRICS_TOKEN: 401 without the bearer token, 200 with it', async () => {
    const server = await startServer({ production: true, metricsToken: TOKEN })
    try {
      const anonymous = await api(server, '/metrics')
      expect(anonymous.status).toBe(401)
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer')
      expect((await api(server, '/metrics', { token: 'wrong-token-wrong-token-wrong' })).status).toBe(401)
      const allowed = await api(server, '/metrics', { token: TOKEN })
      expect(allowed.status).toBe(200)
      expect(allowed.text).toContain('http_requests_total')
    } finally {
      await server.close()
    }
  })

  it('production without METRICS_TOKEN: 404', async () => {
    const server = await startServer({ production: true })
    try {
      const res = await api(server, '/metrics')
      expect(res.status).toBe(404)
      expect(res.text).not.toContain('http_requests_total')
    } finally {
      await server.close()
    }
  })
})

describe('source maps', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'orderline-maps-'))
    mkdirSync(join(dir, 'assets'))
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Orderline</title>')
    writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)\n//# sourceMappingURL=app.js.map')
    writeFileSync(join(dir, 'assets', 'app.js.map'), '{"version":3,"sourcesContent":["secret source"]}')
    writeFileSync(join(dir, 'sw.js.map'), '{"version":3}')
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('are not served in production (the scripts still are)', async () => {
    const server = await startServer({ production: true, staticDir: dir })
    try {
      for (const path of ['/assets/app.js.map', '/sw.js.map', '/assets/app.js.map?x=1', '/assets/app.js%2Emap', '/assets/app.js.MAP']) {
        const res = await api(server, path)
        expect(res.status, path).toBe(404)
        expect(res.text).not.toContain('secret source')
      }
      expect((await api(server, '/assets/app.js')).status).toBe(200)
    } finally {
      await server.close()
    }
  })

  it('are served in development (control)', async () => {
    const server = await startServer({ staticDir: dir })
    try {
      expect((await api(server, '/assets/app.js.map')).status).toBe(200)
    } finally {
      await server.close()
    }
  })
})
