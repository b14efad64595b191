/**
 * How fresh the data on screen is, told truthfully: when the server last confirmed it (a poll,
 * a network answer, a socket event) and whether the network is failing right now. Pure helpers
 * plus a small store fed by swBridge.ts.
 */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { ConnectionState } from '@shared/hubTypes'

/** "just now", "1 min ago", "3 h ago": the age of `at` at `now`. */
export function describeAge(at: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - at) / 1000))
  if (seconds < 45) return 'just now'
  const minutes = Math.round(seconds / 60)
  if (minutes < 60) return `${minutes} min ago`
  const hours = Math.round(minutes / 60)
  if (hours < 24) return `${hours} h ago`
  return `${Math.round(hours / 24)} d ago`
}

/**
 * The state to show: the hub's, except that a hub still hoping ('connecting' or 'polling')
 * while every request fails is, for the user, offline. 'live' and 'disabled' are the hub's word.
 */
export function effectiveState(hubState: ConnectionState, networkDown: boolean): ConnectionState {
  if (networkDown && (hubState === 'connecting' || hubState === 'polling')) return 'offline'
  return hubState
}

export const useFreshnessStore = defineStore('freshness', () => {
  /** Epoch ms the server last confirmed the data (poll round, network answer). */
  const confirmedAt = ref<number | null>(null)
  /** When the data shown came from the SW cache: the time that copy was stored. */
  const cachedAt = ref<number | null>(null)
  const networkDown = ref(typeof navigator !== 'undefined' && navigator.onLine === false)

  function confirmed(at: number): void {
    confirmedAt.value = Math.max(confirmedAt.value ?? 0, at)
    cachedAt.value = null
    networkDown.value = false
  }

  function servedFromCache(storedAt: number | null): void {
    networkDown.value = true
    if (storedAt !== null) cachedAt.value = storedAt
  }

  function failed(): void {
    networkDown.value = true
  }

  return { confirmedAt, cachedAt, networkDown, confirmed, servedFromCache, failed }
})
