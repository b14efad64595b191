import { computed, ref, watch, type Ref } from 'vue'
import { storeToRefs } from 'pinia'
import { ApiError } from '../api/client'
import { placeOrder } from '../api/orders'
import { formatCents, type Order, type Product } from '../../protocol'
import type { PlaceOrderBody } from '../../protocol/requests'
import { isTransientStatus } from '@shared/placementQueue'
import { useCartStore, type CheckoutFields } from '../stores/cart'
import { usePlacementsStore } from '../stores/placements'

export type CheckoutErrors = Partial<Record<keyof CheckoutFields | 'items' | 'form', string>>

/** idle → sending → (retrying → sending)* → idle, or queueing when the network stays away. */
export type CheckoutPhase = 'idle' | 'sending' | 'retrying' | 'queueing'

export type CheckoutResult =
  | { kind: 'placed'; order: Order; trackingToken: string }
  /** Saved on this device with its key; sent when the network returns. */
  | { kind: 'queued'; key: string }

/** Waits between resends of one attempt after a network failure or a 5xx (then it is queued). */
const RETRY_DELAYS_MS = [1000, 2000, 4000]

/** zod issue path → the form field that shows it. */
function fieldFor(path: PropertyKey[]): keyof CheckoutErrors {
  const [first, second] = path
  if (first === 'customer' && (second === 'name' || second === 'email' || second === 'address' || second === 'phone')) return second
  if (first === 'note') return 'note'
  if (first === 'items') return 'items'
  return 'form'
}

function friendly(field: keyof CheckoutErrors, message: string): string {
  switch (field) {
    case 'name':
      return 'Please enter your name.'
    case 'email':
      return 'Please enter a valid email address.'
    case 'items':
      return 'Add at least one product to your order.'
    case 'address':
      return `The address ${message}.`
    case 'phone':
      return `The phone number ${message}.`
    default:
      return message
  }
}

/** The server takes the address as one line: the lines of the text area joined with ", ". */
function addressLine(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
    .join(', ')
}

const isOffline = (): boolean => typeof navigator !== 'undefined' && navigator.onLine === false

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

type RequestRules = typeof import('../../protocol/requests')
let requestRules: Promise<RequestRules> | null = null

/**
 * The server's own rules for an order (zod/mini, src/protocol/requests.ts), loaded on the first
 * submit rather than with the storefront: building zod's schemas is 65–135 ms of main-thread work
 * on a slow phone, which made it the longest task of the storefront's first load
 * (docs/decisions.md). The chunk is in the service worker's precache. Null when it cannot load
 * (offline before the precache finished): the order then goes unchecked to the server, or to the
 * queue, and the server's answer says what is wrong, as it does for any order.
 */
function loadRequestRules(): Promise<RequestRules | null> {
  requestRules ??= import('../../protocol/requests').catch((error: unknown) => {
    requestRules = null
    console.warn('[checkout] could not load the order rules; the server will check the order', error)
    throw error
  })
  return requestRules.catch(() => null)
}

/**
 * Cart and checkout of the storefront. Validates with the same schema as the server; sends each
 * attempt with its own Idempotency-Key, resends it (same key) after a network failure or a 5xx
 * with backoff, and queues it on this device when the network stays away, so a customer never
 * orders twice and never loses an order they placed.
 */
