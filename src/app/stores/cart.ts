import { defineStore } from 'pinia'
import { reactive, ref, watch } from 'vue'
import * as v from 'valibot'
import type { PlaceOrderBody } from '../../protocol/requests'
import { readStored, writeStored } from './persist'

const CART_STORAGE_KEY = 'orderline.cart'

export interface CheckoutFields {
  name: string
  email: string
  address: string
  phone: string
  note: string
}

const EMPTY_FIELDS: CheckoutFields = { name: '', email: '', address: '', phone: '', note: '' }

// Each part falls back on its own: a damaged field never empties the rest of the cart.
const text = v.fallback(v.string(), '')
const storedSchema = v.object({
  quantities: v.fallback(v.record(v.string(), v.pipe(v.number(), v.integer(), v.minValue(0))), {}),
  fields: v.fallback(v.partial(v.object({ name: text, email: text, address: text, phone: text, note: text })), {}),
  attempt: v.fallback(v.nullable(v.object({ key: v.pipe(v.string(), v.minLength(1)), body: v.string() })), null),
})

/**
 * A fresh Idempotency-Key. `crypto.randomUUID` exists only in secure contexts (https, localhost);
 * an app served over plain http on a LAN still gets 128 random bits from getRandomValues.
 */
function newAttemptKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('')
}

/** The body an attempt sent, as a stable string: the same cart and details give the same text. */
const fingerprint = (body: PlaceOrderBody): string => JSON.stringify(body)

/**
 * The storefront's cart and details, kept in localStorage so a reload (or a crash, or a checkout
 * queued offline) never loses what the customer entered. `attempt` is the Idempotency-Key of the
 * checkout in progress: sending the same cart again reuses it, so a retry after a lost answer
 * never places a second order; any change to the cart starts a new attempt with a new key.
 */
export const useCartStore = defineStore('cart', () => {
  const stored = v.safeParse(storedSchema, readStored(CART_STORAGE_KEY))
  const initial = stored.success ? stored.output : { quantities: {}, fields: {}, attempt: null }
  const quantities = ref<Record<string, number>>(initial.quantities)
  const fields = reactive<CheckoutFields>({ ...EMPTY_FIELDS, ...initial.fields })
  const attempt = ref<{ key: string; body: string } | null>(initial.attempt)

  watch(
    [quantities, fields, attempt],
    () => writeStored(CART_STORAGE_KEY, { quantities: quantities.value, fields, attempt: attempt.value }),
    {
      deep: true,
    },
  )

  /** The key for sending `body`: the current attempt's when the body is unchanged, a fresh one otherwise. */
  function keyFor(body: PlaceOrderBody): string {
    const text = fingerprint(body)
    if (attempt.value?.body === text) return attempt.value.key
    const key = newAttemptKey()
    attempt.value = { key, body: text }
    return key
  }

  /** The server refused the attempt (4xx): the next try, after the customer fixed something, is a new attempt. */
  function forgetAttempt(): void {
    attempt.value = null
  }

  /** The order of attempt `key` exists: empty the cart, keep who the customer is for next time. */
  function clearPlaced(key: string): void {
    // Only the cart that was sent: a new cart the customer started meanwhile stays.
    if (attempt.value?.key !== key) return
    quantities.value = {}
    fields.note = ''
    attempt.value = null
  }

  /** Puts a refused order back into the cart, as entered, so the customer can fix it and try again. */
  function restore(body: PlaceOrderBody): void {
    quantities.value = Object.fromEntries(body.items.map((item) => [item.productId, item.quantity]))
    Object.assign(fields, {
      name: body.customer.name,
      email: body.customer.email,
      address: body.customer.address ?? '',
      phone: body.customer.phone ?? '',
      note: body.note ?? '',
    })
    attempt.value = null
  }

  return { quantities, fields, attempt, keyFor, forgetAttempt, clearPlaced, restore }
})
