/**
 * The order domain shared by the app, both workers and the server.
 * No DOM, no Node: this folder is imported everywhere.
 */

export const ORDER_STATUSES = ['placed', 'confirmed', 'preparing', 'out_for_delivery', 'delivered', 'cancelled'] as const

export type OrderStatus = (typeof ORDER_STATUSES)[number]

const TERMINAL_STATUSES: readonly OrderStatus[] = ['delivered', 'cancelled']

/** The forward path; `cancelled` is reachable from every non-terminal status before delivery. */
const NEXT: Record<OrderStatus, readonly OrderStatus[]> = {
  placed: ['confirmed', 'cancelled'],
  confirmed: ['preparing', 'cancelled'],
  preparing: ['out_for_delivery', 'cancelled'],
  out_for_delivery: ['delivered'],
  delivered: [],
  cancelled: [],
}

export const STATUS_LABELS: Record<OrderStatus, string> = {
  placed: 'Placed',
  confirmed: 'Confirmed',
  preparing: 'Preparing',
  out_for_delivery: 'Out for delivery',
  delivered: 'Delivered',
  cancelled: 'Cancelled',
}

export function allowedTransitions(from: OrderStatus): readonly OrderStatus[] {
  return NEXT[from]
}

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return NEXT[from].includes(to)
}

export function isTerminal(status: OrderStatus): boolean {
  return TERMINAL_STATUSES.includes(status)
}

export interface OrderItem {
  productId: string
  name: string
  quantity: number
  /** Integer cents: money never goes through floating point. */
  unitPriceCents: number
}

export interface StatusHistoryEntry {
  status: OrderStatus
  version: number
  /** ISO 8601 */
  at: string
}

export interface Order {
  id: string
  /** Human-facing order number, e.g. 1042. */
  number: number
  status: OrderStatus
  /** Starts at 1, +1 per change. The merge rule compares this and nothing else. */
  version: number
  items: OrderItem[]
  totalCents: number
  customer: OrderCustomer
  /** Untrusted text: always rendered as text. */
  note: string | null
  /** Why the order was cancelled, as the admin wrote it; absent unless cancelled with a reason. Untrusted text. */
  cancelReason?: string
  createdAt: string
  updatedAt: string
  history: StatusHistoryEntry[]
  /**
   * The server's delivery estimate, null once delivered or cancelled. Optional: servers before
   * the estimate existed (and stored idempotent replays) send none.
   */
  estimate?: OrderEstimate | null
}

/**
 * Who ordered. `address` and `phone` are optional delivery details: present only when the
 * customer gave them, and only ever sent to an admin or to the order's tracking-token holder.
 */
interface OrderCustomer {
  name: string
  email: string
  address?: string
  phone?: string
}

/** One upcoming status and when the server expects the order to reach it. */
interface EstimatedStep {
  status: OrderStatus
  /** ISO 8601 */
  at: string
}

export interface OrderEstimate {
  /** ISO 8601: when the order is expected to be delivered. */
  deliveredAt: string
  /**
   * `history`: every remaining step is timed by the median of recent real orders; `defaults`: at
   * least one step had too little history and used the configured default.
   */
  basis: 'history' | 'defaults'
  /** The upcoming statuses on the forward path, each with its expected time; the last is `delivered`. */
  steps: EstimatedStep[]
}

export interface Product {
  id: string
  name: string
  description: string
  priceCents: number
}

export interface User {
  id: string
  email: string
  role: 'admin'
}

export interface OrderChange {
  /** Global, monotonic position in the change log. */
  seq: number
  order: Order
}

export interface Stats {
  ordersToday: number
  revenueTodayCents: number
  byStatus: Record<OrderStatus, number>
  /** Average minutes from placed to delivered over delivered orders; null when none. */
  avgDeliveryMinutes: number | null
  /** Orders per minute over the last hour, oldest first (60 buckets). */
  ordersPerMinute: number[]
  generatedAt: string
}

export function formatCents(cents: number): string {
  return `$${(cents / 100).toFixed(2)}`
}
