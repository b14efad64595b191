import { computed, onScopeDispose, ref, toRaw, watch, type ComputedRef, type Ref } from 'vue'
import { ApiError } from '../api/client'
import { isTerminal, type Order } from '../../protocol'
import type { SwMessage } from '@shared/swProtocol'
import { workerWhenReady } from '../offline/swClient'
import { useOrdersStore } from '../stores/orders'
import { useFallbackRefresh } from './useFallbackRefresh'
import { useOrderWatch } from './useRealtimeInterest'
import { useRefreshable } from './useRefreshable'

export interface UseLiveOrderOptions {
  orderId: Ref<string>
  /** The credential the order is read with (a tracking token, or the admin's token); null: don't load. */
  credential: Ref<string | null>
  /**
   * `customer`: this tab watches the order's room with its tracking token. `admin`: the admin feed
   * (watched by the admin views) already carries every order's changes.
   */
  audience: 'customer' | 'admin'
  /** Reads the order (the admin view wraps it to sign out on a 401). Defaults to the orders store. */
  fetchOrder?: (orderId: string, credential: string) => Promise<Order>
  onLoaded?: (order: Order) => void
}

export interface LiveOrder {
  order: ComputedRef<Order | null>
  /** A first (not quiet) load is running. */
  loading: Ref<boolean>
  /** What the last load threw, or null after a success. */
  error: Ref<unknown>
  /** Loads now; `quiet` keeps the current content on screen (refresh, catch-up). */
  reload(quiet?: boolean): Promise<void>
  /** The hub's answer to this tab's watch (customers), or null. */
  ack: ReturnType<typeof useOrderWatch>['ack']
}

/**
 * One order kept as fresh as the connection allows: the one freshness path of both order views
 * (docs/architecture.md, "How an order change flows"). It loads the order (a conditional GET),
 * follows its live changes through the hub, reloads on the Refresh button and when the page comes
 * back into view, refreshes by REST only when no hub could start, and hands every newer copy to
 * the service worker so that an offline reload shows the last known status.
 */
export function useLiveOrder(options: UseLiveOrderOptions): LiveOrder {
  const orders = useOrdersStore()
  const fetchOrder = options.fetchOrder ?? ((id: string, credential: string) => orders.fetchOrder(id, credential))
  const order = computed(() => orders.byId[options.orderId.value] ?? null)
  const loading = ref(false)
  const error = ref<unknown>(null)
  const live = computed(() => !!order.value && !isTerminal(order.value.status))
  /** The server refused the credential (a bad or expired link): no watch until it changes. */
  const refused = computed(() => error.value instanceof ApiError && [400, 401, 403, 404, 410].includes(error.value.status))

  async function reload(quiet = false): Promise<void> {
    const id = options.orderId.value
    const credential = options.credential.value
    if (!id || !credential) return
    if (!quiet) loading.value = true
    try {
      const loaded = await fetchOrder(id, credential)
      error.value = null
      options.onLoaded?.(loaded)
    } catch (caught) {
      error.value = caught
    } finally {
      loading.value = false
    }
  }

  const watchedToken = computed(() => (options.audience === 'customer' && !refused.value ? options.credential.value : null))
  const { ack } = useOrderWatch({ orderId: options.orderId, token: watchedToken })
  useRefreshable(() => reload(true))
  useFallbackRefresh({ refresh: () => reload(true), enabled: live })

  watch([options.orderId, options.credential], () => void reload(), { immediate: true })
  // The service worker keeps the newest copy for an offline open (and for a push to move on). On
  // a first visit it may still be installing: one wait for it, then the copy current at that moment.
  let handOverPending = false
  const handOver = (): void => {
    if (handOverPending) return
    handOverPending = true
    void workerWhenReady().then((worker) => {
      handOverPending = false
      const now = order.value
      const credential = options.credential.value
      // toRaw: a store's reactive proxy cannot be structured-cloned into a message.
      if (!worker || !now || !credential) return
      const message: SwMessage = { type: 'remember-order', order: toRaw(now), token: credential }
      worker.postMessage(message)
    })
  }
  watch(order, (now, before) => {
    if (now && options.credential.value) handOver()
    // The order can vanish from the store (an admin logout in this tab purges it): fetch it again.
    if (!now && before && !loading.value) void reload(true)
  })

  // Back in view after a while: catch up at once rather than at the next event or tick.
  const onVisible = (): void => {
    if (document.visibilityState === 'visible' && live.value) void reload(true)
  }
  if (typeof document !== 'undefined') {
    document.addEventListener('visibilitychange', onVisible)
    onScopeDispose(() => document.removeEventListener('visibilitychange', onVisible))
  }

  return { order, loading, error, reload, ack }
}
