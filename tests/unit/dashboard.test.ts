import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { perMinuteSeries } from '../../src/app/components/admin/chartData'
import type { Stats } from '../../src/protocol'
import { formatDuration, isFresher, useDashboardStore } from '../../src/app/stores/dashboard'

function stats(generatedAt: string, ordersToday: number): Stats {
  return {
    ordersToday,
    revenueTodayCents: 0,
    byStatus: { placed: 0, confirmed: 0, preparing: 0, out_for_delivery: 0, delivered: 0, cancelled: 0 },
    avgDeliveryMinutes: null,
    ordersPerMinute: new Array(60).fill(0),
    generatedAt,
  }
}

describe('dashboard store', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('keeps the later snapshot whichever way it arrives (event vs refetch after reconnect)', () => {
    const dashboard = useDashboardStore()
    expect(dashboard.applyStats(stats('2026-01-01T10:00:05.000Z', 5))).toBe(true)
    expect(dashboard.applyStats(stats('2026-01-01T10:00:01.000Z', 3))).toBe(false)
    expect(dashboard.stats?.ordersToday).toBe(5)
    expect(dashboard.applyStats(stats('2026-01-01T10:00:09.000Z', 6))).toBe(true)
    expect(dashboard.stats?.ordersToday).toBe(6)
  })

  it('isFresher accepts the same instant (a refetch answering with the same figures)', () => {
    expect(isFresher({ generatedAt: '2026-01-01T10:00:00Z' }, { generatedAt: '2026-01-01T10:00:00Z' })).toBe(true)
    expect(isFresher({ generatedAt: 'garbage' }, { generatedAt: '2026-01-01T10:00:00Z' })).toBe(false)
  })
})

describe('figures', () => {
  it('formats the placed → delivered time', () => {
    expect(formatDuration(null)).toBe('—')
    expect(formatDuration(42.4)).toBe('42 min')
    expect(formatDuration(65)).toBe('1 h 05 min')
  })

  it('aligns the chart x axis to the same minutes', () => {
    const [x, y] = perMinuteSeries([1, 2, 3], '2026-01-01T10:30:20.000Z')
    const minute = Math.floor(Date.parse('2026-01-01T10:30:00.000Z') / 1000)
    expect(x).toEqual([minute - 120, minute - 60, minute])
    expect(y).toEqual([1, 2, 3])
  })
})
