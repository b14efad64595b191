/**
 * Web Push over real HTTP: the server encrypts and signs for a loopback push service that
 * decrypts like a browser (tests/server/pushSupport.ts). Sending is after the commit, retried on
 * 5xx, ended by 404/410 and by a finished order, and refused for endpoints that lead inward.
 */
import * as v from 'valibot'
import { createECDH, randomBytes } from 'node:crypto'
import webpush from 'web-push'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../server/app'
import { checkPushEndpoint } from '../../server/push/endpoint'
import type { Order } from '../../src/protocol/order'
import { pushPayloadSchema } from '../../src/protocol/answers'
import { api, loginAdmin, patchStatus, placeOrder, sleep, startServer } from './helpers'
import { browserKeys, decryptPush, startPushReceiver, verifyVapid } from './pushSupport'
import type { BrowserKeys, PushReceiver } from './pushSupport'
import { sharedTestDatabase } from './testDatabase'

let server: RunningServer
let receiver: PushReceiver
let admin: string
let publicKey: string

beforeAll(async () => {
  receiver = await startPushReceiver()
  server = await startServer({ pushAllowInsecure: true, pushRetryBaseMs: 30, orderRateLimitPerIp: 0 })
  admin = await loginAdmin(server)
  publicKey = (await api<{ publicKey: string }>(server, '/api/push/public-key')).body.publicKey
})
afterAll(async () => {
  await server.close()
  await receiver.close()
})
beforeEach(() => {
  receiver.received.length = 0
  receiver.script = []
  receiver.status = 201
  receiver.delayMs = 0
})

function subscription(keys: BrowserKeys = browserKeys(), path = `/push/${randomBytes(6).toString('hex')}`) {
  return { keys, body: { endpoint: `${receiver.url}${path}`, expirationTime: null, keys: keys.json } }
}

function subscribe(order: { order: Order; trackingToken: string }, body: unknown, token = order.trackingToken) {
  return api(server, `/api/orders/${order.order.id}/push-subscriptions`, { token, body })
}

async function subscriptionsOf(orderId: string) {
  return server.store.db.selectFrom('push_subscriptions').selectAll().where('order_id', '=', orderId).execute()
}

describe('GET /api/push/public-key', () => {
  it('serves a P-256 public key (base64url, 65 bytes) to anyone', async () => {
    const res = await api(server, '/api/push/public-key')
    expect(res.status).toBe(200)
    expect(Buffer.from(res.body.publicKey, 'base64url')).toHaveLength(65)
    expect(res.body.publicKey).toMatch(/^B[A-Za-z0-9_-]{86}$/)
  })

  it('is generated once and shared by every node on the database; the environment wins', async () => {
    const database = await sharedTestDatabase()
    const a = await startServer({ databaseUrl: database.url })
    const b = await startServer({ databaseUrl: database.url })
    const env = webpush.generateVAPIDKeys()
    const c = await startServer({ databaseUrl: database.url, vapidKeys: env })
    try {
      const keyA = (await api(a, '/api/push/public-key')).body.publicKey
      expect((await api(b, '/api/push/public-key')).body.publicKey).toBe(keyA)
      expect((await api(c, '/api/push/public-key')).body.publicKey).toBe(env.publicKey)
    } finally {
      await Promise.all([a.close(), b.close(), c.close()])
      await database.release()
    }
  })
})

