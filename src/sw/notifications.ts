/**
 * Clicks on system notifications: the admin's (shown by tabs through
 * `registration.showNotification`, tag = order id, see src/app/composables/useSystemNotifications.ts)
 * and the customer's status changes (shown by a hidden tracking tab or by src/sw/push.ts), whose
 * data carries the tracking page's URL with its token: a click focuses a tab already showing that
 * order, or opens the page.
 * Self-registering on import so the entry needs one line. A click focuses an open admin tab and
 * asks it to show the order (a message, because `client.navigate` only works on controlled
 * clients and would reload the page); with no admin tab open, it opens one on the order.
 */
import { trackingTargetOf } from '@shared/orderNotice'

declare const self: ServiceWorkerGlobalScope

/** The message a focused tab receives; the tab routes to `url` itself (no reload). */
const NOTIFICATION_CLICK_MESSAGE = 'orderline:notification-click'

const ORDER_ID = /^[A-Za-z0-9_-]{1,64}$/

/** The order page for the notification's data, validated: data is ours, but stays untrusted. */
function clickTarget(data: unknown): { orderId: string | null; url: string } {
  const orderId = typeof data === 'object' && data !== null && 'orderId' in data ? (data as { orderId: unknown }).orderId : null
  if (typeof orderId === 'string' && ORDER_ID.test(orderId)) return { orderId, url: `/admin/orders/${orderId}` }
  return { orderId: null, url: '/admin' }
}

function showsOrder(client: WindowClient, orderId: string): boolean {
  try {
    const url = new URL(client.url)
    return url.origin === self.location.origin && url.pathname === `/track/${orderId}`
  } catch {
    return false
  }
}

async function openTracking(target: { orderId: string; url: string }): Promise<void> {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true })
  const open = windows.find((client) => showsOrder(client, target.orderId))
  if (open) {
    await open.focus().catch(() => undefined)
    return
  }
  await self.clients.openWindow(target.url)
}

function isAdminClient(client: WindowClient): boolean {
  try {
    const url = new URL(client.url)
    return url.origin === self.location.origin && url.pathname.startsWith('/admin')
  } catch {
    return false
  }
}

async function openOrFocus(data: unknown): Promise<void> {
  const target = clickTarget(data)
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true })
  const admin = windows.filter(isAdminClient)
  const chosen = admin.find((client) => client.focused) ?? admin.find((client) => client.visibilityState === 'visible') ?? admin[0]
  if (chosen) {
    const focused = await chosen.focus().catch(() => chosen)
    focused.postMessage({ type: NOTIFICATION_CLICK_MESSAGE, orderId: target.orderId, url: target.url })
    return
  }
  await self.clients.openWindow(target.url)
}

self.addEventListener('notificationclick', (event: NotificationEvent) => {
  event.notification.close()
  const tracking = trackingTargetOf(event.notification.data)
  event.waitUntil(tracking ? openTracking(tracking) : openOrFocus(event.notification.data))
})
