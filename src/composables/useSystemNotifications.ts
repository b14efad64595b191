import { onScopeDispose, ref } from 'vue'

/** What a system notification shows; `tag` is the order id, so one order is one notification. */
export interface SystemNotice {
  tag: string
  title: string
  body: string
  orderId?: string | undefined
}

export type ShowOutcome = 'shown' | 'duplicate' | 'not-permitted' | 'unsupported' | 'failed'

export const NOTIFY_LOCK_PREFIX = 'orderline-notify-'
const SHOWN_KEY = 'orderline:notified'
const MAX_REMEMBERED = 200

/** Where a click on the notification leads: the order's admin page. */
export function noticeUrl(notice: Pick<SystemNotice, 'orderId'>): string {
  return notice.orderId ? `/admin/orders/${encodeURIComponent(notice.orderId)}` : '/admin'
}

/** Adds `tag` to the remembered list (bounded, oldest dropped); returns the new list. */
export function remember(list: readonly string[], tag: string, max = MAX_REMEMBERED): string[] {
  return [...list.filter((held) => held !== tag), tag].slice(-max)
}

function readShown(): string[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(SHOWN_KEY) ?? '[]')
    return Array.isArray(parsed) ? parsed.filter((tag): tag is string => typeof tag === 'string') : []
  } catch {
    return []
  }
}

async function readyRegistration(waitMs: number): Promise<ServiceWorkerRegistration | null> {
  const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), waitMs))
  return Promise.race([navigator.serviceWorker.ready, timeout]).catch(() => null)
}

/**
 * System notifications for admins, once per order per browser however many tabs are open.
 * Permission is asked only from `requestPermission()` (an explicit click), never on load. Every
 * tab calls `show()` for every new order; the tabs queue on the Web Lock `orderline-notify-<tag>`
 * and, inside it, check a per-browser record (localStorage) and the service worker's open
 * notifications: the first tab shows it, the others find it recorded. Serialising on the lock
 * makes the check-then-show race-free, and a tab that fails to show leaves the next one to try.
 * The service worker shows it (`registration.showNotification`), so a click reaches its
 * `notificationclick` handler; the tag (the order id) also collapses any duplicate the OS sees.
 */
export function useSystemNotifications(options: { readyWaitMs?: number } = {}) {
  const isSupported = typeof window !== 'undefined' && 'Notification' in window && 'serviceWorker' in navigator
  const permission = ref<NotificationPermission>(isSupported ? Notification.permission : 'denied')

  let status: PermissionStatus | null = null
  const sync = () => (permission.value = Notification.permission)
  if (isSupported && navigator.permissions) {
    navigator.permissions
      .query({ name: 'notifications' })
      .then((result) => {
        status = result
        result.addEventListener('change', sync)
      })
      .catch(() => undefined)
  }
  onScopeDispose(() => status?.removeEventListener('change', sync))

  /** Asks the browser; call only from a user gesture. */
  async function requestPermission(): Promise<NotificationPermission> {
    if (!isSupported) return 'denied'
    permission.value = await Notification.requestPermission()
    return permission.value
  }

  async function display(notice: SystemNotice): Promise<ShowOutcome> {
    const registration = await readyRegistration(options.readyWaitMs ?? 5_000)
    if (!registration) return 'unsupported'
    if (readShown().includes(notice.tag)) return 'duplicate'
    const open = await registration.getNotifications({ tag: notice.tag }).catch(() => [])
    if (open.length > 0) return 'duplicate'
    await registration.showNotification(notice.title, {
      tag: notice.tag,
      body: notice.body,
      icon: '/icons/icon-192.png',
      data: { orderId: notice.orderId ?? null, url: noticeUrl(notice) },
    })
    // Recorded only once shown: if this tab failed, the next one in the lock queue tries.
    localStorage.setItem(SHOWN_KEY, JSON.stringify(remember(readShown(), notice.tag)))
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