describe('sending on status changes', () => {
  it('sends an encrypted {orderId, number, status, version} with a valid VAPID signature', async () => {
    const placed = await placeOrder(server)
    const { keys, body } = subscription()
    const res = await subscribe(placed, body)
    expect(res.status, res.text).toBe(201)
    expect(res.body).toMatchObject({ orderId: placed.order.id, endpoint: body.endpoint })

    const patched = await patchStatus(server, admin, placed.order, 'confirmed')
    expect(patched.status).toBe(200)
    const [push] = await receiver.waitFor(1)
    expect(push!.path).toBe(new URL(body.endpoint).pathname)
    expect(push!.headers['content-encoding']).toBe('aes128gcm')
    expect(push!.headers['content-type']).toBe('application/octet-stream')
    expect(Number(push!.headers.ttl)).toBeGreaterThan(0)
    expect(push!.headers.topic).toBe(placed.order.id)
    const claims = await verifyVapid(push!.headers.authorization, publicKey, receiver.url)
    expect(claims.sub).toBe('mailto:admin@test.local')

    const payload = v.parse(pushPayloadSchema, JSON.parse(decryptPush(push!.body, keys).toString('utf8')))
    expect(payload).toEqual({ orderId: placed.order.id, number: placed.order.number, status: 'confirmed', version: 2 })
    // Another browser's keys cannot read it.
    expect(() => decryptPush(push!.body, browserKeys())).toThrow()
  })

  it('a 410 from the push service deletes the subscription; later changes send nothing to it', async () => {
    const placed = await placeOrder(server)
    await subscribe(placed, subscription().body)
    receiver.status = 410
    await patchStatus(server, admin, placed.order, 'confirmed')
    await receiver.waitFor(1)
    await server.push.idle()
    expect(await subscriptionsOf(placed.order.id)).toHaveLength(0)
    await patchStatus(server, admin, { id: placed.order.id, version: 2 }, 'preparing')
    await server.push.idle()
    expect(receiver.received).toHaveLength(1)
  })

  it('a 404 ends the subscription too', async () => {
    const placed = await placeOrder(server)
    await subscribe(placed, subscription().body)
    receiver.status = 404
    await patchStatus(server, admin, placed.order, 'confirmed')
    await receiver.waitFor(1)
    await server.push.idle()
    expect(await subscriptionsOf(placed.order.id)).toHaveLength(0)
  })

  it('retries a 500 and a 429 with backoff, then delivers the same payload', async () => {
    const placed = await placeOrder(server)
    const { keys, body } = subscription()
    await subscribe(placed, body)
    receiver.script = [500, 429, 503]
    await patchStatus(server, admin, placed.order, 'confirmed')
    const pushes = await receiver.waitFor(4)
    await server.push.idle()
    expect(pushes).toHaveLength(4)
    const texts = pushes.map((p) => JSON.parse(decryptPush(p.body, keys).toString('utf8')) as unknown)
    for (const text of texts)
      expect(text).toEqual({ orderId: placed.order.id, number: placed.order.number, status: 'confirmed', version: 2 })
    // Backoff: the gaps grow (base 30 ms, doubling, ±50 % jitter).
    const gaps = pushes.slice(1).map((p, i) => p.at - pushes[i]!.at)
    expect(gaps[0]).toBeGreaterThanOrEqual(10)
    expect(gaps[2]).toBeGreaterThanOrEqual(55)
    expect(await subscriptionsOf(placed.order.id)).toHaveLength(1)
  })

  it('gives up after the attempt limit and keeps the subscription', async () => {
    const placed = await placeOrder(server)
    await subscribe(placed, subscription().body)
    receiver.status = 502
    await patchStatus(server, admin, placed.order, 'confirmed')
    await server.push.idle()
    expect(receiver.received).toHaveLength(server.config.pushMaxAttempts)
    expect(await subscriptionsOf(placed.order.id)).toHaveLength(1)
  })

  it('never delays or fails the PATCH: slow, failing and unreachable push services alike', async () => {
    const placed = await placeOrder(server)
    await subscribe(placed, subscription().body)
    // A port nothing listens on: connection refused on every attempt.
    await subscribe(placed, { endpoint: 'http://127.0.0.1:9/push/nobody', keys: browserKeys().json })
    receiver.delayMs = 2000
    const started = performance.now()
    const res = await patchStatus(server, admin, placed.order, 'confirmed')
    const elapsed = performance.now() - started
    expect(res.status).toBe(200)
    expect(elapsed).toBeLessThan(1000)
    console.log(`[figure] PATCH with a 2 s push service and a dead one: ${elapsed.toFixed(0)} ms`)
    await receiver.waitFor(1)
  })

  it('sends the final status, then ends every subscription of a delivered or cancelled order', async () => {
    for (const final of ['cancelled', 'delivered'] as const) {
      const placed = await placeOrder(server)
      const a = subscription()
      const b = subscription()
      await subscribe(placed, a.body)
      await subscribe(placed, b.body)
      let order = placed.order
      const path = final === 'cancelled' ? ['cancelled'] : ['confirmed', 'preparing', 'out_for_delivery', 'delivered']
      for (const status of path) order = (await patchStatus(server, admin, order, status)).body as Order
      await server.push.idle()
      const last = receiver.received.filter((p) => p.path === new URL(a.body.endpoint).pathname).at(-1)!
      expect(JSON.parse(decryptPush(last.body, a.keys).toString('utf8'))).toMatchObject({ status: final, version: path.length + 1 })
      expect(await subscriptionsOf(placed.order.id)).toHaveLength(0)
      const again = await subscribe(placed, subscription().body)
      expect(again.status).toBe(409)
      expect(again.body.error.code).toBe('order_closed')
    }
  })

  it('checks the endpoint again at send time: a stored endpoint that leads inward is refused and removed', async () => {
    const placed = await placeOrder(server)
    const keys = browserKeys().json
    // Written past the API, as if the name had resolved elsewhere when the customer subscribed.
    await server.store.db
      .insertInto('push_subscriptions')
      .values({
        id: 'sub_inward',
        order_id: placed.order.id,
        endpoint: 'https://10.0.0.1/push',
        p256dh: keys.p256dh,
        auth: keys.auth,
        created_at: new Date().toISOString(),
      })
      .execute()
    await patchStatus(server, admin, placed.order, 'confirmed')
    await server.push.idle()
    expect(await subscriptionsOf(placed.order.id)).toHaveLength(0)
    expect(receiver.received).toHaveLength(0)
  })

  it('DELETE ends a subscription (204, idempotent); nothing is sent to it afterwards', async () => {
    const placed = await placeOrder(server)
    const { body } = subscription()
    await subscribe(placed, body)
    const del = () =>
      api(server, `/api/orders/${placed.order.id}/push-subscriptions`, {
        method: 'DELETE',
        token: placed.trackingToken,
        body: { endpoint: body.endpoint },
      })
    expect((await del()).status).toBe(204)
    expect((await del()).status).toBe(204)
    await patchStatus(server, admin, placed.order, 'confirmed')
    await server.push.idle()
    expect(receiver.received).toHaveLength(0)
  })
})

