/**
 * Security, property-based fuzzing of every REST endpoint (fast-check): random JSON, wrong types,
 * valid bodies with one field broken, huge strings, prototype-pollution keys, invalid UTF-8 and
 * invalid JSON text, wrong content types, odd paths, queries and headers. For every case: no 5xx,
 * an `{error: {code, message}}` envelope on every 4xx, no change to stored orders or the change
 * log when the request was refused, and the process still serving afterwards.
 */
import { Agent, request as httpRequest } from 'node:http'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../server/app'
import { LIMITS } from '../../src/protocol/limits'
import { api, loginAdmin, placeOrder, startServer } from './helpers'
import { snapshot } from './securitySupport'

let server: RunningServer
let adminToken: string
let order: { id: string; token: string }
let cases = 0
const agent = new Agent({ keepAlive: true, maxSockets: 4 })

beforeAll(async () => {
  // Limits off: the fuzzer is here to reach validation, not the 429 in front of it.
  server = await startServer({ loginRateLimitPerMinute: 0, loginRateLimitPerAccount: 0, orderRateLimitPerIp: 0 })
  adminToken = await loginAdmin(server)
  const placed = await placeOrder(server)
  order = { id: placed.order.id, token: placed.trackingToken }
})
afterAll(async () => {
  console.log(`[figure] HTTP fuzz cases run: ${cases}`)
  agent.destroy()
  await server.close()
})

interface RawRequest {
  method: string
  path: string
  headers: Record<string, string>
  body?: string | Uint8Array
}

function send(req: RawRequest, retried = false): Promise<{ status: number; text: string; contentType: string }> {
  const url = new URL(server.url)
  // Always frame the body: Node's client sends an unframed body for DELETE/OPTIONS otherwise.
  const headers = req.body === undefined ? req.headers : { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) }
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ agent, host: url.hostname, port: url.port, method: req.method, path: req.path, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          text: Buffer.concat(chunks).toString('utf8'),
          contentType: String(res.headers['content-type'] ?? ''),
        }),
      )
      res.on('error', reject)
    })
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      // A keep-alive connection the server closed after an earlier answer (e.g. 413 mid-upload)
      // is a client-side race, not a server failure: retry once on a fresh connection.
      if (!retried && outgoing.reusedSocket && (error.code === 'ECONNRESET' || error.message === 'socket hang up')) {
        send(req, true).then(resolve, reject)
      } else reject(error)
    })
    if (req.body !== undefined) outgoing.write(req.body)
    outgoing.end()
  })
}

/** The property every case must hold. */
async function check(req: RawRequest): Promise<void> {
  cases++
  const before = await snapshot(server)
  const res = await send(req)
  const label = `${req.method} ${req.path} ${String(req.body ?? '').slice(0, 200)}`
  expect(res.status, label).toBeLessThan(500)
  if (res.status >= 400) {
    expect(res.contentType, label).toContain('application/json')
    const body = JSON.parse(res.text) as { error?: { code?: unknown; message?: unknown } }
    expect(typeof body.error?.code, `${label} → ${res.status} ${res.text.slice(0, 200)}`).toBe('string')
    expect(typeof body.error?.message, label).toBe('string')
    expect(await snapshot(server), `${label} changed stored data`).toBe(before)
  }
}

// ---- arbitraries ----

const printable = fc.string({ unit: 'grapheme-ascii', maxLength: 80 }).map((s) => s.replace(/[^\x20-\x7e]/g, ''))
const anyString = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
)
const huge = fc.integer({ min: 1_000, max: LIMITS.httpBody * 2 }).map((n) => 'ü'.repeat(n))
const pollution = fc.constantFrom(
  '{"__proto__": {"isAdmin": true, "role": "admin"}}',
  '{"constructor": {"prototype": {"isAdmin": true}}}',
  '{"items": [{"productId": "espresso", "quantity": 1, "__proto__": {"quantity": 99}}], "customer": {"name": "A", "email": "a@example.com"}}',
  '{"status": "confirmed", "version": 1, "__proto__": {"status": "delivered"}}',
  '{"email": "admin@test.local", "password": "x", "constructor": {"prototype": {"role": "admin"}}}',
)
const wild = fc.oneof(fc.jsonValue({ maxDepth: 3 }), anyString, huge, fc.constant(null), fc.integer(), fc.double(), fc.boolean())
const jsonValueText = fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v))
const brokenJson = fc.oneof(
  printable,
  fc.constantFrom('{', '{"a":', '[1,2', '{"a":1}}', 'nul', '"unterminated', "{'single': 1}", '{"a":1,}', '\u0000', 'NaN', '1e309'),
)
const invalidUtf8 = fc.uint8Array({ minLength: 1, maxLength: 200 }).map((bytes) => Uint8Array.from([0x7b, 0x22, 0xff, 0xfe, ...bytes]))

