/**
 * The PWA lifecycle as Vue state: service worker registration with a prompted update
 * (registerType 'prompt'), offline readiness, and the install prompt. Registration happens
 * once per page, however many components call this.
 */
import { computed, type ComputedRef, type Ref } from 'vue'
import { useRegisterSW } from 'virtual:pwa-register/vue'
import { deferredInstallPrompt, isIosBrowserTab, promptInstall } from './installPrompt'
import { retryFailedFirstInstall } from './installRetry'

/** Long-lived admin tabs would otherwise only learn of a deploy on navigation. */
const UPDATE_CHECK_INTERVAL_MS = 60 * 60 * 1000

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
  /** iOS Safari has no install prompt: show the "Add to Home Screen" hint instead. */
  showIosHint: boolean
  promptInstall: () => Promise<'accepted' | 'dismissed' | 'unavailable'>
}

let registration: ReturnType<typeof useRegisterSW> | null = null
let reloading = false
/** The user accepted the update in this tab. */
let accepted = false
/** The user has typed into a field here since the page loaded: a reload could lose it. */
let typed = false
if (typeof document !== 'undefined') document.addEventListener('input', () => (typed = true), { capture: true })

function reloadOnce(): void {
  if (reloading) return
  reloading = true
  window.location.reload()
}

/**
 * Another tab accepted the update and the new worker took over: follow it, unless this tab
 * has something typed in (never reload in the middle of a form) — then the prompt stays up.
 */
function followUpdate(): void {
  if (accepted || !typed) reloadOnce()
}

/** Accepts the update here: activates the waiting worker, or reloads if another tab already did. */
async function acceptUpdate(update: (reload?: boolean) => Promise<void>): Promise<void> {
  accepted = true
  const waiting = (await navigator.serviceWorker?.getRegistration().catch(() => undefined))?.waiting
  if (!waiting) return reloadOnce()
  await update(true)
}

/** The worker's script and scope, as the PWA plugin builds and registers them (vite.config.ts). */
const SW_URL = `${import.meta.env.BASE_URL}sw.js`
const SW_SCOPE = import.meta.env.BASE_URL

/**
 * Checks hourly for a new version, and registers again while the first install has not
 * succeeded (`installRetry.ts`); the update check follows whichever registration holds the worker.
 */
function followRegistration(first: ServiceWorkerRegistration | null): void {
  let current = first
  setInterval(() => void current?.update().catch(() => {}), UPDATE_CHECK_INTERVAL_MS)
  retryFailedFirstInstall(first, {
    register: () => navigator.serviceWorker.register(SW_URL, { scope: SW_SCOPE }),
    onRegistration: (next) => (current = next),
    onInstalled: () => {
      if (registration) registration.offlineReady.value = true
    },
  })
}

function register(): ReturnType<typeof useRegisterSW> {
  registration ??= useRegisterSW({
    immediate: true,
    onNeedReload: followUpdate,
    // workbox-window only reloads a page that was already controlled when it loaded; a first
    // visit that then sees an update would keep the old build. Once an update is waiting, the
    // controller changing (this tab or another accepted it) means: reload into the new build.
    onNeedRefresh() {
      navigator.serviceWorker?.addEventListener('controllerchange', followUpdate, { once: true })
    },
    onRegisteredSW(_url, reg) {
      if (reg) followRegistration(reg)
    },
    onRegisterError(error) {
      // Most often the worker's script did not load (a flaky link): try again, as for a failed install.
      console.warn('[pwa] service worker registration failed; trying again', error)
      if ('serviceWorker' in navigator) followRegistration(null)
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
    updateServiceWorker: () => acceptUpdate(updateServiceWorker),
    dismiss: () => {
      needRefresh.value = false
      offlineReady.value = false
    },
    canInstall: computed(() => deferredInstallPrompt.value !== null),
    showIosHint: isIosBrowserTab(),
    promptInstall,
  }
}
