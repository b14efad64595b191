/**
 * Security, authorization matrix: every actor × every endpoint and socket event, with the exact
 * status (and error code) or acknowledgement each must get. A tracking token opens exactly its
 * order; admin powers need a valid, unexpired, unrevoked, untampered admin token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../server/app'
import type { Ack } from '../../src/protocol/events'
import type { Order } from '../../src/protocol/order'
import type { ClientSocket } from './helpers'
import { api, collect, connectSocket, placeOrder, sleep, startServer, waitForEvent } from './helpers'
import { loginAs, revokedToken, signAdminToken, snapshot, tamper, unsignedToken } from './securitySupport'

type ActorName = 'anonymous' | 'customerA' | 'customerB' | 'admin' | 'expiredAdmin' | 'tamperedAdmin' | 'unsignedAdmin' | 'revokedAdmin'
const ACTORS: ActorName[] = [
  'anonymous',
  'customerA',
  'customerB',
  'admin',
  'expiredAdmin',
  'tamperedAdmin',
  'unsignedAdmin',
  'revokedAdmin',
]
const BAD_ADMINS = ['expiredAdmin', 'tamperedAdmin', 'unsignedAdmin', 'revokedAdmin'] as const satisfies readonly ActorName[]

type Expect = readonly [status: number, code?: string]

let server: RunningServer
let a: { order: Order; trackingToken: string }
let b: { order: Order; trackingToken: string }
let c: { order: Order; trackingToken: string }
const tokens = {} as Record<ActorName, string | undefined>
const A_ADDRESS = '7 Secret Mews, Hidden Town'
const A_PHONE = '+44 20 7946 0958'
/** Who may read order A's delivery details. */
const SEES_A_DETAILS: readonly ActorName[] = ['admin', 'customerA']
const pushSubscription = {
  endpoint: 'http://127.0.0.1:9/push/matrix',
  keys: {
    p256dh: 'BP-pb-Oh8YYVPw8g2T7o-aWPpplvlwuqhH8B-qQyijORtt4shpbrjjSqREV52St_wD80wd9wX4hv805qve_v00I',
    auth: '6jsWhis-a7k-mTl1zMmsUQ',
  },
}
const sockets: ClientSocket[] = []
let cells = 0

beforeAll(async () => {
  // Insecure push endpoints allowed so a loopback endpoint can stand for a push service.
  server = await startServer({ pushAllowInsecure: true })
  // Order A carries delivery details: only the admin and A's own token may ever see them.
  const placedA = await api<{ order: Order; trackingToken: string }>(server, '/api/orders', {
    body: {
      items: [{ productId: 'espresso', quantity: 1 }],
      customer: { name: 'Addie', email: 'addie@example.com', address: A_ADDRESS, phone: A_PHONE },
    },
  })
  a = placedA.body
  b = await placeOrder(server)
  c = await placeOrder(server)
  const admin = await loginAs(server)
  tokens.anonymous = undefined
  tokens.customerA = a.trackingToken
  tokens.customerB = b.trackingToken
  tokens.admin = admin.token
  tokens.expiredAdmin = await signAdminToken(admin.userId, -60)
  tokens.tamperedAdmin = tamper(admin.token)
  tokens.unsignedAdmin = unsignedToken(admin.userId)
  tokens.revokedAdmin = await revokedToken(server)
})
afterAll(async () => {
  for (const socket of sockets) socket.close()
  console.log(`[figure] authorization matrix: ${cells} cells (${ACTORS.length} actors)`)
  await server.close()
})

/** Admin-only endpoints: 200 for the admin, 401 for everyone else, with the code saying why. */
const adminOnly = (ok: Expect): Record<ActorName, Expect> => ({
  anonymous: [401, 'unauthorized'],
  customerA: [401, 'invalid_token'],
  customerB: [401, 'invalid_token'],
  admin: ok,
  expiredAdmin: [401, 'invalid_token'],
  tamperedAdmin: [401, 'invalid_token'],
  unsignedAdmin: [401, 'invalid_token'],
  revokedAdmin: [401, 'invalid_token'],
})
const everyone = (ok: Expect) => Object.fromEntries(ACTORS.map((actor) => [actor, ok])) as Record<ActorName, Expect>
const badAdmins = Object.fromEntries(BAD_ADMINS.map((actor) => [actor, [401, 'invalid_token'] as Expect])) as Record<
  (typeof BAD_ADMINS)[number],
  Expect
>

interface Endpoint {
  name: string
  call: (token: string | undefined) => Promise<{ status: number; body: any }>
  expect: Record<ActorName, Expect>
}

