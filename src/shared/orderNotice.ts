/**
 * The words a customer sees when their order's status changes, the same in every runtime: the
 * tracking tab's title and toast, the system notification a hidden tab shows, and the one the
 * service worker shows for a push.
 */
import { STATUS_LABELS, type OrderStatus } from '../protocol'

/** One sentence per status: what it means for the customer. */
export const STATUS_MESSAGES: Record<OrderStatus, string> = {
  placed: 'We have your order and will confirm it shortly.',
  confirmed: 'The shop confirmed your order.',
  preparing: 'Your order is being prepared.',
  out_for_delivery: 'Your order is on its way to you.',
  delivered: 'Your order was delivered. Enjoy!',
  cancelled: 'Your order was cancelled.',
}

/** "Out for delivery · Order #1008": the status first, so it survives a truncated tab title. */
export function statusTitle(number: number, status: OrderStatus): string {
  return `${STATUS_LABELS[status]} · Order #${number}`
}

/** The tracking page of an order, with its token when known (the token travels in the fragment). */
export function trackingUrl(orderId: string, token: string | null): string {
  return `/track/${encodeURIComponent(orderId)}${token ? `#t=${token}` : ''}`
}

/** `/track/<id>#t=<token>`, as `trackingUrl` makes it; nothing else passes. */
const TRACKING_URL = /^\/track\/([A-Za-z0-9_-]{1,64})(#t=[A-Za-z0-9_.~-]{1,2048})?$/

/**
 * The tracking page a customer notification's `data` leads to, validated (the data is ours, but a
 * click must never open anything else), or null for any other notification (the admin's).
 */
export function trackingTargetOf(data: unknown): { orderId: string; url: string } | null {
  const url = typeof data === 'object' && data !== null && 'url' in data ? (data as { url: unknown }).url : null
  const match = typeof url === 'string' ? TRACKING_URL.exec(url) : null
  return match?.[1] ? { orderId: match[1], url: url as string } : null
}
