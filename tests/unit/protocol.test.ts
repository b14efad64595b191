import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import {
  ORDER_STATUSES,
  STATUS_LABELS,
  allowedTransitions,
  canTransition,
  formatCents,
  isTerminal,
  mergeOrder,
  orderSchema,
  pushPublicKeySchema,
  statsSchema,
} from '../../src/protocol'
import { patchOrderBodySchema, placeOrderBodySchema } from '../../src/protocol/requests'
import { makeOrder } from './support/fixtures'

const validBody = {
  items: [{ productId: 'p1', quantity: 2 }],
  customer: { name: 'Ada', email: 'ada@example.com' },
}

describe('order status machine', () => {
  it('follows the happy path one step at a time', () => {
    expect(canTransition('placed', 'confirmed')).toBe(true)
    expect(canTransition('confirmed', 'preparing')).toBe(true)
    expect(canTransition('preparing', 'out_for_delivery')).toBe(true)
    expect(canTransition('out_for_delivery', 'delivered')).toBe(true)
    expect(canTransition('placed', 'preparing')).toBe(false)
    expect(canTransition('delivered', 'placed')).toBe(false)
  })

  it('allows cancelling before the order is out for delivery only', () => {
    expect(canTransition('placed', 'cancelled')).toBe(true)
    expect(canTransition('confirmed', 'cancelled')).toBe(true)
    expect(canTransition('preparing', 'cancelled')).toBe(true)
    expect(canTransition('out_for_delivery', 'cancelled')).toBe(false)
  })

  it('has no way out of the terminal states', () => {
    for (const status of ['delivered', 'cancelled'] as const) {
      expect(isTerminal(status)).toBe(true)
      expect(allowedTransitions(status)).toEqual([])
      for (const to of ORDER_STATUSES) expect(canTransition(status, to)).toBe(false)
    }
    expect(isTerminal('preparing')).toBe(false)
  })

  it('never allows a transition to the same status', () => {
    for (const status of ORDER_STATUSES) expect(canTransition(status, status)).toBe(false)
  })

  it('labels every status and formats cents', () => {
    for (const status of ORDER_STATUSES) expect(STATUS_LABELS[status]).toBeTruthy()
    expect(STATUS_LABELS.cancelled).toBe('Cancelled')
    expect(formatCents(1234)).toBe('$12.34')
    expect(formatCents(5)).toBe('$0.05')
  })

  it('mergeOrder keeps the higher version and the held copy on a tie', () => {
    const v1 = makeOrder({ version: 1 })
    const v2 = makeOrder({ version: 2 })
    expect(mergeOrder(v2, v1)).toBe(v2)
    expect(mergeOrder(v1, v2)).toBe(v2)
    const tie = makeOrder({ version: 2, note: 'other copy' })
    expect(mergeOrder(v2, tie)).toBe(v2)
    expect(mergeOrder(undefined, v1)).toBe(v1)
  })
})

describe('placeOrderBodySchema', () => {
  it('accepts a valid body with and without a note', () => {
    expect(placeOrderBodySchema.safeParse(validBody).success).toBe(true)
    expect(placeOrderBodySchema.safeParse({ ...validBody, note: 'Ring twice' }).success).toBe(true)
  })

  it('rejects unknown fields at every level', () => {
    expect(placeOrderBodySchema.safeParse({ ...validBody, admin: true }).success).toBe(false)
    expect(placeOrderBodySchema.safeParse({ ...validBody, customer: { ...validBody.customer, role: 'admin' } }).success).toBe(false)
    expect(placeOrderBodySchema.safeParse({ ...validBody, items: [{ productId: 'p1', quantity: 1, priceCents: 0 }] }).success).toBe(false)
  })

  it('rejects a bad email, a blank name and an empty cart', () => {
    expect(placeOrderBodySchema.safeParse({ ...validBody, customer: { name: 'Ada', email: 'not-an-email' } }).success).toBe(false)
    expect(placeOrderBodySchema.safeParse({ ...validBody, customer: { name: '   ', email: 'ada@example.com' } }).success).toBe(false)
    expect(placeOrderBodySchema.safeParse({ ...validBody, items: [] }).success).toBe(false)
  })

  it('rejects quantity 0, fractions and over-limit quantities', () => {
    for (const quantity of [0, -1, 1.5, 100]) {
      expect(placeOrderBodySchema.safeParse({ ...validBody, items: [{ productId: 'p1', quantity }] }).success).toBe(false)
    }
  })

  it('rejects a product id that is not an id and an over-long note', () => {
    expect(placeOrderBodySchema.safeParse({ ...validBody, items: [{ productId: '../etc', quantity: 1 }] }).success).toBe(false)
    expect(placeOrderBodySchema.safeParse({ ...validBody, note: 'x'.repeat(501) }).success).toBe(false)
  })
})

