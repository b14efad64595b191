/**
 * The window ↔ service worker contract (docs/architecture.md, "The fallback poll"): messages tabs
 * post to the SW, and what the SW posts back to window clients. Kept here, free of DOM and
 * worker-only types, so both sides import one definition. Everything received is validated before
 * it is trusted.
 */
import * as v from 'valibot'
import { idSchema, orderChangeSchema, orderSchema, statsSchema, type Order, type OrderChange, type Stats } from '../protocol'
import type { PollOutcome, PollPlan } from './hubTypes'

/** Header the SW adds to an API response it served from its cache (the network failed). */
export const CACHE_HIT_HEADER = 'X-Orderline-Cache'
/** Epoch ms at which that cached copy was stored. */
export const CACHED_AT_HEADER = 'X-Orderline-Cached-At'
/** BroadcastChannel carrying outbox updates between tabs and the SW. */
export const OUTBOX_CHANNEL = 'orderline-outbox'
/** Background Sync tag and Web Lock name for the one outbox sender. */
export const OUTBOX_SYNC_TAG = 'orderline-outbox'
export const OUTBOX_LOCK = 'orderline-outbox'
/**
 * The customer's queued checkouts: their own Background Sync tag, Web Lock and channel, so a
 * customer's order never waits behind an admin's queued changes (or the other way round).
 */
export const PLACEMENT_SYNC_TAG = 'orderline-placements'
export const PLACEMENT_LOCK = 'orderline-placements'
export const PLACEMENT_CHANNEL = 'orderline-placements'

const text = (max: number) => v.pipe(v.string(), v.minLength(1), v.maxLength(max))
const int = (min: number) => v.pipe(v.number(), v.integer(), v.minValue(min))

const pollPlanSchema = v.object({
  orders: v.pipe(v.array(v.object({ orderId: idSchema, token: text(2048), version: v.nullable(int(1)) })), v.maxLength(500)),
  admin: v.nullable(v.object({ token: text(4096), afterSeq: int(0), stats: v.boolean() })),
})

/** Window → SW. `poll` carries a reply port (MessageChannel) for its outcome. */
export type SwMessage =
  | { type: 'SKIP_WAITING' }
  | { type: 'poll'; plan: PollPlan }
  | { type: 'clear-api-cache' }
  | { type: 'flush-outbox' }
  /** The page shows a newer copy (e.g. from a socket event): keep the SW's cached answer as new. */
  | { type: 'remember-order'; order: Order; token: string }

const swMessageSchema = v.variant('type', [
  v.object({ type: v.literal('SKIP_WAITING') }),
  v.object({ type: v.literal('poll'), plan: pollPlanSchema }),
  v.object({ type: v.literal('clear-api-cache') }),
  v.object({ type: v.literal('flush-outbox') }),
  v.object({ type: v.literal('remember-order'), order: orderSchema, token: text(4096) }),
])

export function parseSwMessage(data: unknown): SwMessage | null {
  const parsed = v.safeParse(swMessageSchema, data)
  return parsed.success ? (parsed.output as SwMessage) : null
}

/** SW → windows. */
export type ClientMessage =
  /** Orders (and admin changes) a poll found newer than the plan's versions; sent to every window. */
  | { type: 'orderline:poll'; orders: Order[]; changes: OrderChange[]; stats: Stats | null; at: number; ok: boolean; networkError: boolean }
  /** Where an API GET was answered from, sent to the window that asked: drives "updated N min ago". */
  | { type: 'orderline:api'; source: 'network' | 'cache' | 'none'; cachedAt: number | null; at: number }

/** The broadcast of one poll round, the same whether the SW or a tab without one ran it. */
export function pollMessage(round: {
  orders: Order[]
  changes: OrderChange[]
  stats: Stats | null
  outcome: { ok: boolean; networkError?: boolean }
}): ClientMessage {
  const { orders, changes, stats, outcome } = round
  return { type: 'orderline:poll', orders, changes, stats, at: Date.now(), ok: outcome.ok, networkError: outcome.networkError === true }
}

const clientMessageSchema = v.variant('type', [
  v.object({
    type: v.literal('orderline:poll'),
    orders: v.array(orderSchema),
    changes: v.array(orderChangeSchema),
    stats: v.nullable(statsSchema),
    at: v.number(),
    ok: v.boolean(),
    networkError: v.boolean(),
  }),
  v.object({
    type: v.literal('orderline:api'),
    source: v.picklist(['network', 'cache', 'none']),
    cachedAt: v.nullable(v.number()),
    at: v.number(),
  }),
])

export function parseClientMessage(data: unknown): ClientMessage | null {
  const parsed = v.safeParse(clientMessageSchema, data)
  return parsed.success ? (parsed.output as ClientMessage) : null
}

const pollOutcomeSchema = v.object({
  ok: v.boolean(),
  networkError: v.optional(v.boolean()),
  orders: v.array(v.object({ orderId: v.string(), version: v.number(), terminal: v.boolean() })),
  lastSeq: v.optional(v.number()),
})

export function parsePollOutcome(data: unknown): PollOutcome | null {
  const parsed = v.safeParse(pollOutcomeSchema, data)
  return parsed.success ? parsed.output : null
}
