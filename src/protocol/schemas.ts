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
  /** Characters of the reason an admin gives when cancelling an order. */
  cancelReasonLength: 200,
  passwordLength: 200,
  pageSize: 100,
  searchLength: 100,
  /** Characters of a delivery address, after normalisation. */
  addressLength: 300,
  /** Characters of a phone number, after normalisation (digits 6-15, E.164's maximum). */
  phoneLength: 20,
  /** Characters of a push subscription endpoint URL. */
  pushEndpointLength: 2048,
  /** Push subscriptions one order may have (a customer's phone, laptop, tablet...). */
  pushSubscriptionsPerOrder: 5,
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

/** C0/C1 controls (NUL, escape sequences…); a note may still hold line breaks and tabs. */
const CONTROL = /\p{Cc}/u
const CONTROL_BUT_LINES = /[^\P{Cc}\t\n\r]/u
/** Bidi embeddings, overrides and isolates: they reorder how the text around them is shown. */
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/u
/** Characters that show nothing: zero-width spaces and joiners, BOM, soft hyphen, Hangul fillers… */
const INVISIBLE = /[\s\p{Cf}\u115F\u1160\u2800\u3164\uFFA0]/gu

/**
 * A person's name as shown to admins: NFC (one form per visible text, so the same name is the
 * same string), no control or bidi override characters, and something visible left once the
 * invisible characters are set aside ("\u200B" alone is blank, not a name).
 */
const personName = z
  .string()
  .normalize('NFC')
  .trim()
  .max(LIMITS.nameLength)
  .refine((name) => !CONTROL.test(name), 'name must not contain control characters')
  .refine((name) => !BIDI_CONTROL.test(name), 'name must not contain bidirectional override characters')
  .refine((name) => name.replace(INVISIBLE, '').length > 0, 'name is required')

/** An optional text field: an empty value (after trimming) means "not given". */
const emptyToUndefined = (value: string): string | undefined => (value === '' ? undefined : value)

/**
 * Delivery address: one line of text, NFC-normalised and trimmed (so the same address typed on
 * two keyboards compares equal). Line breaks are control characters: a client joins lines with
 * ", " before sending.
 */
const addressSchema = z
  .string()
  .max(LIMITS.addressLength * 4)
  .transform((value) => value.normalize('NFC').trim())
  .pipe(
    z
      .string()
      .max(LIMITS.addressLength, `must be at most ${LIMITS.addressLength} characters`)
      // Control characters (line breaks included) and bidi overrides read differently on the board than typed.
      .refine((value) => !CONTROL.test(value) && !BIDI_CONTROL.test(value), 'must not contain control characters or line breaks'),
  )
  .transform(emptyToUndefined)

/**
 * Phone number: digits, spaces, `+` (first only), `-` and parentheses, 6 to 20 characters with 6
 * to 15 digits. Normalised: NFKC (full-width digits become ASCII), trimmed, runs of whitespace
 * become one space.
 */
const phoneSchema = z
  .string()
  .max(LIMITS.phoneLength * 4)
  .transform((value) => value.normalize('NFKC').trim().replace(/\s+/g, ' '))
  .pipe(
    z.union([
      z.literal(''),
      z
        .string()
        .min(6, 'must be at least 6 characters')
        .max(LIMITS.phoneLength, `must be at most ${LIMITS.phoneLength} characters`)
        .regex(/^\+?[0-9 ()-]+$/, 'may contain only digits, spaces, parentheses, - and a leading +')
        .refine((value) => {
          const digits = value.replace(/\D/g, '').length
          return digits >= 6 && digits <= 15
        }, 'must contain 6 to 15 digits'),
    ]),
  )
  .transform(emptyToUndefined)

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
    name: personName,
    email,
    address: addressSchema.optional(),
    phone: phoneSchema.optional(),
  }),
  note: z
    .string()
    .normalize('NFC')
    .max(LIMITS.noteLength)
    .refine((note) => !CONTROL_BUT_LINES.test(note), 'note must not contain control characters')
    .refine((note) => !BIDI_CONTROL.test(note), 'note must not contain bidirectional override characters')
    .optional(),
})

