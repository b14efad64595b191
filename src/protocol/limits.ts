/**
 * The protocol's limits, shared by the server (which derives its body size limits from them) and
 * every client (which keeps its inputs within them). Free of any validator, so a page can read a
 * limit without loading one.
 */
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
  /** Characters of a tracking or admin token as a client sends it (the server checks the rest). */
  tokenMinLength: 16,
  tokenMaxLength: 2048,
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

/** Order, product and user ids: 1-64 letters, digits, - or _ (they appear in URLs and room names). */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/

/** Whether `value` could be an id (an order id in a link, say) before anything is asked of the server. */
export const isId = (value: unknown): value is string => typeof value === 'string' && ID_PATTERN.test(value)

/** Tracking tokens and admin tokens as a client may hold them (the server's token schema checks the same lengths). */
export const isToken = (value: unknown): value is string =>
  typeof value === 'string' && value.length >= LIMITS.tokenMinLength && value.length <= LIMITS.tokenMaxLength
