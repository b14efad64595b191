import { onScopeDispose, ref, watch, type Ref } from 'vue'
import type { Ack } from '../../protocol'
import { callRealtime, withRealtime } from '../realtime/realtimeAccess'

/**
 * Routes one order's events to this tab while the calling component lives. Re-watches when
 * the id or token changes; `ack` holds the hub's answer ({ok:false} for a bad token).
 */
export function useOrderWatch(options: { orderId: Ref<string | null>; token: Ref<string | null> }) {
  const ack = ref<Ack | null>(null)
  let watched: string | null = null

  function release(): void {
    if (watched === null) return
    const orderId = watched
    watched = null
    callRealtime((client) => client.unwatchOrder(orderId))
  }

  const stop = watch(
    [options.orderId, options.token],
    ([orderId, token]) => {
      release()
      ack.value = null
      if (!orderId || !token) return
      watched = orderId
      withRealtime((client) => client.watchOrder(orderId, token))
        .then((answer) => {
          if (answer && watched === orderId) ack.value = answer
        })
        .catch((error: unknown) => console.warn('[orderline] watchOrder failed:', error))
    },
    { immediate: true },
  )

  onScopeDispose(() => {
    stop()
    release()
  })

  return { ack }
}

/**
 * Receives admin events (board, dashboard, notifications) while the calling component lives.
 * `stats`: the dashboard's figures also ride the hub's fallback poll while the socket is down.
 */
export function useAdminWatch(options: { enabled: Ref<boolean>; stats?: boolean }) {
  let active = false

  const stop = watch(
    options.enabled,
    (enabled) => {
      if (enabled && !active) {
        active = true
        callRealtime((client) => client.watchAdmin())
        if (options.stats) callRealtime((client) => client.watchStats())
      } else if (!enabled && active) {
        release()
      }
    },
    { immediate: true },
  )

  function release(): void {
    active = false
    callRealtime((client) => client.unwatchAdmin())
    if (options.stats) callRealtime((client) => client.unwatchStats())
  }

  onScopeDispose(() => {
    stop()
    if (active) release()
  })
}
