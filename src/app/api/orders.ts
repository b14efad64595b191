import * as v from 'valibot'
import { changesPageSchema, nextChangesCursor, orderSchema, type Order, type OrderChange, type OrderStatus } from '../../protocol'
import type { PlaceOrderBody } from '../../protocol/requests'
import { readJson, request, send, validate } from './client'

const placeOrderResponseSchema = v.object({
  order: orderSchema,
  trackingToken: v.pipe(v.string(), v.minLength(1)),
})

const orderListSchema = v.object({
  orders: v.array(orderSchema),
  // Absent, null, a number or a string: the client keeps it as an opaque string, or null at the end.
  nextCursor: v.optional(
    v.pipe(
      v.nullable(v.union([v.string(), v.number()])),
      v.transform((cursor) => (cursor === null ? null : String(cursor))),
    ),
    null,
  ),
})

export interface OrderPage {
  orders: Order[]
  nextCursor: string | null
}

/** POST a checkout; the Idempotency-Key (one per attempt) makes a resent request place one order. */
export function placeOrder(body: PlaceOrderBody, idempotencyKey: string): Promise<{ order: Order; trackingToken: string }> {
  return request('/api/orders', placeOrderResponseSchema, { method: 'POST', body, headers: { 'Idempotency-Key': idempotencyKey } })
}

export type FetchedOrder = { notModified: true } | { notModified: false; order: Order; etag: string | null }

/** GET with the admin or tracking token; `etag` turns an unchanged order into a cheap 304. */
export async function getOrder(id: string, token: string, etag?: string | null): Promise<FetchedOrder> {
  const headers: Record<string, string> = etag ? { 'If-None-Match': etag } : {}
  const response = await send(`/api/orders/${encodeURIComponent(id)}`, { token, headers })
  if (response.status === 304) return { notModified: true }
  const order = validate(orderSchema, await readJson(response), response.status)
  return { notModified: false, order, etag: response.headers.get('ETag') }
}

export interface ListOrdersParams {
  status?: OrderStatus | null
  cursor?: string | null
  limit?: number
  /** Search: number, customer name or email (server-side, case-insensitive). */
  q?: string | null
}

export function listOrders(params: ListOrdersParams, token: string): Promise<OrderPage> {
  const query = new URLSearchParams()
  if (params.status) query.set('status', params.status)
  if (params.cursor) query.set('cursor', params.cursor)
  if (params.limit) query.set('limit', String(params.limit))
  if (params.q?.trim()) query.set('q', params.q.trim())
  const qs = query.toString()
  return request(`/api/orders${qs ? `?${qs}` : ''}`, orderListSchema, { token })
}

/** PATCH a status change; the Idempotency-Key makes a retried request apply once. */
export async function patchOrderStatus(
  id: string,
  body: { status: OrderStatus; version: number; reason?: string },
  token: string,
  idempotencyKey: string,
  options: { keepalive?: boolean } = {},
): Promise<Order> {
  const response = await send(`/api/orders/${encodeURIComponent(id)}`, {
    method: 'PATCH',
    body,
    token,
    headers: { 'Idempotency-Key': idempotencyKey },
    keepalive: options.keepalive,
  })
  return validate(orderSchema, await readJson(response), response.status)
}

export async function getChanges(after: number, token: string): Promise<{ changes: OrderChange[]; cursor: number }> {
  const body = await request(`/api/changes?after=${after}`, changesPageSchema, { token })
  return { changes: body.changes as OrderChange[], cursor: nextChangesCursor(after, body.changes, body.cursor) }
}
