/**
 * What clients send: request bodies, query strings, headers and socket payloads. The server
 * validates every request with these, and the checkout form checks its body with the same rules
 * before sending (so a customer sees the server's reasons without a round trip). Written with
 * `zod/mini`, the functional form of zod 4; the server parses with zod's English messages loaded
 * (server/http/context.ts), so its 400s read as clear sentences.
 *
 * Not re-exported by the protocol's index: only the server and the checkout (on the customer's
 * first submit, src/app/composables/useCheckout.ts) import this module, so no page pays for zod
 * before it needs it. What the server sends back is checked by the smaller validator in
 * ./answers.ts.
 * The bodies and payloads are described in docs/protocol.md.
 */
import { z } from 'zod/mini'
import { ID_PATTERN, LIMITS } from './limits'
import { ORDER_STATUSES } from './order'

// zod compiles object parsers with `new Function` after probing whether eval is allowed; under
// the app's CSP (no 'unsafe-eval') that probe is a reported violation in every tab and worker.
// Jitless parsing is plenty fast for our payload sizes, and keeps the CSP report clean.
z.config({ jitless: true })

/** A whole number within [min, max] (max optional): the checks zod's `.int().min().max()` add. */
const int = (min: number, max?: number) => z.int().check(z.gte(min), ...(max === undefined ? [] : [z.lte(max)]))

const idSchema = z.string().check(z.regex(ID_PATTERN, 'must be 1-64 letters, digits, - or _'))
export const tokenSchema = z.string().check(z.minLength(LIMITS.tokenMinLength), z.maxLength(LIMITS.tokenMaxLength))
const statusSchema = z.enum(ORDER_STATUSES)

const email = z.pipe(z.string().check(z.trim(), z.maxLength(LIMITS.emailLength)), z.email())

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
const personName = z.string().check(
  z.normalize('NFC'),
  z.trim(),
  z.maxLength(LIMITS.nameLength),
  z.refine((name) => !CONTROL.test(name), 'name must not contain control characters'),
  z.refine((name) => !BIDI_CONTROL.test(name), 'name must not contain bidirectional override characters'),
  z.refine((name) => name.replace(INVISIBLE, '').length > 0, 'name is required'),
)

/** An optional text field: an empty value (after trimming) means "not given". */
const emptyToUndefined = (value: string): string | undefined => (value === '' ? undefined : value)

/**
 * One line of text, NFC-normalised and trimmed, at most `max` characters, with no control
 * characters (line breaks included) or bidi overrides: those read differently on the board than
 * typed. Input over four times the limit is refused before it is normalised, so the work stays bounded.
 */
const oneLine = (max: number, ...checks: z.core.$ZodCheck<string>[]) =>
  z.pipe(
    z.pipe(
      z.string().check(z.maxLength(max * 4)),
      z.transform((value: string) => value.normalize('NFC').trim()),
    ),
    z.string().check(
      z.maxLength(max, `must be at most ${max} characters`),
      z.refine((value) => !CONTROL.test(value) && !BIDI_CONTROL.test(value), 'must not contain control characters or line breaks'),
      ...checks,
    ),
  )

/**
 * Delivery address: one line of text, NFC-normalised and trimmed (so the same address typed on
 * two keyboards compares equal). Line breaks are control characters: a client joins lines with
 * ", " before sending.
 */
const addressSchema = z.pipe(oneLine(LIMITS.addressLength), z.transform(emptyToUndefined))

/**
 * Phone number: digits, spaces, `+` (first only), `-` and parentheses, 6 to 20 characters with 6
 * to 15 digits. Normalised: NFKC (full-width digits become ASCII), trimmed, runs of whitespace
 * become one space.
 */
const phoneSchema = z.pipe(
  z.pipe(
    z.pipe(
      z.string().check(z.maxLength(LIMITS.phoneLength * 4)),
      z.transform((value: string) => value.normalize('NFKC').trim().replace(/\s+/g, ' ')),
    ),
    z.union([
      z.literal(''),
      z.string().check(
        z.minLength(6, 'must be at least 6 characters'),
        z.maxLength(LIMITS.phoneLength, `must be at most ${LIMITS.phoneLength} characters`),
        z.regex(/^\+?[0-9 ()-]+$/, 'may contain only digits, spaces, parentheses, - and a leading +'),
        z.refine((value) => {
          const digits = value.replace(/\D/g, '').length
          return digits >= 6 && digits <= 15
        }, 'must contain 6 to 15 digits'),
      ),
    ]),
  ),
  z.transform(emptyToUndefined),
)

export const loginBodySchema = z.strictObject({
  email,
  password: z.string().check(z.minLength(1), z.maxLength(LIMITS.passwordLength)),
})