describe('response schemas', () => {
  it('accepts a well-formed order and rejects a bad status or version', () => {
    expect(v.safeParse(orderSchema, makeOrder()).success).toBe(true)
    expect(v.safeParse(orderSchema, { ...makeOrder(), status: 'lost' }).success).toBe(false)
    expect(v.safeParse(orderSchema, { ...makeOrder(), version: 0 }).success).toBe(false)
    expect(v.safeParse(orderSchema, { ...makeOrder(), version: 1.5 }).success).toBe(false)
    expect(v.safeParse(orderSchema, { ...makeOrder(), id: '../x' }).success).toBe(false)
    expect(v.safeParse(orderSchema, { ...makeOrder(), estimate: null }).success).toBe(true)
    expect(v.safeParse(orderSchema, { ...makeOrder(), estimate: { deliveredAt: 'x', basis: 'guess', steps: [] } }).success).toBe(false)
  })

  it('drops what it does not know, as the server may add fields a client has never heard of', () => {
    const parsed = v.parse(orderSchema, {
      ...makeOrder(),
      internalNote: 'admins only',
      customer: { name: 'Ada', email: 'a@x.io', ssn: '1' },
    })
    expect(parsed).not.toHaveProperty('internalNote')
    expect(parsed.customer).toEqual({ name: 'Ada', email: 'a@x.io' })
  })

  it('stats need a count for every status', () => {
    const byStatus = Object.fromEntries(ORDER_STATUSES.map((status) => [status, 0]))
    const stats = { ordersToday: 1, revenueTodayCents: 0, byStatus, avgDeliveryMinutes: null, ordersPerMinute: [0, 1], generatedAt: 'now' }
    expect(v.safeParse(statsSchema, stats).success).toBe(true)
    const { delivered: _dropped, ...missing } = byStatus
    expect(v.safeParse(statsSchema, { ...stats, byStatus: missing }).success).toBe(false)
    expect(v.safeParse(statsSchema, { ...stats, byStatus: { ...byStatus, placed: -1 } }).success).toBe(false)
  })

  it('the push key is 65 bytes of base64url, padding tolerated', () => {
    const key = `B${'A'.repeat(86)}`
    expect(v.parse(pushPublicKeySchema, { publicKey: `${key}=` }).publicKey).toBe(key)
    expect(v.safeParse(pushPublicKeySchema, { publicKey: key.slice(1) }).success).toBe(false)
    expect(v.safeParse(pushPublicKeySchema, { publicKey: `${key.slice(1)}+` }).success).toBe(false)
  })

  it('patch body needs a status and a positive integer version, nothing else', () => {
    expect(patchOrderBodySchema.safeParse({ status: 'confirmed', version: 1 }).success).toBe(true)
    expect(patchOrderBodySchema.safeParse({ status: 'confirmed' }).success).toBe(false)
    expect(patchOrderBodySchema.safeParse({ status: 'confirmed', version: 1, force: true }).success).toBe(false)
  })
})
