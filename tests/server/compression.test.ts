/**
 * Compressed responses over real HTTP: the build's .br/.gz copies (scripts/precompress.ts) served
 * by routes/static.ts, API JSON compressed on the fly (http/compression.ts), and neither getting
 * in the way of conditional requests, Socket.IO's polling transport, or nginx (deploy/nginx.conf).
 * Bodies are read with node:http, which (unlike fetch) hands over the bytes exactly as sent.
 */
import { request as httpRequest } from 'node:http'
import type { IncomingHttpHeaders } from 'node:http'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findNginx, startNginx } from '../../scripts/cluster-lib.mjs'
import type { NginxProcess } from '../../scripts/cluster-lib.mjs'
import { precompressDir } from '../../scripts/precompress'
import type { RunningServer } from '../../server/app'
import { connectSocket, loginAdmin, placeOrder, startServer, waitForEvent, patchStatus } from './helpers'

interface RawResponse {
  status: number
  headers: IncomingHttpHeaders
  body: Buffer
}

/** One GET; the body exactly as it came off the wire (no decoding). */
function get(base: string, path: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, base), { headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

function decode(res: RawResponse): Buffer {
  const encoding = res.headers['content-encoding']
  if (encoding === 'br') return brotliDecompressSync(res.body)
  if (encoding === 'gzip') return gunzipSync(res.body)
  if (encoding === undefined || encoding === 'identity') return res.body
  throw new Error(`unexpected content-encoding ${encoding}`)
}

const varyTokens = (res: RawResponse) =>
  String(res.headers.vary ?? '')
    .toLowerCase()
    .split(/\s*,\s*/)

/** Looks like a bundle: repetitive enough to compress well, large enough to be worth it. */
const bigScript = Array.from({ length: 400 }, (_, i) => `export const value${i} = () => console.log("order ${i}", ${i * 7})`).join('\n')
const HTML = `<!doctype html><title>Orderline</title>${'<meta name="x" content="padding the shell past a kilobyte">'.repeat(30)}<div id="app"></div>`

let dir: string
let server: RunningServer
let plain: RunningServer
let admin: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'orderline-compression-'))
  mkdirSync(join(dir, 'assets'))
  writeFileSync(join(dir, 'assets', 'app.js'), bigScript)
  writeFileSync(join(dir, 'assets', 'tiny.js'), 'console.log("tiny")')
  writeFileSync(join(dir, 'sw.js'), `self.addEventListener("fetch", () => {})\n${bigScript}`)
  writeFileSync(join(dir, 'index.html'), HTML)
  precompressDir(dir)
  // nginx forwards the client's Host (its own port): allow the name, as a deployment's ALLOWED_HOSTS does.
  server = await startServer({ staticDir: dir, compression: true, allowedHosts: ['127.0.0.1', 'localhost'] })
  plain = await startServer({ staticDir: dir, compression: false })
  admin = await loginAdmin(server)
  // Enough orders for the admin list to pass the compression threshold.
  for (let i = 0; i < 6; i++) await placeOrder(server)
})
afterAll(async () => {
  await server?.close()
  await plain?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('build step', () => {
  it('writes .br and .gz copies of compressible files of 1 KB and more, and none of small ones', () => {
    expect(brotliDecompressSync(readFileSync(join(dir, 'assets', 'app.js.br'))).toString()).toBe(bigScript)
    expect(gunzipSync(readFileSync(join(dir, 'assets', 'app.js.gz'))).toString()).toBe(bigScript)
    expect(() => readFileSync(join(dir, 'assets', 'tiny.js.br'))).toThrow()
    expect(() => readFileSync(join(dir, 'assets', 'tiny.js.gz'))).toThrow()
  })
})

describe('static files', () => {
  it('sends the brotli copy to a browser that accepts br, with its own length and validator', async () => {
    const res = await get(server.url, '/assets/app.js', { 'accept-encoding': 'gzip, deflate, br, zstd' })
    expect(res.status).toBe(200)
    expect(res.headers['content-encoding']).toBe('br')
    expect(varyTokens(res)).toContain('accept-encoding')
    expect(Number(res.headers['content-length'])).toBe(res.body.length)
    expect(res.body.length).toBeLessThan(Buffer.byteLength(bigScript) / 3)
    expect(decode(res).toString()).toBe(bigScript)
    expect(res.headers['content-type']).toContain('javascript')
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable')

    const etag = String(res.headers.etag)
    const again = await get(server.url, '/assets/app.js', { 'accept-encoding': 'br', 'if-none-match': etag })
    expect(again.status).toBe(304)
    expect(again.body.length).toBe(0)
    // Each encoding is its own representation: the identity file's validator differs.
    const identity = await get(server.url, '/assets/app.js')
    expect(identity.headers.etag).not.toBe(etag)
  })

  it('sends gzip when only gzip is accepted, and the file itself when nothing is', async () => {
    const gzip = await get(server.url, '/assets/app.js', { 'accept-encoding': 'gzip' })
    expect(gzip.headers['content-encoding']).toBe('gzip')
    expect(Number(gzip.headers['content-length'])).toBe(gzip.body.length)
    expect(decode(gzip).toString()).toBe(bigScript)
    expect(varyTokens(gzip)).toContain('accept-encoding')

    for (const headers of [{}, { 'accept-encoding': 'identity' }, { 'accept-encoding': 'deflate' }] as Record<string, string>[]) {
      const res = await get(server.url, '/assets/app.js', headers)
      expect(res.headers['content-encoding'], JSON.stringify(headers)).toBeUndefined()
      expect(res.body.toString()).toBe(bigScript)
      expect(Number(res.headers['content-length'])).toBe(res.body.length)
      expect(varyTokens(res)).toContain('accept-encoding')
      const revalidated = await get(server.url, '/assets/app.js', { ...headers, 'if-none-match': String(res.headers.etag) })
      expect(revalidated.status).toBe(304)
    }
  })

  it('leaves a file without copies alone: no on-the-fly compression, exact length', async () => {
    const res = await get(server.url, '/assets/tiny.js', { 'accept-encoding': 'br, gzip' })
    expect(res.status).toBe(200)
    expect(res.headers['content-encoding']).toBeUndefined()
    expect(res.body.toString()).toBe('console.log("tiny")')
    expect(Number(res.headers['content-length'])).toBe(res.body.length)
  })

  it('keeps no-cache on the compressed service worker and the compressed SPA shell', async () => {
    const sw = await get(server.url, '/sw.js', { 'accept-encoding': 'br' })
    expect(sw.headers['content-encoding']).toBe('br')
    expect(sw.headers['cache-control']).toBe('no-cache')
    expect(sw.headers['content-type']).toContain('javascript')

    for (const path of ['/', '/track/ord_123']) {
      const shell = await get(server.url, path, { 'accept-encoding': 'gzip, br', accept: 'text/html' })
      expect(shell.status, path).toBe(200)
      expect(shell.headers['content-encoding'], path).toBe('br')
      expect(shell.headers['cache-control'], path).toBe('no-cache')
      expect(shell.headers['content-type'], path).toContain('text/html')
      expect(varyTokens(shell), path).toContain('accept-encoding')
      expect(decode(shell).toString(), path).toBe(HTML)
    }
  })

  it('sends every file uncompressed with compression turned off', async () => {
    const res = await get(plain.url, '/assets/app.js', { 'accept-encoding': 'br, gzip' })
    expect(res.headers['content-encoding']).toBeUndefined()
    expect(res.body.toString()).toBe(bigScript)
  })
})

describe('API', () => {
  it('compresses a list above the threshold with the best encoding accepted', async () => {
    const br = await get(server.url, '/api/orders', { authorization: `Bearer ${admin}`, 'accept-encoding': 'gzip, deflate, br' })
    expect(br.status).toBe(200)
    expect(br.headers['content-encoding']).toBe('br')
    expect(varyTokens(br)).toContain('accept-encoding')
    const page = JSON.parse(decode(br).toString()) as { orders: unknown[] }
    expect(page.orders.length).toBeGreaterThanOrEqual(6)
    expect(decode(br).length).toBeGreaterThan(1024)

    const gzip = await get(server.url, '/api/orders', { authorization: `Bearer ${admin}`, 'accept-encoding': 'gzip' })
    expect(gzip.headers['content-encoding']).toBe('gzip')
    expect(decode(gzip).toString()).toBe(decode(br).toString())

    const identity = await get(server.url, '/api/orders', { authorization: `Bearer ${admin}` })
    expect(identity.headers['content-encoding']).toBeUndefined()
    expect(identity.body.toString()).toBe(decode(br).toString())
  })

  it('leaves small JSON uncompressed', async () => {
    const res = await get(server.url, '/healthz', { 'accept-encoding': 'br, gzip' })
    expect(res.status).toBe(200)
    expect(res.headers['content-encoding']).toBeUndefined()
    const products = await get(server.url, '/api/products', { 'accept-encoding': 'br, gzip' })
    expect(products.body.length).toBeLessThan(1024)
    expect(products.headers['content-encoding']).toBeUndefined()
  })

  it('still answers a matching If-None-Match with an empty 304', async () => {
    const { order } = await placeOrder(server)
    const auth = { authorization: `Bearer ${admin}`, 'accept-encoding': 'br, gzip' }
    const first = await get(server.url, `/api/orders/${order.id}`, auth)
    expect(first.status).toBe(200)
    const etag = String(first.headers.etag)
    const again = await get(server.url, `/api/orders/${order.id}`, { ...auth, 'if-none-match': etag })
    expect(again.status).toBe(304)
    expect(again.headers['content-encoding']).toBeUndefined()
    expect(again.body.length).toBe(0)
    expect(again.headers.etag).toBe(etag)
  })

  it('sends the list uncompressed with compression turned off', async () => {
    const token = await loginAdmin(plain)
    await placeOrder(plain)
    const res = await get(plain.url, '/api/orders', { authorization: `Bearer ${token}`, 'accept-encoding': 'br, gzip' })
    expect(res.status).toBe(200)
    expect(res.headers['content-encoding']).toBeUndefined()
  })
})

describe('Socket.IO long polling on the same server', () => {
  it('answers the Engine.IO polling handshake itself, untouched by the API compression', async () => {
    const res = await get(server.url, '/socket.io/?EIO=4&transport=polling', { 'accept-encoding': 'br, gzip' })
    expect(res.status).toBe(200)
    // A small handshake: Engine.IO's own httpCompression leaves it as it is, and nothing else encodes it.
    expect(res.headers['content-encoding']).toBeUndefined()
    expect(res.body.toString()).toMatch(/^0\{"sid":/)
  })

  it('connects over polling only and receives an order update', async () => {
    const { order, trackingToken } = await placeOrder(server)
    const socket = await connectSocket(server, undefined, { transports: ['polling'], extraHeaders: { 'accept-encoding': 'br, gzip' } })
    try {
      expect(socket.io.engine.transport.name).toBe('polling')
      expect(await socket.timeout(3000).emitWithAck('watchOrder', { orderId: order.id, token: trackingToken } as never)).toMatchObject({
        ok: true,
      })
      const updated = waitForEvent(socket, 'orderUpdated')
      await patchStatus(server, admin, order, 'confirmed')
      expect((await updated).order.status).toBe('confirmed')
    } finally {
      socket.close()
    }
  })
})

describe.skipIf(!findNginx())('through nginx (deploy/nginx.conf)', () => {
  let nginx: NginxProcess
  beforeAll(async () => {
    const port = Number(new URL(server.url).port)
    nginx = await startNginx({ upstreamPorts: [port] })
  })
  afterAll(async () => {
    await nginx?.stop()
  })

  it('passes a compressed asset through once: same bytes, same length, one encoding', async () => {
    const direct = await get(server.url, '/assets/app.js', { 'accept-encoding': 'gzip, br' })
    const proxied = await get(nginx.url, '/assets/app.js', { 'accept-encoding': 'gzip, br' })
    expect(proxied.status).toBe(200)
    expect(proxied.headers['content-encoding']).toBe('br')
    expect(proxied.body.equals(direct.body)).toBe(true)
    expect(decode(proxied).toString()).toBe(bigScript)
    expect(varyTokens(proxied)).toContain('accept-encoding')
    expect(proxied.headers.etag).toBe(direct.headers.etag)
  })

  it('passes compressed API JSON through once and leaves small responses as the node sent them', async () => {
    const list = await get(nginx.url, '/api/orders', { authorization: `Bearer ${admin}`, 'accept-encoding': 'gzip' })
    expect(list.headers['content-encoding']).toBe('gzip')
    expect((JSON.parse(decode(list).toString()) as { orders: unknown[] }).orders.length).toBeGreaterThan(0)
    const tiny = await get(nginx.url, '/assets/tiny.js', { 'accept-encoding': 'gzip' })
    expect(tiny.headers['content-encoding']).toBeUndefined()
    expect(tiny.body.toString()).toBe('console.log("tiny")')
  })
})
