/**
 * Clicks on the admin's system notifications (shown by tabs through
 * `registration.showNotification`, tag = order id, see src/app/composables/useSystemNotifications.ts).
 * Self-registering on import so the entry needs one line. A click focuses an open admin tab and
 * asks it to show the order (a message, because `client.navigate` only works on controlled
 * clients and would reload the page); with no admin tab open, it opens one on the order.
 */
declare const self: ServiceWorkerGlobalScope
// A module (its own scope for `self`), imported for its side effect by sw.ts.
export {}

/** The message a focused tab receives; the tab routes to `url` itself (no reload). */
const NOTIFICATION_CLICK_MESSAGE = 'orderline:notification-click'

const ORDER_ID = /^[A-Za-z0-9_-]{1,64}$/

/** The order page for the notification's data, validated: data is ours, but stays untrusted. */
function clickTarget(data: unknown): { orderId: string | null; url: string } {
  const orderId = typeof data === 'object' && data !== null && 'orderId' in data ? (data as { orderId: unknown }).orderId : null
  if (typeof orderId === 'string' && ORDER_ID.test(orderId)) return { orderId, url: `/admin/orders/${orderId}` }
  return { orderId: null, url: '/admin' }
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
  event.waitUntil(openOrFocus(event.notification.data))
})
