import { describe, expect, it } from 'vitest'
import { ClockOffset, percentile, RollingLatency } from '../../src/app/realtime/hopLatency'
import { eventPortListener } from '../../src/hub/eventPort'
import type { EventPortMessage } from '../../src/shared/hubApi'
import type { ServerEvent } from '../../src/protocol'
import { parseLeaderMessage, parseTabMessage } from '../../src/shared/leaderMessages'

describe('hop latency', () => {
  it('nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1)
    expect(percentile(sorted, 50)).toBe(50)
    expect(percentile(sorted, 95)).toBe(95)
    expect(percentile([], 50)).toBeNull()
    expect(percentile([7], 95)).toBe(7)
  })

  it('keeps a rolling window and ignores nonsense', () => {
    const rolling = new RollingLatency(3)
    for (const ms of [100, 1, 2, 3, Number.NaN, 120_000, -0.2]) rolling.record(ms)
    expect(rolling.stats()).toEqual({ count: 5, p50: 2, p95: 3, p99: 3, last: 0 })
  })
})

describe('clock offset between hub and tab', () => {
  it('takes the probe with the shortest round trip and ignores slow ones', () => {
    const clock = new ClockOffset()
    expect(clock.known).toBe(false)
    expect(clock.toLocal(1_000)).toBe(1_000)
    // The hub runs 40 ms ahead. A probe that waited 50 ms on the way out says +65: too slow, unused.
    clock.sample(0, 90, 80)
    expect(clock.known).toBe(false)
    clock.sample(100, 140.6, 101)
    clock.sample(200, 240.1, 200.2)
    expect(clock.offset).toBeCloseTo(40, 6)
    expect(clock.toLocal(1_040)).toBeCloseTo(1_000, 6)
  })
})

describe('event port (hub side)', () => {
  const event = { type: 'statsUpdated', payload: { ordersToday: 1 } } as unknown as ServerEvent
  const noop = { onEvent: () => {}, onStatus: () => {} }

  function portPair() {
    const channel = new MessageChannel()
    const received: EventPortMessage[] = []
    channel.port1.onmessage = (message: MessageEvent) => received.push(message.data as EventPortMessage)
    return { channel, received }
  }
  const flush = () => new Promise((resolve) => setTimeout(resolve, 20))

  it('string: one JSON text per event, the same text for every tab', async () => {
    const a = portPair()
    const b = portPair()
    const first = eventPortListener(noop, a.channel.port2, 'string', () => 5)
    const second = eventPortListener(noop, b.channel.port2, 'string', () => 5)
    void first.onEvent(event, 1.5)
    void second.onEvent(event, 1.5)
    await flush()
    expect(a.received).toEqual([{ kind: 'frames', frames: [JSON.stringify([event, 1.5])] }])
    expect(b.received).toEqual(a.received)
    first.close()
    second.close()
  })

  it('batched: the events of one task in one post; object: the event itself', async () => {
    const a = portPair()
    const batched = eventPortListener(noop, a.channel.port2, 'batched', () => 5)
    const other = { ...event } as ServerEvent
    void batched.onEvent(event, 1)
    void batched.onEvent(other, 2)
    await flush()
    expect(a.received).toEqual([{ kind: 'frames', frames: [JSON.stringify([event, 1]), JSON.stringify([other, 2])] }])
    const b = portPair()
    const object = eventPortListener(noop, b.channel.port2, 'object', () => 5)
    void object.onEvent(event, 3)
    await flush()
    expect(b.received).toEqual([{ kind: 'event', event, sentAt: 3 }])
    batched.close()
    object.close()
  })

  it('answers clock probes with the hub clock; status goes to the tab listener', async () => {
    const a = portPair()
    const statuses: unknown[] = []
    const listener = eventPortListener(
      { onEvent: () => {}, onStatus: (status) => void statuses.push(status) },
      a.channel.port2,
      'string',
      () => 42,
    )
    a.channel.port1.postMessage({ kind: 'probe', probe: 7 })
    await flush()
    expect(a.received).toEqual([{ kind: 'clock', probe: 7, hub: 42 }])
    void listener.onStatus({ state: 'live' } as never)
    expect(statuses).toEqual([{ state: 'live' }])
    expect(listener.onPollTick).toBeUndefined()
    listener.close()
  })
})

describe('leader channel messages', () => {
  it('accepts well-formed messages and rejects the rest', () => {
    expect(parseTabMessage({ kind: 'call', callId: 'c1', tabId: 't1', method: 'watch', args: [] })).not.toBeNull()
    expect(parseTabMessage({ kind: 'call', callId: 'c1', tabId: 't1', method: 'eval', args: [] })).toBeNull()
    expect(parseTabMessage({ kind: 'pollResult', pollId: 'p', outcome: { ok: true, orders: [] } })).not.toBeNull()
    expect(parseTabMessage({ kind: 'pollResult', pollId: 'p', outcome: { ok: 'yes' } })).toBeNull()
    expect(parseTabMessage('ping')).toBeNull()
    expect(parseLeaderMessage({ kind: 'leader', leaderId: 'L' })).toEqual({ kind: 'leader', leaderId: 'L' })
    expect(parseLeaderMessage({ kind: 'event', tabId: 't', event: { type: 'orderUpdated' }, sentAt: 1 })).not.toBeNull()
    expect(parseLeaderMessage({ kind: 'event', tabId: 't', event: null, sentAt: 1 })).toBeNull()
    expect(parseLeaderMessage({ kind: 'status', tabId: 't', status: {} })).toBeNull()
    expect(parseLeaderMessage(null)).toBeNull()
  })
})
