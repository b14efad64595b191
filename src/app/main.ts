import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { router } from './router'
import { startSwBridge } from './bridges/swBridge'
import { startRealtimeBridge } from './bridges/realtimeBridge'
import { firstContentShown } from './firstContent'
// Listens for `beforeinstallprompt` from the start: the event can fire before the install button loads.
import './pwa/installPrompt'
import './styles/main.css'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(router)
// Start-up in four tasks, not one: on a slow phone loading the app, starting its bridges and
// rendering it together are one long task that holds up input and paint; split, each is shorter
// (the static shell is on screen meanwhile, and the order's request is already out:
// public/early-order.js). Zero-delay timers run in the order they were set.
// The hub's client loads as a chunk of its own from here on; the bridge is its first listener,
// so nothing a view asks of the hub runs before the stores hear its answers.
setTimeout(() => startRealtimeBridge(pinia), 0)
// Poll results and cache freshness from the service worker (its queued messages start flowing here).
setTimeout(() => startSwBridge(pinia), 0)
setTimeout(() => app.mount('#app'), 0)
// The rest does not decide what the first screen shows: it starts once that screen's content is
// on screen (src/app/firstContent.ts), from the timer that says so, a task that does nothing else
// (even starting the chunk's download costs the main thread: Vite's preload helper adds its links).
void firstContentShown.then(() => import('./startLater')).then(({ startLater }) => startLater(pinia))
