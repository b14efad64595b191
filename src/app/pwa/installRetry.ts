/**
 * A first install that fails (one precache request lost on a flaky link is enough) makes the
 * browser drop the registration, and nothing tries again until the next page load: a customer who
 * keeps the tracking link open would stay without the service worker, so without the shared
 * fallback poll and without the last known status once the network is gone. This registers again,
 * with growing delays and at once when the device comes back online, until a worker is installed.
 */

/** Delays between attempts; the last one repeats for as long as the page stays open. */
const INSTALL_RETRY_DELAYS_MS: readonly number[] = [5_000, 15_000, 60_000, 300_000]

export interface InstallRetryOptions {
  /** Registers the service worker again (`navigator.serviceWorker.register(url, …)`). */
  register: () => Promise<ServiceWorkerRegistration>
  /** A worker of a retried registration is installed: the app now opens offline. */
  onInstalled: () => void
  /** The registration that now holds the worker (the hourly update check follows it). */
  onRegistration?: (registration: ServiceWorkerRegistration) => void
  delaysMs?: readonly number[]
  /** Where `online` is heard; `window` in the app. */
  events?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>
}

/** True when the registration holds no worker at all: its first install failed. */
function empty(registration: ServiceWorkerRegistration): boolean {
  return !registration.installing && !registration.waiting && !registration.active
}

/**
 * Follows `registration`'s first install and registers again whenever it fails; `null` when the
 * registration itself failed (the worker's script did not load), which is retried the same way.
 * Does nothing for a registration that already has an active worker (not a first visit).
 * Returns a stop function.
 */
export function retryFailedFirstInstall(registration: ServiceWorkerRegistration | null, options: InstallRetryOptions): () => void {
  const delays = options.delaysMs ?? INSTALL_RETRY_DELAYS_MS
  const events = options.events ?? (typeof window === 'undefined' ? undefined : window)
  let attempt = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  let stopped = false

  const stop = () => {
    stopped = true
    clearTimeout(timer)
    timer = undefined
    events?.removeEventListener('online', retryNow)
  }

  function schedule(): void {
    if (stopped || timer !== undefined) return
    const delay = delays[Math.min(attempt, delays.length - 1)] ?? 0
    attempt += 1
    timer = setTimeout(() => {
      timer = undefined
      void retry()
    }, delay)
  }

  /** Back online: a waiting attempt goes now rather than after its delay. */
  function retryNow(): void {
    if (timer === undefined) return
    clearTimeout(timer)
    timer = undefined
    void retry()
  }

  async function retry(): Promise<void> {
    if (stopped) return
    let next: ServiceWorkerRegistration
    try {
      next = await options.register()
    } catch {
      // The worker's script itself did not load (still offline): wait and try again.
      return schedule()
    }
    if (stopped) return
    options.onRegistration?.(next)
    follow(next, true)
  }

  function follow(watched: ServiceWorkerRegistration, retried: boolean): void {
    if (watched.active || watched.waiting) {
      if (retried) options.onInstalled()
      return stop()
    }
    const worker = watched.installing
    if (!worker) return schedule()
    worker.addEventListener('statechange', () => {
      if (stopped) return
      if (worker.state === 'installed' || worker.state === 'activating' || worker.state === 'activated') {
        if (retried) options.onInstalled()
        stop()
      } else if (worker.state === 'redundant' && empty(watched)) {
        schedule()
      }
    })
  }

  if (registration?.active) return stop
  events?.addEventListener('online', retryNow)
  if (registration) follow(registration, false)
  else schedule()
  return stop
}
