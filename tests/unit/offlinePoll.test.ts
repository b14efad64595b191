import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { applyClientMessage } from '../../src/app/bridges/swBridge'
import { etagOfVersion } from '../../src/protocol'
import { runPoll, type PollDeps } from '../../src/shared/pollCore'
import { describeAge, effectiveState, useFreshnessStore } from '../../src/app/stores/freshness'
import { parseClientMessage, parseSwMessage } from '../../src/shared/swProtocol'
import { useOrdersStore } from '../../src/app/stores/orders'
import { jsonResponse, makeOrder, makeStats } from './support/fixtures'
import { useDashboardStore } from '../../src/app/stores/dashboard'

vi.mock('../../src/app/realtime/hubLadder', () => ({
  getRealtimeClient: () => {
    throw new Error('no hub in unit tests')
  },
}))

const TOKEN = 'tracking-token-0123456789'

function deps(
  handler: (url: string, init: RequestInit) => Response | Promise<Response>,
): PollDeps & { calls: { url: string; init: RequestInit }[] } {
  const calls: { url: string; init: RequestInit }[] = []
  return {
    calls,
    url: (path) => `http://api.test${path}`,
    fetch: async (url, init) => {
      calls.push({ url, init })
      return handler(url, init)
    },
  }
}

beforeEach(() => setActivePinia(createPinia()))

describe('runPoll (one fallback poll round)', () => {
  it('sends one conditional GET per order with the held version as ETag; 304 means unchanged', async () => {
    const d = deps(() => new Response(null, { status: 304 }))
    const round = await runPoll({ orders: [{ orderId: 'ord_1', token: TOKEN, version: 3 }], admin: null }, d)
    expect(d.calls).toHaveLength(1)
    expect((d.calls[0]!.init.headers as Record<string, string>)['If-None-Match']).toBe(etagOfVersion(3))
    expect((d.calls[0]!.init.headers as Record<string, string>).Authorization).toBe(`Bearer ${TOKEN}`)
    expect(round.outcome).toEqual({ ok: true, orders: [{ orderId: 'ord_1', version: 3, terminal: false }] })
    expect(round.orders).toEqual([])
  })

  it('reports a newer order, marks terminal ones, and hands 200s to the cache', async () => {
    const delivered = makeOrder({ version: 5, status: 'delivered' })
    const onFresh = vi.fn(async () => {})
    const d = { ...deps(() => jsonResponse(200, delivered, { ETag: '"v5"' })), onFresh }
    const round = await runPoll({ orders: [{ orderId: 'ord_1', token: TOKEN, version: 4 }], admin: null }, d)
    expect(round.orders.map((order) => order.version)).toEqual([5])
    expect(round.outcome.orders).toEqual([{ orderId: 'ord_1', version: 5, terminal: true }])
    expect(onFresh).toHaveBeenCalledWith('/api/orders/ord_1', `Bearer ${TOKEN}`, expect.any(Response))
  })

  it('reads the admin change log after the cursor and moves it', async () => {
    const change = { seq: 12, order: makeOrder({ version: 2 }) }
    const d = deps(() => jsonResponse(200, { changes: [change], cursor: 12 }))
    const round = await runPoll({ orders: [], admin: { token: 'a.b.c', afterSeq: 10, stats: false } }, d)
    expect(d.calls[0]!.url).toBe('http://api.test/api/changes?after=10')
    expect(round.changes).toHaveLength(1)
    expect(round.outcome.lastSeq).toBe(12)
  })

  it('fetches the dashboard figures only when the plan asks for them, once per round', async () => {
    const stats = makeStats()
    const d = deps((url) => (url.includes('/api/stats') ? jsonResponse(200, stats) : jsonResponse(200, { changes: [], cursor: 3 })))
    const without = await runPoll({ orders: [], admin: { token: 'a.b.c', afterSeq: 3, stats: false } }, d)
    expect(without.stats).toBeNull()
    expect(d.calls.map((call) => call.url)).toEqual(['http://api.test/api/changes?after=3'])
    const withStats = await runPoll({ orders: [], admin: { token: 'a.b.c', afterSeq: 3, stats: true } }, d)
    expect(withStats.stats).toEqual(stats)
    expect(d.calls.filter((call) => call.url.endsWith('/api/stats'))).toHaveLength(1)
    expect(withStats.outcome.ok).toBe(true)
  })

  it('tells a network failure from a server error', async () => {
    const offline = await runPoll(
      { orders: [{ orderId: 'ord_1', token: TOKEN, version: 1 }], admin: null },
      deps(() => Promise.reject(new TypeError('Failed to fetch'))),
    )
    expect(offline.outcome).toMatchObject({ ok: false, networkError: true })
    const broken = await runPoll(
      { orders: [{ orderId: 'ord_1', token: TOKEN, version: 1 }], admin: null },
      deps(() => jsonResponse(500, { error: { code: 'x', message: 'x' } })),
    )
    expect(broken.outcome.ok).toBe(false)
    expect(broken.outcome.networkError).toBeUndefined()
  })

  it('drops a malformed body rather than reporting it', async () => {
    const round = await runPoll(
      { orders: [{ orderId: 'ord_1', token: TOKEN, version: null }], admin: null },
      deps(() => jsonResponse(200, { id: 'ord_1', version: 'nine' })),
    )
    expect(round.orders).toEqual([])
    expect(round.outcome.ok).toBe(false)
  })
})

