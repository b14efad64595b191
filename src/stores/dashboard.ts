import { defineStore } from 'pinia'
import { ref } from 'vue'
import * as statsApi from '../api/stats'
import type { Stats } from '../protocol'

export const useDashboardStore = defineStore('dashboard', () => {
  const stats = ref<Stats | null>(null)
  const loadedAt = ref<number | null>(null)

  /** Keeps the most recent figures: an event generated before the held copy is ignored. */
  function applyStats(next: Stats): void {
    if (stats.value && Date.parse(next.generatedAt) < Date.parse(stats.value.generatedAt)) return
    stats.value = next
    loadedAt.value = Date.now()
  }

  async function fetchStats(token: string): Promise<void> {
    applyStats(await statsApi.getStats(token))
  }

  return { stats, loadedAt, applyStats, fetchStats }
})