const validOrderBody = {
  items: [{ productId: 'espresso', quantity: 1 }],
  customer: { name: 'Fuzz', email: 'fuzz@example.com' },
  note: 'hi',
}
/** Delivery details: plausible, hostile (controls, bidi overrides, odd digits) and wrongly typed. */
const addressValue = fc.oneof(anyString, huge, wild, fc.constantFrom('  12 Main St  ', 'a\nb', 'x\u202ey', 'Cafe\u0301', '\u0000', ''))
const phoneValue = fc.oneof(
  anyString,
  wild,
  fc.stringMatching(/^\+?[0-9 ()-]{0,25}$/),
  fc.constantFrom('+1 555 0100', '１２３４５６７', '++123456', ' ', ''),
)
/** A valid-shaped body with some fields replaced by wild values or extra keys: "wrong types". */
const mutatedOrderBody = fc
  .record(
    {
      items: fc.oneof(
        fc.constant(validOrderBody.items),
        wild,
        fc.array(fc.record({ productId: fc.oneof(anyString, wild), quantity: fc.oneof(fc.integer(), wild) }), { maxLength: 60 }),
      ),
      customer: fc.oneof(
        fc.constant(validOrderBody.customer),
        wild,
        fc.record({ name: fc.oneof(anyString, huge, wild), email: fc.oneof(anyString, wild) }),
        fc.record(
          { name: fc.constant('Fuzz'), email: fc.constant('fuzz@example.com'), address: addressValue, phone: phoneValue },
          { requiredKeys: ['name', 'email'] },
        ),
      ),
      note: fc.oneof(anyString, huge, wild),
      extra: wild,
    },
    { requiredKeys: [] },
  )
  .filter((body) => JSON.stringify(body) !== JSON.stringify(validOrderBody))
/**
 * Push subscriptions. Endpoint hosts are IP literals outside the public internet, `localhost` or
 * no URL at all: the server must refuse them all, and no fuzz case may make it resolve or
 * contact a real host.
 */
const validKeys = {
  p256dh: 'BP-pb-Oh8YYVPw8g2T7o-aWPpplvlwuqhH8B-qQyijORtt4shpbrjjSqREV52St_wD80wd9wX4hv805qve_v00I',
  auth: '6jsWhis-a7k-mTl1zMmsUQ',
}
const endpointValue = fc.oneof(
  anyString.filter((s) => !/^[a-z][a-z0-9+.-]*:/i.test(s)),
  fc.constantFrom(
    'http://127.0.0.1:9/x',
    'https://127.0.0.1/x',
    'https://10.0.0.1/x',
    'https://[::1]/x',
    'https://[::ffff:192.168.0.1]/x',
    'https://169.254.169.254/latest',
    'https://localhost/x',
    'https://0/x',
    'ftp://10.0.0.1/x',
    'javascript:alert(1)',
    'https://user:pw@10.0.0.1/x',
    'https://10.0.0.1:8443/x',
  ),
  fc
    .constantFrom('10.0.0.1', '127.0.0.1', '[fd00::1]', '192.168.1.1')
    .chain((host) => printable.map((path) => `https://${host}/${encodeURIComponent(path)}`)),
  huge,
  wild,
)
const mutatedSubscription = fc.record(
  {
    endpoint: endpointValue,
    expirationTime: fc.oneof(fc.constant(null), wild),
    keys: fc.oneof(
      fc.constant(validKeys),
      wild,
      fc.record(
        {
          p256dh: fc.oneof(anyString, fc.constant(validKeys.p256dh), fc.constant(`B${'A'.repeat(86)}`)),
          auth: fc.oneof(anyString, fc.constant(validKeys.auth)),
        },
        { requiredKeys: [] },
      ),
    ),
    extra: wild,
  },
  { requiredKeys: [] },
)
const idempotencyKey = fc.oneof(
  fc.constant(undefined),
  printable,
  fc.uuid(),
  fc.constantFrom('short', 'x'.repeat(129), 'fixed-fuzz-key-0123456789'),
)
const mutatedPatchBody = fc.record(
  {
    status: fc.oneof(anyString, wild, fc.constantFrom('placed', 'delivered', 'Confirmed', 'cancelled')),
    version: fc.oneof(fc.integer(), fc.double(), wild),
    // The cancel reason the customer sees: hostile text (controls, bidi overrides, blank, huge) and wrong types.
    reason: fc.oneof(anyString, huge, wild, fc.constantFrom('  Out of stock  ', 'a\nb', 'x\u202ey', '\u200b', '', 'Cafe\u0301')),
    extra: wild,
  },
  { requiredKeys: [] },
)
const mutatedLogin = fc.record(
  { email: fc.oneof(anyString, huge, wild), password: fc.oneof(anyString, huge, wild), extra: wild },
  { requiredKeys: [] },
)

