import { computed, reactive, ref, watch, type Ref } from 'vue'
import { ApiError } from '../api/client'
import { placeOrder } from '../api/orders'
import { formatCents, placeOrderBodySchema, type Order, type PlaceOrderBody, type Product } from '../../protocol'

export interface CheckoutFields {
  name: string
  email: string
  note: string
}
export type CheckoutErrors = Partial<Record<keyof CheckoutFields | 'items' | 'form', string>>

/** zod issue path → the form field that shows it. */
function fieldFor(path: PropertyKey[]): keyof CheckoutErrors {
  const [first, second] = path
  if (first === 'customer' && (second === 'name' || second === 'email')) return second
  if (first === 'note') return 'note'
  if (first === 'items') return 'items'
  return 'form'
}

const FRIENDLY: Partial<Record<keyof CheckoutErrors, string>> = {
  name: 'Please enter your name.',
  email: 'Please enter a valid email address.',
  items: 'Add at least one product to your order.',
}

/** Cart and checkout state of the storefront; validates with the same schema as the server. */
export function useCheckout(options: { products: Ref<Product[]> }) {
  const quantities = ref<Record<string, number>>({})
  const fields = reactive<CheckoutFields>({ name: '', email: '', note: '' })
  const errors = ref<CheckoutErrors>({})
  const busy = ref(false)

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
  for (const key of ['name', 'email', 'note'] as const) {
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

  function buildBody(): PlaceOrderBody | null {
    const note = fields.note.trim()
    const candidate = {
      items: lines.value.map((line) => ({ productId: line.product.id, quantity: line.quantity })),
      customer: { name: fields.name.trim(), email: fields.email.trim() },
      ...(note ? { note } : {}),
    }
    const result = placeOrderBodySchema.safeParse(candidate)
    if (result.success) return result.data
    const next: CheckoutErrors = {}
    for (const issue of result.error.issues) {
      const field = fieldFor(issue.path)
      next[field] ??= FRIENDLY[field] ?? issue.message
    }
    errors.value = next
    return null
  }

  /** Places the order; returns it with its tracking token, or null with `errors` filled. */
  async function submit(): Promise<{ order: Order; trackingToken: string } | null> {
    if (busy.value) return null
    errors.value = {}
    const body = buildBody()
    if (!body) return null
    busy.value = true
    try {
      const placed = await placeOrder(body)
      quantities.value = {}
      fields.note = ''
      return placed
    } catch (error) {
      errors.value = { form: error instanceof ApiError ? error.message : 'Something went wrong. Please try again.' }
      return null
    } finally {
      busy.value = false
    }
  }

  return { quantities, fields, errors, busy, lines, itemCount, totalCents, totalLabel, setQuantity, submit }
}
