/**
 * What the server sends: REST answers and socket event payloads, as the browser checks them
 * before they touch state (the hub checks what comes off the socket, the service worker what
 * its poll and cache read, the tab its REST answers). Written with valibot, whose functions are
 * imported one by one, so a page carries the ~2 kB (gzip) of checks these schemas use rather
 * than a whole validator (docs/decisions.md, "First visit on a phone"). The server builds these
 * shapes from its own types and never parses them; its tests do, to prove the contract.
 *
 * Like zod's objects, valibot's `object` drops keys it does not know: what a newer server adds
 * never reaches state unchecked. The shapes are described in docs/protocol.md.
 */
import * as v from 'valibot'
import { ID_PATTERN } from './limits'
import { ORDER_STATUSES, type Order, type OrderChange, type Product, type Stats } from './order'

/** A whole number ≥ min. */
const int = (min: number) => v.pipe(v.number(), v.integer(), v.minValue(min))
const text = (max: number) => v.pipe(v.string(), v.maxLength(max))
const isoDate = v.pipe(v.string(), v.minLength(1), v.maxLength(64))

export const idSchema = v.pipe(v.string(), v.regex(ID_PATTERN))
export const statusSchema = v.picklist(ORDER_STATUSES)

// Each schema is typed by the protocol's interface (src/protocol/order.ts), so the two cannot drift apart.
export const orderSchema: v.GenericSchema<unknown, Order> = v.object({
  id: idSchema,
  number: int(1),
  status: statusSchema,
  version: int(1),
  items: v.array(v.object({ productId: idSchema, name: v.string(), quantity: int(1), unitPriceCents: int(0) })),
  totalCents: int(0),
  customer: v.object({ name: v.string(), email: v.string(), address: v.optional(v.string()), phone: v.optional(v.string()) }),
  note: v.nullable(v.string()),
  /** Present on a cancelled order whose admin gave a reason. */
  cancelReason: v.optional(v.string()),
  createdAt: isoDate,
  updatedAt: isoDate,
  history: v.array(v.object({ status: statusSchema, version: int(1), at: isoDate })),
  /** Optional so a client keeps accepting servers (and replays) that send none. */
  estimate: v.optional(
    v.nullable(
      v.object({
        deliveredAt: isoDate,
        basis: v.picklist(['history', 'defaults']),
        steps: v.array(v.object({ status: statusSchema, at: isoDate })),
      }),
    ),
  ),
})

export const orderChangeSchema: v.GenericSchema<unknown, OrderChange> = v.object({ seq: int(0), order: orderSchema })

/** Every status has its count: a record over the statuses, each one required. */
const byStatus = v.object(Object.fromEntries(ORDER_STATUSES.map((status) => [status, int(0)]))) as unknown as v.GenericSchema<
  unknown,
  Stats['byStatus']
>

export const statsSchema: v.GenericSchema<unknown, Stats> = v.object({
  ordersToday: int(0),
  revenueTodayCents: int(0),
  byStatus,
  avgDeliveryMinutes: v.nullable(v.number()),
  ordersPerMinute: v.array(int(0)),
  generatedAt: isoDate,
})

export const notificationSchema = v.object({
  id: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
  kind: v.picklist(['newOrder', 'info', 'warning']),
  title: text(200),
  body: text(1000),
  orderId: v.optional(idSchema),
  at: isoDate,
})

export const productSchema: v.GenericSchema<unknown, Product> = v.object({
  id: idSchema,
  name: v.string(),
  description: v.string(),
  priceCents: int(0),
})

/** `GET /api/changes`: a page of the change log and the cursor to read from next. */
export const changesPageSchema = v.object({
  changes: v.array(orderChangeSchema),
  cursor: v.nullish(v.union([v.number(), v.string()])),
})

/** Unpadded base64url of exactly `bytes` bytes (trailing `=` padding tolerated). */
const base64urlBytes = (bytes: number) =>
  v.pipe(
    v.string(),
    v.maxLength(Math.ceil(bytes / 3) * 4),
    v.transform((value) => value.replace(/=+$/, '')),
    v.regex(/^[A-Za-z0-9_-]*$/, 'must be base64url'),
    v.length(Math.ceil((bytes * 4) / 3), `must encode ${bytes} bytes`),
  )

/** GET /api/push/public-key: the VAPID public key (an uncompressed P-256 point, base64url). */
export const pushPublicKeySchema = v.object({ publicKey: base64urlBytes(65) })

/** The decrypted body of every push message the server sends (JSON). */
export const pushPayloadSchema = v.object({
  orderId: idSchema,
  number: int(1),
  status: statusSchema,
  version: int(1),
})

export type Notification = v.InferOutput<typeof notificationSchema>
export type PushPayload = v.InferOutput<typeof pushPayloadSchema>