describe('window ↔ service worker messages', () => {
  it('validates what the SW receives', () => {
    expect(parseSwMessage({ type: 'poll', plan: { orders: [{ orderId: 'ord_1', token: TOKEN, version: 1 }], admin: null } })).not.toBeNull()
    expect(parseSwMessage({ type: 'poll', plan: { orders: [{ orderId: '../etc', token: TOKEN, version: 1 }], admin: null } })).toBeNull()
    expect(parseSwMessage({ type: 'nope' })).toBeNull()
    expect(parseSwMessage('SKIP_WAITING')).toBeNull()
  })

  it('merges broadcast poll results by version and never moves an order backwards', () => {
    const orders = useOrdersStore()
    orders.applyOrder(makeOrder({ version: 3 }))
    const message = parseClientMessage({
      type: 'orderline:poll',
      orders: [makeOrder({ version: 2 })],
      changes: [],
      stats: null,
      at: 1,
      ok: true,
      networkError: false,
    })
    expect(message).not.toBeNull()
    applyClientMessage(message!)
    expect(orders.byId.ord_1!.version).toBe(3)
    applyClientMessage({
      type: 'orderline:poll',
      orders: [],
      changes: [{ seq: 9, order: makeOrder({ version: 4 }) }],
      stats: null,
      at: 2,
      ok: true,
      networkError: false,
    })
    expect(orders.byId.ord_1!.version).toBe(4)
    expect(orders.lastSeq).toBe(9)
  })

  it('applies the figures a poll broadcast carries to the dashboard', () => {
    const stats = makeStats()
    const message = parseClientMessage({ type: 'orderline:poll', orders: [], changes: [], stats, at: 1, ok: true, networkError: false })
    applyClientMessage(message!)
    expect(useDashboardStore().stats).toEqual(stats)
  })

  it('rejects a broadcast carrying an invalid order', () => {
    expect(
      parseClientMessage({
        type: 'orderline:poll',
        orders: [{ id: 'ord_1' }],
        changes: [],
        stats: null,
        at: 1,
        ok: true,
        networkError: false,
      }),
    ).toBeNull()
  })

  it('tracks freshness: a cached answer means offline with its age, a network answer clears it', () => {
    const freshness = useFreshnessStore()
    applyClientMessage({ type: 'orderline:api', source: 'cache', cachedAt: 1000, at: 5000 })
    expect(freshness.networkDown).toBe(true)
    expect(freshness.cachedAt).toBe(1000)
    applyClientMessage({ type: 'orderline:api', source: 'network', cachedAt: null, at: 9000 })
    expect(freshness.networkDown).toBe(false)
    expect(freshness.cachedAt).toBeNull()
    expect(freshness.confirmedAt).toBe(9000)
  })
})

describe('freshness helpers', () => {
  it('describes ages the way people say them', () => {
    expect(describeAge(0, 10_000)).toBe('just now')
    expect(describeAge(0, 120_000)).toBe('2 min ago')
    expect(describeAge(0, 3 * 3600_000)).toBe('3 h ago')
  })

  it('shows offline when the hub still hopes but the network fails; never overrides live', () => {
    expect(effectiveState('polling', true)).toBe('offline')
    expect(effectiveState('connecting', true)).toBe('offline')
    expect(effectiveState('polling', false)).toBe('polling')
    expect(effectiveState('live', true)).toBe('live')
    expect(effectiveState('disabled', true)).toBe('disabled')
  })
})
