import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { router } from './router'
import { startOutboxSync } from './offline/outboxSync'
import { startPlacementSync } from './offline/placementSync'
import { useOrdersStore } from './stores/orders'
import { useOutboxStore } from './stores/outbox'
import { usePlacementsStore } from './stores/placements'
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
startOutboxSync({ outbox: useOutboxStore(pinia), applyOrder: (order) => orders.applyOrder(order) })
// The customer's orders queued offline: sent on start-up and when the network returns.
startPlacementSync({ queue: usePlacementsStore(pinia) })
app.mount('#app')
