import { describe, expect, it } from 'vitest'
import {
  cacheKeyUrl,
  cacheNameFor,
  hashAuthorization,
  isCacheableApiPath,
  markCached,
  ADMIN_API_CACHE,
  API_CACHE,
} from '../../src/shared/apiCacheRules'
import { memoryOutboxStorage, type OutboxEntry } from '../../src/shared/outboxDb'
import { replayOutbox, settle } from '../../src/shared/outboxReplay'
import { CACHE_HIT_HEADER, CACHED_AT_HEADER } from '../../src/shared/swProtocol'
import { jsonResponse, makeOrder } from './support/fixtures'

function entry(overrides: Partial<OutboxEntry> = {}): OutboxEntry {
  return {
    key: 'key-00000001',
    orderId: 'ord_1',
    orderNumber: 1001,
    fromStatus: 'placed',
    status: 'confirmed',
    version: 1,
    token: 'a.b.c',
    createdAt: 1,
    attempts: 0,
    state: 'pending',
    error: null,
    current: null,
    ...overrides,
  }
}

describe('outbox replay', () => {
  it('sends each pending change with its idempotency key and expected version, oldest first', async () => {
    const storage = memoryOutboxStorage([entry({ key: 'key-second1', createdAt: 2, status: 'preparing', version: 2 }), entry()])
    const sent: { key: string; body: unknown }[] = []
    const report = await replayOutbox(storage, {
      url: (path) => path,
      fetch: async (_url, init) => {
        const headers = init.headers as Record<string, string>
        const body = JSON.parse(String(init.body)) as { version: number }
        sent.push({ key: headers['Idempotency-Key']!, body })
        return jsonResponse(200, makeOrder({ version: body.version + 1 }))
      },
    })
    expect(sent).toEqual([
      { key: 'key-00000001', body: { status: 'confirmed', version: 1 } },
      { key: 'key-second1', body: { status: 'preparing', version: 2 } },
    ])
    expect(report.applied.map((order) => order.version)).toEqual([2, 3])
    expect(await storage.all()).toEqual([])
  })

  it('keeps everything when the network is still down, and stops at the first failure', async () => {
    const storage = memoryOutboxStorage([entry(), entry({ key: 'key-second1', createdAt: 2 })])
    let calls = 0
    const report = await replayOutbox(storage, {
      url: (path) => path,
      fetch: async () => {
        calls++
        throw new TypeError('Failed to fetch')
      },
    })
    expect(calls).toBe(1)
    expect(report.deferred).toBe(true)
    const left = await storage.all()
    expect(left.map((item) => [item.state, item.attempts])).toEqual([
      ['pending', 1],
      ['pending', 0],
    ])
  })

  it('records a conflict with the server copy instead of dropping it', () => {
    const current = makeOrder({ version: 2, status: 'cancelled' })
    const { next, applied } = settle(entry(), {
      kind: 'http',
      status: 409,
      body: { error: { code: 'version_conflict', message: 'stale', current } },
    })
    expect(applied).toBeNull()
    expect(next).toMatchObject({ state: 'conflict', current: { version: 2, status: 'cancelled' }, error: { code: 'version_conflict' } })
  })

  it('records an illegal transition and keeps 5xx pending for a later retry', () => {
    expect(settle(entry(), { kind: 'http', status: 422, body: { error: { code: 'illegal_transition', message: 'no' } } }).next?.state).toBe(
      'illegal',
    )
    const retry = settle(entry(), { kind: 'http', status: 503, body: null })
    expect(retry.next?.state).toBe('pending')
    expect(retry.stop).toBe(true)
    expect(settle(entry(), { kind: 'http', status: 401, body: null }).next?.state).toBe('failed')
  })
})

describe('API cache rules', () => {
  it('caches API GETs except auth and the change log', () => {
    expect(isCacheableApiPath('/api/orders/ord_1')).toBe(true)
    expect(isCacheableApiPath('/api/products')).toBe(true)
    expect(isCacheableApiPath('/api/changes')).toBe(false)
    expect(isCacheableApiPath('/api/auth/login')).toBe(false)
    expect(isCacheableApiPath('/socket.io/')).toBe(false)
  })

  it('never shares an entry between two credentials, and keeps admin answers apart', async () => {
    const a = await hashAuthorization('Bearer token-a')
    const b = await hashAuthorization('Bearer token-b')
    expect(a).not.toBe(b)
    expect(await hashAuthorization(null)).toBe('anon')
    expect(cacheKeyUrl('http://x/api/orders/1', a)).not.toBe(cacheKeyUrl('http://x/api/orders/1', b))
    expect(cacheNameFor('Bearer header.payload.signature')).toBe(ADMIN_API_CACHE)
    expect(cacheNameFor('Bearer tracking_token_base64url')).toBe(API_CACHE)
  })

  it('marks an answer served from the cache with its age', () => {
    const marked = markCached(new Response('{}', { headers: { [CACHED_AT_HEADER]: '1234' } }), 99)
    expect(marked.headers.get(CACHE_HIT_HEADER)).toBe('hit')
    expect(marked.headers.get(CACHED_AT_HEADER)).toBe('1234')
  })
})
