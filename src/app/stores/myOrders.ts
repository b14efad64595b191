import { defineStore } from 'pinia'
import { ref } from 'vue'
import * as v from 'valibot'
import { idSchema } from '../../protocol'
import { onStorageKey, readStored, writeStored } from './persist'

export const MY_ORDERS_STORAGE_KEY = 'orderline.myOrders'
const MAX_REMEMBERED = 50

const entrySchema = v.object({
  orderId: idSchema,
  token: v.pipe(v.string(), v.minLength(1)),
  number: v.fallback(v.nullable(v.pipe(v.number(), v.integer())), null),
  placedAt: v.string(),
})

export type MyOrder = v.InferOutput<typeof entrySchema>

/** Keeps the valid entries of whatever is stored; a corrupt entry never hides the rest. */
function parseEntries(value: unknown): MyOrder[] {
  if (!Array.isArray(value)) return []
  return value.flatMap((item) => {
    const result = v.safeParse(entrySchema, item)
    return result.success ? [result.output] : []
  })
}

/** The customer's orders on this device: tracking tokens are their only key, so they persist. */
export const useMyOrdersStore = defineStore('myOrders', () => {
  const entries = ref<MyOrder[]>(parseEntries(readStored(MY_ORDERS_STORAGE_KEY)))

  function remember(entry: { orderId: string; token: string; number?: number | null; placedAt?: string }): void {
    const existing = entries.value.find((item) => item.orderId === entry.orderId)
    const next: MyOrder = {
      orderId: entry.orderId,
      token: entry.token,
      number: entry.number ?? existing?.number ?? null,
      placedAt: entry.placedAt ?? existing?.placedAt ?? new Date().toISOString(),
    }
    entries.value = [next, ...entries.value.filter((item) => item.orderId !== entry.orderId)]
      .sort((a, b) => b.placedAt.localeCompare(a.placedAt))
      .slice(0, MAX_REMEMBERED)
    writeStored(MY_ORDERS_STORAGE_KEY, entries.value)
  }

  function forget(orderId: string): void {
    entries.value = entries.value.filter((item) => item.orderId !== orderId)
    writeStored(MY_ORDERS_STORAGE_KEY, entries.value)
  }

  function tokenFor(orderId: string): string | null {
    return entries.value.find((item) => item.orderId === orderId)?.token ?? null
  }

  onStorageKey(MY_ORDERS_STORAGE_KEY, (value) => {
    entries.value = parseEntries(value)
  })

  return { entries, remember, forget, tokenFor }
})
