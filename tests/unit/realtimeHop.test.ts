import { describe, expect, it, vi } from 'vitest'
import {
  ClockOffset,
  HopBreakdown,
  hubClock,
  percentile,
  PROBE_DELAYS_MS,
  PROBE_EVERY_MS,
  probeHubClock,
  RollingLatency,
} from '../../src/app/realtime/hopLatency'
import { SeqWindow } from '../../src/app/realtime/transports'
import { createEventBroadcaster, eventPortListener } from '../../src/hub/eventPort'
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
    expect(a.received).toEqual([{ kind: 'frames', frames: [JSON.stringify([event, 1.5])], postedAt: 5 }])
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
    expect(a.received).toEqual([{ kind: 'frames', frames: [JSON.stringify([event, 1]), JSON.stringify([other, 2])], postedAt: 5 }])
    const b = portPair()
    const object = eventPortListener(noop, b.channel.port2, 'object', () => 5)
    void object.onEvent(event, 3)
    await flush()
    expect(b.received).toEqual([{ kind: 'event', event, sentAt: 3, postedAt: 5 }])
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

describe('clock probes', () => {
  it('probe on a schedule, use only answers to their own probes, and show the offset', () => {
    vi.useFakeTimers()
    try {
      let now = 1_000
      const sent: number[] = []
      hubClock.offset = null
      const clock = probeHubClock(
        (probe) => sent.push(probe),
        () => now,
      )
      expect(sent).toEqual([])
      now = 2_000
      vi.advanceTimersByTime(1_000)
      expect(sent).toEqual([2_000])
      // An answer to a probe this clock never sent (another tab's, a previous leader's): ignored.
      now = 2_000.4
      clock.answered(1_999, 5_000)
      expect(hubClock.offset).toBeNull()
      // The hub runs 25 ms ahead; the probe came back 0.4 ms later.
      clock.answered(2_000, 2_025.2)
      expect(hubClock.offset).toBeCloseTo(25, 6)
      expect(clock.toLocal(3_025)).toBeCloseTo(3_000, 6)
      // Answered once only.
      clock.answered(2_000, 9_999)
      expect(hubClock.offset).toBeCloseTo(25, 6)
      // Known: no retries after the schedule, then one a minute.
      vi.advanceTimersByTime(10_000)
      expect(sent).toHaveLength(PROBE_DELAYS_MS.length)
      vi.advanceTimersByTime(PROBE_EVERY_MS - 10_000)
      expect(sent).toHaveLength(PROBE_DELAYS_MS.length + 1)
      clock.stop()
      vi.advanceTimersByTime(PROBE_EVERY_MS * 2)
      expect(sent).toHaveLength(PROBE_DELAYS_MS.length + 1)
    } finally {
      vi.useRealTimers()
      hubClock.offset = null
    }
  })

  it('retry once a second after the schedule while no probe came back quickly enough', () => {
    vi.useFakeTimers()
    try {
      const sent: number[] = []
      let now = 0
      const clock = probeHubClock(
        (probe) => sent.push(probe),
        () => now,
      )
      vi.advanceTimersByTime(8_000)
      expect(sent).toHaveLength(PROBE_DELAYS_MS.length)
      now = 9_000
      vi.advanceTimersByTime(1_000)
      expect(sent).toHaveLength(PROBE_DELAYS_MS.length + 1)
      now = 9_000.5
      clock.answered(9_000, 9_010)
      vi.advanceTimersByTime(5_000)
      expect(sent).toHaveLength(PROBE_DELAYS_MS.length + 1)
      clock.stop()
    } finally {
      vi.useRealTimers()
      hubClock.offset = null
    }
  })

  it('leader channel: probe and clock messages are checked on arrival', () => {
    expect(parseTabMessage({ kind: 'probe', tabId: 't1', probe: 12.5 })).toEqual({ kind: 'probe', tabId: 't1', probe: 12.5 })
    expect(parseTabMessage({ kind: 'probe', tabId: 't1', probe: 'now' })).toBeNull()
    expect(parseTabMessage({ kind: 'probe', probe: 1 })).toBeNull()
    expect(parseLeaderMessage({ kind: 'clock', tabId: 't1', probe: 1, hub: 2, extra: true })).toEqual({
      kind: 'clock',
      tabId: 't1',
      probe: 1,
      hub: 2,
    })
    expect(parseLeaderMessage({ kind: 'clock', tabId: 't1', probe: 1, hub: Number.NaN })).toBeNull()
  })
})

