import { computed, type Ref } from 'vue'
import { useMyOrdersStore } from '../stores/myOrders'

/** Reads `t` from a `#t=<token>&…` fragment. The router has already percent-decoded it. */
export function tokenFromHash(hash: string): string | null {
  const fragment = hash.startsWith('#') ? hash.slice(1) : hash
  for (const part of fragment.split('&')) {
    if (part.startsWith('t=') && part.length > 2) return part.slice(2)
  }
  return null
}

/** The tracking token for an order: from the link's fragment, else from this device's orders. */
export function useTrackingToken(options: { orderId: Ref<string>; hash: Ref<string> }) {
  const myOrders = useMyOrdersStore()
  const fromLink = computed(() => tokenFromHash(options.hash.value))
  const token = computed(() => fromLink.value ?? myOrders.tokenFor(options.orderId.value))
  return { token, fromLink }
}
