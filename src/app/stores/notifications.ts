import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { Notification, OrderChange } from '../../protocol'
import { formatCents } from '../../protocol'

export interface Toast {
  /** Dedup key: a new order announced by both `newOrder` and `notification` shows once. */
  id: string
  /** `status`: a customer's own order changed (the tracking page announces it; no admin alert). */
  kind: Notification['kind'] | 'status'
  title: string
  body: string
  orderId?: string
  at: string
}

const MAX_TOASTS = 5
const MAX_SEEN = 500

export const useNotificationsStore = defineStore('notifications', () => {
  const toasts = ref<Toast[]>([])
  const seen = new Set<string>()

  function push(toast: Toast): void {
    if (seen.has(toast.id)) return
    seen.add(toast.id)
    if (seen.size > MAX_SEEN) seen.delete(seen.values().next().value as string)
    toasts.value = [...toasts.value, toast].slice(-MAX_TOASTS)
  }

  function fromNotification(notification: Notification): void {
    const id = notification.kind === 'newOrder' && notification.orderId ? `order:${notification.orderId}` : notification.id
    push({ ...notification, id })
  }

  function fromNewOrder(change: OrderChange): void {
    const { order } = change
    push({
      id: `order:${order.id}`,
      kind: 'newOrder',
      title: `New order #${order.number}`,
      body: `${order.customer.name} · ${formatCents(order.totalCents)}`,
      orderId: order.id,
      at: order.createdAt,
    })
  }

  function dismiss(id: string): void {
    toasts.value = toasts.value.filter((toast) => toast.id !== id)
  }

  return { toasts, push, fromNotification, fromNewOrder, dismiss }
})
