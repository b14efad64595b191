import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Order } from '../../src/protocol'
import type { HubListener } from '../../src/shared/hubApi'
import { Hub, OFFLINE_AFTER_FAILURES, STATUS_COALESCE_MS } from '../../src/hub/hub'
import { createHubApi } from '../../src/hub/createHubApi'
import type { HubSocket, SocketHandlers } from '../../src/hub/socketPort'
import { HUB_PROTOCOL_VERSION, type HubStatus } from '../../src/shared/hubTypes'

const TOKEN = 'tracking-token-0123456789'

function makeOrder(id: string, version = 1): Order {
  const at = '2026-01-01T00:00:00.000Z'
  return {
    id,
    number: 1001,
    status: 'placed',
    version,
    items: [{ productId: 'p1', name: 'Tea', quantity: 1, unitPriceCents: 300 }],
    totalCents: 300,
    customer: { name: 'Ada', email: 'ada@example.com' },
    note: null,
    createdAt: at,
    updatedAt: at,
    history: [{ status: 'placed', version: 1, at }],
  }
}

/** A socket the test drives by hand. */
class FakeSocket implements HubSocket {
  connected = false
  closed = false
  emitted: { event: string; payload: unknown }[] = []
  answer: (event: string, payload: unknown) => Promise<unknown> = async () => ({ ok: true })
  constructor(
    readonly auth: { token?: string },
    readonly handlers: SocketHandlers,
  ) {}
  emitWithAck(event: 'watchOrder' | 'unwatchOrder', payload: unknown): Promise<unknown> {
    this.emitted.push({ event, payload })
    return this.answer(event, payload)
  }
  close() {
    this.closed = true
    this.connected = false
  }
  connect(recovered = false) {
    this.connected = true
    this.handlers.onConnect(recovered)
  }
  drop(reason = 'transport close') {
    this.connected = false
    this.handlers.onDisconnect(reason)
  }
  watched() {
    return this.emitted.filter((e) => e.event === 'watchOrder').map((e) => (e.payload as { orderId: string }).orderId)
  }
}

function setup() {
  const sockets: FakeSocket[] = []
  const released: HubListener[] = []
  const hub = new Hub({
    mode: 'shared-worker',
    createSocket: (auth, handlers) => {
      const socket = new FakeSocket(auth, handlers)
      sockets.push(socket)
      return socket
    },
    releaseListener: (listener) => released.push(listener),
    now: () => 42,
  })
  hub.start()
  const socket = () => sockets[sockets.length - 1]!
  return { hub, sockets, socket, released }
}

