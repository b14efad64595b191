import { defineStore } from 'pinia'
import { ref } from 'vue'
import * as statsApi from '../api/stats'
import type { Stats } from '../../protocol'

/** "42 min", "1 h 05 min", "—" when nothing was delivered yet. */
export function formatDuration(minutes: number | null): string {
  if (minutes === null || !Number.isFinite(minutes) || minutes < 0) return '—'
  const rounded = Math.round(minutes)
  if (rounded < 60) return `${rounded} min`
  return `${Math.floor(rounded / 60)} h ${String(rounded % 60).padStart(2, '0')} min`
}

/**
 * Whether `next` may replace `held`: figures are snapshots, so the one generated later wins,
 * whichever way it came (a volatile `statsUpdated`, or a refetch after a reconnect).
 */
export function isFresher(next: Pick<Stats, 'generatedAt'>, held: Pick<Stats, 'generatedAt'> | null): boolean {
  if (!held) return true
  const nextAt = Date.parse(next.generatedAt)
  const heldAt = Date.parse(held.generatedAt)
  return !Number.isFinite(heldAt) || (Number.isFinite(nextAt) && nextAt >= heldAt)
}

export const useDashboardStore = defineStore('dashboard', () => {
  const stats = ref<Stats | null>(null)
  const loadedAt = ref<number | null>(null)

  /** Keeps the most recent figures: an event generated before the held copy is ignored. */
  function applyStats(next: Stats): boolean {
    if (!isFresher(next, stats.value)) return false
    stats.value = next
    loadedAt.value = Date.now()
    return true
  }

  async function fetchStats(token: string): Promise<void> {
    applyStats(await statsApi.getStats(token))
  }

  return { stats, loadedAt, applyStats, fetchStats }
})
