/**
 * One set of schemas for both sides: the server validates every request and socket payload
 * with them, the hub and the stores validate every event before it touches state.
 * Limits here are the protocol's limits; the server derives its body size limits from them.
 * The bodies, payloads and answers are described in docs/protocol.md.
 */
import { z } from 'zod'
import { ORDER_STATUSES } from './order'

// zod compiles object parsers with `new Function` after probing whether eval is allowed; under
// the app's CSP (no 'unsafe-eval') that probe is a reported violation in every tab and worker.
// Jitless parsing is plenty fast for our payload sizes, and keeps the CSP report clean.
z.config({ jitless: true })

export const LIMITS = {
  itemsPerOrder: 50,
  quantityPerItem: 99,
  nameLength: 100,
  emailLength: 254,
  noteLength: 500,
  passwordLength: 200,
  pageSize: 100,
  searchLength: 100,
  changesPageSize: 500,
  /** Bytes: the largest JSON body any endpoint accepts, with headroom. */
  httpBody: 32 * 1024,
  /** Bytes: the largest socket packet any client event needs. */
  socketPacket: 4 * 1024,
} as const

export const idSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, - or _')
export const tokenSchema = z.string().min(16).max(2048)
export const statusSchema = z.enum(ORDER_STATUSES)

const email = z.string().trim().max(LIMITS.emailLength).pipe(z.email())

export const loginBodySchema = z.strictObject({
  email,
  password: z.string().min(1).max(LIMITS.passwordLength),
})

export const placeOrderBodySchema = z.strictObject({
  items: z
    .array(
      z.strictObject({
        productId: idSchema,
        quantity: z.number().int().min(1).max(LIMITS.quantityPerItem),
      }),
    )
    .min(1, 'an order needs at least one item')
    .max(LIMITS.itemsPerOrder),
  customer: z.strictObject({
    name: z.string().trim().min(1, 'name is required').max(LIMITS.nameLength),
    email,
  }),
  note: z.string().max(LIMITS.noteLength).optional(),
})

export const patchOrderBodySchema = z.strictObject({
  status: statusSchema,
  version: z.number().int().min(1),
})

export const orderIdParamsSchema = z.strictObject({ id: idSchema })

export const listOrdersQuerySchema = z.strictObject({
  status: statusSchema.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(LIMITS.pageSize).optional(),
  /** Board search: order number, customer name or email, case-insensitive substring. */
  q: z.string().trim().max(LIMITS.searchLength).optional(),
})

export const changesQuerySchema = z.strictObject({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(LIMITS.changesPageSize).optional(),
})

export const idempotencyKeySchema = z.string().regex(/^[A-Za-z0-9_-]{8,128}$/)

// ---- socket payloads (client → server) ----

export const watchOrderPayloadSchema = z.strictObject({ orderId: idSchema, token: tokenSchema })
export const unwatchOrderPayloadSchema = z.strictObject({ orderId: idSchema })

// ---- server → client payloads (validated by the hub and the stores) ----

const isoDate = z.string().min(1).max(64)

export const orderSchema = z.object({
  id: idSchema,
  number: z.number().int().min(1),
  status: statusSchema,
  version: z.number().int().min(1),
  items: z.array(
    z.object({
      productId: idSchema,
      name: z.string(),
      quantity: z.number().int().min(1),
      unitPriceCents: z.number().int().min(0),
    }),
  ),
  totalCents: z.number().int().min(0),
  customer: z.object({ name: z.string(), email: z.string() }),
  note: z.string().nullable(),
  createdAt: isoDate,
  updatedAt: isoDate,
  history: z.array(z.object({ status: statusSchema, version: z.number().int().min(1), at: isoDate })),
})

export const orderChangeSchema = z.object({ seq: z.number().int().min(0), order: orderSchema })

export const statsSchema = z.object({
  ordersToday: z.number().int().min(0),
  revenueTodayCents: z.number().int().min(0),
  byStatus: z.record(statusSchema, z.number().int().min(0)),
  avgDeliveryMinutes: z.number().nullable(),
  ordersPerMinute: z.array(z.number().int().min(0)),
  generatedAt: isoDate,
})

export const notificationSchema = z.object({
  id: z.string().min(1).max(128),
  kind: z.enum(['newOrder', 'info', 'warning']),
  title: z.string().max(200),
  body: z.string().max(1000),
  orderId: idSchema.optional(),
  at: isoDate,
})

export const productSchema = z.object({
  id: idSchema,
  name: z.string(),
  description: z.string(),
  priceCents: z.number().int().min(0),
})

export type LoginBody = z.infer<typeof loginBodySchema>
export type PlaceOrderBody = z.infer<typeof placeOrderBodySchema>
export type WatchOrderPayload = z.infer<typeof watchOrderPayloadSchema>
export type UnwatchOrderPayload = z.infer<typeof unwatchOrderPayloadSchema>
export type Notification = z.infer<typeof notificationSchema>

/** Turns a zod error into the one-line message the `{error: {code, message}}` envelope carries. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'body'}: ${issue.message}`)
    .join('; ')
}
