import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../server/app'
import { LIMITS } from '../../src/protocol/limits'
import { api, loginAdmin, placeOrder } from './helpers'
import { startServer } from './helpers'

let server: RunningServer

beforeAll(async () => {
  server = await startServer({ allowedOrigins: ['https://app.example'] })
})
afterAll(() => server.close())

describe('health and metrics', () => {
  it('answers /healthz and /readyz', async () => {
    expect((await api(server, '/healthz')).status).toBe(200)
    const ready = await api(server, '/readyz')
    expect(ready.status).toBe(200)
    expect(ready.body).toMatchObject({ status: 'ready' })
  })

  it('reports 503 from /readyz when the database is gone', async () => {
    const other = await startServer()
    await other.store.close()
    const ready = await api(other, '/readyz')
    expect(ready.status).toBe(503)
    expect(ready.body.error.code).toBe('not_ready')
    await other.app.close()
    await other.io.close()
  })

  it('exposes route-pattern labels and the socket gauge', async () => {
    const { order, trackingToken } = await placeOrder(server)
    await api(server, `/api/orders/${order.id}`, { token: trackingToken })
    await api(server, '/no/such/path')
    const metrics = await api(server, '/metrics')
    expect(metrics.status).toBe(200)
    expect(metrics.headers.get('content-type')).toContain('text/plain')
    expect(metrics.text).toContain('realtime_connected_sockets')
    expect(metrics.text).toMatch(/http_requests_total\{method="GET",route="\/api\/orders\/:id",status="200"\} \d+/)
    expect(metrics.text).toMatch(/http_requests_total\{method="POST",route="\/api\/orders",status="201"\} \d+/)
    expect(metrics.text).toMatch(/route="unmatched",status="404"/)
    expect(metrics.text).not.toContain(order.id)
  })

  it('exposes the gauges the sizing guide in deploy/README.md tells operators to watch', async () => {
    const metrics = await api(server, '/metrics')
    // Event-loop delay p99 since the previous scrape, CPU and memory of the process: the signals
    // that say a node is full (see deploy/README.md, "How many watchers one node holds").
    for (const name of [
      'nodejs_eventloop_lag_p99_seconds',
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'process_open_fds',
      'process_max_fds',
    ]) {
      expect(metrics.text).toMatch(new RegExp(`^${name} [0-9.e+-]+$`, 'm'))
    }
  })

  it('keeps metrics per server instance', async () => {
    const other = await startServer()
    try {
      const metrics = await api(other, '/metrics')
      expect(metrics.text).not.toMatch(/route="\/api\/orders",status="201"/)
    } finally {
      await other.close()
    }
  })
})

describe('error envelope', () => {
  it('answers malformed JSON with 400 invalid_json', async () => {
    const res = await api(server, '/api/orders', { rawBody: '{"items": [', headers: { 'content-type': 'application/json' } })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('invalid_json')
  })

  it('answers a missing body with 400 validation_failed', async () => {
    const res = await api(server, '/api/orders', { method: 'POST', headers: { 'content-type': 'application/json' } })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('validation_failed')
  })

  it('refuses unknown fields with 400', async () => {
    const res = await api(server, '/api/orders', {
      body: { items: [{ productId: 'espresso', quantity: 1 }], customer: { name: 'A', email: 'a@example.com' }, priceCents: 1 },
    })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('validation_failed')
    expect(res.body.error.message).toMatch(/priceCents|unrecognized/i)
  })

  it('says in words what is wrong, per field (the schemas are zod/mini; the server loads its English messages)', async () => {
    const res = await api(server, '/api/orders', {
      body: { items: [{ productId: 'espresso', quantity: 1.5 }], customer: { name: 'A'.repeat(101), email: 'a@example.com' } },
    })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('validation_failed')
    expect(res.body.error.message).toContain('items.0.quantity: Invalid input: expected int, received number')
    expect(res.body.error.message).toContain('customer.name: Too big: expected string to have <=100 characters')
    expect(res.body.error.message).not.toMatch(/: Invalid input(;|$)/)
  })

  it('answers a non-JSON content type with 415', async () => {
    const res = await api(server, '/api/orders', { rawBody: 'hello', headers: { 'content-type': 'text/plain' } })
    expect(res.status).toBe(415)
    expect(res.body.error.code).toBe('unsupported_media_type')
  })

  it('answers an oversized body with 413', async () => {
    const res = await api(server, '/api/orders', {
      body: { items: [], customer: { name: 'x'.repeat(LIMITS.httpBody), email: 'a@example.com' } },
    })
    expect(res.status).toBe(413)
    expect(res.body.error.code).toBe('body_too_large')
  })

  it('answers unknown API routes with a JSON 404', async () => {
    const res = await api(server, '/api/nope', { headers: { accept: 'text/html' } })
    expect(res.status).toBe(404)
    expect(res.body.error.code).toBe('not_found')
    const del = await api(server, '/api/orders', { method: 'DELETE' })
    expect(del.status).toBe(404)
    expect(del.body.error).toBeDefined()
  })

  it('never answers 500 to junk query strings', async () => {
    const token = await loginAdmin(server)
    for (const qs of [
      '?limit=abc',
      '?limit=0',
      '?limit=1000',
      '?status=weird',
      '?cursor=abc',
      '?extra=1',
      '?status=placed&status=confirmed',
    ]) {
      const res = await api(server, `/api/orders${qs}`, { token })
      expect(res.status, qs).toBe(400)
      expect(res.body.error.code).toBeTypeOf('string')
    }
    for (const qs of ['?after=-1', '?after=x', '?limit=100000']) {
      const res = await api(server, `/api/changes${qs}`, { token })
      expect(res.status, qs).toBe(400)
    }
  })
})

describe('CORS', () => {
  it('allows listed origins and ignores others', async () => {
    const allowed = await api(server, '/api/products', { headers: { origin: 'https://app.example' } })
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example')
    const denied = await api(server, '/api/products', { headers: { origin: 'https://evil.example' } })
    expect(denied.status).toBe(200)
    expect(denied.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('answers a preflight for PATCH with Idempotency-Key', async () => {
    const res = await api(server, '/api/orders/abc', {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'PATCH',
        'access-control-request-headers': 'authorization,idempotency-key,content-type',
      },
    })
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-methods')).toContain('PATCH')
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('idempotency-key')
  })
})

describe('security headers', () => {
  it('sets nosniff and no framing by other origins', async () => {
    const res = await api(server, '/api/products')
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN')
  })
})

describe('products', () => {
  it('lists the catalogue with integer-cent prices', async () => {
    const res = await api(server, '/api/products')
    expect(res.status).toBe(200)
    expect(Array.isArray(res.body)).toBe(true)
    expect(res.body.length).toBeGreaterThanOrEqual(6)
    for (const product of res.body) expect(Number.isInteger(product.priceCents)).toBe(true)
  })
})

describe('test hooks', () => {
  it('are not registered by default', async () => {
    const res = await api(server, '/__test__/emit', { body: { event: 'newOrder', payload: 1 } })
    expect(res.status).toBe(404)
  })
})