/** Any body, text or bytes, with a JSON or a wrong content type. */
function bodyFor(structured: fc.Arbitrary<unknown>): fc.Arbitrary<{ body?: string | Uint8Array; contentType?: string }> {
  const contentType = fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/xml',
    'APPLICATION/JSON',
    'application/json; charset=latin1',
    'application/jsonx',
    '',
  )
  return fc.oneof(
    { weight: 4, arbitrary: structured.map((v) => ({ body: JSON.stringify(v) ?? 'null', contentType: 'application/json' })) },
    {
      weight: 2,
      arbitrary: fc.record({ body: fc.oneof(jsonValueText, pollution, brokenJson), contentType: fc.constant('application/json') }),
    },
    { weight: 1, arbitrary: fc.record({ body: invalidUtf8, contentType }) },
    { weight: 1, arbitrary: fc.record({ body: fc.oneof(jsonValueText, brokenJson), contentType }) },
    { weight: 1, arbitrary: fc.constant({}) },
  )
}

const authHeader = fc.oneof(
  fc.constant(undefined),
  fc.constant('admin'),
  fc.constant('tracking'),
  printable.map((s) => `Bearer ${s}`),
  printable,
  fc.constantFrom('Bearer', 'Bearer ', 'Basic YWRtaW46YWRtaW4=', 'Bearer a.b.c', 'Bearer eyJhbGciOiJub25lIn0.e30.'),
)
function headersFor(auth: string | undefined, extra: Record<string, string> = {}): Record<string, string> {
  const headers: Record<string, string> = { ...extra }
  if (auth === 'admin') headers.authorization = `Bearer ${adminToken}`
  else if (auth === 'tracking') headers.authorization = `Bearer ${order.token}`
  else if (auth !== undefined) headers.authorization = auth
  return headers
}

const pathSegment = fc.oneof(
  fc.constant('__ORDER__'),
  anyString.map((s) => encodeURIComponent(s)),
  fc.constantFrom('..', '%2e%2e', '%00', '%ff', '%', 'x'.repeat(70), '__proto__', 'constructor', '%2F', 'ord_%0a'),
)
const resolvePath = (segment: string) => (segment === '__ORDER__' ? order.id : segment || 'x')
const query = fc.oneof(
  fc.constant(''),
  fc
    .dictionary(
      fc.oneof(fc.constantFrom('status', 'cursor', 'limit', 'after', '__proto__', 'token'), printable),
      fc.oneof(printable, anyString),
      { maxKeys: 4 },
    )
    .map((d) => `?${new URLSearchParams(d as Record<string, string>).toString()}`),
  fc.constantFrom(
    '?limit=1e3',
    '?limit=-1',
    '?after=9007199254740993',
    '?status=placed&status=x',
    '?cursor=%ff',
    '?limit[]=1',
    '?&&&=',
    '?after=0x10',
    '?limit=%00',
  ),
)

// ---- properties ----

const RUNS = Number(process.env.FUZZ_RUNS ?? 250)
const withContentType = (headers: Record<string, string>, contentType?: string) =>
  contentType ? { ...headers, 'content-type': contentType } : headers