const ENDPOINTS: Endpoint[] = [
  { name: 'GET /api/products', call: (token) => api(server, '/api/products', { token }), expect: everyone([200]) },
  {
    name: 'POST /api/orders',
    call: (token) =>
      api(server, '/api/orders', {
        token,
        body: { items: [{ productId: 'espresso', quantity: 1 }], customer: { name: 'M', email: 'm@example.com' } },
      }),
    expect: everyone([201]),
  },
  {
    name: 'GET /api/orders/:A',
    call: (token) => api(server, `/api/orders/${a.order.id}`, { token }),
    expect: {
      anonymous: [401, 'unauthorized'],
      customerA: [200],
      customerB: [404, 'not_found'],
      admin: [200],
      ...badAdmins,
    } satisfies Record<ActorName, Expect>,
  },
  {
    name: 'GET /api/orders/:B',
    call: (token) => api(server, `/api/orders/${b.order.id}`, { token }),
    expect: {
      anonymous: [401, 'unauthorized'],
      customerA: [404, 'not_found'],
      customerB: [200],
      admin: [200],
      ...badAdmins,
    } satisfies Record<ActorName, Expect>,
  },
  { name: 'GET /api/orders', call: (token) => api(server, '/api/orders', { token }), expect: adminOnly([200]) },
  {
    name: 'PATCH /api/orders/:C',
    call: (token) => api(server, `/api/orders/${c.order.id}`, { method: 'PATCH', token, body: { status: 'confirmed', version: 1 } }),
    expect: adminOnly([200]),
  },
  { name: 'GET /api/changes', call: (token) => api(server, '/api/changes?after=0', { token }), expect: adminOnly([200]) },
  { name: 'GET /api/stats', call: (token) => api(server, '/api/stats', { token }), expect: adminOnly([200]) },
  { name: 'GET /api/push/public-key', call: (token) => api(server, '/api/push/public-key', { token }), expect: everyone([200]) },
  {
    // Subscribing is the customer's act: the tracking token of that order, nothing else.
    name: 'POST /api/orders/:A/push-subscriptions',
    call: (token) => api(server, `/api/orders/${a.order.id}/push-subscriptions`, { token, body: pushSubscription }),
    expect: {
      anonymous: [401, 'unauthorized'],
      customerA: [201],
      customerB: [404, 'not_found'],
      admin: [403, 'tracking_token_required'],
      ...badAdmins,
    } satisfies Record<ActorName, Expect>,
  },
  {
    name: 'DELETE /api/orders/:B/push-subscriptions',
    call: (token) =>
      api(server, `/api/orders/${b.order.id}/push-subscriptions`, {
        method: 'DELETE',
        token,
        body: { endpoint: pushSubscription.endpoint },
      }),
    expect: {
      anonymous: [401, 'unauthorized'],
      customerA: [404, 'not_found'],
      customerB: [204],
      admin: [403, 'tracking_token_required'],
      ...badAdmins,
    } satisfies Record<ActorName, Expect>,
  },
  {
    // A checkout key is per caller: whoever sends it gets their own order, never another's.
    name: 'POST /api/orders with Idempotency-Key',
    call: (token) =>
      api(server, '/api/orders', {
        token,
        headers: { 'idempotency-key': 'matrix-key-0123456789' },
        body: { items: [{ productId: 'espresso', quantity: 1 }], customer: { name: 'K', email: 'k@example.com' } },
      }),
    expect: everyone([201]),
  },
  {
    name: 'POST /api/auth/logout',
    // The admin logs out with a throwaway token so the matrix keeps its own.
    call: async (token) =>
      api(server, '/api/auth/logout', { method: 'POST', token: token === tokens.admin ? (await loginAs(server)).token : token }),
    expect: adminOnly([204]),
  },
]

describe('REST: actor × endpoint', () => {
  it.each(ENDPOINTS.map((endpoint) => [endpoint.name, endpoint] as const))('%s', async (_name, endpoint) => {
    for (const actor of ACTORS) {
      const before = await snapshot(server)
      const res = await endpoint.call(tokens[actor])
      const [status, code] = endpoint.expect[actor]
      cells++
      expect(res.status, `${endpoint.name} as ${actor}`).toBe(status)
      if (code) expect(res.body?.error?.code, `${endpoint.name} as ${actor}`).toBe(code)
      if (!SEES_A_DETAILS.includes(actor)) {
        const text = JSON.stringify(res.body ?? '')
        expect(text, `${endpoint.name} as ${actor} leaked A's delivery details`).not.toContain(A_PHONE)
        expect(text, `${endpoint.name} as ${actor} leaked A's delivery details`).not.toContain(A_ADDRESS)
      }
      // A refused request changes nothing.
      if (status >= 400) expect(await snapshot(server), `${endpoint.name} as ${actor} changed data`).toBe(before)
    }
  })

  it('never leaks order A to customer B through its body, even with If-None-Match', async () => {
    const res = await api(server, `/api/orders/${a.order.id}`, {
      token: b.trackingToken,
      headers: { 'if-none-match': `"v${a.order.version}"` },
    })
    cells++
    expect(res.status).toBe(404)
    expect(res.text).not.toContain(a.order.customer.email)
  })

  it("order A's delivery details: the admin and A's own token see them", async () => {
    for (const token of [tokens.admin, tokens.customerA]) {
      cells++
      const res = await api<Order>(server, `/api/orders/${a.order.id}`, { token })
      expect(res.body.customer).toMatchObject({ address: A_ADDRESS, phone: A_PHONE })
    }
    cells++
    const list = await api<{ orders: Order[] }>(server, '/api/orders?limit=100', { token: tokens.admin })
    expect(list.body.orders.find((o) => o.id === a.order.id)?.customer.phone).toBe(A_PHONE)
  })
})

