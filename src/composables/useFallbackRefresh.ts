import { onScopeDispose, watch, type Ref } from 'vue'
import { config } from '../config'
import { safeRealtimeClient } from './realtimeClient'

/**
 * Refreshes by REST only when no event can reach this tab: no realtime client at all, or the
 * 'disabled' client (VITE_ENABLE_SOCKET=false), which never emits. With a hub, its fallback
 * poll (one per browser) covers outages; polling here too would multiply it.
 * TODO(lead): drop the 'disabled' case once service-worker poll results reach tabs through
 * the client's onEvent in that mode.
 */
export function useFallbackRefresh(options: { refresh: () => Promise<unknown>; enabled: Ref<boolean>; intervalMs?: number }) {
  const isSupported = typeof window !== 'undefined'
  const client = safeRealtimeClient()
  const needed = client === null || client.mode === 'disabled'
  let timer: ReturnType<typeof setInterval> | null = null

  function tick(): void {
    if (typeof document !== 'undefined' && document.visibilityState === 'hidden') return
    options.refresh().catch(() => undefined)
  }

  const stop = watch(
    options.enabled,
    (enabled) => {
      if (timer) clearInterval(timer)
      timer = null
      if (enabled && needed && isSupported) timer = setInterval(tick, options.intervalMs ?? config.pollIntervalMs)
    },
    { immediate: true },
  )

  onScopeDispose(() => {
    stop()
    if (timer) clearInterval(timer)
  })

  return { isSupported, active: needed }
}