/**
 * Why an order was cancelled, shown to its customer: one line, NFC, trimmed, no control or bidi
 * override characters, something visible left.
 */
const cancelReasonSchema = z
  .string()
  .max(LIMITS.cancelReasonLength * 4)
  .transform((value) => value.normalize('NFC').trim())
  .pipe(
    z
      .string()
      .max(LIMITS.cancelReasonLength, `must be at most ${LIMITS.cancelReasonLength} characters`)
      .refine((value) => !CONTROL.test(value) && !BIDI_CONTROL.test(value), 'must not contain control characters or line breaks')
      .refine((value) => value.replace(INVISIBLE, '').length > 0, 'must not be blank'),
  )

export const patchOrderBodySchema = z
  .strictObject({
    status: statusSchema,
    version: z.number().int().min(1),
    /** Only with `status: "cancelled"`: the reason the customer sees on their tracking page. */
    reason: cancelReasonSchema.optional(),
  })
  .refine((body) => body.reason === undefined || body.status === 'cancelled', {
    message: 'reason is only accepted when cancelling',
    path: ['reason'],
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

/**
 * `Idempotency-Key` of `POST /api/orders`. Longer than the admin's: together with the identical
 * body it is what a replay hands the tracking token back for, so it must be unguessable
 * (a `crypto.randomUUID()` per checkout attempt is what clients send).
 */
export const placementKeySchema = z.string().regex(/^[A-Za-z0-9_-]{16,128}$/, 'must be 16-128 letters, digits, - or _')

// ---- Web Push ----

/** Unpadded base64url of exactly `bytes` bytes (trailing `=` padding tolerated). */
const base64urlBytes = (bytes: number) =>
  z
    .string()
    .max(Math.ceil(bytes / 3) * 4)
    .transform((value) => value.replace(/=+$/, ''))
    .pipe(
      z
        .string()
        .regex(/^[A-Za-z0-9_-]*$/, 'must be base64url')
        .length(Math.ceil((bytes * 4) / 3), `must encode ${bytes} bytes`),
    )

/**
 * `PushSubscription.toJSON()` as browsers produce it. `p256dh` is an uncompressed P-256 point
 * (65 bytes, first byte 0x04, hence the leading "B"); `auth` is the 16-byte secret. The server
 * also checks that the point lies on the curve and where the endpoint leads.
 */
export const pushSubscriptionBodySchema = z.strictObject({
  endpoint: z.string().min(1).max(LIMITS.pushEndpointLength),
  expirationTime: z.number().nullable().optional(),
  keys: z.strictObject({
    p256dh: base64urlBytes(65).refine((value) => value.startsWith('B'), 'must be an uncompressed P-256 public key'),
    auth: base64urlBytes(16),
  }),
})

export const deletePushSubscriptionBodySchema = z.strictObject({
  endpoint: z.string().min(1).max(LIMITS.pushEndpointLength),
})

/** The decrypted body of every push message the server sends (JSON). */
export const pushPayloadSchema = z.object({
  orderId: idSchema,
  number: z.number().int().min(1),
  status: statusSchema,
  version: z.number().int().min(1),
})

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
  customer: z.object({ name: z.string(), email: z.string(), address: z.string().optional(), phone: z.string().optional() }),
  note: z.string().nullable(),
  /** Present on a cancelled order whose admin gave a reason. */
  cancelReason: z.string().optional(),
  createdAt: isoDate,
  updatedAt: isoDate,
  history: z.array(z.object({ status: statusSchema, version: z.number().int().min(1), at: isoDate })),
  /** Optional so a client keeps accepting servers (and replays) that send none. */
  estimate: z
    .object({
      deliveredAt: isoDate,
      basis: z.enum(['history', 'defaults']),
      steps: z.array(z.object({ status: statusSchema, at: isoDate })),
    })
    .nullable()
    .optional(),
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
export type PushSubscriptionBody = z.infer<typeof pushSubscriptionBodySchema>
export type PushPayload = z.infer<typeof pushPayloadSchema>

/** Turns a zod error into the one-line message the `{error: {code, message}}` envelope carries. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'body'}: ${issue.message}`)
    .join('; ')
}
