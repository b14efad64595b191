/**
 * Updates are the user's choice (registerType 'prompt'): a new worker waits until a window
 * posts SKIP_WAITING from the update prompt, then takes control of every open window.
 */
import { clientsClaim } from 'workbox-core'

export function setupLifecycle(): void {
  // SKIP_WAITING itself is handled in router.ts with the other window messages.
  clientsClaim()
}
