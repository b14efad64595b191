import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { router } from './router'
import { startRealtimeBridge } from './stores/realtimeBridge'
import './styles/main.css'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(router)
// After Pinia, before mount: the connection badge must show a real state on first paint.
startRealtimeBridge(pinia)
app.mount('#app')