describe('broadcast event path', () => {
  const event = { type: 'newOrder', payload: { seq: 1 } } as unknown as ServerEvent
  const flush = () => new Promise((resolve) => setTimeout(resolve, 20))

  it('posts each event once on the channel, with one sequence number for every tab', () => {
    const posted: unknown[] = []
    const broadcaster = createEventBroadcaster(
      'events-x',
      { postMessage: (message: unknown) => void posted.push(message), close: () => {} },
      () => 9,
    )
    const other = { ...event } as ServerEvent
    expect(broadcaster.seqOf(event)).toBe(1)
    broadcaster.post(event, 3)
    broadcaster.post(event, 3)
    broadcaster.post(other, 4)
    expect(posted).toEqual([
      { kind: 'frame', seq: 1, frame: JSON.stringify([event, 3]), postedAt: 9 },
      { kind: 'frame', seq: 2, frame: JSON.stringify([other, 4]), postedAt: 9 },
    ])
  })

  it('a tab moves to the channel only once it says it listens, and back to its port when it lets go of admin', async () => {
    const posted: unknown[] = []
    const broadcaster = createEventBroadcaster(
      'events-y',
      { postMessage: (message: unknown) => void posted.push(message), close: () => {} },
      () => 9,
    )
    const channel = new MessageChannel()
    const received: EventPortMessage[] = []
    channel.port1.onmessage = (message: MessageEvent) => received.push(message.data as EventPortMessage)
    const listener = eventPortListener({ onEvent: () => {}, onStatus: () => {} }, channel.port2, 'broadcast', () => 9, broadcaster)
    listener.joinChannel()
    void listener.onEvent(event, 1) // not listening yet: on the port, with its number
    await flush()
    expect(received).toEqual([
      { kind: 'channel', name: 'events-y' },
      { kind: 'frame', seq: 1, frame: JSON.stringify([event, 1]), postedAt: 9 },
    ])
    channel.port1.postMessage({ kind: 'listening', name: 'events-y' })
    await flush()
    const next = { ...event } as ServerEvent
    void listener.onEvent(next, 2)
    expect(posted).toEqual([{ kind: 'frame', seq: 2, frame: JSON.stringify([next, 2]), postedAt: 9 }])
    listener.leaveChannel()
    const last = { ...event } as ServerEvent
    void listener.onEvent(last, 3)
    await flush()
    expect(received.slice(2)).toEqual([
      { kind: 'channel', name: null },
      { kind: 'frame', seq: 3, frame: JSON.stringify([last, 3]), postedAt: 9 },
    ])
    expect(posted).toHaveLength(1)
    listener.close()
  })

  it('the tab handles a number heard on both paths once', () => {
    const seen = new SeqWindow(2)
    expect([seen.first(1), seen.first(1), seen.first(2), seen.first(3), seen.first(2), seen.first(1)]).toEqual([
      true,
      false,
      true,
      true,
      false,
      true,
    ])
  })
})

describe('hop breakdown', () => {
  it('splits a hop into the hub part, the wait (and the share of it the tab was busy) and the handler', () => {
    let now = 100
    const breakdown = new HopBreakdown(true, () => now)
    breakdown.record('orderUpdated', 10, 12, 20, 20.5)
    now = 30 // the handler returned at 30: busy until then
    breakdown.handled()
    breakdown.record('statsUpdated', 25, 26, 31, 31.5)
    expect(breakdown.parts[0]).toMatchObject({ type: 'orderUpdated', at: 10, hop: 10.5, hub: 2, queue: 8, ownBusy: 0, handler: 0.5 })
    expect(breakdown.parts[1]).toMatchObject({ hop: 6.5, hub: 1, queue: 5, ownBusy: 4, handler: 0.5, gap: 14 })
  })
})
