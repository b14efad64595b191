/**
 * Replays queued admin status changes, oldest first, each with its own Idempotency-Key and
 * expected version. Runs in a tab or in the service worker, always under one Web Lock so exactly
 * one sender is active per browser. Every answer is recorded: applied entries leave the outbox,
 * refused ones stay with the server's current copy until the admin dismisses them.
 */
import * as v from 'valibot'
import { orderSchema, readErrorEnvelope, type Order } from '../protocol'
import type { OutboxEntry, OutboxStorage } from './outboxDb'
import { OUTBOX_CHANNEL, OUTBOX_LOCK } from './swProtocol'

export interface ReplayDeps {
  fetch: (input: string, init: RequestInit) => Promise<Response>
  url: (path: string) => string
}

export interface ReplayReport {
  applied: Order[]
  refused: OutboxEntry[]
  /** true when something is still pending (network down or server error): try again later. */
  deferred: boolean
}

type Answer = { kind: 'network' } | { kind: 'http'; status: number; body: unknown }

async function send(entry: OutboxEntry, deps: ReplayDeps): Promise<Answer> {
  try {
    const response = await deps.fetch(deps.url(`/api/orders/${encodeURIComponent(entry.orderId)}`), {
      method: 'PATCH',
      headers: {
        Accept: 'application/json',
        'Content-Type': 'application/json',
        Authorization: `Bearer ${entry.token}`,
        'Idempotency-Key': entry.key,
      },
      body: JSON.stringify({ status: entry.status, version: entry.version, ...(entry.reason ? { reason: entry.reason } : {}) }),
      cache: 'no-store',
    })
    return { kind: 'http', status: response.status, body: await response.json().catch(() => null) }
  } catch {
    return { kind: 'network' }
  }
}

function errorOf(body: unknown, status: number): { code: string; message: string; current: Order | null } {
  const envelope = readErrorEnvelope(body, status)
  const current = v.safeParse(orderSchema, envelope.current)
  return {
    code: envelope.code,
    message: envelope.message ?? `The server answered ${status}.`,
    current: current.success ? current.output : null,
  }
}

/** Decides what one answer does to its entry. Pure: the heart of "never dropped silently". */
export function settle(entry: OutboxEntry, answer: Answer): { next: OutboxEntry | null; applied: Order | null; stop: boolean } {
  const tried = { ...entry, attempts: entry.attempts + 1 }
  if (answer.kind === 'network') return { next: tried, applied: null, stop: true }
  const { status, body } = answer
  if (status >= 200 && status < 300) {
    const order = v.safeParse(orderSchema, body)
    return { next: null, applied: order.success ? order.output : null, stop: false }
  }
  const error = errorOf(body, status)
  // Server trouble or rate limiting: keep it pending and retry later, in order.
  if (status >= 500 || status === 429) return { next: { ...tried, error }, applied: null, stop: true }
  const state = status === 409 ? 'conflict' : status === 422 ? 'illegal' : 'failed'
  return {
    next: { ...tried, state, error: { code: error.code, message: error.message }, current: error.current },
    applied: null,
    stop: false,
  }
}

async function replayUnlocked(storage: OutboxStorage, deps: ReplayDeps): Promise<ReplayReport> {
  const report: ReplayReport = { applied: [], refused: [], deferred: false }
  for (const entry of await storage.all()) {
    if (entry.state !== 'pending') continue
    const { next, applied, stop } = settle(entry, await send(entry, deps))
    if (next) await storage.put(next)
    else await storage.remove(entry.key)
    if (applied) report.applied.push(applied)
    if (next && next.state !== 'pending') report.refused.push(next)
    if (stop) {
      report.deferred = true
      break
    }
  }
  return report
}

/** One replay pass under the 'orderline-outbox' Web Lock (waits for a sender already running). */
export async function replayOutbox(storage: OutboxStorage, deps: ReplayDeps): Promise<ReplayReport> {
  // Web Locks exist in windows and workers alike; typed loosely so this file fits both libs.
  const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks
  if (!locks) return replayUnlocked(storage, deps)
  return locks.request(OUTBOX_LOCK, () => replayUnlocked(storage, deps))
}

export interface OutboxAnnouncement {
  type: 'outbox-changed'
  applied: Order[]
}

/** Tells every tab (and the SW) that the outbox changed, with the orders the server applied. */
export function announceOutbox(report: Pick<ReplayReport, 'applied'> = { applied: [] }): void {
  if (typeof BroadcastChannel === 'undefined') return
  const channel = new BroadcastChannel(OUTBOX_CHANNEL)
  const message: OutboxAnnouncement = { type: 'outbox-changed', applied: report.applied }
  channel.postMessage(message)
  channel.close()
}
