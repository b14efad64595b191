/**
 * Updates are the user's choice (registerType 'prompt'): a new worker waits until a window
 * posts SKIP_WAITING from the update prompt, then takes control of every open window.
 */
import { clientsClaim } from 'workbox-core'
import { isSwMessage } from './messages'

export function setupLifecycle(scope: ServiceWorkerGlobalScope): void {
  scope.addEventListener('message', (event) => {
    if (isSwMessage(event.data) && event.data.type === 'SKIP_WAITING') void scope.skipWaiting()
  })
  clientsClaim()
}
