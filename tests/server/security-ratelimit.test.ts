/**
 * Security, abuse: the token-bucket core, then every limit over real HTTP and Socket.IO — login
 * per IP and per account, order placement per IP, watchOrder per socket, events per connection —
 * each shown to trigger (429 / `rate_limited` ack) and to recover. Windows are shortened through
 * the config so the file runs in seconds.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { RunningServer, ServerConfig } from '../../server/app'
import { createRateLimiter } from '../../server/http/rateLimit'
import type { Ack } from '../../src/protocol/events'
import type { ClientSocket } from './helpers'
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  api,
  connectSocket,
  loginAdmin,
  patchStatus,
  placeOrder,
  sleep,
  startServer,
  waitForEvent,
} from './helpers'
import { sharedTestDatabase } from './testDatabase'

describe('createRateLimiter (pure)', () => {
  it('allows a burst of `limit`, refuses the next, and refills continuously', () => {
    let t = 0
    const limiter = createRateLimiter({ limit: 3, windowMs: 300, now: () => t })
    expect([1, 2, 3].map(() => limiter.take('k').ok)).toEqual([true, true, true])
    const refused = limiter.take('k')
    expect(refused).toEqual({ ok: false, retryAfterMs: 100 })
    t = 50
    expect(limiter.take('k').ok).toBe(false)
    t = 100 // 3 per 300 ms → one token back after 100 ms
    expect(limiter.take('k').ok).toBe(true)
    expect(limiter.take('k').ok).toBe(false)
    t = 10_000 // long idle: full again, never more than the limit
    expect([1, 2, 3, 4].map(() => limiter.take('k').ok)).toEqual([true, true, true, false])
  })

  it('keeps keys apart, resets one, and turns off with limit 0', () => {
    const limiter = createRateLimiter({ limit: 1, windowMs: 1000, now: () => 0 })
    expect(limiter.take('a').ok).toBe(true)
    expect(limiter.take('a').ok).toBe(false)
    expect(limiter.take('b').ok).toBe(true)
    limiter.reset('a')
    expect(limiter.take('a').ok).toBe(true)
    const off = createRateLimiter({ limit: 0, windowMs: 1000 })
    for (let i = 0; i < 1000; i++) expect(off.take('x').ok).toBe(true)
  })

  it('stays bounded under many distinct keys (spoofed addresses, random emails)', () => {
    let t = 0
    const limiter = createRateLimiter({ limit: 2, windowMs: 100, maxKeys: 50, now: () => t })
    for (let i = 0; i < 10_000; i++) {
      t += 1
      limiter.take(`key-${i}`)
    }
    expect(limiter.size).toBeLessThanOrEqual(50)
  })
})

let server: RunningServer | undefined
const sockets: ClientSocket[] = []
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close()
  await server?.close()
  server = undefined
})

// Buckets refill continuously, so each test picks a window long against its own requests (a
// login costs one scrypt) or the bucket refills while the test is still draining it.
async function start(overrides: Partial<ServerConfig>): Promise<RunningServer> {
  server = await startServer(overrides)
  return server
}
const login = (s: RunningServer, email: string, password = 'wrong-guess') => api(s, '/api/auth/login', { body: { email, password } })

describe('login', () => {
  it('per account: one email is locked after N failures while other accounts are not', async () => {
    const s = await start({ loginRateLimitPerMinute: 1000, loginRateLimitPerAccount: 3, rateLimitWindowMs: 60_000 })
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await login(s, ADMIN_EMAIL)).status)
    expect(statuses).toEqual([401, 401, 401, 429])
    const limited = await login(s, ADMIN_EMAIL.toUpperCase()) // same account, other spelling
    expect(limited.status).toBe(429)
    expect(limited.body.error.code).toBe('rate_limited')
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect((await login(s, 'someone@example.com')).status).toBe(401)
    // Even the right password waits: the limit is checked before the password.
    expect((await login(s, ADMIN_EMAIL, ADMIN_PASSWORD)).status).toBe(429)
  })

  it('per account: recovers after the window, and a successful login restores the full budget', async () => {
    // 1 per 1.5 s: the second attempt right after the first is refused.
    const s = await start({ loginRateLimitPerMinute: 1000, loginRateLimitPerAccount: 2, rateLimitWindowMs: 3000 })
    expect((await login(s, ADMIN_EMAIL)).status).toBe(401)
    expect((await login(s, ADMIN_EMAIL)).status).toBe(401)
    expect((await login(s, ADMIN_EMAIL)).status).toBe(429)
    await sleep(1600)
    expect((await login(s, ADMIN_EMAIL, ADMIN_PASSWORD)).status).toBe(200)
    expect((await login(s, ADMIN_EMAIL)).status).toBe(401)
    expect((await login(s, ADMIN_EMAIL)).status).toBe(401)
  })

  it('per account: one budget for the whole cluster, however guesses are spread over nodes, even at once', async () => {
    const database = await sharedTestDatabase()
    const limits = { loginRateLimitPerMinute: 1000, loginRateLimitPerAccount: 3, rateLimitWindowMs: 60_000, databaseUrl: database.url }
    const nodes = [await startServer(limits), await startServer(limits)]
    try {
      // Twelve guesses at one account, six per node, all in flight together: three may be tried.
      const statuses = await Promise.all(Array.from({ length: 12 }, (_, i) => login(nodes[i % 2]!, ADMIN_EMAIL)))
      expect(statuses.filter((s) => s.status === 401)).toHaveLength(3)
      expect(statuses.filter((s) => s.status === 429)).toHaveLength(9)
      // Another account's budget is its own; and a node restarted does not hand out a new one.
      expect((await login(nodes[1]!, 'someone@example.com')).status).toBe(401)
      await nodes[0]!.close()
      nodes[0] = await startServer(limits)
      expect((await login(nodes[0], ADMIN_EMAIL)).status).toBe(429)
    } finally {
      for (const node of nodes) await node.close()
      await database.release()
    }
  })

  it('per IP: many accounts from one address hit 429; recovers after the window', async () => {
    const s = await start({ loginRateLimitPerMinute: 3, loginRateLimitPerAccount: 1000, rateLimitWindowMs: 9000 })
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await login(s, `user${i}@example.com`)).status)
    expect(statuses).toEqual([401, 401, 401, 429])
    // Junk counts against the address too (it is checked before the body is parsed).
    expect((await api(s, '/api/auth/login', { body: { nope: 1 } })).status).toBe(429)
    await sleep(3100)
    expect((await login(s, 'user9@example.com')).status).toBe(401)
  })
})

describe('order placement per IP', () => {
  it('answers 429 past the limit, stores nothing, and recovers', async () => {
    const s = await start({ orderRateLimitPerIp: 3, rateLimitWindowMs: 3000 })
    for (let i = 0; i < 3; i++) await placeOrder(s)
    const count = async () =>
      (
        await s.store.db
          .selectFrom('orders')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n
    const before = await count()
    const refused = await api(s, '/api/orders', {
      body: { items: [{ productId: 'espresso', quantity: 1 }], customer: { name: 'A', email: 'a@example.com' } },
    })
    expect(refused.status).toBe(429)
    expect(refused.body.error.code).toBe('rate_limited')
    expect(await count()).toBe(before)
    await sleep(1100)
    expect((await placeOrder(s)).order.id).toBeTypeOf('string')
  })
})

const watch = (socket: ClientSocket, payload: unknown) => socket.timeout(3000).emitWithAck('watchOrder', payload as never) as Promise<Ack>
const unwatch = (socket: ClientSocket, orderId: string) => socket.timeout(3000).emitWithAck('unwatchOrder', { orderId }) as Promise<Ack>

describe('sockets', () => {
  it('watchOrder per socket: the 4th watch in a window is refused, another socket is not; recovers', async () => {
    const s = await start({ watchOrderRateLimit: 3, rateLimitWindowMs: 3000 })
    const { order, trackingToken } = await placeOrder(s)
    const one = await connectSocket(s)
    const two = await connectSocket(s)
    sockets.push(one, two)
    const payload = { orderId: order.id, token: trackingToken }
    for (let i = 0; i < 3; i++) expect(await watch(one, payload)).toEqual({ ok: true })
    expect(await watch(one, payload)).toEqual({ ok: false, error: { code: 'rate_limited', message: expect.any(String) } })
    expect(await watch(two, payload)).toEqual({ ok: true })
    await sleep(1100)
    expect(await watch(one, payload)).toEqual({ ok: true })
  })

  it('events per connection: a burst past the budget is refused with an ack, then the socket recovers', async () => {
    const s = await start({ socketEventsPerSecond: 10, socketEventBurst: 5 })
    const socket = await connectSocket(s)
    sockets.push(socket)
    const acks = await Promise.all(Array.from({ length: 8 }, () => unwatch(socket, 'ord_x')))
    expect(acks.filter((ack) => ack.ok)).toHaveLength(5)
    expect(acks.filter((ack) => !ack.ok && ack.error.code === 'rate_limited')).toHaveLength(3)
    expect(socket.connected).toBe(true)
    await sleep(200) // 10/s → two tokens back
    expect(await unwatch(socket, 'ord_x')).toEqual({ ok: true })
  })

  it('answers events outside the protocol instead of leaving the ack hanging', async () => {
    const s = await start({})
    const socket = await connectSocket(s)
    sockets.push(socket)
    const raw = socket as unknown as { timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<Ack> } }
    expect(await raw.timeout(3000).emitWithAck('joinRoom', 'admin')).toMatchObject({ ok: false, error: { code: 'unknown_event' } })
    expect(
      s.io
        .of('/')
        .sockets.get(socket.id ?? '')
        ?.rooms.has('admin'),
    ).toBe(false)
  })

  it("a flooding client cannot stall another client's orderUpdated", async () => {
    const s = await start({})
    const admin = await loginAdmin(s)
    const { order, trackingToken } = await placeOrder(s)
    const watcher = await connectSocket(s)
    const flooder = await connectSocket(s)
    sockets.push(watcher, flooder)
    expect(await watch(watcher, { orderId: order.id, token: trackingToken })).toEqual({ ok: true })

    let refused = 0
    let flooding = true
    const raw = flooder as unknown as { emit(event: string, ...args: unknown[]): void }
    const flood = (async () => {
      let sent = 0
      while (flooding) {
        for (let i = 0; i < 200; i++) {
          raw.emit('watchOrder', { orderId: order.id, token: 'x'.repeat(40) }, (ack: Ack) => {
            if (!ack.ok && ack.error.code === 'rate_limited') refused++
          })
          sent++
        }
        await sleep(1)
      }
      return sent
    })()
    await sleep(300)
    const started = Date.now()
    const arrived = waitForEvent(watcher, 'orderUpdated', 5000)
    expect((await patchStatus(s, admin, order, 'confirmed')).status).toBe(200)
    await arrived
    const latency = Date.now() - started
    flooding = false
    const sent = await flood
    console.log(
      `[figure] orderUpdated latency while another socket flooded ${sent} events (${refused} refused as rate_limited): ${latency} ms`,
    )
    expect(latency).toBeLessThan(2000)
    expect(refused).toBeGreaterThan(0)
  })
})
