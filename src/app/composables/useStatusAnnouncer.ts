import { onScopeDispose, ref, watch, type Ref } from 'vue'
import { STATUS_MESSAGES, statusTitle, trackingUrl } from '@shared/orderNotice'
import type { Order, OrderStatus } from '../../protocol'
import { useNotificationsStore } from '../stores/notifications'
import type { SystemNotice, ShowOutcome } from './useSystemNotifications'

/** How long the arrived step keeps its animation class (the CSS animation is shorter). */
const ARRIVED_MS = 2_500

/** A live change worth announcing: the same order, newer, with another status. */
export function isAnnouncedChange(
  before: Pick<Order, 'id' | 'version' | 'status'> | null,
  now: Pick<Order, 'id' | 'version' | 'status'>,
): boolean {
  return !!before && before.id === now.id && now.version > before.version && now.status !== before.status
}

/**
 * A customer's order announces its own changes (docs/protocol.md, "Customer notifications"): the
 * document title carries the status ("Out for delivery · Order #1008"), every change while the
 * page is open is a toast and animates its step, and a change while the page is hidden is a
 * system notification when the customer opted in — once per browser, whatever the number of
 * tabs, through the claim the service worker's push handler shares. The first load is not a
 * change: only what happens while the customer watches is announced.
 */
export function useStatusAnnouncer(options: {
  order: Ref<Order | null>
  token: Ref<string | null>
  /** The customer asked for system notifications for this order. */
  notify: () => boolean
  show: (notice: SystemNotice) => Promise<ShowOutcome>
}) {
  const notifications = useNotificationsStore()
  const arrived = ref<OrderStatus | null>(null)
  let timer: ReturnType<typeof setTimeout> | undefined
  const originalTitle = typeof document === 'undefined' ? '' : document.title

  watch(
    options.order,
    (now, before) => {
      if (!now) return
      document.title = statusTitle(now.number, now.status)
      if (!isAnnouncedChange(before ?? null, now)) return
      const title = statusTitle(now.number, now.status)
      const body = STATUS_MESSAGES[now.status]
      notifications.push({ id: `status:${now.id}:${now.version}`, kind: 'status', title, body, at: now.updatedAt })
      arrived.value = now.status
      clearTimeout(timer)
      timer = setTimeout(() => (arrived.value = null), ARRIVED_MS)
      if (document.visibilityState === 'hidden' && options.notify()) {
        void options.show({
          tag: now.id,
          title,
          body,
          orderId: now.id,
          url: trackingUrl(now.id, options.token.value),
          version: now.version,
        })
      }
    },
    { immediate: true },
  )

  onScopeDispose(() => {
    clearTimeout(timer)
    // Leaving the page: the router sets the next page's title; this covers an unmount without one.
    if (document.title.includes(' · Order #')) document.title = originalTitle
  })

  return { arrived }
}
