/**
 * Admin credentials after the security review: a production start disables every admin its
 * configuration does not name (the demo admin of a database first started in development), "sign
 * out everywhere" and a password change end every earlier token on every node, a token of a user
 * that no longer exists is refused, a recovered socket session needs the same admin's credential,
 * idempotency keys belong to their caller, and passwords are hashed with scrypt N = 2^17 (older
 * hashes rewritten on the next sign-in).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../server/app'
import { DEFAULT_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD } from '../../server/config'
import { LEGACY_PASSWORD_PARAMS, PASSWORD_PARAMS } from '../../server/store/passwords'
import type { ClientSocket } from './helpers'
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  api,
  collect,
  connectSocket,
  loginAdmin,
  placeOrder,
  sleep,
  startServer,
  waitForEvent,
} from './helpers'
import { sharedTestDatabase } from './testDatabase'
import type { TestDatabase } from './testDatabase'

const REDIS_URL = process.env.ORDERLINE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {})
})

async function shared(): Promise<TestDatabase> {
  const database = await sharedTestDatabase()
  cleanups.push(() => database.release())
  return database
}

async function node(overrides: Parameters<typeof startServer>[0]): Promise<RunningServer> {
  const server = await startServer(overrides)
  cleanups.push(() => server.close())
  return server
}

async function login(server: RunningServer, email: string, password: string) {
  return api<{ token: string; user: { id: string } }>(server, '/api/auth/login', { body: { email, password } })
}

describe('production and the demo admin', () => {
  it('a database first started in development keeps no working demo admin after a production start', async () => {
    const database = await shared()
    const dev = await startServer({ databaseUrl: database.url, adminEmail: DEFAULT_ADMIN_EMAIL, adminPassword: DEMO_ADMIN_PASSWORD })
    const demo = await login(dev, DEFAULT_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD)
    expect(demo.status).toBe(200)
    await dev.close()

    const prod = await node({ databaseUrl: database.url, production: true })
    expect(prod.store.disabledAdmins).toBe(1)
    const again = await login(prod, DEFAULT_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD)
    expect(again.status).toBe(401)
    expect((await api(prod, '/api/stats', { token: demo.body.token })).status).toBe(401)
    await expect(connectSocket(prod, { token: demo.body.token })).rejects.toThrow('unauthorized')
    // The configured admin works.
    expect((await api(prod, '/api/stats', { token: await loginAdmin(prod) })).status).toBe(200)
  })

  it('a development start disables nobody (control)', async () => {
    const database = await shared()
    const first = await startServer({ databaseUrl: database.url, adminEmail: 'other@test.local', adminPassword: 'other-password-1' })
    await first.close()
    const dev = await node({ databaseUrl: database.url })
    expect(dev.store.disabledAdmins).toBe(0)
    expect((await login(dev, 'other@test.local', 'other-password-1')).status).toBe(200)
  })
})

describe('sign out everywhere (POST /api/auth/logout-all)', () => {
  it('ends every token of the admin and their sockets, on another node too', async () => {
    const database = await shared()
    const nodeA = await node({ databaseUrl: database.url, redisUrl: REDIS_URL })
    const nodeB = await node({ databaseUrl: database.url, redisUrl: REDIS_URL })
    const first = await loginAdmin(nodeA)
    const second = await loginAdmin(nodeB)
    // Node B has seen both valid: nothing cached may keep them alive.
    expect((await api(nodeB, '/api/stats', { token: first })).status).toBe(200)
    const socket = await connectSocket(nodeB, { token: second })
    cleanups.push(async () => socket.close())
    const ended = new Promise<string>((resolve) => socket.once('disconnect', resolve))

    expect((await api(nodeA, '/api/auth/logout-all', { method: 'POST', token: first })).status).toBe(204)
    expect(await ended).toBe('io server disconnect')
    for (const token of [first, second]) {
      for (const server of [nodeA, nodeB]) {
        const res = await api(server, '/api/stats', { token })
        expect(res.status).toBe(401)
        expect(res.body.error.code).toBe('invalid_token')
      }
    }
    await expect(connectSocket(nodeA, { token: second })).rejects.toThrow('unauthorized')
    // Signing in again afterwards works, on either node.
    expect((await api(nodeB, '/api/stats', { token: await loginAdmin(nodeA) })).status).toBe(200)
  })

  it('needs an admin token', async () => {
    const server = await node({})
    expect((await api(server, '/api/auth/logout-all', { method: 'POST' })).status).toBe(401)
  })
})

describe('a password change', () => {
  it('ends the tokens issued under the old password, on every node', async () => {
    const database = await shared()
    const other = await node({ databaseUrl: database.url })
    const before = await startServer({ databaseUrl: database.url })
    const token = await loginAdmin(before)
    await before.close()
    // Restarted with another ADMIN_PASSWORD: the environment is the source of truth.
    const after = await node({ databaseUrl: database.url, adminPassword: 'a-new-password-456' })
    for (const server of [after, other]) expect((await api(server, '/api/stats', { token })).status).toBe(401)
    expect((await login(after, ADMIN_EMAIL, ADMIN_PASSWORD)).status).toBe(401)
    expect((await login(after, ADMIN_EMAIL, 'a-new-password-456')).status).toBe(200)
  })

  it('a restart with the same password keeps tokens valid (control)', async () => {
    const database = await shared()
    const before = await startServer({ databaseUrl: database.url })
    const token = await loginAdmin(before)
    await before.close()
    const after = await node({ databaseUrl: database.url })
    expect((await api(after, '/api/stats', { token })).status).toBe(200)
  })
})

describe('a token whose user is gone', () => {
  it('is refused over REST and at the socket handshake once the user row is deleted', async () => {
    const server = await node({})
    const token = await loginAdmin(server)
    expect((await api(server, '/api/stats', { token })).status).toBe(200)
    await server.store.db.deleteFrom('users').execute()
    expect((await api(server, '/api/stats', { token })).status).toBe(401)
    await expect(connectSocket(server, { token })).rejects.toThrow('unauthorized')
  })
})

describe('connection state recovery needs the same admin, now', () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startServer({})
  })
  afterAll(() => server.close())

  async function dropped(token: string): Promise<ClientSocket> {
    const socket = await connectSocket(server, { token }, { reconnection: true, reconnectionDelay: 100, reconnectionDelayMax: 200 })
    cleanups.push(async () => socket.close())
    const first = waitForEvent(socket, 'newOrder')
    await placeOrder(server)
    await first
    const id = socket.id
    socket.io.reconnection(false)
    socket.io.engine.close()
    for (let i = 0; i < 100 && id && server.io.of('/').sockets.has(id); i++) await sleep(20)
    return socket
  }

  const reconnect = (socket: ClientSocket) =>
    new Promise<string>((resolve) => {
      socket.once('connect', () => resolve(socket.recovered ? 'recovered' : 'connected'))
      socket.once('connect_error', (error) => resolve(error.message))
      socket.connect()
    })

  it('a reconnect presenting no credential is not recovered and gets no missed admin event', async () => {
    const socket = await dropped(await loginAdmin(server))
    const missed = collect(socket, 'newOrder')
    await placeOrder(server)
    socket.auth = {}
    expect(await reconnect(socket)).toBe('connected')
    await sleep(150)
    expect(missed).toHaveLength(0)
  })

  it('a reconnect presenting a fresh token of the same admin is recovered (control)', async () => {
    const socket = await dropped(await loginAdmin(server))
    const missed = collect(socket, 'newOrder')
    await placeOrder(server)
    socket.auth = { token: await loginAdmin(server) }
    expect(await reconnect(socket)).toBe('recovered')
    await sleep(150)
    expect(missed).toHaveLength(1)
  })
})

describe('idempotency keys belong to their caller', () => {
  it("another admin's same key is an independent request: no replay of A's result, no reuse error", async () => {
    const database = await shared()
    const a = await node({ databaseUrl: database.url })
    // A second admin in the same database (a development start with another ADMIN_EMAIL).
    const b = await node({ databaseUrl: database.url, adminEmail: 'second@test.local', adminPassword: 'second-password-1' })
    const tokenA = await loginAdmin(a)
    const tokenB = (await login(b, 'second@test.local', 'second-password-1')).body.token
    const { order } = await placeOrder(a)
    const patch = (token: string, key: string, status: string, version: number) =>
      api(a, `/api/orders/${order.id}`, { method: 'PATCH', token, body: { status, version }, headers: { 'idempotency-key': key } })

    expect((await patch(tokenA, 'shared-key-0001', 'confirmed', 1)).status).toBe(200)
    // B with the same key and A's exact body: judged afresh (409, the order moved on), not A's stored answer.
    const same = await patch(tokenB, 'shared-key-0001', 'confirmed', 1)
    expect(same.headers.get('idempotent-replayed')).toBeNull()
    expect(same.status).toBe(409)
    // B with a key A used for another body: applied, not "422 key reused" (which would reveal A's key).
    expect((await patch(tokenA, 'shared-key-0002', 'preparing', 2)).status).toBe(200)
    const other = await patch(tokenB, 'shared-key-0002', 'cancelled', 3)
    expect(other.status).toBe(200)
    expect(other.body.status).toBe('cancelled')
    // A's own retry still replays (control).
    const retry = await patch(tokenA, 'shared-key-0001', 'confirmed', 1)
    expect(retry.status).toBe(200)
    expect(retry.headers.get('idempotent-replayed')).toBe('true')
  })
})

describe('password hashing', () => {
  const paramsOf = async (server: RunningServer) => {
    const row = await server.store.db.selectFrom('users').select('password_hash').where('email', '=', ADMIN_EMAIL).executeTakeFirstOrThrow()
    return row.password_hash.split('$').slice(1, 4).map(Number)
  }

  it('uses scrypt N=2^17, r=8, p=1 by default', async () => {
    const server = await node({ passwordParams: PASSWORD_PARAMS })
    expect(await paramsOf(server)).toEqual([2 ** 17, 8, 1])
    expect((await login(server, ADMIN_EMAIL, ADMIN_PASSWORD)).status).toBe(200)
  })

  it('rehashes a hash stored with the old parameters on the next successful sign-in, keeping tokens', async () => {
    const database = await shared()
    const old = await startServer({ databaseUrl: database.url, passwordParams: LEGACY_PASSWORD_PARAMS })
    expect(await paramsOf(old)).toEqual([16384, 8, 1])
    const earlier = await loginAdmin(old)
    await old.close()

    const server = await node({ databaseUrl: database.url, passwordParams: PASSWORD_PARAMS })
    // A start alone does not rehash (the password is only known at sign-in), nor does a failed one.
    expect(await paramsOf(server)).toEqual([16384, 8, 1])
    expect((await login(server, ADMIN_EMAIL, 'wrong-password')).status).toBe(401)
    expect(await paramsOf(server)).toEqual([16384, 8, 1])
    expect((await login(server, ADMIN_EMAIL, ADMIN_PASSWORD)).status).toBe(200)
    expect(await paramsOf(server)).toEqual([2 ** 17, 8, 1])
    // The rewritten hash still verifies, and a rehash is not a password change.
    expect((await login(server, ADMIN_EMAIL, ADMIN_PASSWORD)).status).toBe(200)
    expect((await api(server, '/api/stats', { token: earlier })).status).toBe(200)
  })
})
