/**
 * One fallback-poll tick as a pure function of a plan and a `fetch` (docs/architecture.md). The service
 * worker runs it for the whole browser; a page with no controlling service worker runs the same
 * code itself. No timers here: the hub owns the schedule, this only performs one round.
 */
import * as v from 'valibot'
import {
  changesPageSchema,
  etagOfVersion,
  isTerminal,
  nextChangesCursor,
  orderSchema,
  statsSchema,
  type Order,
  type OrderChange,
  type Stats,
} from '../protocol'
import type { PollOutcome, PollPlan } from './hubTypes'

export interface PollDeps {
  fetch: (input: string, init: RequestInit) => Promise<Response>
  /** Absolute URL of an API path (VITE_API_URL aware). */
  url: (path: string) => string
  /** Called with each 200 answer, so the caller can refresh its API cache with it. */
  onFresh?: (path: string, authorization: string, response: Response) => Promise<void>
}

export interface PollRound {
  outcome: PollOutcome
  /** Orders newer than the plan's versions. */
  orders: Order[]
  /** Admin change-log entries after the plan's cursor. */
  changes: OrderChange[]
  /** The dashboard's figures, when the plan asked for them and they came. */
  stats: Stats | null
}

type Step = { kind: 'ok' } | { kind: 'network' } | { kind: 'http' }

async function pollOrder(entry: PollPlan['orders'][number], deps: PollDeps, round: PollRound): Promise<Step> {
  const path = `/api/orders/${encodeURIComponent(entry.orderId)}`
  const authorization = `Bearer ${entry.token}`
  const headers: Record<string, string> = { Accept: 'application/json', Authorization: authorization }
  if (entry.version !== null) headers['If-None-Match'] = etagOfVersion(entry.version)
  let response: Response
  try {
    response = await deps.fetch(deps.url(path), { headers, cache: 'no-store' })
  } catch {
    return { kind: 'network' }
  }
  if (response.status === 304 && entry.version !== null) {
    round.outcome.orders.push({ orderId: entry.orderId, version: entry.version, terminal: false })
    return { kind: 'ok' }
  }
  if (!response.ok) return { kind: 'http' }
  if (deps.onFresh) await deps.onFresh(path, authorization, response.clone()).catch(() => undefined)
  const parsed = v.safeParse(orderSchema, await response.json().catch(() => null))
  if (!parsed.success) return { kind: 'http' }
  const order = parsed.output
  round.outcome.orders.push({ orderId: order.id, version: order.version, terminal: isTerminal(order.status) })
  if (entry.version === null || order.version > entry.version) round.orders.push(order)
  return { kind: 'ok' }
}

/** One uncached admin GET parsed with `schema`: the body, or why the step failed. */
async function getAdmin<S extends v.GenericSchema>(
  path: string,
  token: string,
  schema: S,
  deps: PollDeps,
): Promise<{ kind: 'ok'; body: v.InferOutput<S> } | Exclude<Step, { kind: 'ok' }>> {
  let response: Response
  try {
    response = await deps.fetch(deps.url(path), {
      headers: { Accept: 'application/json', Authorization: `Bearer ${token}` },
      cache: 'no-store',
    })
  } catch {
    return { kind: 'network' }
  }
  if (!response.ok) return { kind: 'http' }
  const parsed = v.safeParse(schema, await response.json().catch(() => null))
  return parsed.success ? { kind: 'ok', body: parsed.output } : { kind: 'http' }
}

async function pollAdmin(admin: NonNullable<PollPlan['admin']>, deps: PollDeps, round: PollRound): Promise<Step> {
  const answer = await getAdmin(`/api/changes?after=${admin.afterSeq}`, admin.token, changesPageSchema, deps)
  if (answer.kind !== 'ok') return answer
  const changes = answer.body.changes
  round.outcome.lastSeq = nextChangesCursor(admin.afterSeq, changes, answer.body.cursor)
  round.changes.push(...changes)
  return { kind: 'ok' }
}

async function pollStats(token: string, deps: PollDeps, round: PollRound): Promise<Step> {
  const answer = await getAdmin('/api/stats', token, statsSchema, deps)
  if (answer.kind !== 'ok') return answer
  round.stats = answer.body
  return { kind: 'ok' }
}

/**
 * Performs one poll round. Orders are fetched in parallel (one conditional GET each: a 304
 * costs the server a version lookup and no body). The outcome is `ok` only when every fetch
 * succeeded, and `networkError` when any failed for lack of a network, so the hub can back off
 * and show `offline` rather than `polling`.
 */
export async function runPoll(plan: PollPlan, deps: PollDeps): Promise<PollRound> {
  const round: PollRound = { outcome: { ok: true, orders: [] }, orders: [], changes: [], stats: null }
  const steps = await Promise.all([
    ...plan.orders.map((entry) => pollOrder(entry, deps, round)),
    ...(plan.admin ? [pollAdmin(plan.admin, deps, round)] : []),
    ...(plan.admin?.stats ? [pollStats(plan.admin.token, deps, round)] : []),
  ])
  if (steps.some((step) => step.kind !== 'ok')) round.outcome.ok = false
  if (steps.some((step) => step.kind === 'network')) round.outcome.networkError = true
  return round
}
