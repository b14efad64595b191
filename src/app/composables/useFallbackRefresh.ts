import { onScopeDispose, watch, type Ref } from 'vue'
import { config } from '../../config'
import { realtimeUnavailable } from '../realtime/realtimeAccess'

/**
 * Refreshes by REST only when no hub could start in this tab at all. Whenever a hub runs — even
 * with VITE_ENABLE_SOCKET=false, where it has no socket — its fallback poll (one stream per
 * browser, relayed through the service worker) carries the updates; polling here too would
 * multiply the requests by the number of tabs.
 */
export function useFallbackRefresh(options: { refresh: () => Promise<unknown>; enabled: Ref<boolean>; intervalMs?: number }) {
  const isSupported = typeof window !== 'undefined'
  let timer: ReturnType<typeof setInterval> | null = null

  function tick(): void {
    if (typeof document !== 'undefined' && document.visibilityState === 'hidden') return
    options.refresh().catch(() => undefined)
  }

  // `realtimeUnavailable` turns true when the hub's client fails to load or start.
  const stop = watch(
    [options.enabled, realtimeUnavailable],
    ([enabled, needed]) => {
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

  return { isSupported, active: realtimeUnavailable }
}
