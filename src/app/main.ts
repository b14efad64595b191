import { createPinia } from 'pinia'
import { createApp, watch } from 'vue'
import App from './App.vue'
import { router } from './router'
import { startPlacementSync } from './offline/placementSync'
import { useOrdersStore } from './stores/orders'
import { useOutboxStore } from './stores/outbox'
import { usePlacementsStore } from './stores/placements'
import { useSessionStore } from './stores/session'
import { startSwBridge } from './bridges/swBridge'
import { startRealtimeBridge } from './bridges/realtimeBridge'
import './styles/main.css'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(router)
// After Pinia, before mount: the connection badge must show a real state on first paint.
startRealtimeBridge(pinia)
// Poll results and cache freshness from the service worker; the offline outbox's sender.
startSwBridge(pinia)
const orders = useOrdersStore(pinia)
const outbox = useOutboxStore(pinia)
const session = useSessionStore(pinia)
// The outbox holds an admin's queued status changes: its sender (and the replay code) loads for an
// admin session, or when this device still holds changes queued by one; a customer's page
// carries none of it.
let outboxStarted = false
const startOutbox = (): void => {
  if (outboxStarted) return
  outboxStarted = true
  void import('./offline/outboxSync').then(({ startOutboxSync }) =>
    startOutboxSync({ outbox, applyOrder: (order) => orders.applyOrder(order) }),
  )
}
watch(
  () => session.isAdmin,
  (admin) => admin && startOutbox(),
  { immediate: true },
)
void outbox.load().then(() => outbox.hasPending() && startOutbox())
// The customer's orders queued offline: sent on start-up and when the network returns.
startPlacementSync({ queue: usePlacementsStore(pinia) })
app.mount('#app')
