import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { ConnectionState, HubMode, HubStatus } from '@shared/hubTypes'

export const CONNECTION_LABELS: Record<ConnectionState, string> = {
  live: 'Live',
  connecting: 'Connecting…',
  polling: 'Updating every few seconds',
  offline: 'Offline',
  disabled: 'Live updates off',
}

/**
 * The header badge's words: short, so its fixed slot fits any of them at 360 px. `unreachable`
 * is `offline` while the device itself is online (the server or the way to it is down).
 */
export const BADGE_LABELS: Record<ConnectionState | 'unreachable', string> = {
  live: 'Live',
  connecting: 'Connecting…',
  polling: 'Delayed',
  offline: 'Offline',
  unreachable: "Can't reach",
  disabled: 'Updates off',
}

/** Holds the hub's last reported status; the subscription lives in realtimeBridge.ts. */
export const useConnectionStore = defineStore('connection', () => {
  const state = ref<ConnectionState>('connecting')
  const mode = ref<HubMode | null>(null)
  const lastEventAt = ref<number | null>(null)
  const status = ref<HubStatus | null>(null)
  /** Set when the realtime client could not start at all. */
  const unavailableReason = ref<string | null>(null)

  function setStatus(next: HubStatus): void {
    status.value = next
    state.value = next.state
    mode.value = next.mode
    lastEventAt.value = next.lastEventAt
    unavailableReason.value = null
  }

  function markUnavailable(reason: string): void {
    state.value = 'offline'
    unavailableReason.value = reason
  }

  return { state, mode, lastEventAt, status, unavailableReason, setStatus, markUnavailable }
})