function watch(socket: ClientSocket, payload: unknown): Promise<Ack> {
  return socket.timeout(3000).emitWithAck('watchOrder', payload as never) as Promise<Ack>
}

async function tryConnect(token: string | undefined): Promise<'connected' | string> {
  try {
    const socket = await connectSocket(server, token === undefined ? undefined : { token })
    sockets.push(socket)
    return 'connected'
  } catch (error) {
    return (error as Error).message
  }
}

describe('Socket.IO: actor × handshake, watchOrder and events', () => {
  it('handshake: admin and anonymous connect; every other credential is refused', async () => {
    const expected: Record<ActorName, string> = {
      anonymous: 'connected',
      customerA: 'unauthorized', // a tracking token is not a connection credential
      customerB: 'unauthorized',
      admin: 'connected',
      expiredAdmin: 'unauthorized',
      tamperedAdmin: 'unauthorized',
      unsignedAdmin: 'unauthorized',
      revokedAdmin: 'unauthorized',
    }
    for (const actor of ACTORS) {
      cells++
      expect(await tryConnect(tokens[actor]), actor).toBe(expected[actor])
    }
  })

  it('watchOrder: a tracking token opens its order only, never another id', async () => {
    const anonymous = await connectSocket(server)
    const admin = await connectSocket(server, { token: tokens.admin })
    sockets.push(anonymous, admin)
    const notFound = { ok: false, error: { code: 'not_found' } }
    const table: [ClientSocket, string, unknown, object][] = [
      [anonymous, 'A with A', { orderId: a.order.id, token: a.trackingToken }, { ok: true }],
      [anonymous, 'B with B', { orderId: b.order.id, token: b.trackingToken }, { ok: true }],
      [anonymous, 'B with A (replay)', { orderId: b.order.id, token: a.trackingToken }, notFound],
      [anonymous, 'A with B (replay)', { orderId: a.order.id, token: b.trackingToken }, notFound],
      [anonymous, 'unknown id with A', { orderId: 'ord_doesnotexist', token: a.trackingToken }, notFound],
      [anonymous, 'A with the admin JWT', { orderId: a.order.id, token: tokens.admin }, notFound],
      [anonymous, 'A with an expired admin JWT', { orderId: a.order.id, token: tokens.expiredAdmin }, notFound],
      [anonymous, 'A without a token', { orderId: a.order.id }, { ok: false, error: { code: 'validation_failed' } }],
      [admin, 'admin: A with A', { orderId: a.order.id, token: a.trackingToken }, { ok: true }],
      [admin, 'admin: A with B', { orderId: a.order.id, token: b.trackingToken }, notFound],
    ]
    for (const [socket, label, payload, expected] of table) {
      cells++
      expect(await watch(socket, payload), label).toMatchObject(expected)
    }
    cells++
    expect(await anonymous.timeout(3000).emitWithAck('unwatchOrder', { orderId: b.order.id })).toEqual({ ok: true })
  })

  it("admin-only events and other customers' orderUpdated never reach a customer socket", async () => {
    const x = await placeOrder(server)
    const y = await placeOrder(server)
    const customerX = await connectSocket(server)
    const anonymous = await connectSocket(server)
    const admin = await connectSocket(server, { token: tokens.admin })
    sockets.push(customerX, anonymous, admin)
    expect(await watch(customerX, { orderId: x.order.id, token: x.trackingToken })).toEqual({ ok: true })
    // Customer X tries to listen to Y with its own token: refused, and nothing of Y arrives below.
    expect(await watch(customerX, { orderId: y.order.id, token: x.trackingToken })).toMatchObject({ ok: false })

    const events = ['newOrder', 'statsUpdated', 'notification', 'orderUpdated'] as const
    const got = Object.fromEntries(
      (['customerX', 'anonymous', 'admin'] as const).map((who) => {
        const socket = { customerX, anonymous, admin }[who]
        return [who, Object.fromEntries(events.map((event) => [event, collect(socket, event)]))]
      }),
    ) as unknown as Record<'customerX' | 'anonymous' | 'admin', Record<(typeof events)[number], { order?: Order }[]>>

    const token = tokens.admin ?? ''
    const adminSawY = waitForEvent(admin, 'orderUpdated')
    await api(server, `/api/orders/${y.order.id}`, { method: 'PATCH', token, body: { status: 'confirmed', version: 1 } })
    await adminSawY
    const xSawX = waitForEvent(customerX, 'orderUpdated')
    await api(server, `/api/orders/${x.order.id}`, { method: 'PATCH', token, body: { status: 'confirmed', version: 1 } })
    await xSawX
    const newOrder = waitForEvent(admin, 'newOrder')
    await placeOrder(server)
    await newOrder
    await sleep(300) // stats are throttled; give every emit time to arrive

    const expected = {
      customerX: { newOrder: 0, statsUpdated: 0, notification: 0, orderUpdated: 1 },
      anonymous: { newOrder: 0, statsUpdated: 0, notification: 0, orderUpdated: 0 },
    }
    for (const who of ['customerX', 'anonymous'] as const) {
      for (const event of events) {
        cells++
        expect(got[who][event].length, `${who} ${event}`).toBe(expected[who][event])
      }
    }
    expect(got.customerX.orderUpdated[0]?.order?.id).toBe(x.order.id)
    for (const event of events) {
      cells++
      expect(got.admin[event].length, `admin ${event}`).toBeGreaterThanOrEqual(1)
    }
  })
})