describe('REST fuzzing: no 5xx, error envelopes, no data change on refusal', () => {
  it('POST /api/orders', async () => {
    await fc.assert(
      fc.asyncProperty(bodyFor(mutatedOrderBody), authHeader, async ({ body, contentType }, auth) => {
        await check({ method: 'POST', path: '/api/orders', headers: withContentType(headersFor(auth), contentType), body })
      }),
      { numRuns: RUNS * 2 },
    )
  })

  it('POST /api/orders with any Idempotency-Key and delivery details', async () => {
    await fc.assert(
      fc.asyncProperty(bodyFor(mutatedOrderBody), authHeader, idempotencyKey, async ({ body, contentType }, auth, key) => {
        const extra: Record<string, string> = key === undefined ? {} : { 'idempotency-key': key }
        await check({ method: 'POST', path: '/api/orders', headers: withContentType(headersFor(auth, extra), contentType), body })
      }),
      { numRuns: RUNS },
    )
  })

  it('POST and DELETE /api/orders/:id/push-subscriptions with any path, body and credential', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('POST', 'DELETE'),
        pathSegment,
        bodyFor(mutatedSubscription),
        authHeader,
        async (method, segment, { body, contentType }, auth) => {
          await check({
            method,
            path: `/api/orders/${resolvePath(segment)}/push-subscriptions`,
            headers: withContentType(headersFor(auth), contentType),
            body,
          })
        },
      ),
      { numRuns: RUNS * 2 },
    )
  })

  it('POST /api/auth/login and /api/auth/logout', async () => {
    await fc.assert(
      fc.asyncProperty(
        bodyFor(mutatedLogin),
        fc.constantFrom('/api/auth/login', '/api/auth/logout'),
        authHeader,
        async ({ body, contentType }, path, auth) => {
          // Never log the fuzz server's admin out: that would make later admin cases meaningless.
          const headers = headersFor(path.endsWith('logout') && auth === 'admin' ? undefined : auth)
          await check({ method: 'POST', path, headers: withContentType(headers, contentType), body })
        },
      ),
      { numRuns: RUNS },
    )
  })

  it('GET /api/orders/:id with any path, credential and If-None-Match', async () => {
    await fc.assert(
      fc.asyncProperty(pathSegment, authHeader, fc.option(printable, { nil: undefined }), query, async (segment, auth, ifNoneMatch, qs) => {
        const extra: Record<string, string> = ifNoneMatch === undefined ? {} : { 'if-none-match': ifNoneMatch }
        await check({ method: 'GET', path: `/api/orders/${resolvePath(segment)}${qs}`, headers: headersFor(auth, extra) })
      }),
      { numRuns: RUNS },
    )
  })

  it('PATCH /api/orders/:id with any path, body, Idempotency-Key and credential', async () => {
    await fc.assert(
      fc.asyncProperty(
        pathSegment,
        bodyFor(mutatedPatchBody),
        authHeader,
        fc.option(printable, { nil: undefined }),
        async (segment, { body, contentType }, auth, key) => {
          const extra: Record<string, string> = key === undefined ? {} : { 'idempotency-key': key }
          await check({
            method: 'PATCH',
            path: `/api/orders/${resolvePath(segment)}`,
            headers: withContentType(headersFor(auth, extra), contentType),
            body,
          })
        },
      ),
      { numRuns: RUNS * 2 },
    )
  })

  it('GET /api/orders, /api/changes, /api/stats, /api/products with any query and credential', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/api/orders', '/api/changes', '/api/stats', '/api/products', '/api/push/public-key'),
        query,
        authHeader,
        async (path, qs, auth) => {
          await check({ method: 'GET', path: `${path}${qs}`, headers: headersFor(auth) })
        },
      ),
      { numRuns: RUNS * 2 },
    )
  })

  it('any method on any path, with any body', async () => {
    const method = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'PROPFIND', 'FOO')
    const path = fc.oneof(
      fc.constantFrom(
        '/api/orders',
        '/api/orders/x',
        '/api/auth/login',
        '/api/auth/logout',
        '/api/products',
        '/api/changes',
        '/api/stats',
        '/metrics',
        '/healthz',
        '/readyz',
        '/socket.io/',
        '/api/push/public-key',
        '/api/orders/x/push-subscriptions',
      ),
      pathSegment.map((s) => `/api/${s}`),
      pathSegment.map((s) => `/${s}`),
    )
    await fc.assert(
      fc.asyncProperty(method, path, bodyFor(wild), authHeader, async (m, p, { body, contentType }, auth) => {
        const safeAuth = p.endsWith('logout') && auth === 'admin' ? undefined : auth
        const b = m === 'GET' || m === 'HEAD' ? undefined : body
        const res = {
          method: m,
          path: p,
          headers: withContentType(headersFor(safeAuth), b === undefined ? undefined : contentType),
          body: b,
        }
        if (m === 'HEAD' || p.startsWith('/socket.io')) {
          // No JSON body to check on HEAD; Socket.IO answers its own protocol errors.
          cases++
          expect((await send(res)).status).toBeLessThan(500)
        } else {
          await check(res)
        }
      }),
      { numRuns: RUNS },
    )
  })

  it('nothing was polluted and the server still serves', async () => {
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined()
    expect(({} as Record<string, unknown>).role).toBeUndefined()
    expect((await api(server, '/healthz')).status).toBe(200)
    expect((await api(server, `/api/orders/${order.id}`, { token: order.token })).status).toBe(200)
    expect((await api(server, '/api/stats', { token: adminToken })).status).toBe(200)
    // No fuzz case found an endpoint the server would push to.
    expect(await server.store.db.selectFrom('push_subscriptions').selectAll().execute()).toEqual([])
  })
})