export const placeOrderBodySchema = z.strictObject({
  items: z
    .array(
      z.strictObject({
        productId: idSchema,
        quantity: int(1, LIMITS.quantityPerItem),
      }),
    )
    .check(z.minLength(1, 'an order needs at least one item'), z.maxLength(LIMITS.itemsPerOrder)),
  customer: z.strictObject({
    name: personName,
    email,
    address: z.optional(addressSchema),
    phone: z.optional(phoneSchema),
  }),
  note: z.optional(
    z.string().check(
      z.normalize('NFC'),
      z.maxLength(LIMITS.noteLength),
      z.refine((note) => !CONTROL_BUT_LINES.test(note), 'note must not contain control characters'),
      z.refine((note) => !BIDI_CONTROL.test(note), 'note must not contain bidirectional override characters'),
    ),
  ),
})

/**
 * Why an order was cancelled, shown to its customer: one line, NFC, trimmed, no control or bidi
 * override characters, something visible left.
 */
const cancelReasonSchema = oneLine(
  LIMITS.cancelReasonLength,
  z.refine((value) => value.replace(INVISIBLE, '').length > 0, 'must not be blank'),
)

export const patchOrderBodySchema = z
  .strictObject({
    status: statusSchema,
    version: int(1),
    /** Only with `status: "cancelled"`: the reason the customer sees on their tracking page. */
    reason: z.optional(cancelReasonSchema),
  })
  .check(
    z.refine((body) => body.reason === undefined || body.status === 'cancelled', {
      message: 'reason is only accepted when cancelling',
      path: ['reason'],
    }),
  )

export const orderIdParamsSchema = z.strictObject({ id: idSchema })

export const listOrdersQuerySchema = z.strictObject({
  status: z.optional(statusSchema),
  cursor: z.optional(z.string().check(z.maxLength(200))),
  limit: z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(LIMITS.pageSize))),
  /** Board search: order number, customer name or email, case-insensitive substring. */
  q: z.optional(z.string().check(z.trim(), z.maxLength(LIMITS.searchLength))),
})

export const changesQuerySchema = z.strictObject({
  after: z._default(z.coerce.number().check(z.int(), z.gte(0)), 0),
  limit: z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(LIMITS.changesPageSize))),
})

export const idempotencyKeySchema = z.string().check(z.regex(/^[A-Za-z0-9_-]{8,128}$/))

/**
 * `Idempotency-Key` of `POST /api/orders`. Longer than the admin's: together with the identical
 * body it is what a replay hands the tracking token back for, so it must be unguessable
 * (a `crypto.randomUUID()` per checkout attempt is what clients send).
 */
export const placementKeySchema = z.string().check(z.regex(/^[A-Za-z0-9_-]{16,128}$/, 'must be 16-128 letters, digits, - or _'))

// ---- Web Push ----

/** Unpadded base64url of exactly `bytes` bytes (trailing `=` padding tolerated). */
const base64urlBytes = (bytes: number) =>
  z.pipe(
    z.pipe(
      z.string().check(z.maxLength(Math.ceil(bytes / 3) * 4)),
      z.transform((value: string) => value.replace(/=+$/, '')),
    ),
    z.string().check(z.regex(/^[A-Za-z0-9_-]*$/, 'must be base64url'), z.length(Math.ceil((bytes * 4) / 3), `must encode ${bytes} bytes`)),
  )

/**
 * `PushSubscription.toJSON()` as browsers produce it. `p256dh` is an uncompressed P-256 point
 * (65 bytes, first byte 0x04, hence the leading "B"); `auth` is the 16-byte secret. The server
 * also checks that the point lies on the curve and where the endpoint leads.
 */
export const pushSubscriptionBodySchema = z.strictObject({
  endpoint: z.string().check(z.minLength(1), z.maxLength(LIMITS.pushEndpointLength)),
  expirationTime: z.optional(z.nullable(z.number())),
  keys: z.strictObject({
    p256dh: base64urlBytes(65).check(z.refine((value) => value.startsWith('B'), 'must be an uncompressed P-256 public key')),
    auth: base64urlBytes(16),
  }),
})

export const deletePushSubscriptionBodySchema = z.strictObject({
  endpoint: z.string().check(z.minLength(1), z.maxLength(LIMITS.pushEndpointLength)),
})

// ---- socket payloads (client → server) ----

export const watchOrderPayloadSchema = z.strictObject({ orderId: idSchema, token: tokenSchema })
export const unwatchOrderPayloadSchema = z.strictObject({ orderId: idSchema })

export type LoginBody = z.infer<typeof loginBodySchema>
export type PlaceOrderBody = z.infer<typeof placeOrderBodySchema>
export type WatchOrderPayload = z.infer<typeof watchOrderPayloadSchema>
export type UnwatchOrderPayload = z.infer<typeof unwatchOrderPayloadSchema>
export type PushSubscriptionBody = z.infer<typeof pushSubscriptionBodySchema>

/** Turns a zod error into the one-line message the `{error: {code, message}}` envelope carries. */
export function describeIssues(error: z.core.$ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'body'}: ${issue.message}`)
    .join('; ')
}