describe('Socket.IO: expired and revoked admin tokens on connection state recovery', () => {
  /** Admin socket that has received one packet (recovery needs an offset), then loses its transport. */
  async function droppedAdminSocket(token: string) {
    const socket = await connectSocket(server, { token }, { reconnection: true, reconnectionDelay: 100, reconnectionDelayMax: 200 })
    sockets.push(socket)
    const first = waitForEvent(socket, 'newOrder')
    await placeOrder(server)
    await first
    const id = socket.id
    const pid = (socket as unknown as { _pid: string })._pid
    const offset = (socket as unknown as { _lastOffset: string })._lastOffset
    socket.io.reconnection(false)
    socket.io.engine.close()
    await expectServerDropped(id)
    return { socket, pid, offset }
  }

  async function expectServerDropped(id: string | undefined): Promise<void> {
    for (let i = 0; i < 100 && id && server.io.of('/').sockets.has(id); i++) await sleep(20)
  }

  function reconnect(socket: ClientSocket): Promise<string> {
    return new Promise((resolve) => {
      socket.once('connect', () => resolve(socket.recovered ? 'recovered' : 'connected'))
      socket.once('connect_error', (error) => resolve(error.message))
      socket.connect()
    })
  }

  const restore = (pid: string, offset: string) =>
    (server.io.of('/').adapter as unknown as { restoreSession(pid: string, offset: string): Promise<unknown> }).restoreSession(pid, offset)

  it('a valid admin token recovers its session (control)', async () => {
    const token = (await loginAs(server)).token
    const { socket } = await droppedAdminSocket(token)
    const missed = collect(socket, 'newOrder')
    await placeOrder(server)
    cells++
    expect(await reconnect(socket)).toBe('recovered')
    await sleep(100)
    expect(missed).toHaveLength(1)
  })

  it('a token logged out while disconnected: no session restored, handshake refused, nothing replayed', async () => {
    const token = (await loginAs(server)).token
    const { socket, pid, offset } = await droppedAdminSocket(token)
    const missed = collect(socket, 'newOrder')
    await placeOrder(server) // an admin event the revoked session must never receive
    await api(server, '/api/auth/logout', { method: 'POST', token })
    cells += 2
    expect(await restore(pid, offset)).toBeNull()
    expect(await reconnect(socket)).toBe('unauthorized')
    await sleep(100)
    expect(missed).toHaveLength(0)
  })

  it('a token that expired while disconnected: no session restored, handshake refused', async () => {
    const { userId } = await loginAs(server)
    const token = await signAdminToken(userId, 2)
    const { socket, pid, offset } = await droppedAdminSocket(token)
    await sleep(2200)
    cells += 2
    expect(await restore(pid, offset)).toBeNull()
    expect(await reconnect(socket)).toBe('unauthorized')
  })

  it('a reconnect presenting no credential gets no admin session back: nothing replayed, no admin room', async () => {
    const token = (await loginAs(server)).token
    const { socket } = await droppedAdminSocket(token)
    const missed = collect(socket, 'newOrder')
    await placeOrder(server) // missed while disconnected: an admin event
    socket.auth = {}
    cells++
    expect(await reconnect(socket)).toBe('connected')
    await sleep(100)
    expect(missed).toHaveLength(0)
    const later = collect(socket, 'newOrder')
    await placeOrder(server)
    await sleep(200)
    expect(later).toHaveLength(0)
  })
})
