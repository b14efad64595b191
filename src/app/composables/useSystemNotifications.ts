import { onScopeDispose, ref } from 'vue'
import { afterThisTask } from './afterThisTask'
import { claimTag, claimVersion, releaseTag, releaseVersion, statusClaimKey } from '@shared/notifiedTags'

/** What a system notification shows; `tag` is the order id, so one order is one notification. */
export interface SystemNotice {
  tag: string
  title: string
  body: string
  orderId?: string | undefined
  /** Where a click leads; defaults to the order's admin page (noticeUrl). */
  url?: string
  /**
   * A customer's status change: claimed by version under `statusClaimKey(tag)`, the key the
   * service worker's push handler claims too, so one browser shows each status once and never
   * an older one after a newer.
   */
  version?: number
}

export type ShowOutcome = 'shown' | 'duplicate' | 'not-permitted' | 'unsupported' | 'failed'

const NOTIFY_LOCK_PREFIX = 'orderline-notify-'

/** Where a click on the notification leads: the order's admin page. */
export function noticeUrl(notice: Pick<SystemNotice, 'orderId'>): string {
  return notice.orderId ? `/admin/orders/${encodeURIComponent(notice.orderId)}` : '/admin'
}

async function readyRegistration(waitMs: number): Promise<ServiceWorkerRegistration | null> {
  const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), waitMs))
  return Promise.race([navigator.serviceWorker.ready, timeout]).catch(() => null)
}

/**
 * System notifications for admins, once per order per browser however many tabs are open.
 * Permission is asked only from `requestPermission()` (an explicit click), never on load. Every
 * tab calls `show()` for every new order; the first to claim the tag in a per-browser record
 * (IndexedDB, src/shared/notifiedTags.ts: one transaction checks and writes) shows it, the others find
 * it claimed. The tabs also queue on the Web Lock `orderline-notify-<tag>`, so a tab that fails
 * to show gives the claim back before the next one looks, and that one tries.
 * The service worker shows it (`registration.showNotification`), so a click reaches its
 * `notificationclick` handler; the tag (the order id) also collapses any duplicate the OS sees.
 */
export function useSystemNotifications(options: { readyWaitMs?: number } = {}) {
  const isSupported = typeof window !== 'undefined' && 'Notification' in window && 'serviceWorker' in navigator
  const permission = ref<NotificationPermission>(isSupported ? Notification.permission : 'denied')

  let status: PermissionStatus | null = null
  const sync = () => (permission.value = Notification.permission)
  let disposed = false
  // Following later changes can start a task later: nothing on screen depends on it.
  afterThisTask(() => {
    if (!isSupported || !navigator.permissions) return
    navigator.permissions
      .query({ name: 'notifications' })
      .then((result) => {
        if (disposed) return
        status = result
        result.addEventListener('change', sync)
      })
      .catch(() => undefined)
  })
  onScopeDispose(() => {
    disposed = true
    status?.removeEventListener('change', sync)
  })

  /** Asks the browser; call only from a user gesture. */
  async function requestPermission(): Promise<NotificationPermission> {
    if (!isSupported) return 'denied'
    permission.value = await Notification.requestPermission()
    return permission.value
  }

  async function display(notice: SystemNotice): Promise<ShowOutcome> {
    const registration = await readyRegistration(options.readyWaitMs ?? 5_000)
    if (!registration) return 'unsupported'
    const { version } = notice
    const claimKey = statusClaimKey(notice.tag)
    const claim = version === undefined ? { claimed: await claimTag(notice.tag), previous: 0 } : await claimVersion(claimKey, version)
    if (!claim.claimed) return 'duplicate'
    try {
      await registration.showNotification(notice.title, {
        tag: notice.tag,
        body: notice.body,
        icon: '/icons/icon-192.png',
        data: { orderId: notice.orderId ?? null, url: notice.url ?? noticeUrl(notice) },
      })
    } catch (error) {
      // Not shown: give the claim back so the next tab in the lock queue tries.
      if (version === undefined) await releaseTag(notice.tag).catch(() => undefined)
      else await releaseVersion(claimKey, { version, previous: claim.previous }).catch(() => undefined)
      throw error
    }
    return 'shown'
  }

  async function show(notice: SystemNotice): Promise<ShowOutcome> {
    if (!isSupported) return 'unsupported'
    sync()
    if (permission.value !== 'granted') return 'not-permitted'
    try {
      const outcome = navigator.locks
        ? await navigator.locks.request(`${NOTIFY_LOCK_PREFIX}${notice.tag}`, () => display(notice))
        : await display(notice)
      console.debug('[orderline] system notification', notice.tag, outcome)
      return outcome
    } catch (error) {
      console.warn('[orderline] system notification failed', error)
      return 'failed'
    }
  }

  return { isSupported, permission, requestPermission, show }
}