describe('subscribing: who and what', () => {
  it("needs the tracking token: 401 without, 401 for a bad admin token, 403 for the admin, 404 for another order's token", async () => {
    const a = await placeOrder(server)
    const b = await placeOrder(server)
    const { body } = subscription()
    const cases: [string | undefined, number, string][] = [
      [undefined, 401, 'unauthorized'],
      ['a.b.c', 401, 'invalid_token'],
      [admin, 403, 'tracking_token_required'],
      [b.trackingToken, 404, 'not_found'],
      ['short', 404, 'not_found'],
    ]
    for (const [token, status, code] of cases) {
      const res = await api(server, `/api/orders/${a.order.id}/push-subscriptions`, { token, body })
      expect(res.status, String(token)).toBe(status)
      expect(res.body.error.code).toBe(code)
      const del = await api(server, `/api/orders/${a.order.id}/push-subscriptions`, {
        method: 'DELETE',
        token,
        body: { endpoint: body.endpoint },
      })
      expect(del.status, `DELETE ${String(token)}`).toBe(status)
    }
    expect(await subscriptionsOf(a.order.id)).toHaveLength(0)
  })

  it('refuses endpoints that are not https on a public host', async () => {
    const placed = await placeOrder(server)
    const keys = browserKeys().json
    const refused: [string, string][] = [
      ['not a url', 'push_endpoint_invalid'],
      ['http://push.example.com/x', 'push_endpoint_invalid'],
      ['ftp://push.example.com/x', 'push_endpoint_invalid'],
      ['https://user:pw@push.example.com/x', 'push_endpoint_invalid'],
      ['https://8.8.8.8:8443/x', 'push_endpoint_invalid'],
      ['http://localhost:9/x', 'push_endpoint_invalid'],
      ['https://127.0.0.1/x', 'push_endpoint_forbidden'],
      ['https://127.1/x', 'push_endpoint_forbidden'],
      ['https://2130706433/x', 'push_endpoint_forbidden'],
      ['https://10.1.2.3/x', 'push_endpoint_forbidden'],
      ['https://172.16.0.1/x', 'push_endpoint_forbidden'],
      ['https://192.168.1.1/x', 'push_endpoint_forbidden'],
      ['https://100.64.0.1/x', 'push_endpoint_forbidden'],
      ['https://169.254.169.254/latest/meta-data', 'push_endpoint_forbidden'],
      ['https://224.0.0.1/x', 'push_endpoint_forbidden'],
      ['https://0.0.0.0/x', 'push_endpoint_forbidden'],
      ['https://[::1]/x', 'push_endpoint_forbidden'],
      ['https://[::]/x', 'push_endpoint_forbidden'],
      ['https://[fe80::1]/x', 'push_endpoint_forbidden'],
      ['https://[fd00::1]/x', 'push_endpoint_forbidden'],
      ['https://[ff02::1]/x', 'push_endpoint_forbidden'],
      ['https://[::ffff:10.0.0.1]/x', 'push_endpoint_forbidden'],
      ['https://[::ffff:7f00:1]/x', 'push_endpoint_forbidden'],
      ['https://[64:ff9b::a00:1]/x', 'push_endpoint_forbidden'],
      ['https://localhost/x', 'push_endpoint_forbidden'],
      ['https://orderline-no-such-host.invalid/x', 'push_endpoint_unresolvable'],
    ]
    for (const [endpoint, code] of refused) {
      const res = await subscribe(placed, { endpoint, keys })
      expect(res.status, endpoint).toBe(422)
      expect(res.body.error.code, endpoint).toBe(code)
    }
    expect(await subscriptionsOf(placed.order.id)).toHaveLength(0)
  })

  it('refuses http://127.0.0.1 unless ORDERLINE_PUSH_ALLOW_INSECURE is on', async () => {
    const strict = await startServer()
    try {
      const placed = await placeOrder(strict)
      const res = await api(strict, `/api/orders/${placed.order.id}/push-subscriptions`, {
        token: placed.trackingToken,
        body: subscription().body,
      })
      expect(res.status).toBe(422)
      expect(res.body.error.code).toBe('push_endpoint_invalid')
    } finally {
      await strict.close()
    }
  })

  it('a name resolving to any non-public address is refused (rebinding-style answers included)', async () => {
    const policy = (addresses: string[]) => ({
      allowInsecureLoopback: false,
      lookup: async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    })
    expect(await checkPushEndpoint('https://push.example/x', policy(['8.8.8.8']))).toMatchObject({
      ok: true,
      endpoint: { address: '8.8.8.8' },
    })
    expect(await checkPushEndpoint('https://push.example/x', policy(['8.8.8.8', '10.0.0.1']))).toMatchObject({
      ok: false,
      code: 'push_endpoint_forbidden',
    })
    expect(await checkPushEndpoint('https://push.example/x', policy(['2606:4700::1111', '::1']))).toMatchObject({
      ok: false,
      code: 'push_endpoint_forbidden',
    })
    expect(await checkPushEndpoint('https://push.example/x', policy([]))).toMatchObject({ ok: false, code: 'push_endpoint_unresolvable' })
  })

  it('refuses malformed keys with 400', async () => {
    const placed = await placeOrder(server)
    const good = browserKeys().json
    const offCurve = Buffer.alloc(65, 1)
    offCurve[0] = 4
    const bodies: [unknown, string][] = [
      [{ endpoint: `${receiver.url}/x`, keys: { ...good, p256dh: good.p256dh.slice(0, 40) } }, 'validation_failed'],
      [{ endpoint: `${receiver.url}/x`, keys: { ...good, p256dh: `${good.p256dh.slice(0, 86)}*` } }, 'validation_failed'],
      [{ endpoint: `${receiver.url}/x`, keys: { ...good, auth: randomBytes(15).toString('base64url') } }, 'validation_failed'],
      [{ endpoint: `${receiver.url}/x`, keys: { ...good, p256dh: offCurve.toString('base64url') } }, 'invalid_push_keys'],
      [
        {
          endpoint: `${receiver.url}/x`,
          keys: { ...good, p256dh: createECDH('prime256v1').generateKeys().subarray(0, 65).toString('base64url').replace(/^./, 'A') },
        },
        'validation_failed',
      ],
      [{ endpoint: `${receiver.url}/x` }, 'validation_failed'],
      [{ endpoint: `${receiver.url}/x`, keys: good, extra: 1 }, 'validation_failed'],
      [{ endpoint: 'x'.repeat(3000), keys: good }, 'validation_failed'],
      [{ endpoint: 42, keys: good }, 'validation_failed'],
      ['nope', 'validation_failed'],
    ]
    for (const [body, code] of bodies) {
      const res = await subscribe(placed, body)
      expect(res.status, JSON.stringify(body).slice(0, 120)).toBe(400)
      expect(res.body.error.code).toBe(code)
    }
    // Browsers send padding-free base64url; padded keys are accepted too.
    expect(
      (await subscribe(placed, { endpoint: `${receiver.url}/padded`, keys: { p256dh: `${good.p256dh}=`, auth: `${good.auth}==` } })).status,
    ).toBe(201)
  })

  it('allows five subscriptions per order: the sixth is 409, re-subscribing a known endpoint is not', async () => {
    const placed = await placeOrder(server)
    const subs = Array.from({ length: 5 }, () => subscription())
    for (const sub of subs) expect((await subscribe(placed, sub.body)).status).toBe(201)
    const sixth = await subscribe(placed, subscription().body)
    expect(sixth.status).toBe(409)
    expect(sixth.body.error.code).toBe('too_many_subscriptions')
    // The same endpoint with new keys (a browser re-subscribing) replaces, not adds.
    expect((await subscribe(placed, { ...subs[0]!.body, keys: browserKeys().json })).status).toBe(201)
    expect(await subscriptionsOf(placed.order.id)).toHaveLength(5)
  })

  it('concurrent subscribes never pass the limit', async () => {
    const placed = await placeOrder(server)
    const results = await Promise.all(Array.from({ length: 12 }, () => subscribe(placed, subscription().body)))
    expect(results.filter((r) => r.status === 201)).toHaveLength(5)
    expect(results.filter((r) => r.status === 409)).toHaveLength(7)
    expect(await subscriptionsOf(placed.order.id)).toHaveLength(5)
  })
})

