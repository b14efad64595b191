/**
 * The window ↔ service worker contract (docs/architecture.md, "The fallback poll"): messages tabs
 * post to the SW, and what the SW posts back to window clients. Kept here, free of DOM and
 * worker-only types, so both sides import one definition. Everything received is validated before
 * it is trusted.
 */
import { z } from 'zod/mini'
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

const pollPlanSchema = z.object({
  orders: z
    .array(
      z.object({
        orderId: idSchema,
        token: z.string().check(z.minLength(1), z.maxLength(2048)),
        version: z.nullable(z.int().check(z.gte(1))),
      }),
    )
    .check(z.maxLength(500)),
  admin: z.nullable(
    z.object({ token: z.string().check(z.minLength(1), z.maxLength(4096)), afterSeq: z.int().check(z.gte(0)), stats: z.boolean() }),
  ),
})

/** Window → SW. `poll` carries a reply port (MessageChannel) for its outcome. */
export type SwMessage =
  | { type: 'SKIP_WAITING' }
  | { type: 'poll'; plan: PollPlan }
  | { type: 'clear-api-cache' }
  | { type: 'flush-outbox' }
  /** The page shows a newer copy (e.g. from a socket event): keep the SW's cached answer as new. */
  | { type: 'remember-order'; order: Order; token: string }

const swMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('SKIP_WAITING') }),
  z.object({ type: z.literal('poll'), plan: pollPlanSchema }),
  z.object({ type: z.literal('clear-api-cache') }),
  z.object({ type: z.literal('flush-outbox') }),
  z.object({ type: z.literal('remember-order'), order: orderSchema, token: z.string().check(z.minLength(1), z.maxLength(4096)) }),
])

export function parseSwMessage(data: unknown): SwMessage | null {
  const parsed = swMessageSchema.safeParse(data)
  return parsed.success ? (parsed.data as SwMessage) : null
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

const clientMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('orderline:poll'),
    orders: z.array(orderSchema),
    changes: z.array(orderChangeSchema),
    stats: z.nullable(statsSchema),
    at: z.number(),
    ok: z.boolean(),
    networkError: z.boolean(),
  }),
  z.object({
    type: z.literal('orderline:api'),
    source: z.enum(['network', 'cache', 'none']),
    cachedAt: z.nullable(z.number()),
    at: z.number(),
  }),
])

export function parseClientMessage(data: unknown): ClientMessage | null {
  const parsed = clientMessageSchema.safeParse(data)
  return parsed.success ? (parsed.data as ClientMessage) : null
}

const pollOutcomeSchema = z.object({
  ok: z.boolean(),
  networkError: z.optional(z.boolean()),
  orders: z.array(z.object({ orderId: z.string(), version: z.number(), terminal: z.boolean() })),
  lastSeq: z.optional(z.number()),
})

export function parsePollOutcome(data: unknown): PollOutcome | null {
  const parsed = pollOutcomeSchema.safeParse(data)
  return parsed.success ? parsed.data : null
}