export function useCheckout(options: { products: Ref<Product[]>; retryDelaysMs?: number[] }) {
  const cart = useCartStore()
  const placements = usePlacementsStore()
  const { quantities } = storeToRefs(cart)
  const fields = cart.fields
  const errors = ref<CheckoutErrors>({})
  const phase = ref<CheckoutPhase>('idle')
  const busy = computed(() => phase.value !== 'idle')
  /** Bumped on each submit refused by validation: the form moves focus to the first invalid field. */
  const invalidSubmits = ref(0)
  const retryDelays = options.retryDelaysMs ?? RETRY_DELAYS_MS

  const lines = computed(() =>
    options.products.value.flatMap((product) => {
      const quantity = quantities.value[product.id] ?? 0
      return quantity > 0 ? [{ product, quantity }] : []
    }),
  )
  const itemCount = computed(() => lines.value.reduce((sum, line) => sum + line.quantity, 0))
  const totalCents = computed(() => lines.value.reduce((sum, line) => sum + line.quantity * line.product.priceCents, 0))
  const totalLabel = computed(() => formatCents(totalCents.value))

  // A field's error goes away as soon as the customer edits that field.
  for (const key of ['name', 'email', 'address', 'phone', 'note'] as const) {
    watch(
      () => fields[key],
      () => {
        if (errors.value[key]) errors.value = { ...errors.value, [key]: undefined }
      },
    )
  }

  function setQuantity(productId: string, quantity: number): void {
    quantities.value = { ...quantities.value, [productId]: quantity }
    if (errors.value.items && quantity > 0) errors.value = { ...errors.value, items: undefined }
  }

  async function buildBody(): Promise<PlaceOrderBody | null> {
    const note = fields.note.trim()
    const address = addressLine(fields.address)
    const phone = fields.phone.trim()
    const candidate = {
      items: lines.value.map((line) => ({ productId: line.product.id, quantity: line.quantity })),
      customer: { name: fields.name.trim(), email: fields.email.trim(), ...(address ? { address } : {}), ...(phone ? { phone } : {}) },
      ...(note ? { note } : {}),
    }
    const rules = await loadRequestRules()
    if (!rules) return candidate
    const result = rules.placeOrderBodySchema.safeParse(candidate)
    if (result.success) return result.data
    const next: CheckoutErrors = {}
    for (const issue of result.error.issues) {
      const field = fieldFor(issue.path)
      next[field] ??= friendly(field, issue.message)
    }
    errors.value = next
    invalidSubmits.value++
    return null
  }

  async function queue(key: string, body: PlaceOrderBody): Promise<CheckoutResult | null> {
    phase.value = 'queueing'
    const queued = await placements
      .enqueue({
        key,
        body,
        lines: lines.value.map(({ product, quantity }) => ({
          productId: product.id,
          name: product.name,
          quantity,
          priceCents: product.priceCents,
        })),
        totalCents: totalCents.value,
      })
      .catch(() => false)
    if (queued) return { kind: 'queued', key }
    // No IndexedDB (or it failed): nothing can wait on this device. The key stays with the cart,
    // so trying again later still cannot place a second order.
    errors.value = {
      form: 'Cannot reach the server, and this browser cannot keep the order for later. Please try again when you are back online.',
    }
    return null
  }

  /** Places the order (or queues it offline); null with `errors` filled when it was not. */
  async function submit(): Promise<CheckoutResult | null> {
    if (busy.value) return null
    errors.value = {}
    // Busy from the tap on: the rules may still be loading, and a second tap must not pass.
    phase.value = 'sending'
    try {
      const body = await buildBody()
      if (!body) return null
      // One key per attempt: unchanged cart → same key, so a resend can only ever replay.
      const key = cart.keyFor(body)
      if (isOffline()) return await queue(key, body)
      for (let attempt = 0; ; attempt++) {
        try {
          const placed = await placeOrder(body, key)
          cart.clearPlaced(key)
          return { kind: 'placed', ...placed }
        } catch (error) {
          const status = error instanceof ApiError ? error.status : -1
          if (!isTransientStatus(status)) {
            // The server decided (4xx) or answered nonsense: show it; a corrected cart gets a new key.
            if (status >= 400 && status < 500) cart.forgetAttempt()
            errors.value = { form: error instanceof ApiError ? error.message : 'Something went wrong. Please try again.' }
            return null
          }
          const delay = retryDelays[attempt]
          if (delay === undefined || isOffline()) break
          phase.value = 'retrying'
          await sleep(delay)
          phase.value = 'sending'
        }
      }
      return await queue(key, body)
    } finally {
      phase.value = 'idle'
    }
  }

  return { quantities, fields, errors, phase, busy, invalidSubmits, lines, itemCount, totalCents, totalLabel, setQuantity, submit }
}