describe('two nodes on one database', () => {
  it('only the node that committed the change sends it, once per subscription', async () => {
    const database = await sharedTestDatabase()
    const a = await startServer({ databaseUrl: database.url, pushAllowInsecure: true })
    const b = await startServer({ databaseUrl: database.url, pushAllowInsecure: true })
    try {
      const placed = await placeOrder(a)
      const { keys, body } = subscription()
      expect((await api(a, `/api/orders/${placed.order.id}/push-subscriptions`, { token: placed.trackingToken, body })).status).toBe(201)
      const token = await loginAdmin(b)
      expect((await patchStatus(b, token, placed.order, 'confirmed')).status).toBe(200)
      await Promise.all([a.push.idle(), b.push.idle()])
      await sleep(200)
      await Promise.all([a.push.idle(), b.push.idle()])
      expect(receiver.received).toHaveLength(1)
      expect(JSON.parse(decryptPush(receiver.received[0]!.body, keys).toString('utf8'))).toMatchObject({ status: 'confirmed' })
      // Signed with the shared key pair, whichever node sends.
      const shared = (await api(a, '/api/push/public-key')).body.publicKey
      await verifyVapid(receiver.received[0]!.headers.authorization, shared, receiver.url)
    } finally {
      await Promise.all([a.close(), b.close()])
      await database.release()
    }
  })
})
