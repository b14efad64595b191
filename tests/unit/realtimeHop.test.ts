import { describe, expect, it } from 'vitest'
import { percentile, RollingLatency } from '../../src/app/realtime/hopLatency'
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
    expect(rolling.stats()).toEqual({ count: 5, p50: 2, p95: 3, last: 0 })
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
