import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Order } from '../../src/protocol'
import type { HubStatus, PollOutcome, PollPlan } from '../../src/shared/hubTypes'
import type { HubListener } from '../../src/shared/hubApi'
import { Hub } from '../../src/hub/hub'
import { PollDriver } from '../../src/hub/pollDriver'
import { afterPoll, INITIAL_POLL_STATE, nextPollDelay, POLL_MAX_BACKOFF_MS } from '../../src/hub/pollSchedule'
import type { HubSocket, SocketHandlers } from '../../src/hub/socketPort'
import { makeOrder } from './support/fixtures'

const TOKEN = 'tracking-token-0123456789'
const INTERVAL = 1_000

describe('pollSchedule', () => {
  it('waits the interval ±20 % on success', () => {
    expect(nextPollDelay(INITIAL_POLL_STATE, 5_000, () => 0)).toBe(4_000)
    expect(nextPollDelay(INITIAL_POLL_STATE, 5_000, () => 0.5)).toBe(5_000)
    expect(nextPollDelay(INITIAL_POLL_STATE, 5_000, () => 0.999999)).toBe(6_000)
  })

  it('backs off exponentially on failures up to a minute, and resets on success', () => {
    let state = INITIAL_POLL_STATE
    const delays: number[] = []
    for (let i = 0; i < 8; i++) {
      state = afterPoll(state, false)
      delays.push(nextPollDelay(state, 5_000, () => 0.5))
    }
    expect(delays).toEqual([10_000, 20_000, 40_000, 60_000, 60_000, 60_000, 60_000, 60_000])
    expect(nextPollDelay(afterPoll(state, false), 5_000, () => 0.999999)).toBeLessThanOrEqual(POLL_MAX_BACKOFF_MS * 1.2)
    expect(afterPoll(state, true)).toEqual(INITIAL_POLL_STATE)
  })

  it('never goes below the configured interval when it exceeds the cap', () => {
    expect(nextPollDelay(afterPoll(INITIAL_POLL_STATE, false), 90_000, () => 0.5)).toBe(90_000)
  })
})

describe('PollDriver', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('ticks while wanted, backs off on failure, stops when not wanted, and pollNow catches up', async () => {
    const outcomes: PollOutcome[] = [
      { ok: false, orders: [] },
      { ok: true, orders: [] },
    ]
    const relay = vi.fn(async (_plan: PollPlan) => outcomes.shift() ?? { ok: true, orders: [] })
    const driver = new PollDriver({
      intervalMs: INTERVAL,
      plan: () => ({ orders: [], admin: null }),
      relay,
      onOutcome: () => {},
      random: () => 0.5,
    })
    driver.setWanted(true)
    await vi.advanceTimersByTimeAsync(INTERVAL)
    expect(relay).toHaveBeenCalledTimes(1)
    expect(driver.failures).toBe(1)
    await vi.advanceTimersByTimeAsync(INTERVAL) // backed off: 2 s now
    expect(relay).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(INTERVAL)
    expect(relay).toHaveBeenCalledTimes(2)
    expect(driver.failures).toBe(0)
    driver.pollNow()
    await vi.advanceTimersByTimeAsync(0)
    expect(relay).toHaveBeenCalledTimes(3)
    driver.setWanted(false)
    await vi.advanceTimersByTimeAsync(10 * INTERVAL)
    expect(relay).toHaveBeenCalledTimes(3)
  })
})

class FakeSocket implements HubSocket {
  connected = false
  constructor(readonly handlers: SocketHandlers) {}
  emitWithAck = async () => ({ ok: true })
  close() {
    this.connected = false
  }
  connect() {
    this.connected = true
    this.handlers.onConnect(false)
  }
  drop() {
    this.connected = false
    this.handlers.onDisconnect('transport close')
  }
}

function pollTab(outcome: (plan: PollPlan) => PollOutcome) {
  const statuses: HubStatus[] = []
  const plans: PollPlan[] = []
  const listener: HubListener = {
    onEvent: () => {},
    onStatus: (status) => void statuses.push(status),
    onPollTick: async (plan) => {
      plans.push(plan)
      return outcome(plan)
    },
  }
  return { listener, statuses, plans, last: () => statuses[statuses.length - 1] }
}

