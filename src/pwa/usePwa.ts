/**
 * The PWA lifecycle as Vue state: service worker registration with a prompted update
 * (registerType 'prompt'), offline readiness, and the install prompt. Registration happens
 * once per page, however many components call this.
 */
import { computed, type ComputedRef, type Ref } from 'vue'
import { useRegisterSW } from 'virtual:pwa-register/vue'
import { deferredInstallPrompt, promptInstall } from './installPrompt'

/** Long-lived admin tabs would otherwise only learn of a deploy on navigation. */
export const UPDATE_CHECK_INTERVAL_MS = 60 * 60 * 1000

export interface UsePwaReturn {
  isSupported: boolean
  /** A new version is installed and waiting for the user's go-ahead. */
  needRefresh: Ref<boolean>
  /** The shell is precached: the app now opens offline. */
  offlineReady: Ref<boolean>
  /** Activates the waiting version; every tab of the app then reloads into it. */
  updateServiceWorker: () => Promise<void>
  /** Hides the prompt until the next update. */
  dismiss: () => void
  canInstall: ComputedRef<boolean>
  promptInstall: () => Promise<'accepted' | 'dismissed' | 'unavailable'>
}

let registration: ReturnType<typeof useRegisterSW> | null = null
let reloading = false

function reloadOnce(): void {
  if (reloading) return
  reloading = true
  window.location.reload()
}

function register(): ReturnType<typeof useRegisterSW> {
  registration ??= useRegisterSW({
    immediate: true,
    onNeedReload: reloadOnce,
    // workbox-window only reloads a page that was already controlled when it loaded; a first
    // visit that then sees an update would keep the old build. Once an update is waiting, the
    // controller changing (this tab or another accepted it) means: reload into the new build.
    onNeedRefresh() {
      navigator.serviceWorker?.addEventListener('controllerchange', reloadOnce, { once: true })
    },
    onRegisteredSW(_url, reg) {
      if (reg) setInterval(() => void reg.update().catch(() => {}), UPDATE_CHECK_INTERVAL_MS)
    },
    onRegisterError(error) {
      console.warn('[pwa] service worker registration failed', error)
    },
  })
  return registration
}

export function usePwa(): UsePwaReturn {
  const isSupported = typeof navigator !== 'undefined' && 'serviceWorker' in navigator
  const { needRefresh, offlineReady, updateServiceWorker } = register()
  return {
    isSupported,
    needRefresh,
    offlineReady,
    updateServiceWorker: () => updateServiceWorker(true),
    dismiss: () => {
      needRefresh.value = false
      offlineReady.value = false
    },
    canInstall: computed(() => deferredInstallPrompt.value !== null),
    promptInstall,
  }
}