function tab() {
  const events: unknown[] = []
  const statuses: HubStatus[] = []
  const listener: HubListener = {
    onEvent: (event) => void events.push(event),
    onStatus: (status) => void statuses.push(status),
  }
  return { listener, events, statuses }
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('Hub', () => {
  beforeEach(() => vi.useRealTimers())
  afterEach(() => vi.useRealTimers())

  it('starts connecting, goes live on connect and counts reconnects', async () => {
    const { hub, socket } = setup()
    expect(hub.getStatus().state).toBe('connecting')
    socket().connect()
    await flush()
    expect(hub.getStatus().state).toBe('live')
    socket().drop()
    expect(hub.getStatus().state).toBe('connecting')
    socket().connect(true)
    await flush()
    expect(hub.getStatus()).toMatchObject({ state: 'live', reconnects: 1 })
  })

  it('reads offline after repeated handshake failures', () => {
    const { hub, socket } = setup()
    for (let i = 0; i < OFFLINE_AFTER_FAILURES; i++) socket().handlers.onConnectError('xhr poll error', true)
    expect(hub.getStatus()).toMatchObject({ state: 'offline', lastError: 'xhr poll error' })
  })

  it('joins an order room once for many tabs and leaves when the last lets go', async () => {
    const { hub, socket } = setup()
    socket().connect()
    hub.addTab('a', tab().listener)
    hub.addTab('b', tab().listener)
    const interest = { kind: 'order', orderId: 'o1', token: TOKEN } as const
    expect(await hub.watch('a', interest)).toEqual({ ok: true })
    expect(await hub.watch('b', interest)).toEqual({ ok: true })
    expect(socket().watched()).toEqual(['o1'])
    expect(hub.getStatus().rooms).toEqual(['order:o1'])
    await hub.unwatch('a', interest)
    expect(socket().emitted.some((e) => e.event === 'unwatchOrder')).toBe(false)
    await hub.unwatch('b', interest)
    expect(socket().emitted.at(-1)).toEqual({ event: 'unwatchOrder', payload: { orderId: 'o1' } })
    expect(hub.getStatus().rooms).toEqual([])
  })

  it('returns a refused ack and forgets the interest', async () => {
    const { hub, socket } = setup()
    socket().answer = async () => ({ ok: false, error: { code: 'forbidden', message: 'bad token' } })
    socket().connect()
    hub.addTab('a', tab().listener)
    const ack = await hub.watch('a', { kind: 'order', orderId: 'o1', token: TOKEN })
    expect(ack).toEqual({ ok: false, error: { code: 'forbidden', message: 'bad token' } })
    expect(hub.getStatus().rooms).toEqual([])
  })

  it('turns an ack timeout into an error value', async () => {
    const { hub, socket } = setup()
    socket().answer = async () => {
      throw new Error('operation has timed out')
    }
    socket().connect()
    hub.addTab('a', tab().listener)
    expect(await hub.watch('a', { kind: 'order', orderId: 'o1', token: TOKEN })).toMatchObject({ ok: false, error: { code: 'timeout' } })
  })

  it('joins rooms asked for while offline once connected, and re-joins after an unrecovered reconnect', async () => {
    const { hub, socket } = setup()
    hub.addTab('a', tab().listener)
    expect(await hub.watch('a', { kind: 'order', orderId: 'o1', token: TOKEN })).toEqual({ ok: true })
    expect(socket().watched()).toEqual([])
    socket().connect()
    await flush()
    expect(socket().watched()).toEqual(['o1'])
    const epoch = hub.getStatus().syncEpoch!
    socket().drop()
    socket().connect(true) // recovered: the server kept our rooms
    await flush()
    expect(socket().watched()).toEqual(['o1'])
    expect(hub.getStatus().syncEpoch).toBe(epoch)
    socket().drop()
    socket().connect(false)
    await flush()
    expect(socket().watched()).toEqual(['o1', 'o1'])
    expect(hub.getStatus()).toMatchObject({ state: 'live', syncEpoch: epoch + 1, rooms: ['order:o1'] })
  })

  it('leaves, after a recovered reconnect, the rooms let go of while disconnected', async () => {
    const { hub, socket } = setup()
    socket().connect()
    hub.addTab('a', tab().listener)
    const interest = { kind: 'order', orderId: 'o1', token: TOKEN } as const
    await hub.watch('a', interest)
    socket().drop()
    await hub.unwatch('a', interest)
    expect(socket().emitted.map((e) => e.event)).toEqual(['watchOrder'])
    socket().connect(true)
    await flush()
    expect(socket().emitted.at(-1)).toEqual({ event: 'unwatchOrder', payload: { orderId: 'o1' } })
  })

  it('reports live only after the re-joins are answered', async () => {
    const { hub, socket } = setup()
    hub.addTab('a', tab().listener)
    await hub.watch('a', { kind: 'order', orderId: 'o1', token: TOKEN })
    let answer!: (value: unknown) => void
    socket().answer = () => new Promise((resolve) => (answer = resolve))
    socket().connect()
    await flush()
    expect(hub.getStatus().state).toBe('connecting')
    answer({ ok: true })
    await flush()
    expect(hub.getStatus().state).toBe('live')
  })

  it('routes validated events to the tabs that asked, and drops invalid ones', async () => {
    const { hub, socket } = setup()
    socket().connect()
    const customer = tab()
    const admin = tab()
    const bystander = tab()
    hub.addTab('c', customer.listener)
    hub.addTab('a', admin.listener)
    hub.addTab('x', bystander.listener)
    await hub.watch('c', { kind: 'order', orderId: 'o1', token: TOKEN })
    await hub.watch('a', { kind: 'admin' })

    socket().handlers.onEvent('orderUpdated', { seq: 5, order: makeOrder('o1', 2) })
    socket().handlers.onEvent('newOrder', { seq: 6, order: makeOrder('o2') })
    socket().handlers.onEvent('orderUpdated', { seq: 'nope', order: {} })
    socket().handlers.onEvent('statsUpdated', { hacked: true })
    socket().handlers.onEvent('somethingElse', {})

    expect(customer.events).toEqual([{ type: 'orderUpdated', payload: { seq: 5, order: makeOrder('o1', 2) } }])
    expect(admin.events.map((e) => (e as { type: string }).type)).toEqual(['orderUpdated', 'newOrder'])
    expect(bystander.events).toEqual([])
    expect(hub.getStatus()).toMatchObject({ eventsIn: 5, eventsForwarded: 3, invalidDropped: 3, lastEventAt: 42 })
  })

  it('hands an event to visible tabs first, stamped with its receipt time', async () => {
    const { hub, socket } = setup()
    socket().connect()
    const order: string[] = []
    const stamps: (number | undefined)[] = []
    for (const id of ['hidden-1', 'seen', 'hidden-2']) {
      hub.addTab(id, {
        onEvent: (_event, sentAt) => {
          order.push(id)
          stamps.push(sentAt)
        },
        onStatus: () => {},
      })
      await hub.watch(id, { kind: 'admin' })
      hub.setVisibility(id, id === 'seen')
    }
    socket().handlers.onEvent('newOrder', { seq: 1, order: makeOrder('o1') })
    expect(order).toEqual(['seen', 'hidden-1', 'hidden-2'])
    expect(new Set(stamps).size).toBe(1)
    expect(typeof stamps[0]).toBe('number')
  })

  it('drops a tab whose listener throws or rejects (dead proxy)', async () => {
    const { hub, socket, released } = setup()
    socket().connect()
    const dead: HubListener = {
      onEvent: () => Promise.reject(new Error('port closed')),
      onStatus: () => {},
    }
    const throwing: HubListener = {
      onEvent: () => {
        throw new Error('Proxy has been released')
      },
      onStatus: () => {},
    }
    hub.addTab('dead', dead)
    hub.addTab('throwing', throwing)
    await hub.watch('dead', { kind: 'order', orderId: 'o1', token: TOKEN })
    await hub.watch('throwing', { kind: 'admin' })
    expect(() => socket().handlers.onEvent('orderUpdated', { seq: 1, order: makeOrder('o1') })).not.toThrow()
    await flush()
    expect(hub.hasTab('dead')).toBe(false)
    expect(hub.hasTab('throwing')).toBe(false)
    expect(released).toEqual(expect.arrayContaining([dead, throwing]))
    expect(socket().emitted.at(-1)).toEqual({ event: 'unwatchOrder', payload: { orderId: 'o1' } })
  })

  it('removeTab frees its rooms and releases the listener', async () => {
    const { hub, socket, released } = setup()
    socket().connect()
    const a = tab()
    hub.addTab('a', a.listener)
    await hub.watch('a', { kind: 'order', orderId: 'o1', token: TOKEN })
    hub.removeTab('a')
    expect(released).toEqual([a.listener])
    expect(hub.getStatus()).toMatchObject({ tabs: 0, rooms: [] })
    expect(socket().emitted.at(-1)?.event).toBe('unwatchOrder')
  })

  it('setCredentials reconnects with the new auth, once per change, and tells every tab', async () => {
    const { hub, sockets, socket } = setup()
    socket().connect()
    const a = tab()
    hub.addTab('a', a.listener)
    await hub.setCredentials('admin-jwt-0123456789')
    expect(sockets).toHaveLength(2)
    expect(sockets[0]!.closed).toBe(true)
    expect(socket().auth).toEqual({ token: 'admin-jwt-0123456789' })
    expect(a.statuses.at(-1)).toMatchObject({ admin: true, state: 'connecting' })
    await hub.setCredentials('admin-jwt-0123456789')
    expect(sockets).toHaveLength(2)
    socket().connect()
    await flush()
    expect(hub.getStatus().rooms).toEqual(['admin'])
    await hub.setCredentials(null)
    expect(socket().auth).toEqual({})
    expect(hub.getStatus().admin).toBe(false)
  })

  it('ignores events and connects of a socket it replaced', async () => {
    const { hub, sockets } = setup()
    await hub.setCredentials('admin-jwt-0123456789')
    const old = sockets[0]!
    const a = tab()
    hub.addTab('a', a.listener)
    await hub.watch('a', { kind: 'admin' })
    old.handlers.onEvent('newOrder', { seq: 1, order: makeOrder('o1') })
    old.handlers.onConnect(false)
    expect(a.events).toEqual([])
    expect(hub.getStatus()).toMatchObject({ eventsIn: 0, state: 'connecting' })
  })

  it('coalesces counter-only status broadcasts', async () => {
    vi.useFakeTimers()
    const { hub, socket } = setup()
    socket().connect()
    await vi.advanceTimersByTimeAsync(0)
    const a = tab()
    hub.addTab('a', a.listener)
    await hub.watch('a', { kind: 'admin' })
    a.statuses.length = 0
    for (let i = 0; i < 10; i++) socket().handlers.onEvent('newOrder', { seq: i, order: makeOrder('o1') })
    expect(a.statuses).toEqual([])
    await vi.advanceTimersByTimeAsync(STATUS_COALESCE_MS)
    expect(a.statuses).toHaveLength(1)
    expect(a.statuses[0]).toMatchObject({ eventsIn: 10, eventsForwarded: 10 })
  })
})

describe('createHubApi', () => {
  it('refuses a tab of another protocol or build', async () => {
    const { hub } = setup()
    const api = createHubApi(hub, { build: 'b1' })
    const listener = tab().listener
    expect(await api.hello({ tabId: 't1', protocol: HUB_PROTOCOL_VERSION + 1, build: 'b1', lockName: null }, listener)).toMatchObject({
      ok: false,
      error: { code: 'protocol_mismatch' },
    })
    expect(await api.hello({ tabId: 't1', protocol: HUB_PROTOCOL_VERSION, build: 'b2', lockName: null }, listener)).toMatchObject({
      ok: false,
      error: { code: 'build_mismatch' },
    })
    expect(hub.getStatus().tabs).toBe(0)
    expect(await api.hello({ tabId: 't1', protocol: HUB_PROTOCOL_VERSION, build: 'b1', lockName: null }, listener)).toMatchObject({
      ok: true,
    })
    expect(hub.getStatus().tabs).toBe(1)
  })

  it('rejects malformed interests as values', async () => {
    const { hub } = setup()
    const api = createHubApi(hub, { build: 'b1' })
    await api.hello({ tabId: 't1', protocol: HUB_PROTOCOL_VERSION, build: 'b1', lockName: null }, tab().listener)
    expect(await api.watch('t1', { kind: 'order', orderId: '../etc', token: TOKEN })).toMatchObject({ ok: false })
    expect(await api.watch('t1', { kind: 'order', orderId: 'o1', token: 'short' })).toMatchObject({ ok: false })
    expect(await api.watch('t1', null as never)).toMatchObject({ ok: false })
    expect(await api.watch('unknown-tab', { kind: 'admin' })).toMatchObject({ ok: false, error: { code: 'unknown_tab' } })
  })

  it('frees a tab when its lock is granted, and stops waiting after bye', async () => {
    const { hub } = setup()
    const grants = new Map<string, { callback: () => unknown; signal?: AbortSignal }>()
    const locks = {
      request: (name: string, options: { signal?: AbortSignal }, callback: () => unknown) => {
        grants.set(name, { callback, signal: options.signal })
        return new Promise((resolve, reject) => {
          options.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))
          grants.get(name)!.callback = () => resolve(callback())
        })
      },
    } as unknown as LockManager
    const api = createHubApi(hub, { build: 'b1', locks })
    await api.hello({ tabId: 't1', protocol: HUB_PROTOCOL_VERSION, build: 'b1', lockName: 'lock-t1' }, tab().listener)
    await api.hello({ tabId: 't2', protocol: HUB_PROTOCOL_VERSION, build: 'b1', lockName: 'lock-t2' }, tab().listener)
    expect(hub.getStatus().tabs).toBe(2)
    grants.get('lock-t1')!.callback() // tab 1 died
    expect(hub.hasTab('t1')).toBe(false)
    await api.bye('t2')
    expect(grants.get('lock-t2')!.signal?.aborted).toBe(true)
    expect(hub.getStatus().tabs).toBe(0)
  })

  it('lets go of every queued lock request when its in-page hub stops, and queues no more', async () => {
    const { hub } = setup()
    const signals = new Map<string, AbortSignal | undefined>()
    const locks = {
      request: (name: string, options: { signal?: AbortSignal }) => {
        signals.set(name, options.signal)
        return new Promise((_resolve, reject) =>
          options.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
        )
      },
    } as unknown as LockManager
    const stopped = new AbortController()
    const api = createHubApi(hub, { build: 'b1', locks, stopped: stopped.signal })
    await api.hello({ tabId: 't1', protocol: HUB_PROTOCOL_VERSION, build: 'b1', lockName: 'lock-t1' }, tab().listener)
    await api.hello({ tabId: 't2', protocol: HUB_PROTOCOL_VERSION, build: 'b1', lockName: 'lock-t2' }, tab().listener)
    expect([...signals.values()].map((signal) => signal?.aborted)).toEqual([false, false])
    stopped.abort()
    expect([...signals.values()].map((signal) => signal?.aborted)).toEqual([true, true])
    await api.hello({ tabId: 't3', protocol: HUB_PROTOCOL_VERSION, build: 'b1', lockName: 'lock-t3' }, tab().listener)
    expect(signals.has('lock-t3')).toBe(false)
  })
})