describe('Hub fallback poll', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('without a socket (disabled) reads disabled, polls one visible tab per tick and learns from outcomes', async () => {
    const hub = new Hub({ mode: 'shared-worker', createSocket: null, pollIntervalMs: INTERVAL })
    hub.start()
    const outcome = (plan: PollPlan): PollOutcome => ({
      ok: true,
      orders: plan.orders.map(({ orderId }) => ({ orderId, version: 5, terminal: orderId === 'ord_done' })),
      lastSeq: 77,
    })
    const hidden = pollTab(outcome)
    const visible = pollTab(outcome)
    hub.addTab('hidden', hidden.listener)
    hub.addTab('visible', visible.listener)
    hub.setVisibility('hidden', false)
    hub.setVisibility('visible', true)
    await hub.watch('hidden', { kind: 'order', orderId: 'ord_done', token: TOKEN })
    await hub.watch('visible', { kind: 'order', orderId: 'ord_open', token: TOKEN })
    await hub.setCredentials('admin-token-0123456789')
    await hub.watch('visible', { kind: 'admin' })
    expect(hub.getStatus().state).toBe('disabled')

    await vi.advanceTimersByTimeAsync(INTERVAL * 1.2)
    expect(hidden.plans).toHaveLength(0)
    expect(visible.plans).toHaveLength(1)
    expect(visible.plans[0]).toEqual({
      orders: [
        { orderId: 'ord_done', token: TOKEN, version: null },
        { orderId: 'ord_open', token: TOKEN, version: null },
      ],
      admin: { token: 'admin-token-0123456789', afterSeq: 0, stats: false },
    })
    // A dashboard tab: the figures join the same round (one stats request per browser per tick).
    await hub.watch('hidden', { kind: 'stats' })
    await vi.advanceTimersByTimeAsync(INTERVAL * 1.2)
    // The terminal order is left out; versions and the admin cursor come from the outcome.
    expect(visible.plans[1]).toEqual({
      orders: [{ orderId: 'ord_open', token: TOKEN, version: 5 }],
      admin: { token: 'admin-token-0123456789', afterSeq: 77, stats: true },
    })
    expect(hub.getStatus()).toMatchObject({ state: 'disabled', polling: true })
    hub.stop()
  })

  it('polls only while the socket is down: polling when ok, offline on a network error, stops when live', async () => {
    const sockets: FakeSocket[] = []
    const hub = new Hub({
      mode: 'shared-worker',
      pollIntervalMs: INTERVAL,
      createSocket: (_auth, handlers) => {
        const socket = new FakeSocket(handlers)
        sockets.push(socket)
        return socket
      },
    })
    hub.start()
    let networkDown = false
    const t = pollTab(() => (networkDown ? { ok: false, networkError: true, orders: [] } : { ok: true, orders: [] }))
    hub.addTab('t1', t.listener)
    await hub.watch('t1', { kind: 'order', orderId: 'ord_1', token: TOKEN })
    sockets[0]!.connect()
    await vi.advanceTimersByTimeAsync(0)
    expect(hub.getStatus().state).toBe('live')
    await vi.advanceTimersByTimeAsync(INTERVAL * 5)
    expect(t.plans).toHaveLength(0)

    sockets[0]!.drop()
    await vi.advanceTimersByTimeAsync(INTERVAL * 1.2)
    expect(t.plans).toHaveLength(1)
    expect(hub.getStatus()).toMatchObject({ state: 'polling', polling: true })
    networkDown = true
    await vi.advanceTimersByTimeAsync(INTERVAL * 1.2)
    expect(hub.getStatus().state).toBe('offline')

    sockets[0]!.connect()
    await vi.advanceTimersByTimeAsync(0)
    const before = t.plans.length
    await vi.advanceTimersByTimeAsync(INTERVAL * 10)
    expect(t.plans).toHaveLength(before)
    expect(hub.getStatus()).toMatchObject({ state: 'live', polling: false })
    hub.stop()
  })

  it('learns versions and terminal orders from socket events too', async () => {
    const hub = new Hub({ mode: 'direct', createSocket: null, pollIntervalMs: INTERVAL })
    const t = pollTab(() => ({ ok: true, orders: [] }))
    hub.addTab('t1', t.listener)
    await hub.watch('t1', { kind: 'order', orderId: 'ord_1', token: TOKEN })
    await hub.watch('t1', { kind: 'order', orderId: 'ord_2', token: TOKEN })
    const order: Order = makeOrder({ id: 'ord_1', version: 5, status: 'delivered' })
    // Reach the private event path the way a socket would.
    ;(hub as unknown as { onServerEvent(name: string, payload: unknown): void }).onServerEvent('orderUpdated', { seq: 3, order })
    await vi.advanceTimersByTimeAsync(INTERVAL * 1.2)
    expect(t.plans[0]!.orders.map((o) => o.orderId)).toEqual(['ord_2'])
    hub.stop()
  })
})
