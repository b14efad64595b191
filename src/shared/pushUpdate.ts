/**
 * What a push message does to the order this browser holds, kept pure so it is unit-tested
 * without a service worker (src/sw/push.ts is the shell). The payload carries the order's id,
 * number, status and version, and nothing else: enough to announce the change and to move the
 * cached copy forward, never backwards.
 */
import * as v from 'valibot'
import { isTerminal, pushPayloadSchema, type Order, type PushPayload } from '../protocol'

/** The decrypted push data as JSON, validated; null for anything that is not ours. */
export function parsePushPayload(data: unknown): PushPayload | null {
  const parsed = v.safeParse(pushPayloadSchema, data)
  return parsed.success ? parsed.output : null
}

/**
 * The cached order moved to the pushed status, or null when the copy is already at that version
 * or newer (a late or repeated push). History gains the step, stamped with the arrival time (the
 * server's exact time comes with the next fetch); the estimate keeps only the steps still ahead,
 * and goes once the order is delivered or cancelled.
 */
export function applyPushedStatus(order: Order, payload: PushPayload, at: string): Order | null {
  if (order.id !== payload.orderId || order.version >= payload.version) return null
  const estimate = order.estimate
  let nextEstimate: Order['estimate'] = null
  if (estimate && !isTerminal(payload.status)) {
    const reached = estimate.steps.findIndex((step) => step.status === payload.status)
    nextEstimate = { ...estimate, steps: reached === -1 ? estimate.steps : estimate.steps.slice(reached + 1) }
  }
  return {
    ...order,
    status: payload.status,
    version: payload.version,
    updatedAt: at,
    history: [
      ...order.history.filter((entry) => entry.version < payload.version),
      { status: payload.status, version: payload.version, at },
    ],
    estimate: nextEstimate,
  }
}
